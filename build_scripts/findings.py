"""Findings: what the checker says about a case file, as data until the very edge.

Every finding has a stable code from `CODES`, a location (file, line, column, 1-based) and a
message; a hint says how to fix it where one helps. Printing is done by `format_text`,
`format_json` and `format_github`, called only by the CLI and the MkDocs plugin.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


# code -> (severity, title). The code is the contract: tools and tests match on it.
CODES: dict[str, tuple[Severity, str]] = {
    "file-encoding": (Severity.ERROR, "file is not valid UTF-8"),
    "forbidden-character": (Severity.ERROR, "NUL or bidirectional control character"),
    "file-too-large": (Severity.ERROR, "file larger than the limit"),
    "yaml-syntax": (Severity.ERROR, "YAML syntax error"),
    "yaml-feature": (Severity.ERROR, "YAML feature not allowed in records"),
    "too-deep": (Severity.ERROR, "nesting deeper than the limit"),
    "duplicate-key": (Severity.ERROR, "the same key twice in one mapping"),
    "empty-file": (Severity.ERROR, "record file holds no record"),
    "empty-value": (Severity.ERROR, "a field with no value"),
    "unknown-field": (Severity.ERROR, "field not in the record format"),
    "missing-field": (Severity.ERROR, "required field missing"),
    "wrong-type": (Severity.ERROR, "value of the wrong type"),
    "bad-value": (Severity.ERROR, "value not allowed for this field"),
    "bad-enum": (Severity.ERROR, "value not among the allowed ones"),
    "bad-id": (Severity.ERROR, "identifier or file name not allowed"),
    "duplicate-id": (Severity.ERROR, "two records with the same id"),
    "unexpected-file": (Severity.ERROR, "file the case file format does not know"),
    "missing-case": (Severity.ERROR, "case.yml missing"),
    "dangling-reference": (Severity.ERROR, "reference to a record that does not exist"),
    "wrong-kind-reference": (Severity.ERROR, "reference to a record of the wrong kind"),
    "bad-date": (Severity.ERROR, "date not in the accepted format"),
    "impossible-date": (Severity.ERROR, "date that does not exist"),
    "reversed-interval": (Severity.ERROR, "interval that ends before it starts"),
    "bad-url": (Severity.ERROR, "URL that is not http(s)"),
    "event-without-source": (Severity.ERROR, "event that cites no source"),
    "not-verbatim": (Severity.ERROR, "quote or excerpt not found verbatim in the source text"),
    "missing-translation": (Severity.ERROR, "quote in another language without a translation"),
    "self-reference": (Severity.ERROR, "record that refers to itself"),
    "not-a-regular-file": (Severity.ERROR, "symlink, device, FIFO or socket in the case file"),
    "unreadable-file": (Severity.ERROR, "file that cannot be read"),
    "too-long": (Severity.ERROR, "value or list longer than the limit"),
    "reserved-id": (Severity.ERROR, "id or tag that would take a generated page's path"),
    "path-collision": (Severity.ERROR, "two pages at one path"),
    "invalid-target": (Severity.WARNING, "reference to a record that has errors of its own"),
    "possible-duplicate": (Severity.WARNING, "two events that may be the same event"),
    "unchecked-quote": (
        Severity.WARNING,
        "quote whose source has no full text to check it against",
    ),
    "elided-negation": (Severity.WARNING, "elision that drops a negation next to the gap"),
    "unused-source": (Severity.WARNING, "source that nothing cites"),
    "unmentioned-actor": (Severity.WARNING, "actor that nothing mentions"),
}


@dataclass(frozen=True, slots=True)
class Location:
    path: Path
    line: int = 1
    col: int = 1


@dataclass(frozen=True, slots=True)
class Fix:
    """A certain correction: the value that starts at `line`:`col` and reads `old` becomes
    `new` (`casefile check --fix` applies it to that span of the file and nothing else)."""

    line: int
    col: int
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    location: Location
    message: str
    hint: str | None = None
    # Other places the finding involves, e.g. the first definition of a duplicate id.
    related: tuple[tuple[str, Location], ...] = field(default_factory=tuple)
    fix: Fix | None = None

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown finding code {self.code!r}")

    @property
    def severity(self) -> Severity:
        return CODES[self.code][0]

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.path.as_posix(), loc.line, loc.col, self.code, self.message)


class Report:
    """All findings of one check, sorted by file and position."""

    def __init__(self, findings: Iterable[Finding] = ()) -> None:
        self.findings: list[Finding] = sorted(set(findings), key=lambda f: f.sort_key)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    def ok(self, *, strict: bool = False) -> bool:
        return not (self.findings if strict else self.errors)

    def summary(self) -> str:
        e, w = len(self.errors), len(self.warnings)
        return f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}"


def display_path(path: Path, cwd: Path | None = None) -> str:
    """The path as compilers print it: relative to the current directory when below it."""
    cwd = cwd or Path.cwd()
    try:
        # The folder is resolved, never the file: a symlink must be named, not its target.
        return (path.parent.resolve() / path.name).relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return os.fspath(path)


# Every character that some reader of our output takes for the end of a line. Record text
# (and file names) can hold them; inside one field of a finding they are shown, not obeyed.
_LINE_BREAKS = str.maketrans({c: repr(c)[1:-1] for c in "\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029"})


def one_line(text: str) -> str:
    """`text` with its line breaks written as escapes, so it stays on the line it is put on."""
    return text.translate(_LINE_BREAKS)


def for_ci(text: str) -> str:
    """Text about to be printed, made unable to start a GitHub workflow command.

    The Actions runner reads `::command::` (and the older `##[command]`) at the start of any
    line of a step's stdout or stderr. With GITHUB_ACTIONS=true, a line that would start one
    gets a visible backslash in front; our own annotations are printed without this.
    """
    if os.environ.get("GITHUB_ACTIONS") != "true":
        return text
    return "".join(
        "\\" + line if line.lstrip().startswith(("::", "##[")) else line
        for line in text.splitlines(keepends=True)
    )


def format_text(finding: Finding, cwd: Path | None = None) -> str:
    loc = finding.location
    lines = [
        f"{one_line(display_path(loc.path, cwd))}:{loc.line}:{loc.col}: "
        f"{finding.severity.value}[{finding.code}]: {one_line(finding.message)}"
    ]
    for label, other in finding.related:
        where = one_line(display_path(other.path, cwd))
        lines.append(f"  note: {one_line(label)}: {where}:{other.line}:{other.col}")
    if finding.hint:
        lines.append(f"  hint: {one_line(finding.hint)}")
    return for_ci("\n".join(lines))


def as_dict(finding: Finding, cwd: Path | None = None) -> dict[str, object]:
    loc = finding.location
    return {
        "severity": finding.severity.value,
        "code": finding.code,
        "file": display_path(loc.path, cwd),
        "line": loc.line,
        "column": loc.col,
        "message": finding.message,
        "hint": finding.hint,
        "related": [
            {
                "label": label,
                "file": display_path(o.path, cwd),
                "line": o.line,
                "column": o.col,
            }
            for label, o in finding.related
        ],
    }


def format_json(report: Report, cwd: Path | None = None) -> str:
    return json.dumps(
        {
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "findings": [as_dict(f, cwd) for f in report.findings],
        },
        indent=2,
        ensure_ascii=False,
    )


def _escape_data(text: str) -> str:
    # GitHub's workflow-command escaping for the message part.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(finding: Finding, cwd: Path | None = None) -> str:
    """One `::error file=…,line=…,col=…,title=…::message` workflow command."""
    loc = finding.location
    message = one_line(finding.message) + (f"\n{one_line(finding.hint)}" if finding.hint else "")
    props = ",".join(
        f"{k}={_escape_property(str(v))}"
        for k, v in (
            ("file", one_line(display_path(loc.path, cwd))),
            ("line", loc.line),
            ("col", loc.col),
            ("title", f"casefile {finding.code}"),
        )
    )
    return f"::{finding.severity.value} {props}::{_escape_data(message)}"


GITHUB_ANNOTATION_LIMIT = 10  # GitHub shows at most 10 annotations of a kind per step


def github_annotations(
    report: Report,
    changed: frozenset[str] = frozenset(),
    limit: int = GITHUB_ANNOTATION_LIMIT,
    cwd: Path | None = None,
) -> list[str]:
    """Workflow commands for the findings, those in `changed` files first, at most `limit`,
    then one notice counting the rest (GitHub would silently drop them)."""
    ordered = sorted(
        report.findings,
        key=lambda f: (display_path(f.location.path, cwd) not in changed, f.sort_key),
    )
    lines = [format_github(f, cwd) for f in ordered[:limit]]
    rest = len(ordered) - limit
    if rest > 0:
        lines.append(
            f"::notice title=casefile::{rest} more finding{'s' * (rest != 1)} not annotated; "
            "see the job summary or the log"
        )
    return lines


def _cell(text: str) -> str:
    """Text for a cell of a Markdown table that GitHub renders: nothing in it is markup."""
    text = " ".join(text.split())
    return "".join(f"&#{ord(c)};" if c in "|<>[]()*_`\\&!#" else c for c in text)


def summary_markdown(report: Report, cwd: Path | None = None) -> str:
    """The findings as a Markdown table, for `$GITHUB_STEP_SUMMARY`."""
    lines = [f"### casefile check: {report.summary()}", ""]
    if not report.findings:
        return "\n".join([*lines, "No problems found.", ""])
    lines += ["| | file | line | problem | hint |", "|---|---|---|---|---|"]
    for f in report.findings:
        mark = "❌" if f.severity is Severity.ERROR else "⚠️"
        lines.append(
            f"| {mark} | {_cell(display_path(f.location.path, cwd))} | {f.location.line} "
            f"| {_cell(f.code)}: {_cell(f.message)} | {_cell(f.hint or '')} |"
        )
    return "\n".join([*lines, ""])
