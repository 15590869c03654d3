"""Work that runs beside other work during a full build, on a second core.

The search index is built from the records and the hand-written pages' bodies, which are all
known when `on_env` runs, before MkDocs renders a single page through the theme. Most of the
work is the Pagefind binary's, in its own process, so starting it there lets a second core
index while MkDocs renders; `on_post_build` waits for it.

Before that, the second core would be idle while the site is rendered. `Shared` renders
60% of the record pages (most of the render) in a forked process, which hands back only
their text, while this one renders the downloads, the index pages and the other 40%; and
`InFork` stages the records' search documents in another, so the index has only the
hand-written pages left to stage when it starts. Both fork right after the check, with the
heap frozen (`gc.freeze`), so a child copies only the memory pages it writes to.

(Rendering half of the pages through the theme in a forked process, after the render, was
tried and measured: slower, 40.1 s against 35.1 s at 10,000 records, with system time up
from 5.3 s to 13.6 s: copy-on-write of a 650 MB process.)
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a fork costs more than it saves.
FORK_FROM = 1000
# The share of the record pages a one-off build renders in the forked process while this one
# renders the rest of the site (measured at 10,000 records: 0.5 and 2/3 were slower).
RECORD_SHARE = 0.6


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
    """`work(item)` for every item, a `share` of them in a forked process started at once
    (when this is Linux with two cores or more, a single thread and at least `FORK_FROM`
    items), the rest here when `results()` is called: so this process can do other work
    first. Use it as a context manager: leaving it stops a child whose results were not
    asked for.

    Whatever goes wrong in the child (an error in `work`, a result that cannot be pickled,
    the child killed), this process does the child's items itself, so an error is raised
    here, as it would be without a fork. The results are the same either way. `work` must
    not log: MkDocs counts warnings (for `--strict`) in this process."""

    def __init__(self, items: Sequence[T], work: Callable[[T], R], *, share: float) -> None:
        self.items, self.work = items, work
        self.theirs = _spread(len(items), share) if _can_fork(len(items)) else []
        self._child: tuple[int, int] | None = None
        if self.theirs:
            self._child = _fork(lambda: [work(items[i]) for i in self.theirs])

    def results(self, done: Callable[[], None]) -> list[R]:
        """Every item's result, in order; `done()` is called once per item, here only."""
        theirs = set(self.theirs)
        found: dict[int, R] = {}
        for index, item in enumerate(self.items):
            if index not in theirs:
                found[index] = self.work(item)
                done()
        child, self._child = self._child, None
        made = _reap(*child, kill=False) if child is not None else None
        if made is None or len(made) != len(self.theirs):
            made = [self.work(self.items[i]) for i in self.theirs]
        for index, result in zip(self.theirs, made, strict=True):
            found[index] = result  # type: ignore[assignment]  # what `work` gave in the child
            done()
        return [found[index] for index in range(len(self.items))]

    def __enter__(self) -> Shared[T, R]:
        return self

    def __exit__(self, *exc: object) -> None:
        child, self._child = self._child, None
        if child is not None:
            _reap(*child, kill=True)


class InFork(Generic[R]):
    """`work()` in a forked process started at once, where `Shared` would fork (`count`
    says how much work it is); `result()` waits for it. Without a fork, or when the child
    failed, `result()` runs `work()` here: the result is the same either way."""

    def __init__(self, work: Callable[[], R], *, count: int) -> None:
        self.work: Callable[[], R] | None = work
        self._child = _fork(lambda: [work()]) if _can_fork(count) else None
        self._made: list[R] = []

    def result(self) -> R:
        """The result, the same at every call. The first lets go of `work` (and what it
        holds): it is never run again."""
        if self.work is None:
            return self._made[0]
        child, self._child = self._child, None
        made = _reap(*child, kill=False) if child is not None else None
        if made is None or len(made) != 1:
            made = [self.work()]
        self._made, self.work = made, None  # type: ignore[assignment]  # what `work` gave
        return self._made[0]

    def close(self) -> None:
        """Stop the child if it is still running (its result is not wanted)."""
        child, self._child = self._child, None
        if child is not None:
            _reap(*child, kill=True)


def _spread(count: int, share: float) -> list[int]:
    """The indexes of `share` of `count` items, spread evenly (items of a kind come
    together, and kinds cost differently)."""
    return [i for i in range(count) if int((i + 1) * share) > int(i * share)]


def _can_fork(count: int) -> bool:
    return (
        count >= FORK_FROM
        and sys.platform.startswith("linux")
        and (os.cpu_count() or 1) > 1
        and threading.active_count() == 1  # a fork copies no other thread, nor its locks
    )


def _fork(work: Callable[[], list[object]]) -> tuple[int, int]:
    """`work()` in a forked process: its pid and the pipe its pickled result comes down."""
    reader, writer = os.pipe()
    gc.freeze()  # the collector would otherwise write into every object's memory page
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        _child(writer, work)
    os.close(writer)
    return pid, reader


def _child(writer: int, work: Callable[[], object]) -> None:
    """Run in the forked process: never returns, never runs the parent's exit handlers."""
    status = 1
    try:
        result = work()
        with os.fdopen(writer, "wb") as out:  # pickled as it goes: no copy of it all at once
            pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
        status = 0
    finally:
        os._exit(status)


def _reap(pid: int, reader: int, *, kill: bool) -> list[object] | None:
    """The child's results (None if it failed), once it has ended."""
    if kill:
        os.kill(pid, signal.SIGKILL)
    found: object = None
    with os.fdopen(reader, "rb") as pipe:
        if not kill:
            try:  # read as it comes: the results, never a second copy of them as bytes
                found = pickle.load(pipe)
            except Exception:  # cut short: made here instead
                found = None
    _, status = os.waitpid(pid, 0)
    if kill or status != 0:
        return None
    return found if isinstance(found, list) else None
