"""Work that runs beside MkDocs' page loop during a full build.

The search index is built from the records and the hand-written pages' bodies, which are all
known when `on_env` runs, before MkDocs renders a single page through the theme. Most of the
work is the Pagefind binary's, in its own process, so starting it there lets a second core
index while MkDocs renders; `on_post_build` waits for it.

(Rendering half of the pages in a forked second process was tried and measured: on this
2-core machine it was slower, 40.1 s against 35.1 s at 10,000 records, with system time up
from 5.3 s to 13.6 s: copy-on-write of a 650 MB process, every object's page touched by
reference counting.)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


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
