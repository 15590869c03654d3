"""Work shared with forked processes (`parallel.Shared`, `parallel.InFork`): the same
results, in order, as without a fork, whatever goes wrong in the child; and a render and a
build of the example that fork make the same bytes as ones that do not."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files

from build_scripts import checker, models, parallel, records
from build_scripts.checker import check
from build_scripts.files import Entry
from build_scripts.pages import render_site
from build_scripts.plugin import CasefilePlugin
from build_scripts.records import Loaded, load

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fork_always(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "FORK_FROM", 1)
    if threading.active_count() != 1 or not parallel._can_fork(1):
        # Another test left a thread running: `test_the_fork_tests_run` runs these afresh.
        pytest.skip("this process cannot fork here (another thread, or not Linux)")


def test_the_fork_tests_run() -> None:
    """A fork copies no other thread, so the tests that fork are skipped in a process where
    an earlier test left one running (a server's, a pool's): they run here in a new one."""
    if threading.active_count() == 1 or not sys.platform.startswith("linux"):
        pytest.skip("the tests that fork run in this process")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", __file__],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    summary = done.stdout.strip().splitlines()[-1]
    assert " passed" in summary and " failed" not in summary, summary
    # Only this test itself skips there: no thread, so every other test forked.
    assert "1 skipped" in summary, summary


def _square(n: int) -> int:
    return n * n


@pytest.mark.usefixtures("fork_always")
@given(count=st.integers(1, 5000), fork=st.booleans())
@settings(max_examples=20, deadline=None)
def test_results_are_in_order_and_each_item_is_done_once(count: int, fork: bool) -> None:
    items = list(range(count))
    done: list[int] = []
    with parallel.Shared(items, lambda n: (n * n, os.getpid()), fork=fork) as shared:
        forked = shared._child is not None
        results = shared.results(done=lambda: done.append(1))
    assert [n for n, _ in results] == [n * n for n in items]
    assert len(done) == count
    assert forked == fork
    here = [i for i, (_, pid) in enumerate(results) if pid == os.getpid()]
    assert sorted(shared.here) == here  # each item once: here, or in the child
    if not fork:
        assert here == items


def test_runs_cover_every_item_once_in_at_most_runs_tokens() -> None:
    for count in (1, 2, 7, parallel.RUNS - 1, parallel.RUNS, parallel.RUNS + 1, 100_003):
        reader = parallel._runs(count)
        with os.fdopen(reader, "rb", buffering=0) as pipe:
            runs = []
            while run := parallel._next_run(pipe, count):
                runs.append(run)
        assert len(runs) <= parallel.RUNS
        assert [i for run in runs for i in run] == list(range(count))


@pytest.mark.usefixtures("fork_always")
def test_the_process_with_less_other_work_does_more_of_the_items() -> None:
    """The items are taken a run at a time, by whichever process is free: here the child
    takes a long time over each, and this process does the rest."""
    here = os.getpid()

    def work(n: int) -> int:
        if os.getpid() != here:
            threading.Event().wait(0.2)
        return os.getpid()

    with parallel.Shared(list(range(40)), work) as shared:
        pids = shared.results(done=lambda: None)
    theirs = [i for i, pid in enumerate(pids) if pid != here]
    assert len(theirs) <= 2  # the child was at its first run or two (if any) when this one ended
    assert sorted(shared.here) == [i for i in range(40) if i not in theirs]

    def slow_here(n: int) -> int:
        if os.getpid() == here:
            threading.Event().wait(0.2)
        return os.getpid()

    with parallel.Shared(list(range(40)), slow_here) as shared:
        threading.Event().wait(0.5)  # this process's other work: the child takes them all
        pids = shared.results(done=lambda: None)
    assert shared.here == [] and here not in pids


@pytest.mark.usefixtures("fork_always")
def test_an_error_in_the_child_is_raised_here() -> None:
    def work(n: int) -> int:
        if n == 7:
            raise ValueError("seven")
        return n

    shared = parallel.Shared(list(range(10)), work)
    threading.Event().wait(0.5)  # the child takes every item, and fails at the eighth
    with shared, pytest.raises(ValueError, match="seven"):
        shared.results(done=lambda: None)


@pytest.mark.usefixtures("fork_always")
def test_the_items_a_failed_child_took_are_made_here() -> None:
    here = os.getpid()

    def work(n: int) -> tuple[int, int]:
        if n == 7 and os.getpid() != here:
            os._exit(3)  # killed, say, in the middle of its runs
        return n, os.getpid()

    shared = parallel.Shared(list(range(10)), work)
    threading.Event().wait(0.5)  # the child takes every item, one run at a time
    with shared:
        results = shared.results(done=lambda: None)
    assert results == [(n, here) for n in range(10)]
    assert sorted(shared.here) == list(range(10))


@pytest.mark.usefixtures("fork_always")
def test_the_child_sends_its_runs_one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each run's results are pickled on their own and let go of once sent, the memory
    handed back now and then: the child never holds two copies of them all."""
    monkeypatch.setattr(parallel, "GIVE_BACK_EVERY", 2)
    with parallel.Shared(list(range(9)), _square) as shared:
        threading.Event().wait(0.5)  # the child takes every item
        assert shared.results(done=lambda: None) == [n * n for n in range(9)]
    assert shared.here == []
    assert [start for start, _ in shared._arrived] == list(range(9))  # type: ignore[misc]


