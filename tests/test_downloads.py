"""The downloads and the history on the site: the Data page lists every download with its
size, record pages say when they last changed, Recent changes lists the commits, the head
tags carry a source's citation and the feeds, and the timeline carries each event's CSV row.
Without a history, what comes from it is simply absent."""

from __future__ import annotations

import csv
import io
import json
import posixpath
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest

from build_scripts.checker import Case, check
from build_scripts.downloads import HistoryLinks
from build_scripts.feeds import CHANGES_FEED, EVENTS_FEED, anchor
from build_scripts.head import head_tags, insert_head
from build_scripts.history import read_history
from build_scripts.page_cache import PageCache
from build_scripts.pages import render_site
from build_scripts.portable import to_markdown
from build_scripts.site_paths import url_of
from tests.cases import write_case
from tests.test_history import T0, commit, git

GOLDEN = Path(__file__).resolve().parent / "golden_pages" / "casefile"
BUILT = datetime(2024, 1, 2, tzinfo=UTC)
LINKS = HistoryLinks("https://github.com/o/r", "edit/main/docs/", "../casefile")


def checked(root: Path) -> Case:
    report, case = check(root)
    assert case is not None, [f.message for f in report.findings]
    return case


def _files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The golden case in a git repository: added, edited, and an actor added then deleted."""
    git(tmp_path, "init", "-q", "-b", "main")
    original = _files(GOLDEN)
    commit(tmp_path, "Add the case", T0, **original)
    meeting = original["events/meeting.yml"] + "# checked again\n"
    commit(
        tmp_path,
        "Check the meeting; add Temp",
        T0 + 86_400,
        **{"events/meeting.yml": meeting, "actors/temp.yml": "name: Temp\nkind: person\n"},
    )
    text = original["sources/report.txt"] + "\nA paragraph added later.\n"
    commit(
        tmp_path,
        "Remove Temp <again> & extend the report",
        T0 + 2 * 86_400,
        **{"actors/temp.yml": None, "sources/report.txt": text},
    )
    return tmp_path


def _with_history(repo: Path, **options: object) -> dict[str, str]:
    history = read_history(repo / "casefile", environ={})
    assert history is not None
    site = render_site(checked(repo / "casefile"), history=history, history_links=LINKS, **options)
    return site.files


# -- without a history ----------------------------------------------------------------------
def test_without_history_what_comes_from_it_is_absent() -> None:
    site = render_site(checked(GOLDEN), built=BUILT)
    assert "changes.md" not in site.files and CHANGES_FEED not in site.files
    assert EVENTS_FEED in site.files
    assert not any("cf-changed" in text for text in site.pages.values())
    assert "Recent changes" not in site.files["data.md"]
    assert site.feeds == {EVENTS_FEED: "Events (Atom)"}


def test_without_history_or_epoch_the_feed_is_dated_by_the_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = render_site(checked(GOLDEN)).files[EVENTS_FEED]
    assert first == render_site(checked(GOLDEN)).files[EVENTS_FEED]  # never the clock
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(T0))
    assert (
        "<updated>2023-11-14T22:13:20Z</updated>" in render_site(checked(GOLDEN)).files[EVENTS_FEED]
    )


# -- the Data page --------------------------------------------------------------------------
def _size(n: int) -> str:
    if n < 1000:
        return f"{n} bytes"
    return f"{n / 1000:.1f} kB" if n < 1_000_000 else f"{n / 1_000_000:.1f} MB"


def test_the_data_page_lists_every_download_with_its_size(repo: Path) -> None:
    files = _with_history(repo, built=BUILT)
    page = files["data.md"]
    here = url_of("data.md", True)
    linked = {}
    for href, name, size in re.findall(r'<a href="([^"]+)">([^<]+)</a> \(([^)]+)\)', page):
        path = posixpath.normpath(posixpath.join(here, href))
        assert path.rsplit("/", 1)[-1] == name
        linked[path] = size
    downloads = {p for p in files if not p.endswith(".md") and not p.startswith("data/cite/")}
    assert set(linked) == downloads
    for path, size in linked.items():
        assert size == _size(len(files[path].encode("utf-8"))), path
    assert CHANGES_FEED in linked and EVENTS_FEED in linked


# -- last changed and recent changes -------------------------------------------------------
def test_every_record_page_says_when_it_last_changed(repo: Path) -> None:
    files = _with_history(repo)
    history = "https://github.com/o/r/commits/main/casefile"
    expected = {
        "events/meeting.md": ("2023-11-15", f"{history}/events/meeting.yml"),
        "sources/report.md": ("2023-11-16", f"{history}/sources/report.yml"),  # its text
        "actors/ann-lee.md": ("2023-11-14", f"{history}/actors/ann-lee.yml"),
        "quotes/ann-serious-proposal.md": (
            "2023-11-14",
            f"{history}/quotes/ann-serious-proposal.yml",
        ),
    }
    for path, (day, url) in expected.items():
        assert f'<p class="cf-changed">Last changed: <time datetime="{day}">' in files[path], path
        assert f'<a href="{url}">history of this record</a>' in files[path], path
    for path in ("events/follow-up.md", "actors/ministry.md"):
        assert 'class="cf-changed"' in files[path]


def test_last_changed_without_a_known_host_has_no_link(repo: Path) -> None:
    history = read_history(repo / "casefile", environ={})
    site = render_site(checked(repo / "casefile"), history=history)
    assert "Last changed:" in site.files["events/meeting.md"]
    assert "history of this record" not in site.files["events/meeting.md"]


def test_recent_changes_newest_first_grouped_by_commit(repo: Path) -> None:
    history = read_history(repo / "casefile", environ={})
    assert history is not None
    page = _with_history(repo)["changes.md"]
    ids = re.findall(r'<h2 id="([^"]+)">', page)
    assert ids == [anchor(c) for c in history.commits]
    headings = re.findall(r"<h2 [^>]*>(.*?)<a ", page)
    assert headings == [
        "Remove Temp &lt;again&gt; &amp; extend the report",
        "Check the meeting; add Temp",
        "Add the case",
    ]
    newest, middle, _ = page.split("<h2 ")[1:]
    assert "<li>deleted: actors/temp.yml</li>" in newest  # gone: not linked
    assert '<li>changed: <a href="../sources/report/">' in newest  # its text changed
    assert "<li>added: actors/temp.yml</li>" in middle  # added, gone since
    assert (
        '<li>changed: <a href="../events/meeting/">The meeting</a> (events/meeting.yml)' in middle
    )
    assert '<time datetime="2023-11-15">15 November 2023</time>' in middle


def test_recent_changes_reads_the_same_as_portable_markdown(repo: Path) -> None:
    files = _with_history(repo, directory_urls=None)
    markdown = to_markdown(files["changes.md"])
    assert "## Add the case {#commit-" in markdown
    assert "[The meeting](events/meeting.md)" in markdown


def test_source_date_epoch_makes_the_history_and_its_pages_reproducible(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(T0 + 86_400 + 10))
    runs = []
    for _ in range(2):
        history = read_history(repo / "casefile")
        assert history is not None
        runs.append(render_site(checked(repo / "casefile"), history=history).files)
    assert runs[0] == runs[1]
    assert "Remove Temp" not in runs[0]["changes.md"]  # committed after the epoch
    assert "<updated>2023-11-15T22:13:20Z</updated>" in runs[0][EVENTS_FEED]  # the meeting
    assert "2023-11-16" not in runs[0]["sources/report.md"]


def test_a_new_commit_renders_cached_record_pages_again(repo: Path) -> None:
    case = checked(repo / "casefile")
    cache = PageCache()
    render_site(case, cache=cache)
    site = render_site(case, cache=cache, history=read_history(repo / "casefile", environ={}))
    assert "Last changed:" in site.files["events/meeting.md"]


# -- the head -----------------------------------------------------------------------------------
def test_head_tags_carry_the_citation_and_the_feeds(repo: Path) -> None:
    history = read_history(repo / "casefile", environ={})
    case = checked(repo / "casefile")
    for style, source_link, home_link in (
        (True, "../../feeds/events.xml", "feeds/events.xml"),
        (False, "../feeds/events.xml", "feeds/events.xml"),
        (None, "../feeds/events.xml", "feeds/events.xml"),
    ):
        site = render_site(case, history=history, directory_urls=style)
        head = head_tags("sources/report.md", site)
        assert head.startswith('<meta name="citation_title" content="A report on the meeting">\n')
        assert '<meta name="citation_publication_date" content="2022/07/28">' in head
        assert (
            f'<link rel="alternate feed" type="application/atom+xml" title="Events (Atom)" '
            f'href="{source_link}">'
        ) in head
        assert 'title="Recent changes (Atom)" href="' in head
        home = head_tags("index.md", site)
        assert "citation_" not in home and f'href="{home_link}"' in home
        assert 'href="' in head_tags("contributing.md", site)  # hand-written pages too


def test_head_tags_escape_record_text(tmp_path: Path) -> None:
    root = write_case(
        tmp_path,
        **{"sources/memo.yml": 'title: "A \\"memo\\" <script>&"\nkind: document\n'},
    )
    head = head_tags("sources/memo.md", render_site(checked(root)))
    assert 'content="A &quot;memo&quot; &lt;script&gt;&amp;"' in head
    assert "<script" not in head


def test_insert_head_puts_the_tags_before_the_head_ends() -> None:
    page = "<html><head><title>x</title></head><body></body></html>"
    out = insert_head(page, '<meta name="a" content="b">\n')
    assert (
        out
        == '<html><head><title>x</title><meta name="a" content="b">\n</head><body></body></html>'
    )
    assert insert_head("<p>no head</p>", "<meta>") == "<p>no head</p>"
    assert insert_head(page, "") == page


# -- history links ------------------------------------------------------------------------------
def test_history_links_follow_mkdocs_edit_links(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "casefile").mkdir()
    links = HistoryLinks.of(
        None,
        "https://github.com/example/casefile/edit/main/docs/",
        tmp_path / "casefile",
        tmp_path / "docs",
    )
    assert links("events/x.yml") == (
        "https://github.com/example/casefile/commits/main/casefile/events/x.yml"
    )
    assert (
        HistoryLinks.of(
            "https://gitlab.com/g/p", "-/edit/main/docs/", tmp_path / "casefile", tmp_path / "docs"
        )("events/x.yml")
        == "https://gitlab.com/g/p/-/commits/main/casefile/events/x.yml"
    )
    assert HistoryLinks("https://example.org/r", "edit/main/docs/", "../casefile")("a") is None
    assert HistoryLinks(None, "edit/main/docs/", "../casefile")("a") is None
    assert HistoryLinks(None, None, "../casefile")("a") is None


# -- the timeline's rows --------------------------------------------------------------------
class _Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: dict[str, list[str]] = {}
        self.header: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "li" and found.get("data-csv"):
            self.rows[str(found["id"])] = json.loads(str(found["data-csv"]))
        if tag == "form" and found.get("data-csv-header"):
            self.header = json.loads(str(found["data-csv-header"]))


def test_each_timeline_event_carries_its_row_of_events_csv() -> None:
    hostile = Path(__file__).resolve().parent / "hostile" / "casefile"
    for root in (GOLDEN, hostile):
        files = render_site(checked(root)).files
        parser = _Rows()
        for path, text in files.items():
            if path == "timeline.md" or path.startswith("timeline/"):
                parser.feed(text)
        table = files["data/events.csv"]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(parser.header)
        for event_id in sorted(parser.rows):
            writer.writerow(parser.rows[event_id])
        assert out.getvalue() == table, root


# -- the navigation -----------------------------------------------------------------------------
def test_recent_changes_follows_data_in_the_nav_when_there_is_one(tmp_path: Path) -> None:
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.nav import get_navigation

    from build_scripts.nav import order
    from build_scripts.pages import SECTIONS
    from tests.test_site_files import config

    cfg = config(tmp_path)
    for paths in (["about.md", "changes.md", "data.md", "index.md"], ["data.md", "index.md"]):
        files = Files([File.generated(cfg, p, content="# x") for p in paths])
        nav = order(get_navigation(files, cfg), SECTIONS)
        order_found = [item.file.src_uri for item in nav.items]
        if "changes.md" in paths:
            assert order_found == ["index.md", "data.md", "changes.md", "about.md"]
            assert nav.items[2].title == "Recent changes"
        else:
            assert order_found == ["index.md", "data.md"]
