"""A render with a kept page cache (what `mkdocs serve` does after every save) gives, after
any sequence of edits, byte for byte the site a fresh check and render give: every page, every
part of a long list, every download, title, edit link and head. The lists are made short here
so that the timeline, the quotes and the tags are split into parts, as at 10,000 records."""

from __future__ import annotations

import random
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_scripts import views
from build_scripts.checker import check
from build_scripts.pages import PageCache, Site, render_site
from build_scripts.records import FileCache
from tests.test_page_cache import Serving

EXAMPLE = Path(__file__).resolve().parent.parent / "casefile"
FOLDERS = ("actors", "events", "quotes", "sources")
TAGS = ("prisoner-exchange", "public-diplomacy", "edited", "a-new-tag")
WORDS = ("Talks", "stall", "again", "A&B", "<b>bold</b>", "“quoted”", "*stars*", "Ünïcode", "1984.")
DATES = ("2022-07-{day:02d}", "2022-{month:02d}", "2021", "../2022-08-{day:02d}")
DATES += ("2022-07-{day:02d}/..", "2022-06-{day:02d}/2022-07-{day:02d}", "2022-07-{day:02d}~")


def everything(site: Site) -> dict[str, object]:
    return {
        "files": site.files,
        "titles": site.titles,
        "sources": site.sources,
        "head": site.head,
        "feeds": site.feeds,
    }


def fresh(root: Path) -> Site:
    report, case = check(root)
    assert case is not None, report.errors
    return render_site(case)


# -- edits, each to records `pick` chooses -------------------------------------------------------
def _records(root: Path, *folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (root / folder).glob("*.yml"))


def _edit(path: Path, change: Callable[[dict[str, object]], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _words(pick: random.Random) -> str:
    return " ".join(pick.choice(WORDS) for _ in range(pick.randint(1, 4)))


def retitle(root: Path, pick: random.Random) -> None:
    path = pick.choice(_records(root, *FOLDERS))
    field = {"actors": "name", "quotes": "context"}.get(path.parent.name, "title")
    _edit(path, lambda d: d.update({field: _words(pick)}))


def resummarise(root: Path, pick: random.Random) -> None:
    """A summary naming records by `[[id]]` and `[[id|label]]`, so that the pages and the
    feed entries showing it read those records' names."""
    ids = [p.stem for p in _records(root, *FOLDERS)]
    named = f"[[{pick.choice(ids)}]] and [[{pick.choice(ids)}|{_words(pick)}]]"
    _edit(pick.choice(_records(root, "events")), lambda d: d.update(summary=f"{named}."))


def resummarise_case(root: Path, pick: random.Random) -> None:
    """The case's own summary (the home page's) naming other records: their pages list it
    where they are mentioned."""
    ids = [p.stem for p in _records(root, *FOLDERS)]
    named = " ".join(f"[[{i}]]" for i in pick.sample(ids, pick.randint(0, 3)))
    _edit(root / "case.yml", lambda d: d.update(summary=f"{_words(pick)} {named}"))


def redate(root: Path, pick: random.Random) -> None:
    when = pick.choice(DATES).format(day=pick.randint(1, 28), month=pick.randint(1, 12))
    _edit(pick.choice(_records(root, "events")), lambda d: d.update(date=when))


def retag(root: Path, pick: random.Random) -> None:
    tags = pick.sample(TAGS, pick.randint(0, 2))
    _edit(pick.choice(_records(root, *FOLDERS)), lambda d: d.update(tags=tags))


def add_record(root: Path, pick: random.Random) -> None:
    model = pick.choice(_records(root, "events", "quotes", "actors"))
    copy = model.with_name(f"added-{pick.randint(0, 10**6)}.yml")
    while copy.exists():  # the same seed twice
        copy = copy.with_name(f"{copy.stem}-again.yml")
    shutil.copyfile(model, copy)
    field = {"actors": "name", "quotes": "context"}.get(model.parent.name, "title")
    _edit(copy, lambda d: d.update({field: f"Added {_words(pick)}"}))


def remove_record(root: Path, pick: random.Random) -> None:
    pick.choice(_records(root, *FOLDERS)).unlink()


def extend_text(root: Path, pick: random.Random) -> None:
    path = pick.choice(sorted((root / "sources").glob("*.txt")))
    path.write_text(path.read_text(encoding="utf-8") + f"\n\n{_words(pick)}\n", encoding="utf-8")


EDITS = [retitle, resummarise, resummarise_case, redate, retag, add_record, remove_record]
EDITS += [extend_text]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 2**32)), min_size=1, max_size=6))
def test_a_kept_cache_renders_what_a_fresh_render_does(
    monkeypatch: pytest.MonkeyPatch, edits: list[tuple[Callable[[Path, random.Random], None], int]]
) -> None:
    monkeypatch.setattr(views, "PAGE_BUDGET", 6_000)  # a few events or quotes to a part
    monkeypatch.setattr(views, "LIST_PART", 4)  # a few records to a part of a tag's list
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "casefile"
        shutil.copytree(EXAMPLE, root)
        serving = Serving(root)
        first = serving.rebuild()
        assert first is not None
        assert any(path.startswith("timeline/") for path in first.files)  # split into parts
        for edit, seed in edits:
            served = serving.save(edit, random.Random(seed))
            assert everything(served) == everything(fresh(root)), edit.__name__


