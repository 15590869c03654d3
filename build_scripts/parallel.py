"""Work that runs beside other work during a cold check and a full build, on a second core.

A cold check starts it: `Shared` shares the record files with a forked process (each
file is parsed on its own, and parsing is most of a cold check), which sends back the
records it made.

The search index is built from the records and the hand-written pages' bodies, which are all
known once MkDocs has read the hand-written pages (it reads them first), before it reads the
generated ones or renders a single page through the theme. Most of the work is the Pagefind
binary's, in its own process, so starting it there lets a second core index while MkDocs
reads and renders; `on_post_build` waits for it.

Before that, the second core would be idle while the site is rendered. `Shared` renders the
record pages (most of the render) in a forked process too, which hands back only their
text: the child starts at once, this process once it has rendered the downloads and the
index pages, and each takes the next few pages no one has taken until none is left, so
both end together whatever the other work costs. `InFork` stages the records' search
documents in another, so the index has only the hand-written pages left to stage when it
starts. Both fork right after the check, with the heap frozen (`gc.freeze`), so a child
copies only the memory pages it writes to.

(Rendering half of the pages through the theme in a forked process, after the render, was
tried and measured: slower, 40.1 s against 35.1 s at 10,000 records, with system time up
from 5.3 s to 13.6 s: copy-on-write of a 650 MB process.)
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import BinaryIO, Generic, TypeVar

from . import heap

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a fork costs more than it saves.
FORK_FROM = 1000
# The items `Shared` deals out are cut into at most this many runs, one token each, every
# token two bytes: 4,096 bytes, what a pipe takes in one write on every system (PIPE_BUF).
RUNS = 2048
# What the pipe of a forked process's results holds at once, where the system allows it.
PIPE_SIZE = 1 << 20
# The child hands freed memory back to the system after sending this many runs.
GIVE_BACK_EVERY = 32
# The signals that stop a build or a check (Ctrl-C; SIGTERM, see stopping.py).
STOPS = frozenset({signal.SIGINT, signal.SIGTERM})


def in_background(work: Callable[[], T]) -> Future[T]:
    """`work()` in a thread of its own; its result (or exception) from `.result()`."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="casefile")
    try:
        return pool.submit(work)
    finally:
        pool.shutdown(wait=False)


