"""`casefile check --fix`: apply the corrections that are certain, and touch nothing else.

A finding may carry a `Fix`: the value that starts at line:col and reads `old` becomes `new`
(a percent-encoded URL, a date written the one way the format takes, an enum in the right
case). A file is rewritten only when every error in it has such a fix; then exactly the span
of each value is replaced, written back in the quoting style it had, so comments, key order,
line endings and every other byte stay as they were.
"""

from __future__ import annotations

import difflib
import json
import os
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from .files import read_bytes
from .findings import Finding, Fix, Report, Severity
from .strictyaml import YamlFailure, decode, parse

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class FileFix:
    """What fixing one file would do: its new text, or why it is left alone."""

    path: Path
    before: str
    after: str | None
    applied: tuple[Fix, ...]
    reason: str | None = None  # why the file is left unchanged
    bom: bool = False  # the file starts with a byte order mark, which `before` leaves out

    def diff(self, name: str) -> str:
        if self.after is None:
            return ""
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True),
                self.after.splitlines(keepends=True),
                f"a/{name}",
                f"b/{name}",
            )
        )


def _reads_as_itself(text: str) -> bool:
    """`key: <text>` gives `text` back, written unquoted."""
    try:
        document = parse(f"k: {text}\n", Path("fix"))
    except YamlFailure:
        return False
    return document.data == {"k": text} and ("k",) not in document.quoted


def _written(new: str, style: str | None) -> str:
    """`new` as YAML source in the style the old value had, or double quotes when plain
    text would read differently."""
    if not style and _reads_as_itself(new):  # plain: None from Python, "" from C
        return new
    if style == "'":
        return "'" + new.replace("'", "''") + "'"
    return json.dumps(new, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def fix_text(text: str, fixes: list[Fix]) -> tuple[str | None, str | None]:
    """`text` with each fix applied to exactly its value's span; or None and the reason."""
    scalars: dict[tuple[int, int], yaml.ScalarEvent] = {}
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.ScalarEvent):
                mark = event.start_mark
                scalars[(mark.line + 1, mark.column + 1)] = event
    except yaml.YAMLError:
        return None, "the file is not valid YAML"
    edits: list[tuple[int, int, str]] = []
    for fix in fixes:
        event = scalars.get((fix.line, fix.col))
        if event is None or event.value != fix.old:
            return None, f"line {fix.line} no longer holds '{fix.old}'"
        if event.style not in (None, "", "'", '"') or event.start_mark.line != event.end_mark.line:
            return None, f"the value on line {fix.line} spans lines; fix it by hand"
        edits.append((event.start_mark.index, event.end_mark.index, _written(fix.new, event.style)))
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text, None


def plan(report: Report) -> list[FileFix]:
    """For every file with a fixable finding: what --fix would write, or why it would not."""
    by_file: dict[Path, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_file[finding.location.path].append(finding)
    plans: list[FileFix] = []
    for path, findings in sorted(by_file.items()):
        fixes = sorted(
            {f.fix for f in findings if f.fix is not None}, key=lambda f: (f.line, f.col)
        )
        if not fixes:
            continue
        data, problems = read_bytes(path)
        text, problems = decode(data, path) if data is not None else (None, problems)
        if text is None:
            plans.append(FileFix(path, "", None, (), "the file cannot be read as UTF-8 text"))
            continue
        stuck = [f for f in findings if f.fix is None and f.severity is Severity.ERROR]
        if stuck:
            n = len(stuck)
            reason = f"{n} error{'s' * (n != 1)} in it {'has' if n == 1 else 'have'} no certain fix"
            plans.append(FileFix(path, text, None, (), reason))
            continue
        after, reason = fix_text(text, fixes)
        bom = data is not None and data.startswith(b"\xef\xbb\xbf")
        plans.append(FileFix(path, text, after, tuple(fixes) if after else (), reason, bom))
    return plans


def write(fix: FileFix) -> None:
    """Replace the file with its fixed text in one step (a crash leaves the old file whole)."""
    assert fix.after is not None
    prefix = "\ufeff" if fix.bom else ""
    mode = fix.path.stat().st_mode
    fd, temp = tempfile.mkstemp(dir=fix.path.parent, prefix=".casefile-fix-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(prefix + fix.after)
        os.chmod(temp, mode & 0o7777)
        os.replace(temp, fix.path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
