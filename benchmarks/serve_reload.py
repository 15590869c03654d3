"""From saving a record to the reloaded page showing it, under a real `mkdocs serve`, in
Debian's chromium: what an editor waits for.

`measure(project, event, repeat)` starts `mkdocs serve` on the project (a free port, live
reload on), opens the event's page, then `repeat` times rewrites the event's title and times
until the page's heading shows the new words (MkDocs notices the save, rebuilds, and live
reload reloads the page). It also reads, from the server's log, how long after each rebuild
the search index was in place (the plugin builds it in the background).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

_LAG = re.compile(r"search index of \d+ pages in place ([0-9.]+) s after the build")
_REBUILT = re.compile(r"(\d+) generated pages rendered, (\d+) unchanged and kept")


@dataclass
class ServeReload:
    first_build_s: float = 0.0
    reload_s: list[float] = field(default_factory=list)  # save -> new text on the page
    index_lag_s: list[float] = field(default_factory=list)  # build -> index in place
    rendered: list[int] = field(default_factory=list)  # generated pages rendered per save


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _reader(stream: object, lines: list[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        lines.append(line)


def _wait_for(lines: list[str], pattern: str, start: int, timeout: float) -> int:
    """The index of the first line from `start` that holds `pattern` (seconds to wait)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for index in range(start, len(lines)):
            if pattern in lines[index]:
                return index
        time.sleep(0.05)
    raise TimeoutError(f"mkdocs serve: no {pattern!r} in {timeout:.0f} s:\n{''.join(lines)}")


def measure(project: Path, event: Path, repeat: int) -> ServeReload:
    from playwright.sync_api import sync_playwright

    from benchmarks.bench import CHROMIUM, CHROMIUM_ARGS  # the one list of the flags

    result = ServeReload()
    port = _free_port()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "CI": "1"}
    command = [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"]
    start = time.perf_counter()
    server = subprocess.Popen(
        command, cwd=project, env=env, stderr=subprocess.STDOUT, stdout=subprocess.PIPE, text=True
    )
    lines: list[str] = []
    threading.Thread(target=_reader, args=(server.stdout, lines), daemon=True).start()
    original = event.read_text(encoding="utf-8")
    try:
        _wait_for(lines, "Serving on", 0, 1800)
        result.first_build_s = time.perf_counter() - start
        with sync_playwright() as driver:
            browser = driver.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/events/{event.stem}/", wait_until="load")
            for run in range(repeat):
                marker = f"Reloaded{run}x{os.getpid()}"
                seen = len(lines)
                began = time.perf_counter()
                event.write_text(original.replace("title: ", f"title: {marker} ", 1), "utf-8")
                page.wait_for_function(
                    "m => (document.querySelector('h1') || {}).textContent?.includes(m)",
                    arg=marker,
                    timeout=600_000,
                )
                result.reload_s.append(time.perf_counter() - began)
                done = _wait_for(lines, "search index of", seen, 600)
                if found := _LAG.search(lines[done]):
                    result.index_lag_s.append(float(found.group(1)))
                for line in lines[seen:done]:
                    if found := _REBUILT.search(line):
                        result.rendered.append(int(found.group(1)))
            browser.close()
    finally:
        event.write_text(original, encoding="utf-8")
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    return result
