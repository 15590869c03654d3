"""The Atom feeds: parsed by a real feed parser without complaint, checked against RFC 4287's
requirements, escaped, and the same on every build."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree as ET

import feedparser
import pytest

from build_scripts.checker import Case, check
from build_scripts.feeds import CHANGES_FEED, EVENTS_FEED, feed_files
from build_scripts.history import History, build_time, read_history
from tests.test_history import T0, commit, git

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "casefile"
HOSTILE = ROOT / "tests" / "hostile" / "casefile"
A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
EPOCH = {"SOURCE_DATE_EPOCH": str(T0 + 1000)}


def project(tmp_path: Path, records: Path, message: str = "Add the case file") -> Path:
    """A repository holding a copy of `records` as casefile/, committed at T0, then one record
    changed at T0 + 100."""
    git(tmp_path, "init", "-q", "-b", "main")
    shutil.copytree(records, tmp_path / "casefile")
    commit(tmp_path, message, T0)
    first = sorted((tmp_path / "casefile" / "events").glob("*.yml"))[0]
    text = first.read_text(encoding="utf-8") + "# touched\n"
    commit(tmp_path, f"{message} <again> & \x07", T0 + 100, **{f"events/{first.name}": text})
    return tmp_path / "casefile"


def load(records: Path) -> tuple[Case, History | None]:
    report, case = check(records)
    assert case is not None, [f.message for f in report.findings]
    return case, read_history(records, environ=EPOCH)


@pytest.fixture(scope="module", params=[EXAMPLE, HOSTILE], ids=["example", "hostile"])
def built(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Case, History, dict[str, str]]:
    records = project(tmp_path_factory.mktemp("repo"), request.param)
    case, history = load(records)
    assert history is not None
    files = feed_files(
        case, history, build_time(history, EPOCH), site_url="https://example.org/case/"
    )
    return case, history, files


def rfc4287(text: str) -> ET.Element:
    """The requirements of RFC 4287 that a document can be checked against on its own."""
    feed = ET.fromstring(text.encode("utf-8"))
    assert feed.tag == f"{A}feed"

    def one(parent: ET.Element, name: str) -> ET.Element:
        found = parent.findall(f"{A}{name}")
        assert len(found) == 1, (name, len(found))
        return found[0]

    for parent in (feed, *feed.findall(f"{A}entry")):
        for name in ("id", "title", "updated"):
            one(parent, name)
        assert re.match(r"^[a-z][a-z0-9+.-]*:", one(parent, "id").text or "")  # an absolute IRI
        assert RFC3339.match(one(parent, "updated").text or "")
        alternates = [
            (link.get("type"), link.get("hreflang"))
            for link in parent.findall(f"{A}link")
            if link.get("rel", "alternate") == "alternate"
        ]
        assert len(alternates) == len(set(alternates))
        for link in parent.findall(f"{A}link"):
            assert link.get("href")
        if parent is not feed:
            assert alternates or parent.find(f"{A}content") is not None
            content = parent.find(f"{A}content")
            if content is not None and content.get("type") == "xhtml":
                (div,) = list(content)
                assert div.tag == "{http://www.w3.org/1999/xhtml}div"
    entries = feed.findall(f"{A}entry")
    assert feed.find(f"{A}author") is not None or all(
        e.find(f"{A}author") is not None for e in entries
    )
    assert [link.get("rel") for link in feed.findall(f"{A}link")].count("self") == 1
    ids = [e.findtext(f"{A}id") for e in entries]
    assert len(ids) == len(set(ids))
    return feed


def test_both_feeds_parse_without_complaint(built: tuple[Case, History, dict[str, str]]) -> None:
    _, _, files = built
    assert sorted(files) == [CHANGES_FEED, EVENTS_FEED]
    for text in files.values():
        parsed = feedparser.parse(text)
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.version == "atom10"
        rfc4287(text)
        self_links = [link for link in parsed.feed.links if link.rel == "self"]
        assert [link.type for link in self_links] == ["application/atom+xml"]
        assert self_links[0].href.startswith("https://example.org/case/feeds/")


def test_the_events_feed(built: tuple[Case, History, dict[str, str]]) -> None:
    case, _, files = built
    parsed = feedparser.parse(files[EVENTS_FEED])
    events = list(reversed(case.events))
    assert [e.title for e in parsed.entries] == [r.data.title for r in events]
    assert [e.link for e in parsed.entries] == [
        f"https://example.org/case/events/{r.id}/" for r in events
    ]
    feed = ET.fromstring(files[EVENTS_FEED].encode("utf-8"))
    titles = [e.findtext(f"{A}title") for e in feed.findall(f"{A}entry")]
    assert titles == [r.data.title for r in events]  # exact text, whatever it holds
    updated = {e.findtext(f"{A}updated") for e in feed.findall(f"{A}entry")}
    assert updated <= {"2023-11-14T22:13:20Z", "2023-11-14T22:15:00Z"}  # T0, T0 + 100
    assert feed.findtext(f"{A}updated") == "2023-11-14T22:15:00Z"


def test_the_changes_feed(built: tuple[Case, History, dict[str, str]]) -> None:
    case, history, files = built
    parsed = feedparser.parse(files[CHANGES_FEED])
    assert [e.title for e in parsed.entries] == [
        "Add the case file <again> &",
        "Add the case file",
    ]  # the control character a commit message may hold is dropped
    assert [e.link for e in parsed.entries] == [
        f"https://example.org/case/changes/#commit-{c.short}" for c in history.commits
    ]
    oldest = ET.fromstring(files[CHANGES_FEED].encode("utf-8")).findall(f"{A}entry")[-1]
    items = oldest.findall(".//{http://www.w3.org/1999/xhtml}li")
    assert len(items) == len(history.commits[-1].changes)
    linked = {a.get("href") for a in oldest.iterfind(".//{http://www.w3.org/1999/xhtml}a")}
    assert {f"https://example.org/case/{r.kind}s/{r.id}/" for r in case.records.values()} <= linked


def test_deterministic_with_source_date_epoch(tmp_path: Path) -> None:
    records = project(tmp_path, EXAMPLE)
    first = feed_files(*load(records), build_time(None, EPOCH), site_url=None)
    second = feed_files(*load(records), build_time(None, EPOCH), site_url=None)
    assert first == second


def test_without_history_only_the_events_feed(tmp_path: Path) -> None:
    case, _ = load(EXAMPLE)
    when = datetime.fromtimestamp(T0, UTC)
    files = feed_files(case, None, when, site_url=None)
    assert sorted(files) == [EVENTS_FEED]
    parsed = feedparser.parse(files[EVENTS_FEED])
    assert not parsed.bozo
    assert parsed.feed.updated == "2023-11-14T22:13:20Z"
    assert all(e.updated == "2023-11-14T22:13:20Z" for e in parsed.entries)
    # Without site_url, links are relative to the feed itself.
    feed = rfc4287(files[EVENTS_FEED])
    assert feed.find(f"{A}link[@rel='self']").get("href") == "events.xml"  # type: ignore[union-attr]
    assert parsed.entries[0].link.startswith("../events/")
    flat = feed_files(case, None, when, site_url=None, directory_urls=False)
    assert feedparser.parse(flat[EVENTS_FEED]).entries[0].link.endswith(".html")
