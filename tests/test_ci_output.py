"""No line we print can start a GitHub workflow command, whatever a record holds.

The Actions runner obeys `::command::` (and `##[command]`) at the start of any line of a
step's stdout or stderr, so a record value or file name holding a newline and
`::notice file=…::` could forge annotations or switch command processing off.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from build_scripts.findings import Finding, Location, for_ci, format_text, one_line

PAYLOADS = (
    "\n::notice file=README.md,line=1::forged",
    "\n::stop-commands::x",
    "\r::error::forged",
    "\n  ::warning::indented",
    "\n##[error]old style",
    "\u2028::notice::line separator",
)
COMMAND = re.compile(r"^\s*(::|##\[)")


def commands_in(text: str) -> list[str]:
    """Lines the runner would obey: it splits on \\n and \\r (we check every break there is)."""
    return [line for line in text.splitlines() if COMMAND.match(line)]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_finding_is_always_its_own_lines(payload: str) -> None:
    finding = Finding(
        "bad-enum",
        Location(Path(f"casefile/actors/x{payload}.yml"), 2, 7),
        f"'kind' is 'person{payload}', which is not an allowed value",
        f"did you mean 'person'?{payload}",
        related=((f"first{payload}", Location(Path("a.yml"))),),
    )
    text = format_text(finding, cwd=Path.cwd())
    assert len(text.splitlines()) == 3
    assert commands_in(text) == []


def test_for_ci_escapes_only_under_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert for_ci("::notice::x") == "::notice::x"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert for_ci("ok\n::notice::x\n  ##[error]y") == "ok\n\\::notice::x\n\\  ##[error]y"


def test_one_line_shows_breaks_as_escapes() -> None:
    assert one_line("a\nb\rc\u2028d") == "a\\nb\\rc\\u2028d"


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_the_cli_prints_no_forged_command(tmp_path: Path, fmt: str) -> None:
    root = tmp_path / "casefile"
    (root / "actors").mkdir(parents=True)
    (root / "case.yml").write_text("title: A case\n")
    kind = json.dumps("persn" + "".join(PAYLOADS))
    tags = json.dumps(["a" + PAYLOADS[0], "b" + PAYLOADS[1]])
    (root / "actors" / "ann.yml").write_text(f"name: Ann\nkind: {kind}\ntags: {tags}\n")
    result = subprocess.run(
        [sys.executable, "-m", "build_scripts.cli", "check", "--format", fmt, str(root)],
        cwd=tmp_path,
        env={**os.environ, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    ours = re.compile(r"^::(error|warning|notice) (file=|title=casefile)")
    forged = [
        line for line in commands_in(result.stdout + "\n" + result.stderr) if not ours.match(line)
    ]
    assert forged == []
    assert "persn" in result.stdout + result.stderr  # the value is shown, escaped, not dropped
