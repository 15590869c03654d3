"""`mkdocs serve` stopped by a process manager, a test or `kill` ends as Ctrl-C ends it.

By default SIGTERM ends Python at once: no `finally`, no `atexit`. MkDocs then leaves its
temporary site folder, and a search index being built leaves the documents it staged in
/dev/shm, which is memory until the machine restarts. Ctrl-C instead raises KeyboardInterrupt,
and `mkdocs serve` shuts down: the plugins' `on_shutdown` (which stops the index) and the
removal of the site folder."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
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
