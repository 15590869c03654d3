"""`casefile check --watch`: check again on every save and say only what changed.

For editors who do not run the site: after each change under the records folder the case
file is checked again (with the loader cache, so only changed files are parsed) and the
findings that appeared and those that went away are printed, not the whole report again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .checker import check
from .findings import Finding, Report, format_text
from .records import FileCache

# Saves come in bursts (an editor writes a temporary file, then renames it): wait this long
# after the last event before checking again.
SETTLE_SECONDS = 0.3

Key = tuple[str, int, int, str, str]


def _key(finding: Finding) -> Key:
    loc = finding.location
    return (loc.path.as_posix(), loc.line, loc.col, finding.code, finding.message)


def changes(before: Report, after: Report) -> tuple[list[Finding], list[Finding]]:
    """The findings `after` has that `before` had not (new), and those it no longer has
    (fixed), each in report order. A finding that only moved (another line) is both."""
    old = {_key(f) for f in before.findings}
    new = {_key(f) for f in after.findings}
    return (
        [f for f in after.findings if _key(f) not in old],
        [f for f in before.findings if _key(f) not in new],
    )


def describe(new: list[Finding], fixed: list[Finding], after: Report, cwd: Path) -> str:
    """What one re-check says: each new finding in full, each fixed one on one line, then
    the totals."""
    lines = [f"new: {format_text(f, cwd=cwd)}" for f in new]
    lines += [f"fixed: {format_text(f, cwd=cwd).splitlines()[0]}" for f in fixed]
    if not new and not fixed:
        lines.append("no change in the findings")
    lines.append(after.summary())
    return "\n".join(lines)


class _Changed(FileSystemEventHandler):
    def __init__(self, wake: threading.Event) -> None:
        self.wake = wake

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in ("opened", "closed_no_write"):
            self.wake.set()


def watch(
    root: Path,
    say: Callable[[str], None],
    *,
    stop: threading.Event | None = None,
    cwd: Path | None = None,
) -> None:
    """Check `root`, print the report, then re-check after every change until `stop` is set
    (or the process is interrupted)."""
    cwd = cwd or Path.cwd()
    stop = stop or threading.Event()
    cache = FileCache()
    report, _ = check(root, cache)
    say("\n".join([*(format_text(f, cwd=cwd) for f in report.findings), report.summary()]))
    wake = threading.Event()
    observer = Observer()
    observer.schedule(_Changed(wake), str(root), recursive=True)
    observer.start()
    say(f"watching {root} for changes (Ctrl-C to stop)")  # only once saves are seen
    try:
        while not stop.is_set():
            if not wake.wait(timeout=0.2):
                continue
            while wake.wait(timeout=SETTLE_SECONDS):  # let a burst of events settle
                wake.clear()
            after, _ = check(root, cache)
            new, fixed = changes(report, after)
            say(describe(new, fixed, after, cwd))
            report = after
    finally:
        observer.stop()
        observer.join()
