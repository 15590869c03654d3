"""Golden test of the generated pages for a small case: every page, byte for byte.

Run with UPDATE_GOLDEN=1 to rewrite the expected files, then review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

from build_scripts.checker import check
from build_scripts.pages import render_site

HERE = Path(__file__).resolve().parent / "golden_pages"


def test_generated_pages_match_the_golden_files() -> None:
    report, case = check(HERE / "casefile")
    assert case is not None, [f.message for f in report.findings]
    files = render_site(case).files
    expected_dir = HERE / "expected"
    if os.environ.get("UPDATE_GOLDEN"):
        for path, text in files.items():
            target = expected_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    expected = {
        p.relative_to(expected_dir).as_posix(): p.read_text(encoding="utf-8")
        for p in expected_dir.rglob("*")
        if p.is_file()
    }
    assert sorted(files) == sorted(expected)
    for path, text in files.items():
        assert text == expected[path], f"{path} differs from its golden copy"


def test_rendering_is_deterministic() -> None:
    _, first = check(HERE / "casefile")
    _, second = check(HERE / "casefile")
    assert first is not None and second is not None
    assert render_site(first).files == render_site(second).files