@pytest.mark.usefixtures("fork_always")
def test_a_result_that_cannot_be_pickled_is_made_here() -> None:
    here = os.getpid()
    with parallel.Shared(list(range(6)), lambda n: (lambda: n, os.getpid())) as s:
        results = s.results(done=lambda: None)
    assert [f() for f, _ in results] == list(range(6))
    assert {pid for _, pid in results} == {here}


@pytest.mark.usefixtures("fork_always")
def test_leaving_early_stops_the_child(tmp_path: Path) -> None:
    mark = tmp_path / "child-finished"

    def slow(n: int) -> int:
        if os.getpid() != here:
            threading.Event().wait(2)
            mark.write_text("yes")
        return n

    here = os.getpid()
    with pytest.raises(RuntimeError), parallel.Shared(list(range(4)), slow):
        raise RuntimeError("the parent's other work failed")
    threading.Event().wait(2.5)
    assert not mark.exists()


def test_no_fork_with_another_thread_running(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "FORK_FROM", 1)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        with parallel.Shared(list(range(10)), _square) as shared:
            assert shared._child is None
            assert shared.results(done=lambda: None) == [n * n for n in range(10)]
            assert shared.here == list(range(10))
    finally:
        stop.set()
        thread.join()


def _counting_forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """From now on any work forks, where this process can (else the test is skipped); the
    list grows by one at each fork."""
    monkeypatch.setattr(parallel, "FORK_FROM", 1)
    if threading.active_count() != 1 or not parallel._can_fork(1):
        pytest.skip("this process cannot fork here")
    forks: list[int] = []
    fork = parallel._fork

    def counted(work: Callable[[], Iterator[bytes]]) -> tuple[int, int]:
        forks.append(1)
        return fork(work)

    monkeypatch.setattr(parallel, "_fork", counted)
    return forks


