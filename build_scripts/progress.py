"""Progress on long builds and checks: one line on stderr that updates in place.

The loader, the checker and the renderer report through `Progress`, two calls that know
nothing of terminals: `stage` (a step begins, with how many items it has when known) and
`advance` (items done). `QUIET` ignores both; `TerminalProgress` draws them.

`TerminalProgress` stays silent for the first `DELAY` seconds, so a short build prints
nothing, and is off entirely unless stderr is a terminal and CI is unset (`wanted`). It writes
one line after a carriage return, padded over the previous one, and wipes it before MkDocs (or
anything else through `logging`) prints a line: a filter on each handler of the `mkdocs` and
root loggers wipes it first, and the next update draws it again. A progress bar library would
need MkDocs' log to go through its own handler or console (rich, tqdm's logging redirect);
MkDocs installs its handler itself, so a few lines here fit it better than a dependency.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import Protocol, TextIO

DELAY = 2.0  # seconds of silence before the first line
INTERVAL = 0.1  # seconds between two redraws
LOGGERS = ("mkdocs", "")  # whose handlers wipe the line before they print


class Progress(Protocol):
    def stage(self, label: str, total: int | None = None) -> None: ...

    def advance(self, count: int = 1) -> None: ...


class Line(Progress, Protocol):
    """A `Progress` that shows itself somewhere, until `close`."""

    def close(self) -> None: ...

    def __enter__(self) -> Line: ...

    def __exit__(self, *exc: object) -> None: ...


class _Quiet:
    def stage(self, label: str, total: int | None = None) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> _Quiet:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


QUIET = _Quiet()


def wanted(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to show progress on `stream`: a terminal, outside CI."""
    environ = os.environ if environ is None else environ
    if environ.get("CI"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or closed
        return False


class _Wipe(logging.Filter):
    """Wipes the progress line before a handler prints a record; lets every record through."""

    def __init__(self, progress: TerminalProgress) -> None:
        super().__init__()
        self.progress = progress

    def filter(self, record: logging.LogRecord) -> bool:
        self.progress.clear()
        return True


class TerminalProgress:
    """Draws `Progress` on `stream` once `delay` seconds have passed; use it as a context
    manager, which wipes the line and unhooks the log handlers at the end."""

    def __init__(
        self,
        stream: TextIO,
        *,
        delay: float = DELAY,
        interval: float = INTERVAL,
        clock: Callable[[], float] = time.monotonic,
        width: int | None = None,
    ) -> None:
        self.stream, self.delay, self.interval, self.clock = stream, delay, interval, clock
        self.width = width
        self.start = clock()
        self.label, self.count = "", 0
        self.total: int | None = None
        self.shown = 0  # characters of the line on screen
        self.drawn_at: float | None = None
        self._lock = threading.Lock()
        self._hooked: list[logging.Handler] = []
        self._wipe = _Wipe(self)
        self.pid = os.getpid()  # a forked process (parallel.py) draws nothing

    def __enter__(self) -> TerminalProgress:
        for name in LOGGERS:
            for handler in logging.getLogger(name).handlers:
                if handler not in self._hooked:
                    handler.addFilter(self._wipe)
                    self._hooked.append(handler)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for handler in self._hooked:
            handler.removeFilter(self._wipe)
        self._hooked.clear()
        self.clear()

    def stage(self, label: str, total: int | None = None) -> None:
        self.label, self.total, self.count = label, total, 0
        self._draw(force=True)

    def advance(self, count: int = 1) -> None:
        self.count += count
        self._draw(force=False)

    def line(self) -> str:
        seconds = int(self.clock() - self.start)
        if self.total is not None:
            done = f"{self.label}: {self.count:,}/{self.total:,}"
        elif self.count:
            done = f"{self.label}: {self.count:,}"
        else:
            done = f"{self.label}…"
        return f"casefile: {done} ({seconds} s)"

    def _draw(self, *, force: bool) -> None:
        now = self.clock()
        if now - self.start < self.delay or os.getpid() != self.pid:
            return
        if not force and self.drawn_at is not None and now - self.drawn_at < self.interval:
            return
        width = self.width or shutil.get_terminal_size().columns
        text = self.line()[: max(width - 1, 0)]  # never wrap: a carriage return goes back one
        with self._lock:
            self.stream.write("\r" + text + " " * max(self.shown - len(text), 0))
            self.stream.flush()
            self.shown, self.drawn_at = len(text), now

    def clear(self) -> None:
        """Wipe the line (the next update draws it again)."""
        with self._lock:
            if self.shown and os.getpid() == self.pid:
                self.stream.write("\r" + " " * self.shown + "\r")
                self.stream.flush()
                self.shown, self.drawn_at = 0, None


def for_terminal(stream: TextIO | None = None, environ: Mapping[str, str] | None = None) -> Line:
    """Progress on `stream` (stderr), its log hooks in place, when `wanted`; else `QUIET`."""
    stream = sys.stderr if stream is None else stream
    return TerminalProgress(stream).__enter__() if wanted(stream, environ) else QUIET