def test_an_unchanged_case_renders_nothing_again_and_an_edit_only_what_reads_it(
    tmp_path: Path,
) -> None:
    root = tmp_path / "casefile"
    shutil.copytree(EXAMPLE, root)
    serving = Serving(root)
    serving.rebuild()
    pieces = dict(serving.pages.fragments)
    assert any(key[0] == "feed" for key in pieces) and any(key[0] == "csv" for key in pieces)
    serving.rebuild()
    assert serving.pages.rendered == []
    assert all(serving.pages.fragments[key] is piece for key, piece in pieces.items())

    _edit(root / "events" / "griner-convicted.yml", lambda d: d.update(title="Retitled"))
    site = serving.rebuild()
    assert site is not None
    again = {key for key, piece in serving.pages.fragments.items() if pieces.get(key) is not piece}
    # The event's own pieces, and those that show its title: the feed entries of the events
    # whose summaries name it, not the others.
    naming = {
        path.stem
        for path in _records(root, "events")
        if "[[griner-convicted" in yaml.safe_load(path.read_text(encoding="utf-8"))["summary"]
    }
    assert {key[1] for key in again if key[0] == "feed"} == {"griner-convicted", *naming}
    assert ("csv", "griner-convicted") in again and ("json", "griner-convicted") in again
    assert ("csv", "griner-testifies") not in again and ("json", "whelan-convicted") not in again
    assert "events/griner-convicted.md" in serving.pages.rendered
    assert everything(site) == everything(fresh(root))


def test_a_failed_render_leaves_nothing_half_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "casefile"
    shutil.copytree(EXAMPLE, root)
    serving = Serving(root)
    serving.rebuild()
    _edit(root / "events" / "griner-convicted.yml", lambda d: d.update(title="Retitled"))

    def broken(*args: object) -> tuple[str, str]:
        raise RuntimeError("a view failed")

    with monkeypatch.context() as patched:
        patched.setitem(views.RECORD_VIEWS, "event", broken)  # the edited event's page
        with pytest.raises(RuntimeError, match="a view failed"):
            serving.rebuild()
    assert serving.pages.pages == {} and serving.pages.fragments == {}
    site = serving.rebuild()
    assert site is not None and everything(site) == everything(fresh(root))


def test_an_edited_template_is_used_at_once(tmp_path: Path) -> None:
    root, theme = tmp_path / "casefile", tmp_path / "theme"
    shutil.copytree(EXAMPLE, root)
    (theme / "casefile").mkdir(parents=True)
    event = theme / "casefile" / "event.html.j2"
    event.write_text("<h1>{{ event.data.title }}</h1>\n", encoding="utf-8")
    files, pages = FileCache(), PageCache()
    _, case = check(root, files)
    assert case is not None
    render_site(case, cache=pages, custom_dir=theme)
    # Edited in the same moment, to the same size: only what the files hold tells.
    event.write_text("<h2>{{ event.data.title }}</h2>\n", encoding="utf-8")
    line = theme / "casefile" / "quote_line.html.j2"
    line.write_text("{{ page.link(quote) }} (edited)\n", encoding="utf-8")
    served = render_site(case, cache=pages, custom_dir=theme)
    assert served.files["events/griner-convicted.md"].startswith("<h2>")
    assert "(edited)</li>" in served.files["quotes/index.md"]
    assert everything(served) == everything(render_site(case, custom_dir=theme))
