"""`mkdocs build` and `mkdocs serve` stopped by a process manager, CI's timeout, a test or
`kill` end as Ctrl-C ends them.

By default SIGTERM ends Python at once: no `finally`, no `atexit`. A build then leaves the
record documents it staged in /dev/shm (memory until the machine restarts) and its forked
processes running on their own; serve leaves MkDocs' temporary site folder too. Ctrl-C
instead raises KeyboardInterrupt: the work in progress stops its forked processes
(`parallel`), and MkDocs calls the plugins' `on_shutdown` (which stops the index and removes
what it staged) and, serving, removes the site folder.

A forked process inherits the handler: SIGTERM raises KeyboardInterrupt there too, and it
ends without running the parent's exit handlers (`parallel._child`).

A library that calls our code back may wrap what it raises in an error of its own:
pydantic's serializers do (`models.Date`), so a stop that lands in one would end a build as
a failure with a traceback. `interrupts_unwrapped` raises the interrupt as itself again."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType


def terminate_as_interrupt() -> Callable[[], None]:
    """SIGTERM raises KeyboardInterrupt in the main thread from now on; what puts the
    previous handler back. Nothing changes where another handler is already set (the
    process's owner chose it) or off the main thread (Python allows handlers only there)."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return lambda: None
    signal.signal(signal.SIGTERM, _interrupt)

    def restore() -> None:
        if signal.getsignal(signal.SIGTERM) is _interrupt:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)

    return restore


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@contextlib.contextmanager
def interrupts_unwrapped() -> Iterator[None]:
    """An error raised in the block because of a KeyboardInterrupt (its cause or context,
    at any depth) is raised as that KeyboardInterrupt: the run ends as stopped. Any other
    error passes unchanged."""
    try:
        yield
    except Exception as error:
        interrupt = _interrupt_behind(error)
        if interrupt is None:
            raise
        raise interrupt from None


def _interrupt_behind(error: BaseException) -> KeyboardInterrupt | None:
    seen: set[int] = set()
    chain: list[BaseException] = [error]
    while chain:
        link = chain.pop()
        if id(link) in seen:
            continue
        seen.add(id(link))
        if isinstance(link, KeyboardInterrupt):
            return link
        chain += [e for e in (link.__cause__, link.__context__) if e is not None]
    return None