def _counting_shares(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """From now on, each `Shared.results` adds (the items done here, the items) to the list."""
    shares: list[tuple[int, int]] = []
    results = parallel.Shared.results

    def counted(shared: parallel.Shared[object, object], done: Callable[[], None]) -> list[object]:
        made = results(shared, done)
        shares.append((len(shared.here), len(shared.items)))
        return made

    monkeypatch.setattr(parallel.Shared, "results", counted)
    return shares


def test_a_forked_render_builds_the_same_site(monkeypatch: pytest.MonkeyPatch) -> None:
    _, case = check(ROOT / "casefile")
    assert case is not None
    monkeypatch.setattr(parallel, "FORK_FROM", 10**9)
    alone = render_site(case)
    forks = _counting_forks(monkeypatch)
    shared = render_site(case)
    assert forks == [1]
    assert shared.files == alone.files
    assert shared.titles == alone.titles
    assert shared.sources == alone.sources
    # As a build asks for them: every file as UTF-8, the same text.
    encoded = render_site(case, encoded=True)
    assert forks == [1, 1]
    assert all(isinstance(t, bytes) for t in encoded.files.values())
    assert {p: t if isinstance(t, str) else t.decode() for p, t in encoded.files.items()} == (
        alone.files
    )


def test_a_build_that_forks_writes_the_same_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record pages rendered and the records' search documents staged in forked
    processes: every byte of the site, the search index included, is the same."""
    shutil.copytree(ROOT / "casefile", tmp_path / "casefile")
    shutil.copytree(ROOT / "docs", tmp_path / "docs")
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")

    def site(name: str) -> dict[str, bytes]:
        folder = tmp_path / name
        build(load_config(config_file=str(tmp_path / "mkdocs.yml"), site_dir=str(folder)))
        return {
            p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }

    monkeypatch.setattr(parallel, "FORK_FROM", 10**9)
    alone = site("alone")
    # Once the records' documents are staged, the build lets the checked case go.
    after_start: list[object] = []
    start = CasefilePlugin._start_index

    def started(plugin: CasefilePlugin, config: MkDocsConfig, files: Files) -> None:
        start(plugin, config, files)
        after_start.append(plugin.case)

    monkeypatch.setattr(CasefilePlugin, "_start_index", started)
    forks = _counting_forks(monkeypatch)
    shared = site("shared")
    # The record files, the passages' lookups, the search documents, the record pages.
    assert forks == [1, 1, 1, 1]
    assert after_start == [None]
    assert sorted(shared) == sorted(alone)
    assert any(p.startswith("pagefind/") for p in shared)
    for path in alone:
        assert shared[path] == alone[path], path


@pytest.mark.usefixtures("fork_always")
def test_in_fork_gives_the_childs_result_or_makes_it_here() -> None:
    here = os.getpid()
    assert parallel.InFork(os.getpid, count=1).result() != here

    def fails_in_the_child() -> int:
        if os.getpid() != here:
            raise ValueError("only there")
        return 42

    assert parallel.InFork(fails_in_the_child, count=1).result() == 42
    job = parallel.InFork(lambda: threading.Event().wait(5), count=1)
    job.close()  # stopped at once, not waited for
    assert job._child is None


@pytest.mark.usefixtures("fork_always")
def test_in_fork_gives_one_result_and_lets_go_of_its_work() -> None:
    """The build asks for the staged documents once, then lets the checked case go: the job
    must not keep it (its work is a partial over the case), nor run the work again."""
    calls: list[int] = []

    def work() -> int:
        calls.append(os.getpid())
        return os.getpid()

    job = parallel.InFork(work, count=1)
    child = job.result()
    assert child != os.getpid() and job.work is None
    assert job.result() == child and calls == []  # made in the child, never here
    here = parallel.InFork(work, count=0)  # too little to fork: made here, once
    assert here.result() == here.result() == os.getpid() and len(calls) == 1


def test_the_staging_folder_goes_whatever_ends_the_build(tmp_path: Path) -> None:
    """The records' search documents are staged in a folder of their own from the check on:
    it is removed when the build fails, and when nothing follows the first hook at all
    (Python exiting after Ctrl-C, a test that runs one hook)."""
    shutil.copytree(ROOT / "casefile", tmp_path / "casefile")
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: S\ntheme: material\nplugins: [casefile]\n")
    started = STARTED.format(config=str(tmp_path / "mkdocs.yml"))
    namespace: dict[str, object] = {}
    exec(started, namespace)
    plugin, folder = namespace["plugin"], namespace["folder"]
    assert isinstance(plugin, CasefilePlugin) and isinstance(folder, Path) and folder.is_dir()
    plugin.on_build_error(error=RuntimeError("a later step failed"))
    assert not folder.exists()
    done = subprocess.run(
        [sys.executable, "-c", started + "print(folder)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    left = Path(done.stdout.strip().splitlines()[-1])
    assert left.name.startswith("casefile-search-") and not left.exists()


STARTED = """
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
config = load_config(config_file={config!r})
plugin = config.plugins["casefile"]
plugin.on_startup(command="build", dirty=False)
plugin.on_config(config)
plugin.on_pre_build(config=config)
folder = plugin._beside.staging
"""


def _loaded(root: Path) -> tuple[list[object], list[object], list[object]]:
    loaded = load(root)
    found = [
        (r.kind, r.id, r.path, r.data, r.positions, r.text.text if r.text else None, r.text_path)
        for r in loaded.records
    ]
    return found, list(loaded.invalid), list(loaded.findings)


def test_a_forked_load_reads_the_same_records_and_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record files parsed in a forked process too: the same records (every value and
    position), the same invalid records and the same findings (their fixes too), in the same
    order, as when every file is parsed here; and when the child fails, the files it took
    are parsed here."""
    root = tmp_path / "casefile"
    shutil.copytree(ROOT / "casefile", root)
    (root / "actors" / "zz-bad-kind.yml").write_text("name: Zed\nkind: Person\n")
    (root / "events" / "broken.yml").write_text("title: [unclosed\n")
    (root / "events" / "Not An Id.yml").write_text("title: T\ndate: 2022-01-01\n")
    (root / "quotes" / "notes.txt").write_text("not a record\n")
    (root / "sources" / "a-folder").mkdir()
    monkeypatch.setattr(parallel, "FORK_FROM", 10**9)
    alone = _loaded(root)
    assert alone[1] and len(alone[2]) >= 4  # the broken files are in it
    assert any(f.fix is not None for f in alone[2])  # "Person" -> "person"
    forks = _counting_forks(monkeypatch)
    here, one = os.getpid(), records._load_one
    shares = _counting_shares(monkeypatch)  # (files parsed here, files) of each load

    def slow_here(file: tuple[models.Kind, Entry]) -> Loaded:
        if os.getpid() == here:
            time.sleep(0.02)  # so the child surely takes some files
        return one(file)

    monkeypatch.setattr(records, "_load_one", slow_here)
    assert _loaded(root) == alone
    assert forks == [1]
    assert 0 < shares[0][0] < shares[0][1]  # each process parsed some

    def fails_in_the_child(file: tuple[models.Kind, Entry]) -> Loaded:
        if os.getpid() != here:
            raise ValueError("only there")
        return one(file)

    monkeypatch.setattr(records, "_load_one", fails_in_the_child)
    assert _loaded(root) == alone
    assert forks == [1, 1]
    assert shares[1][0] == shares[1][1]  # every file parsed here in the end


def _checked(root: Path) -> tuple[list[object], dict[str, dict[str, object]], list[str]]:
    """A cold check's findings; what each source's text has answered by then; and the
    passages its text would have to look up again (for the pages)."""
    loaded = load(root)
    report, _ = checker.check_loaded(loaded, fork=True)
    texts = {r.id: r.text.known() for r in loaded.records if r.text is not None}
    again = [
        p.text
        for _, _, citation, source in checker._cited_passages(checker.index(loaded))
        for p in citation.passages
        if source.text is not None and p.text not in source.text.known()
    ]
    return list(report.findings), texts, again


def test_a_check_that_looks_passages_up_in_a_fork_finds_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The passages looked up in a forked process too: the same findings (not verbatim,
    explained; unchecked), in the same order, and each source's text has learnt where every
    passage is, as when every passage is looked up here; and when the child fails, the
    passages it took are looked up here."""
    root = tmp_path / "casefile"
    shutil.copytree(ROOT / "casefile", root)
    quote = root / "quotes" / "kirby-awful-lot-of-discussion.yml"
    quote.write_text(quote.read_text().replace("awful lot", "awful heap"))
    (root / "sources" / "agency-biden-no-plans-to-call-putin.txt").unlink()
    monkeypatch.setattr(parallel, "FORK_FROM", 10**9)
    alone = _checked(root)
    codes = {getattr(f, "code", None) for f in alone[0]}
    assert {"not-verbatim", "unchecked-quote"} <= codes, codes
    assert all(alone[1].values())  # every text with passages has answered some
    assert alone[2] == []
    forks = _counting_forks(monkeypatch)
    here, look_up = os.getpid(), checker._look_up
    shares = _counting_shares(monkeypatch)  # (looked up here, passages) of each check

    def slow_there(default: str, cited: checker.Cited) -> object:
        if os.getpid() != here:
            time.sleep(0.05)  # the child starts first: so that this process takes some too
        return look_up(default, cited)

    def slow_here(default: str, cited: checker.Cited) -> object:
        if os.getpid() == here:
            time.sleep(0.05)  # so that the child takes most, excerpts too
        return look_up(default, cited)

    monkeypatch.setattr(checker, "_look_up", slow_here)
    assert _checked(root) == alone  # what the child looked up was learnt here
    assert shares[-1][0] < shares[-1][1] / 2
    monkeypatch.setattr(checker, "_look_up", slow_there)
    assert _checked(root) == alone
    assert forks == [1, 1, 1, 1]  # the record files, then the passages; twice
    assert 0 < shares[-1][0] < shares[-1][1]  # each process looked some up

    def fails_in_the_child(default: str, cited: checker.Cited) -> object:
        if os.getpid() != here:
            raise ValueError("only there")
        return look_up(default, cited)

    monkeypatch.setattr(checker, "_look_up", fails_in_the_child)
    assert _checked(root) == alone
    assert shares[-1][0] == shares[-1][1]  # every passage looked up here in the end