class Steps:
    """The seconds each step of a build took, in order: `mark(name)` ends a step."""

    def __init__(self) -> None:
        self._last = time.perf_counter()
        self.seconds: dict[str, float] = {}

    def mark(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = self.seconds.get(name, 0.0) + now - self._last
        self._last = now

    def __str__(self) -> str:
        return ", ".join(f"{name} {value:.2f} s" for name, value in self.seconds.items())


class Shared(Generic[T, R]):
    """`work(item)` for every item, shared with a forked process started at once (when this
    is Linux with two cores or more, a single thread and at least `FORK_FROM` items, and
    `fork` is true). The items are cut into runs; the child, and this process once
    `results()` is called (so it can do other work first), each take the next run no one
    has taken until none is left. Whichever has less other work does more of the items,
    and both end together. Use it as a context manager: leaving it stops a child whose
    results were not asked for.

    The runs are tokens in a pipe, written before the fork: a read of a token takes it
    whole, for one reader only (the kernel reads a pipe under a lock), and an empty pipe
    whose writing end is closed reads as its end. Once every run is taken, the child sends
    its runs' results one at a time, letting go of each as it goes and handing the memory
    back to the system now and then: at 100,000 records, a child that held all its pages
    until it ended made the build's peak of memory, both processes holding them. (Sending
    each run as soon as it was done, to a thread here, kept the child smaller still, but
    the render took 95 s instead of 81 s at 100,000 records: the thread took the
    interpreter's lock back every few kilobytes. With each run read whole before it was
    loaded, the render was back to 81 s, but MkDocs' theme step was 10 s longer in two
    pairs of builds, on a machine whose noise at that size is of that order; it was not
    tried again.)

    Whatever goes wrong in the child (an error in `work`, a result that cannot be pickled,
    the child killed), this process does the items the child took itself, so an error is
    raised here, as it would be without a fork. The results are the same either way.
    `work` must not log: MkDocs counts warnings (for `--strict`) in this process."""

    def __init__(self, items: Sequence[T], work: Callable[[T], R], *, fork: bool = True) -> None:
        self.items, self.work = items, work
        self.here: list[int] = []  # the indexes of the items done in this process
        self._runs = -1  # the pipe of runs, if there is a child to share them with
        self._child: tuple[int, int] | None = None
        self._arrived: list[object] = []  # the child's runs, as (first index, results)
        if fork and _can_fork(len(items)):
            self._runs = runs = _runs(len(items))
            self._child = _fork(lambda: _take_runs(runs, items, work))

    def results(self, done: Callable[[], None]) -> list[R]:
        """Every item's result, in order; `done()` is called once per item, here only."""
        found: dict[int, R] = {}
        for index in self._mine():
            found[index] = self.work(self.items[index])
            self.here.append(index)
            done()
        self._wait(kill=False)
        for start, results in self._arrived:  # type: ignore[misc]  # what `_take_runs` sent
            for index, result in enumerate(results, start):
                found[index] = result
                done()
        for index in range(len(self.items)):  # taken by a child that failed: made here
            if index not in found:
                found[index] = self.work(self.items[index])
                self.here.append(index)
                done()
        return [found[index] for index in range(len(self.items))]

    def _mine(self) -> Iterator[int]:
        """The indexes of the items this process takes: every one, without a child."""
        if self._runs < 0:
            yield from range(len(self.items))
            return
        runs, self._runs = self._runs, -1
        with os.fdopen(runs, "rb", buffering=0) as pipe:
            while run := _next_run(pipe, len(self.items)):
                yield from run

    def __enter__(self) -> Shared[T, R]:
        return self

    def __exit__(self, *exc: object) -> None:
        self._wait(kill=True)
        runs, self._runs = self._runs, -1
        if runs >= 0:
            os.close(runs)

    def _wait(self, *, kill: bool) -> None:
        """The child's results, once it has ended (stopped first if `kill`). The runs it sent
        whole stand even if it failed after them: each is `work`'s."""
        child, self._child = self._child, None
        if child is not None:
            self._arrived, _ = _reap(*child, kill=kill)


def _runs(count: int) -> int:
    """A pipe holding one token for each run of `count` items (at most `RUNS` runs), its
    writing end closed: the reading end."""
    reader, writer = os.pipe()
    try:
        os.write(writer, b"".join(n.to_bytes(2, "big") for n in range(-(-count // _size(count)))))
    finally:
        os.close(writer)
    return reader


def _size(count: int) -> int:
    """How many items a run holds, of `count` items."""
    return max(1, -(-count // RUNS))


def _next_run(pipe: BinaryIO, count: int) -> range:
    """The indexes of the next run no process has taken (empty when none is left)."""
    token = pipe.read(2)
    if len(token) < 2:
        return range(0)
    start = int.from_bytes(token, "big") * _size(count)
    return range(start, min(start + _size(count), count))


def _take_runs(runs: int, items: Sequence[T], work: Callable[[T], R]) -> Iterator[bytes]:
    """In the child: `work` over the runs it takes, each run pickled as (first index,
    results) as soon as it is made, so that the time pickling takes counts in how many runs
    the child takes; sent once none is left, each let go of once sent."""
    made: list[bytes] = []
    with os.fdopen(runs, "rb", buffering=0) as pipe:
        while run := _next_run(pipe, len(items)):
            made.append(_pickled((run.start, [work(items[index]) for index in run])))
    made.reverse()
    sent = 0
    while made:
        yield made.pop()
        sent += 1
        if sent % GIVE_BACK_EVERY == 0:
            heap.give_back_memory()


def _pickled(part: object) -> bytes:
    return pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)


def _receive(reader: int, into: list[object]) -> None:
    """Every whole part the child sends down `reader`, into `into`, until the pipe ends
    (or a part is cut short: the child failed). A part is its length, then its pickle,
    read whole and then loaded."""
    with os.fdopen(reader, "rb", buffering=0) as pipe:
        while (size := _read(pipe, 8)) is not None:
            data = _read(pipe, int.from_bytes(size, "big"))
            if data is None:
                return
            try:
                into.append(pickle.loads(data))
            except Exception:  # not what `_child` wrote: cut short
                return


def _read(pipe: BinaryIO, size: int) -> bytearray | None:
    """`size` bytes from `pipe`, or None if it ends first."""
    data = bytearray(size)
    view, got = memoryview(data), 0
    while got < size:
        count = pipe.readinto(view[got:])
        if not count:
            return None
        got += count
    return data


class InFork(Generic[R]):
    """`work()` in a forked process started at once, where `Shared` would fork (`count`
    says how much work it is); `result()` waits for it. Without a fork, or when the child
    failed, `result()` runs `work()` here: the result is the same either way."""

    def __init__(self, work: Callable[[], R], *, count: int) -> None:
        self.work: Callable[[], R] | None = work
        self._child = _fork(lambda: iter([_pickled(work())])) if _can_fork(count) else None
        self._made: list[R] = []

    def result(self) -> R:
        """The result, the same at every call. The first lets go of `work` (and what it
        holds): it is never run again."""
        if self.work is None:
            return self._made[0]
        child, self._child = self._child, None  # reaped: stopped by `_reap` if interrupted
        made, ended = _reap(*child, kill=False) if child is not None else ([], False)
        if not ended or len(made) != 1:
            made = [self.work()]
        self._made, self.work = made, None  # type: ignore[assignment]  # what `work` gave
        return self._made[0]

    def close(self) -> None:
        """Stop the child if it is still running (its result is not wanted)."""
        child, self._child = self._child, None
        if child is not None:
            _reap(*child, kill=True)


def _can_fork(count: int) -> bool:
    return (
        count >= FORK_FROM
        and sys.platform.startswith("linux")
        and (os.cpu_count() or 1) > 1
        and threading.active_count() == 1  # a fork copies no other thread, nor its locks
    )


def _fork(work: Callable[[], Iterator[bytes]]) -> tuple[int, int]:
    """`work()` in a forked process: its pid and the pipe down which each part it yields
    (a pickle) comes, as soon as it is made."""
    reader, writer = os.pipe()
    with contextlib.suppress(OSError, AttributeError):  # where the system allows it
        import fcntl  # not on Windows, where nothing forks

        fcntl.fcntl(writer, fcntl.F_SETPIPE_SZ, PIPE_SIZE)  # a run of pages in one read
    gc.freeze()  # the collector would otherwise write into every object's memory page
    # A stop (stopping.py) raised in the fork's own handlers (logging's, after the fork)
    # would be lost ("Exception ignored"): it waits until the fork is done.
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOPS)
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        _child(writer, work, mask)
    os.close(writer)
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a stop that came is raised here
    except BaseException:
        _reap(pid, reader, kill=True)
        raise
    return pid, reader


def _child(writer: int, work: Callable[[], Iterator[bytes]], mask: set[signal.Signals]) -> None:
    """Run in the forked process: never returns, never runs the parent's exit handlers."""
    status = 1
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        with os.fdopen(writer, "wb", buffering=0) as out:
            for part in work():  # each sent as soon as it is made: no copy of them all
                out.write(len(part).to_bytes(8, "big"))
                out.write(part)
                del part
        status = 0
    finally:
        os._exit(status)


def _reap(pid: int, reader: int, *, kill: bool) -> tuple[list[object], bool]:
    """The parts the child sent whole, once it has ended (stopped first if `kill`), and
    whether it ended well."""
    found: list[object] = []
    try:
        if kill:
            os.kill(pid, signal.SIGKILL)
            os.close(reader)
        else:
            _receive(reader, found)  # one part's bytes at a time, never all of them at once
    except BaseException:  # Ctrl-C, or SIGTERM (stopping.py), while waiting: stop the child
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    _, status = os.waitpid(pid, 0)
    return found, not kill and status == 0
