"""`casefile check --fix`: only the reported span changes; a file with other errors is left."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from build_scripts import fixes
from build_scripts.checker import check

CASE = {
    "case.yml": "title: A case\n",
    "actors/ann.yml": "name: Ann\nkind: person\n",
    "events/meeting.yml": "title: Meeting\ndate: 2022-07-27\nstatus: reported\n"
    "sources: [report]\nactors: [ann]\n",
}
REPORT = (
    "# The vault's copy; keep this comment\n"
    "title: A report   # trailing comment\n"
    "kind: Report\n"
    "url: https://vault.example.gov/Some Report Final.pdf  # spaces from the file name\n"
    "archive_url: 'https://archive.example.org/x y'\n"
    'published: "2022-7-4"\n'
)
FIXED = (
    "# The vault's copy; keep this comment\n"
    "title: A report   # trailing comment\n"
    "kind: report\n"
    "url: https://vault.example.gov/Some%20Report%20Final.pdf  # spaces from the file name\n"
    "archive_url: 'https://archive.example.org/x%20y'\n"
    'published: "2022-07-04"\n'
)


def make(root: Path, **extra: str) -> Path:
    for name, text in {**CASE, "sources/report.yml": REPORT, **extra}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(text.encode())
    return root


def cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "build_scripts.cli", "check", *args, str(root)],
        cwd=root.parent,
        capture_output=True,
        text=True,
        check=False,
    )


def test_fix_rewrites_only_the_reported_values(tmp_path: Path) -> None:
    root = make(tmp_path / "casefile")
    result = cli(root, "--fix")
    assert (root / "sources" / "report.yml").read_text() == FIXED
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[:4] == [
        "casefile/sources/report.yml:3:7: fixed: 'Report' -> 'report'",
        "casefile/sources/report.yml:4:6: fixed: 'https://vault.example.gov/Some Report Final.pdf'"
        " -> 'https://vault.example.gov/Some%20Report%20Final.pdf'",
        "casefile/sources/report.yml:5:14: fixed: 'https://archive.example.org/x y' -> "
        "'https://archive.example.org/x%20y'",
        "casefile/sources/report.yml:6:12: fixed: '2022-7-4' -> '2022-07-04'",
    ]
    assert result.stderr.splitlines()[-1] == "0 errors, 0 warnings"


def test_diff_shows_the_fix_and_writes_nothing(tmp_path: Path) -> None:
    root = make(tmp_path / "casefile")
    result = cli(root, "--fix", "--diff")
    assert (root / "sources" / "report.yml").read_text() == REPORT
    assert "-url: https://vault.example.gov/Some Report Final.pdf  # spaces" in result.stdout
    assert "+url: https://vault.example.gov/Some%20Report%20Final.pdf  # spaces" in result.stdout
    assert result.returncode == 1


def test_a_file_with_an_error_that_has_no_certain_fix_is_untouched(tmp_path: Path) -> None:
    root = make(tmp_path / "casefile")
    broken = REPORT + "colour: red\n"
    (root / "sources" / "report.yml").write_text(broken)
    result = cli(root, "--fix")
    assert (root / "sources" / "report.yml").read_text() == broken
    assert (
        "casefile/sources/report.yml: left unchanged: 1 error in it has no certain fix"
        in result.stderr.splitlines()
    )
    assert result.returncode == 1


def test_line_endings_and_a_byte_order_mark_survive(tmp_path: Path) -> None:
    root = make(tmp_path / "casefile")
    data = b"\xef\xbb\xbf" + REPORT.replace("\n", "\r\n").encode()
    (root / "sources" / "report.yml").write_bytes(data)
    cli(root, "--fix")
    assert (root / "sources" / "report.yml").read_bytes() == (
        b"\xef\xbb\xbf" + FIXED.replace("\n", "\r\n").encode()
    )


def test_a_value_that_would_read_differently_plain_is_quoted() -> None:
    fix = fixes.Fix(1, 7, "a", "x: y")
    assert fixes.fix_text("name: a\n", [fix]) == ('name: "x: y"\n', None)


def test_a_stale_fix_is_refused() -> None:
    fix = fixes.Fix(1, 7, "2022-7-4", "2022-07-04")
    assert fixes.fix_text("date: 2022-07-05\n", [fix]) == (
        None,
        "line 1 no longer holds '2022-7-4'",
    )


padding = st.text(alphabet=" #abc\t", max_size=12).map(lambda s: s.replace("\t", " "))


@settings(max_examples=60, deadline=None)
@given(before=padding, after=padding)
def test_every_byte_outside_the_span_is_kept(before: str, after: str) -> None:
    """Whatever surrounds the value (comments, spaces), only the value changes."""
    comment = f"  # {after}" if after.strip() else ""
    head = f"# {before}\n" if before.strip() else ""
    text = f"{head}title: A report\nkind: report\nurl: https://e.org/a b{comment}\n"
    line = 3 if head else 2
    after_text, reason = fixes.fix_text(
        text, [fixes.Fix(line + 1, 6, "https://e.org/a b", "https://e.org/a%20b")]
    )
    assert reason is None and after_text is not None
    assert after_text == text.replace("https://e.org/a b", "https://e.org/a%20b", 1)


def test_plan_agrees_with_the_checker(tmp_path: Path) -> None:
    root = make(tmp_path / "casefile")
    report, _ = check(root)
    (plan,) = fixes.plan(report)
    assert plan.after == FIXED and len(plan.applied) == 4
