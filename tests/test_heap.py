"""The cyclic collector during a build (`heap.py`): off while a step builds what later
steps keep, the heap frozen after it, and on again afterwards, whatever ends the build; and
the search index started as soon as the hand-written pages are read."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation

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

    gc.collect()
    gc.callbacks.append(note)
    try:
        yield seen
    finally:
        gc.callbacks.remove(note)
        gc.unfreeze()
        gc.enable()


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
    with pytest.raises(ValueError), heap.growing():
        _make(1000)
        raise ValueError("the step failed")
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen  # a failed step's heap is not kept


def test_pause_and_resume(passes: list[int]) -> None:
    assert heap.pause() is True and not gc.isenabled()
    assert heap.pause() is False  # already off
    heap.resume(False)
    assert not gc.isenabled()
    heap.resume(True)
    assert gc.isenabled()


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
    read: list[tuple[int, int, int]] = []
    start = CasefilePlugin._start_index

    def started(plugin: CasefilePlugin, config: MkDocsConfig, files: Files) -> None:
        assert plugin.site is not None and not gc.isenabled()  # reading: the collector off
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

    monkeypatch.setattr(CasefilePlugin, "_start_index", started)
    build(_config(project))
    hand_written = len(list((project / "docs").rglob("*.md")))
    assert hand_written > 0
    # Once, when every hand-written page was read and no generated one yet.
    assert read == [(hand_written, hand_written, 0)]
    assert gc.isenabled()
    assert (project / "site" / "pagefind" / "pagefind-entry.json").is_file()


def test_a_failed_build_turns_the_collector_on_again(
    project: Path, monkeypatch: pytest.MonkeyPatch, passes: list[int]
) -> None:
    on_nav = CasefilePlugin.on_nav

    def fails(
        plugin: CasefilePlugin, nav: Navigation, *, config: MkDocsConfig, files: Files
    ) -> Navigation:
        on_nav(plugin, nav, config=config, files=files)
        assert not gc.isenabled()  # paused since on_files
        raise RuntimeError("a later step failed")

    monkeypatch.setattr(CasefilePlugin, "on_nav", fails)
    with pytest.raises(RuntimeError, match="a later step failed"):
        build(_config(project))
    assert gc.isenabled()
