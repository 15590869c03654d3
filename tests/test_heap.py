"""The cyclic collector during a build (`heap.py`): off while a step builds what later
steps keep, the heap frozen after it, and on again afterwards, whatever ends the build; and
the search index started as soon as the hand-written pages are read."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from build_scripts import heap
from build_scripts.plugin import CasefilePlugin

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def passes() -> Iterator[list[int]]:
    """The generations of the collector's passes while the test runs; the heap unfrozen
    after it, so that the cycles of what it froze can still be freed."""
    seen: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    thresholds = gc.get_threshold()
    gc.collect()
    gc.callbacks.append(note)
    try:
        yield seen
    finally:
        gc.callbacks.remove(note)
        gc.unfreeze()
        gc.enable()
        gc.set_threshold(*thresholds)


def _make(count: int) -> list[list[int]]:
    return [[n] for n in range(count)]  # containers the collector tracks


def test_growing_makes_a_heap_without_a_pass_and_freezes_it(passes: list[int]) -> None:
    frozen = gc.get_freeze_count()
    with heap.growing():
        assert not gc.isenabled()
        kept = _make(200_000)
    assert gc.isenabled()
    assert passes == []
    assert gc.get_freeze_count() >= frozen + len(kept)
    _make(2_000)  # objects made after it: a pass over them alone, now and then
    assert passes and set(passes) <= {0, 1, 2}


def test_growing_leaves_the_collector_as_it_found_it(passes: list[int]) -> None:
    gc.disable()
    with heap.growing():
        pass
    assert not gc.isenabled()
    gc.enable()
    frozen = gc.get_freeze_count()
    made: list[list[list[int]]] = []  # what the failed step made, alive after it
    with pytest.raises(ValueError), heap.growing():
        made.append(_make(1000))
        raise ValueError("the step failed")
    assert gc.isenabled()
    # A failed step's heap is not kept: nothing is added to the frozen objects. (Their count
    # may go down meanwhile: a thread left by an earlier test, such as a browser test's, can
    # free an object the first block froze; one such run saw 213,201 against 213,202.)
    assert gc.get_freeze_count() <= frozen


def test_pause_and_resume(passes: list[int]) -> None:
    assert heap.pause() is True and not gc.isenabled()
    assert heap.pause() is False  # already off
    heap.resume(False)
    assert not gc.isenabled()
    heap.resume(True)
    assert gc.isenabled()


def test_young_only_holds_the_full_passes_until_full_again(passes: list[int]) -> None:
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.collect()  # over none: from now on a full pass is due as soon as objects get old
    passes.clear()
    full = heap.young_only()
    assert full == thresholds and gc.get_threshold()[2] == heap.NEVER
    assert heap.young_only() is None  # held already
    kept = _make(300_000)  # they outlive young passes, and wait in the oldest generation
    assert passes and 2 not in passes
    heap.full_again(full)
    assert gc.get_threshold() == thresholds
    kept += _make(10_000)
    assert 2 in passes
    heap.full_again(None)  # nothing was held
    assert gc.get_threshold() == thresholds


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "casefile", tmp_path / "casefile")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    return tmp_path


def _config(project: Path) -> MkDocsConfig:
    return load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(project / "site"))


def test_a_build_starts_the_index_once_the_hand_written_pages_are_read(
    project: Path, monkeypatch: pytest.MonkeyPatch, passes: list[int]
) -> None:
    """And the collector is off while MkDocs makes the page objects and reads the generated
    pages (kept to the end), on while it reads the hand-written ones (Python-Markdown leaves
    cycles behind), on for young objects only while the theme renders the pages, and as it
    was after the build."""
    read: list[tuple[int, int, int]] = []
    collector: dict[str, set[object]] = {k: set() for k in ("nav", "ours", "theirs", "theme")}
    start, on_nav, on_markdown, on_post_page = (
        CasefilePlugin._start_index,
        CasefilePlugin.on_nav,
        CasefilePlugin.on_page_markdown,
        CasefilePlugin.on_post_page,
    )

    def started(plugin: CasefilePlugin, config: MkDocsConfig, files: Files) -> None:
        assert plugin.site is not None
        pages = [f.page for f in files.documentation_pages() if f.page is not None]
        ours = [p for p in pages if p.file.src_uri in plugin.site.titles]
        theirs = [p for p in pages if p.file.src_uri not in plugin.site.titles]
        read.append(
            (
                len(theirs),
                sum(p.content is not None for p in theirs),
                sum(p.content is not None for p in ours),
            )
        )
        start(plugin, config, files)

    def nav(plugin: CasefilePlugin, nav: Navigation, **kwargs: Any) -> Navigation:
        collector["nav"].add(gc.isenabled())  # the page objects are made
        return on_nav(plugin, nav, **kwargs)

    def markdown(plugin: CasefilePlugin, markdown: str, *, page: Page, **kwargs: Any) -> str:
        assert plugin.site is not None
        ours = page.file.src_uri in plugin.site.titles
        collector["ours" if ours else "theirs"].add(gc.isenabled())
        return on_markdown(plugin, markdown, page=page, **kwargs)

    def themed(plugin: CasefilePlugin, output: str, **kwargs: Any) -> str:
        collector["theme"].add((gc.isenabled(), gc.get_threshold()[2] == heap.NEVER))
        return on_post_page(plugin, output, **kwargs)

    thresholds = gc.get_threshold()
    monkeypatch.setattr(CasefilePlugin, "_start_index", started)
    monkeypatch.setattr(CasefilePlugin, "on_nav", nav)
    monkeypatch.setattr(CasefilePlugin, "on_page_markdown", markdown)
    monkeypatch.setattr(CasefilePlugin, "on_post_page", themed)
    build(_config(project))
    hand_written = len(list((project / "docs").rglob("*.md")))
    assert hand_written > 0
    # Once, when every hand-written page was read and no generated one yet.
    assert read == [(hand_written, hand_written, 0)]
    # In the theme step: on, for young objects only (heap.young_only).
    assert collector == {"nav": {False}, "ours": {False}, "theirs": {True}, "theme": {(True, True)}}
    assert gc.isenabled() and gc.get_threshold() == thresholds
    assert (project / "site" / "pagefind" / "pagefind-entry.json").is_file()


def test_a_failed_build_turns_the_collector_on_again(
    project: Path, monkeypatch: pytest.MonkeyPatch, passes: list[int]
) -> None:
    on_pre_page = CasefilePlugin.on_pre_page

    def fails(plugin: CasefilePlugin, page: Page, **kwargs: Any) -> Page:
        page = on_pre_page(plugin, page, **kwargs)
        if not gc.isenabled():  # reading the generated pages
            raise RuntimeError("a later step failed")
        return page

    monkeypatch.setattr(CasefilePlugin, "on_pre_page", fails)
    with pytest.raises(RuntimeError, match="a later step failed"):
        build(_config(project))
    assert gc.isenabled()


def test_a_build_that_fails_in_the_theme_step_gives_the_full_passes_back(
    project: Path, monkeypatch: pytest.MonkeyPatch, passes: list[int]
) -> None:
    thresholds = gc.get_threshold()
    held: list[bool] = []

    def fails(plugin: CasefilePlugin, output: str, **kwargs: Any) -> str:
        held.append(gc.get_threshold()[2] == heap.NEVER)
        raise RuntimeError("the theme step failed")

    monkeypatch.setattr(CasefilePlugin, "on_post_page", fails)
    with pytest.raises(RuntimeError, match="the theme step failed"):
        build(_config(project))
    assert held == [True]
    assert gc.isenabled() and gc.get_threshold() == thresholds
