"""Golden test of the generated pages for a small case: every page, byte for byte.

Run with UPDATE_GOLDEN=1 to rewrite the expected files, then review the diff.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from build_scripts.checker import check
from build_scripts.pages import portable_files, render_site

HERE = Path(__file__).resolve().parent / "golden_pages"
# The feeds are dated by the build time: fixed here, as SOURCE_DATE_EPOCH fixes it in a build.
BUILT = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def _golden(files: dict[str, str], expected_dir: Path) -> None:
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        for path, text in files.items():
            target = expected_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))  # CSVs keep their CRLF
    expected = {
        p.relative_to(expected_dir).as_posix(): p.read_bytes().decode("utf-8")
        for p in expected_dir.rglob("*")
        if p.is_file()
    }
    assert sorted(files) == sorted(expected)
    for path, text in files.items():
        assert text == expected[path], f"{path} differs from its golden copy"


def test_generated_pages_match_the_golden_files() -> None:
    """The HTML MkDocs is given (pages kept at their `.md` paths, named `.html` here)."""
    report, case = check(HERE / "casefile")
    assert case is not None, [f.message for f in report.findings]
    files = render_site(case, built=BUILT).files
    _golden(
        {(p[:-3] + ".html" if p.endswith(".md") else p): t for p, t in files.items()},
        HERE / "expected",
    )


def test_portable_markdown_matches_the_golden_files() -> None:
    """What `casefile render` writes: the same pages as portable Markdown."""
    _, case = check(HERE / "casefile")
    assert case is not None
    pages = portable_files(render_site(case, directory_urls=None, built=BUILT))
    _golden({p: t for p, t in pages.items() if p.endswith(".md")}, HERE / "expected_markdown")


def test_rendering_is_deterministic() -> None:
    _, first = check(HERE / "casefile")
    _, second = check(HERE / "casefile")
    assert first is not None and second is not None
    assert render_site(first).files == render_site(second).files
