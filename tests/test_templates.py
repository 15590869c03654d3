"""Page templates: a site overrides one by dropping a file in its theme's custom_dir, and every
value a template prints is escaped unless a helper made it safe."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from jinja2 import UndefinedError
from markupsafe import Markup

from build_scripts.checker import check
from build_scripts.pages import render_site
from build_scripts.templating import OVERRIDE_FOLDER, environment, tidy
from tests.cases import build

HERE = Path(__file__).resolve().parent
GOLDEN_CASE = HERE / "golden_pages" / "casefile"
TEMPLATES = Path(__file__).resolve().parent.parent / "build_scripts" / "templates"


def override(custom_dir: Path, name: str, text: str) -> None:
    (custom_dir / OVERRIDE_FOLDER).mkdir(parents=True, exist_ok=True)
    (custom_dir / OVERRIDE_FOLDER / name).write_text(text, encoding="utf-8")


def test_a_site_overrides_one_template_and_keeps_the_others(tmp_path: Path) -> None:
    override(
        tmp_path, "data.md.j2", "# Downloads\n\nOur own words. {{ schemas|length }} schemas.\n"
    )
    _, case = check(GOLDEN_CASE)
    assert case is not None
    plain = render_site(case)
    custom = render_site(case, custom_dir=tmp_path)
    assert custom.files["data.md"] == "# Downloads\n\nOur own words. 5 schemas.\n"
    assert {p: t for p, t in custom.files.items() if p != "data.md"} == {
        p: t for p, t in plain.files.items() if p != "data.md"
    }


def test_every_printed_value_is_escaped_unless_made_safe() -> None:
    env = environment()
    template = env.from_string("{{ title }} | {{ page_link }} | {{ url|attr }}")

    out = template.render(
        title="<script>x</script> [a](javascript:y) *b*",
        page_link=Markup("[ok](x.md)"),
        url='https://e.org/"onmouseover="x',
    )
    assert "<script>" not in out and "[a](" not in out and "*b*" not in out
    assert "[ok](x.md)" in out  # a helper's Markup passes as it is
    assert '"onmouseover' not in out


def test_a_template_that_names_a_missing_value_fails_loudly(tmp_path: Path) -> None:
    override(tmp_path, "tags_index.md.j2", "# Tags\n\n{{ no_such_value }}\n")
    _, case = check(GOLDEN_CASE)
    assert case is not None
    with pytest.raises(UndefinedError, match="no_such_value"):
        render_site(case, custom_dir=tmp_path)


def test_tidy_leaves_one_blank_line_between_blocks() -> None:
    assert tidy("\n\n# A\n\n\n\nb\n\n\n") == "# A\n\nb\n"


def test_every_template_documents_its_context() -> None:
    for path in sorted(TEMPLATES.glob("*.j2")):
        assert path.read_text(encoding="utf-8").startswith("{#- "), path.name


def test_mkdocs_uses_the_theme_custom_dir(tmp_path: Path) -> None:
    project = tmp_path / "site"
    shutil.copytree(GOLDEN_CASE, project / "casefile")
    (project / "docs").mkdir()
    override(project / "overrides", "data.md.j2", "# Downloads\n\nOverridden by this site.\n")
    (project / "mkdocs.yml").write_text(
        "site_name: Override\ntheme:\n  name: material\n  custom_dir: overrides\n"
        "plugins: [casefile]\n"
    )
    result = build(project, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "out" / "data" / "index.html").read_text(encoding="utf-8")
    assert "Overridden by this site." in page
