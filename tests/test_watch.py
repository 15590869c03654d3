"""`casefile check --watch`: each save is checked again, and only what changed is printed."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from build_scripts import cli
from build_scripts.checker import check
from build_scripts.findings import Report
from build_scripts.watch import changes, describe
from tests.cases import write_case


def test_changes_are_new_and_fixed_findings(tmp_path: Path) -> None:
    root = write_case(tmp_path / "casefile")
    clean, _ = check(root)
    (root / "actors" / "ann.yml").write_text("name: Ann\nkind: persn\n")
    broken, _ = check(root)
    new, fixed = changes(clean, broken)
    assert [f.code for f in new] == ["bad-enum", "invalid-target"]
    assert fixed == []
    new, fixed = changes(broken, clean)
    assert new == [] and len(fixed) == 2
    text = describe(new, fixed, clean, root)
    assert text.splitlines()[0] == (
        "fixed: actors/ann.yml:2:7: error[bad-enum]: 'kind' is 'persn', which is not an allowed "
        "value"
    )
    assert text.splitlines()[-1] == "0 errors, 0 warnings"
    assert describe([], [], Report(), root).splitlines()[0] == "no change in the findings"


def _reader(stream: object, lines: queue.Queue[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        lines.put(line.rstrip("\n"))


def _wait_for(lines: queue.Queue[str], text: str, seconds: float = 20) -> list[str]:
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        seen.append(line)
        if text in line:
            return seen
    raise AssertionError(f"{text!r} not printed; got {seen}")


def test_watch_prints_what_a_save_breaks_and_fixes(tmp_path: Path) -> None:
    root = write_case(tmp_path / "casefile")
    process = subprocess.Popen(
        [sys.executable, "-m", "build_scripts.cli", "check", "--watch", str(root)],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_reader, args=(process.stderr, lines), daemon=True).start()
    try:
        _wait_for(lines, "watching")
        record = root / "actors" / "ann.yml"
        record.write_text("name: Ann\nkind: persn\n")
        seen = _wait_for(lines, "1 error, 1 warning")
        assert any(
            line.startswith("new: casefile/actors/ann.yml:2:7: error[bad-enum]") for line in seen
        ), seen
        record.write_text("name: Ann\nkind: person\n")
        seen = _wait_for(lines, "0 errors, 0 warnings")
        assert any(line.startswith("fixed: casefile/actors/ann.yml:2:7") for line in seen), seen
        assert not any(line.startswith("new:") for line in seen), seen
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0


@pytest.mark.parametrize(
    "option", [["--fix"], ["--diff"], ["--strict"], ["--format", "json"], ["--changed", "x"]]
)
def test_watch_refuses_the_options_it_would_ignore(
    tmp_path: Path, option: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """--fix would fix nothing and --format json print nothing on stdout, without a word."""
    root = write_case(tmp_path / "casefile")
    assert cli.main(["check", "--watch", *option, str(root)]) == 2
    assert "--watch prints findings as text" in capsys.readouterr().err
