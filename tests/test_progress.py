"""Progress on long builds (progress.py): a line on a terminal's stderr, after two seconds,
never in CI or into a pipe, and never a change to what is built."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest

from build_scripts import progress as progress_module
from build_scripts.checker import RULES, check
from build_scripts.pages import render_site
from build_scripts.progress import QUIET, TerminalProgress, for_terminal, wanted

ROOT = Path(__file__).resolve().parent.parent


class Terminal(io.StringIO):
    def __init__(self, tty: bool = True) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Recorder:
    """A `Progress` that writes down what it hears."""

    def __init__(self) -> None:
        self.heard: list[tuple[str, int | None, int]] = []

    def stage(self, label: str, total: int | None = None) -> None:
        self.heard.append((label, total, 0))

    def advance(self, count: int = 1) -> None:
        label, total, done = self.heard[-1]
        self.heard[-1] = (label, total, done + count)


@pytest.mark.parametrize(
    ("tty", "environ", "shown"),
    [
        (True, {}, True),
        (False, {}, False),
        (True, {"CI": "true"}, False),
        (True, {"CI": "1", "TERM": "xterm"}, False),
        (True, {"GITHUB_ACTIONS": "false"}, True),
    ],
)
def test_only_on_a_terminal_outside_ci(tty: bool, environ: dict[str, str], shown: bool) -> None:
    assert wanted(Terminal(tty), environ) is shown
    line = for_terminal(Terminal(tty), environ)
    assert (line is not QUIET) is shown
    line.close()


def test_a_stream_without_isatty_is_not_a_terminal() -> None:
    assert wanted(object(), {}) is False  # type: ignore[arg-type]


def test_silent_for_the_first_two_seconds_then_one_updating_line() -> None:
    out, clock = Terminal(), Clock()
    line = TerminalProgress(out, clock=clock, width=80)
    line.stage("loading records")
    line.advance(500)
    assert out.getvalue() == ""  # a short build prints nothing
    clock.now += 2.5
    line.advance()
    assert out.getvalue() == "\rcasefile: loading records: 501 (2 s)"
    clock.now += 0.01
    line.advance()  # too soon to draw again
    assert out.getvalue().count("\r") == 1
    line.stage("rendering pages", 1000)  # a new stage draws at once, over the old line
    assert out.getvalue().endswith("\rcasefile: rendering pages: 0/1,000 (2 s)")
    line.close()
    assert out.getvalue().endswith("\r" + " " * 40 + "\r")


def test_a_stage_without_items_and_a_narrow_terminal() -> None:
    out, clock = Terminal(), Clock()
    line = TerminalProgress(out, clock=clock, width=20, delay=0)
    line.stage("building the search index")
    assert out.getvalue() == "\rcasefile: building "  # narrower than the terminal


def test_a_longer_line_is_padded_over_by_a_shorter_one() -> None:
    out = Terminal()
    line = TerminalProgress(out, clock=Clock(), width=80, delay=0)
    line.stage("loading records and more")
    line.stage("x")
    first, second = out.getvalue().split("\r")[1:]
    assert len(second) == len(first) and second.rstrip() == "casefile: x… (0 s)"


def test_log_lines_wipe_the_line_first(caplog: pytest.LogCaptureFixture) -> None:
    out = Terminal()
    handler = logging.StreamHandler(out)
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        with TerminalProgress(out, clock=Clock(), width=80, delay=0) as line:
            line.stage("rendering pages", 3)
            logging.getLogger("mkdocs.plugins.casefile").warning("a warning")
            shown = "casefile: rendering pages: 0/3 (0 s)"
            assert out.getvalue() == f"\r{shown}\r{' ' * len(shown)}\ra warning\n"
            line.advance()  # drawn again below the log line
            assert out.getvalue().endswith("\rcasefile: rendering pages: 1/3 (0 s)")
        assert handler.filters == []  # unhooked at the end
    finally:
        logger.removeHandler(handler)


def test_a_forked_process_draws_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    out = Terminal()
    line = TerminalProgress(out, clock=Clock(), width=80, delay=0)
    monkeypatch.setattr(progress_module.os, "getpid", lambda: line.pid + 1)
    line.stage("building pages", 10)
    line.advance()
    assert out.getvalue() == ""


def test_loading_checking_and_rendering_report_and_change_nothing() -> None:
    heard = Recorder()
    report, case = check(ROOT / "casefile", progress=heard)
    quiet_report, quiet_case = check(ROOT / "casefile")
    assert report.findings == quiet_report.findings
    assert case is not None and quiet_case is not None
    records = len(case.records)
    assert heard.heard == [
        ("loading records", None, records),
        ("checking records", len(RULES), len(RULES)),
    ]
    site = render_site(case, progress=heard)
    assert heard.heard[-1] == ("rendering pages", len(case.records), len(case.records))
    assert site.files == render_site(quiet_case).files
