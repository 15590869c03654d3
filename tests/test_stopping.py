"""`mkdocs build` and `mkdocs serve` stopped while they work leave nothing behind: not the
documents staged for Pagefind (in /dev/shm, which is memory), not Pagefind, not a forked
process, not MkDocs' temporary site folder. Stopped with Ctrl-C (SIGINT) or by a process
manager, CI's timeout or a test harness (SIGTERM)"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from build_scripts import export, search_index
from build_scripts.checker import Case, check
from build_scripts.index_beside import IndexBeside
from build_scripts.models import Role
from build_scripts.pages import render_site
from build_scripts.search_index import (
    BUNDLE,
    Reindexer,
    Stopped,
    build_index,
    record_documents,
)
from build_scripts.stopping import interrupts_unwrapped, terminate_as_interrupt

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def example() -> Case:
    _, case = check(ROOT / "casefile")
    assert case is not None
    return case


def _fake_pagefind(folder: Path) -> Path:
    """A Pagefind that starts a process of its own (as npm's wrapper starts the binary),
    records both ids (its own last) and then takes a minute (it becomes `sleep`, so the id
    stays the process's own)."""
    fake = folder / "pagefind"
    fake.write_text(
        "#!/bin/sh\n"
        f'sleep 60 &\necho $! > "{folder}/started"\n'
        f'echo $$ > "{folder}/pid"\nexec sleep 60\n'
    )
    fake.chmod(0o755)
    return fake


def _wait_for(found: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not found():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.02)


def _gone(pid: int) -> bool:
    """Whether process `pid` has ended (a zombie waiting to be reaped has ended)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status


def _pids(folder: Path) -> list[int]:
    """The fake Pagefind's process id and its own process's, once both are written."""
    _wait_for(lambda: (folder / "pid").is_file(), "Pagefind started", timeout=120)
    _wait_for(lambda: (folder / "pid").read_text().strip() != "", "its id written")
    return [int((folder / name).read_text()) for name in ("pid", "started")]


def _faked_pagefind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The fake Pagefind in place of the real one, and documents staged in a folder of the
    test's own: that folder, and an empty site folder."""
    import pagefind.service

    fake = _fake_pagefind(tmp_path)
    scratch, site = tmp_path / "scratch", tmp_path / "site"
    scratch.mkdir()
    site.mkdir()
    monkeypatch.setattr(pagefind.service, "get_executable", lambda: fake)
    monkeypatch.setattr(search_index, "_scratch", lambda: str(scratch))
    return scratch, site


def test_closing_a_reindexer_stops_pagefind_and_removes_its_staging(
    example: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch, site = _faked_pagefind(tmp_path, monkeypatch)
    messages: list[str] = []
    reindexer = Reindexer(messages.append)
    reindexer.submit(record_documents(example, directory_urls=True), site, "en")
    pids = _pids(tmp_path)
    assert any(scratch.iterdir())  # the documents, staged while Pagefind runs
    reindexer.close()
    assert not any(thread.is_alive() for thread in reindexer.threads)
    assert all(_gone(pid) for pid in pids)  # Pagefind, and what it started
    assert list(scratch.iterdir()) == []
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == ["pagefind", "pid", "scratch", "site", "started"]
    assert not (site / BUNDLE).exists()
    assert messages == []  # stopped, not failed
    threads, generation = list(reindexer.threads), reindexer.generation
    reindexer.submit(record_documents(example, directory_urls=True), site, "en")
    assert (reindexer.threads, reindexer.generation) == (threads, generation)  # none started


def test_an_index_asked_to_stop_runs_no_pagefind_and_keeps_nothing(
    example: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(search_index, "_scratch", lambda: str(scratch))
    stop = threading.Event()
    stop.set()
    out = tmp_path / "out" / BUNDLE
    with pytest.raises(Stopped):
        build_index(record_documents(example, directory_urls=True), out, language="en", stop=stop)
    assert list(scratch.iterdir()) == []
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []


def test_sigterm_interrupts_as_ctrl_c_until_restored() -> None:
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    restore = terminate_as_interrupt()
    try:
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGTERM)
    finally:
        restore()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_a_handler_already_set_is_left_alone() -> None:
    seen: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: seen.append(signum))
    try:
        restore = terminate_as_interrupt()
        signal.raise_signal(signal.SIGTERM)
        restore()
        assert seen == [signal.SIGTERM]
        assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN)
    finally:
        signal.signal(signal.SIGTERM, previous)


class _StoppedOnRead:
    """A date whose text is read when the signal lands: reading it raises as a stop does."""

    @property
    def text(self) -> str:
        raise KeyboardInterrupt("signal 15")


def _dump_stopped() -> object:
    """The records' own date serializer (`models.Date`) interrupted: pydantic wraps the
    interrupt in an error of its own."""
    return Role.model_construct(title="envoy", start=_StoppedOnRead()).model_dump(mode="json")


def test_a_stop_inside_pydantics_serializer_is_raised_as_a_stop() -> None:
    with pytest.raises(Exception) as wrapped:  # what pydantic makes of it
        _dump_stopped()
    assert not isinstance(wrapped.value, KeyboardInterrupt)
    with pytest.raises(KeyboardInterrupt, match="signal 15"), interrupts_unwrapped():
        _dump_stopped()


def test_a_stop_while_the_downloads_are_written_ends_the_render_as_a_stop(
    example: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopped inside pydantic while casefile.json is written (as a CI run was): the build
    ends as stopped ("Aborted!"), not as failed with a traceback."""
    monkeypatch.setattr(export, "_record_json", lambda record: _dump_stopped())
    with pytest.raises(KeyboardInterrupt, match="signal 15"):
        render_site(example, directory_urls=True)


def test_other_errors_pass_unchanged_whatever_their_chain() -> None:
    looped = ValueError("looped")
    looped.__context__ = RuntimeError("behind")
    looped.__context__.__cause__ = looped  # a cycle: the search ends all the same
    with pytest.raises(ValueError, match="looped"), interrupts_unwrapped():
        raise looped
    with pytest.raises(KeyboardInterrupt), interrupts_unwrapped():
        raise KeyboardInterrupt  # not an Exception: passes as it is


def test_off_the_main_thread_nothing_changes() -> None:
    restores: list[Callable[[], None]] = []
    thread = threading.Thread(target=lambda: restores.append(terminate_as_interrupt()))
    thread.start()
    thread.join()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    restores[0]()  # does nothing, and may be called


def _project(tmp_path: Path, script: str, text: str) -> tuple[Path, Path, Path]:
    """A site of the example's records with one hand-written page, and `script` in it that
    runs MkDocs: the project folder, an empty folder to stage in, and the fake Pagefind."""
    project, scratch = tmp_path / "project", tmp_path / "scratch"
    for folder in (project / "docs", scratch):
        folder.mkdir(parents=True)
    os.symlink(ROOT / "casefile", project / "casefile")
    (project / "docs" / "about.md").write_text("# About\n\nA hand-written page.\n")
    (project / "mkdocs.yml").write_text("site_name: Stop\ntheme: material\nplugins: [casefile]\n")
    (project / script).write_text(text)
    return project, scratch, _fake_pagefind(tmp_path)


SERVE = """
import sys
from pathlib import Path

import pagefind.service

from build_scripts import search_index
from mkdocs.__main__ import cli

fake, scratch, address = sys.argv[1:]
pagefind.service.get_executable = lambda: Path(fake)
search_index._scratch = lambda: scratch
sys.argv = ["mkdocs", "serve", "--no-livereload", "-a", address]
cli()
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_serve_stopped_while_indexing_leaves_nothing_behind(
    tmp_path: Path, signum: signal.Signals
) -> None:
    project, scratch, fake = _project(tmp_path, "serve.py", SERVE)
    temp = tmp_path / "tmp"
    temp.mkdir()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "TMPDIR": str(temp), "PYTHONPATH": str(ROOT)}
    env["NO_MKDOCS_2_WARNING"] = "1"
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "serve.py", str(fake), str(scratch), f"127.0.0.1:{port}"],
            cwd=project,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        pids = _pids(tmp_path)
        assert any(scratch.iterdir()) and any(temp.iterdir())
        process.send_signal(signum)
        code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    printed = log.read_text(errors="replace")
    assert code == 0, printed
    assert "Shutting down" in printed, printed
    assert all(_gone(pid) for pid in pids), printed
    assert list(scratch.iterdir()) == [], printed  # the staged documents
    assert list(temp.iterdir()) == [], printed  # MkDocs' site folder, the index's work folder


