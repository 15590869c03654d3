"""The package stays readable: small functions, a renderer that only renders, and a page
type that is a view and a template."""

from __future__ import annotations

import ast
from pathlib import Path

from build_scripts import models, views

PACKAGE = Path(__file__).resolve().parent.parent / "build_scripts"
TEMPLATES = PACKAGE / "templates"


def test_no_function_is_longer_than_fifty_lines() -> None:
    long = []
    for path in sorted(PACKAGE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > 50:
                    long.append(f"{path.name}:{node.lineno} {node.name} ({lines} lines)")
    assert long == []


def test_the_renderer_module_is_small() -> None:
    assert len((PACKAGE / "pages.py").read_text(encoding="utf-8").splitlines()) < 300


def test_every_record_kind_and_section_has_a_view_and_a_template() -> None:
    assert set(views.RECORD_VIEWS) == set(models.KIND)
    source = (PACKAGE / "views.py").read_text(encoding="utf-8")
    for name in [*models.KIND, "home", "timeline", "actors_index", "quotes_index", "data"]:
        assert (TEMPLATES / f"{name}.html.j2").is_file(), name
        assert f'"{name}.html.j2"' in source, name


def test_no_page_markup_is_built_in_python() -> None:
    """Markup and words live in templates: the views hand over facts."""
    source = (PACKAGE / "views.py").read_text(encoding="utf-8")
    for fragment in ("<li", "<ol", "<blockquote", "<aside", "## ", "- **"):
        assert fragment not in source, fragment
