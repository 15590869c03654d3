"""Every finding points at a place that exists: a file (or folder) that is there, a line the
file has, and a column on that line (one past its end at most)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_scripts.checker import check
from tests.cases import MINIMAL

# What YAML (and so every position we report) counts as the end of a line.
YAML_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
FIELDS = {
    "actors/ann.yml": ["name", "kind", "aliases", "description", "tags", "links"],
    "sources/memo.yml": ["title", "kind", "url", "archive_url", "published", "text_public"],
    "events/meeting.yml": ["title", "date", "status", "actors", "sources", "related", "notes"],
    "quotes/ann-talk.yml": ["text", "speaker", "source", "date", "about", "language"],
}
values = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "2022-7-4",
            "www.x.org",
            "https://a.org/a b",
            "[ann, memo]",
            "{source: memo}",
            "persn",
            "'quoted value'",
            '"2022/07/04"',
            "ann\n  - x",
            "",
            "[[missing]]",
            "- a\n- b",
        ]
    ),
)


def assert_located(root: Path) -> None:
    report, _ = check(root)
    for finding in report.findings:
        for where in (finding.location, *(loc for _, loc in finding.related)):
            assert where.path.is_symlink() or where.path.exists(), finding
            if where.path.is_file() and not where.path.is_symlink():
                text = where.path.read_bytes().decode("utf-8", "replace").removeprefix("\ufeff")
                lines = YAML_LINE_BREAK.split(text)
                assert 1 <= where.line <= len(lines), finding
                assert 1 <= where.col <= len(lines[where.line - 1]) + 1, finding


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    file=st.sampled_from(sorted(FIELDS)),
    data=st.data(),
)
def test_findings_point_at_real_places(file: str, data: st.DataObject) -> None:
    field = data.draw(st.sampled_from(FIELDS[file]))
    value = data.draw(values)
    style = data.draw(st.sampled_from(["plain", "double", "single"]))
    written = {
        "plain": value,
        "double": '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"',
        "single": "'" + value.replace("'", "''") + "'",
    }[style]
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, text in MINIMAL.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        lines = [ln for ln in MINIMAL[file].splitlines() if not ln.startswith(f"{field}:")]
        (root / file).write_text("\n".join([*lines, f"{field}: {written}"]) + "\n")
        assert_located(root)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_findings_for_arbitrary_bytes_point_at_real_places(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, text in MINIMAL.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        (root / "events" / "meeting.yml").write_bytes(data)
        assert_located(root)