BUILD = """
import os
import sys
import time
from pathlib import Path

import pagefind.service

from build_scripts import index_beside, parallel, search_index
from mkdocs.__main__ import cli

fake, scratch, where = sys.argv[1:]
pagefind.service.get_executable = lambda: Path(fake)
search_index._scratch = lambda: scratch
parallel.FORK_FROM = 1  # the example's records are few: fork as from 1,000 records on


def stage_slowly(*args, **kwargs):
    Path(fake).with_name("staging").write_text(str(os.getpid()))
    time.sleep(60)


if where in ("staging", "waiting"):
    index_beside.stage_records = stage_slowly
sys.argv = ["mkdocs", "build", "-d", "site"]
cli()
"""


def _reads_a_pipe(pid: int) -> bool:
    """Whether process `pid` waits to read a pipe (as Linux names the kernel function
    it sleeps in: pipe_read, anon_pipe_read, pipe_wait)."""
    return "pipe" in Path(f"/proc/{pid}/wchan").read_text()


def _session(sid: int) -> list[str]:
    """The processes of session `sid` that have not ended, as their command lines."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            if os.getsid(int(entry.name)) == sid and not _gone(int(entry.name)):
                found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
    return found


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("where", ["staging", "waiting", "pagefind"])
def test_a_build_stopped_leaves_nothing_behind(
    tmp_path: Path, signum: signal.Signals, where: str
) -> None:
    """Stopped while a forked process stages the records' search documents (as soon as it
    starts, while the build forks the render; or once the build waits for it), or while
    Pagefind indexes (beside MkDocs' theme step): the build ends at once, its forked
    processes and Pagefind are gone, and the staging and the index it was writing are
    removed."""
    project, scratch, fake = _project(tmp_path, "build.py", BUILD)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1"}
    log = tmp_path / "build.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "build.py", str(fake), str(scratch), where],
            cwd=project,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its processes, and theirs, are this session's
        )
    try:
        if where in ("staging", "waiting"):
            marker = tmp_path / "staging"
            _wait_for(lambda: marker.is_file() and marker.read_text() != "", "staging", 120)
            pids = [int(marker.read_text())]
            assert pids != [process.pid]  # staged in a forked process
            if where == "waiting":
                _wait_for(lambda: _reads_a_pipe(process.pid), "the build waits for it", 120)
        else:
            pids = _pids(tmp_path)
        assert any(scratch.iterdir())
        process.send_signal(signum)
        code = process.wait(timeout=20)
        left = _session(process.pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    printed = log.read_text(errors="replace")
    assert code == 1 and "Aborted!" in printed, printed
    assert left == [], printed
    assert all(_gone(pid) for pid in pids), printed
    assert list(scratch.iterdir()) == [], printed  # the staged documents
    site = project / "site"
    assert not site.exists() or not [p for p in site.iterdir() if "pagefind" in p.name], printed


FORK_STOPPED = """
import os
import signal

from build_scripts import parallel
from build_scripts import export
from build_scripts.models import Role
from build_scripts.pages import render_site
from build_scripts.stopping import interrupts_unwrapped, terminate_as_interrupt

terminate_as_interrupt()
# A SIGTERM that comes while the fork runs its handlers (logging's, after the fork)
os.register_at_fork(after_in_parent=lambda: os.kill(os.getpid(), signal.SIGTERM))
forked = []
fork = os.fork
os.fork = lambda: forked.append(fork()) or forked[-1]
try:
    parallel._fork(lambda: iter([b"done"]))
    print("not stopped")
except KeyboardInterrupt:
    print("stopped")
try:
    os.waitpid(forked[0], 0)
    print("the child was left")
except ChildProcessError:
    print("the child was reaped")
"""


def test_a_stop_during_a_fork_is_raised_after_it_and_stops_the_child() -> None:
    """Python runs a signal's handler at the next line it runs, and an exception raised in
    the fork's own handlers is printed and dropped: the stop would be lost. `_fork` holds
    the stops back until the fork is done, then stops the child it made."""
    ran = subprocess.run(
        [sys.executable, "-c", FORK_STOPPED],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.stdout.split("\n")[:2] == ["stopped", "the child was reaped"], ran.stderr
    assert "Exception ignored" not in ran.stderr


CHECK = """
import os
import sys
import time
from pathlib import Path

from build_scripts import cli, parallel, records

parallel.FORK_FROM = 1
parse = records._load_one


def parse_slowly(file):
    if not os.path.exists(sys.argv[2]):
        Path(sys.argv[2]).write_text(str(os.getpid()))
    time.sleep(0.5)  # both processes are still parsing when the stop comes
    return parse(file)


records._load_one = parse_slowly
sys.exit(cli.main(["check", sys.argv[1]]))
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_check_stopped_stops_its_fork(tmp_path: Path, signum: signal.Signals) -> None:
    """`casefile check` stopped while both processes parse the record files: it says so
    and exits 130, and the forked process is gone with it."""
    marker = tmp_path / "parsing"
    process = subprocess.Popen(
        [sys.executable, "-c", CHECK, str(ROOT / "casefile"), str(marker)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _wait_for(lambda: marker.is_file() and marker.read_text() != "", "parsing", 60)
        time.sleep(0.2)
        assert len(_session(process.pid)) == 2  # the check and its fork
        process.send_signal(signum)
        _, err = process.communicate(timeout=20)
        left = _session(process.pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert (process.returncode, err, left) == (130, "casefile: stopped\n", [])


def test_stopping_an_index_beside_the_pages_kills_pagefind_and_removes_the_staging(
    example: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`IndexBeside.stop`, as a build that fails or is stopped calls it: the records were
    staged, Pagefind runs over them; afterwards Pagefind and what it started are gone, the
    staged documents and the half-written index are removed, and a second stop does
    nothing."""
    scratch, site = _faked_pagefind(tmp_path, monkeypatch)
    beside = IndexBeside(site, directory_urls=True)
    beside.stage(example)
    staging = beside.staging
    assert staging is not None and staging.parent == scratch
    assert beside.staged() and not beside.started
    beside.start(None, "en", {"about/index.html": "<h1>About</h1><p>A page.</p>"})
    pids = _pids(tmp_path)
    assert beside.started and any(staging.iterdir())
    beside.stop()
    assert all(_gone(pid) for pid in pids)
    assert list(scratch.iterdir()) == [] and list(site.iterdir()) == []
    assert not beside.started and beside.staging is None
    beside.stop()


def test_an_index_beside_the_pages_stopped_before_it_starts_removes_the_staging(
    example: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_index, "_scratch", lambda: str(tmp_path))
    beside = IndexBeside(tmp_path / "site", directory_urls=False)
    beside.stage(example)
    first = beside.staging
    beside.stage(example)  # staged again: the first staging is dropped
    assert first is not None and not first.exists() and beside.staging is not None
    beside.stop()
    assert list(tmp_path.iterdir()) == []
