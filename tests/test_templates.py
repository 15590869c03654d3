"""Page templates: a site overrides one by dropping a file in its theme's custom_dir, and every
value a template prints is escaped unless a helper made it safe."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from markupsafe import Markup

from build_scripts.checker import check
from build_scripts.pages import render_site
from build_scripts.templating import OVERRIDE_FOLDER, TemplateOverrideError, environment, tidy
from tests.cases import build

HERE = Path(__file__).resolve().parent
GOLDEN_CASE = HERE / "golden_pages" / "casefile"
TEMPLATES = Path(__file__).resolve().parent.parent / "build_scripts" / "templates"


def override(custom_dir: Path, name: str, text: str) -> None:
    (custom_dir / OVERRIDE_FOLDER).mkdir(parents=True, exist_ok=True)
    (custom_dir / OVERRIDE_FOLDER / name).write_text(text, encoding="utf-8")


def test_a_site_overrides_one_template_and_keeps_the_others(tmp_path: Path) -> None:
    override(
        tmp_path,
        "data.html.j2",
        "<h1>Downloads</h1>\n<p>Our own words. {{ schemas|length }}.</p>\n",
    )
    _, case = check(GOLDEN_CASE)
    assert case is not None
    plain = render_site(case)
    custom = render_site(case, custom_dir=tmp_path)
    assert custom.files["data.md"] == "<h1>Downloads</h1>\n<p>Our own words. 5.</p>\n"
    assert {p: t for p, t in custom.files.items() if p != "data.md"} == {
        p: t for p, t in plain.files.items() if p != "data.md"
    }


def test_every_printed_value_is_escaped_unless_made_safe() -> None:
    env = environment()
    template = env.from_string("{{ title }} | {{ page_link }} | {{ url|attr }}")

    out = template.render(
        title="<script>x</script> [a](javascript:y) *b*",
        page_link=Markup('<a href="x/">ok</a>'),
        url='https://e.org/"onmouseover="x',
    )
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert '<a href="x/">ok</a>' in out  # a helper's Markup passes as it is
    assert '"onmouseover' not in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<h1>Tags</h1>\n{{ no_such_value }}\n", ":2: 'no_such_value' is undefined"),
        (
            "<h1>Tags</h1>\n\n{% for tag in %}\n",
            ":3: Expected an expression, got 'end of statement block'",
        ),
        ("<h1>Tags</h1>\n{{ tags.nope.deeper }}\n", ":2: 'list object' has no attribute 'nope'"),
        ("<h1>Tags</h1>\n{{ 1 / 0 }}\n", ":2: ZeroDivisionError: division by zero"),
        ("<h1>Tags</h1>\n{% include 'nosuch.html.j2' %}\n", ":2: no template 'nosuch.html.j2'"),
        (
            '{% from "_parts.html.j2" import mentions %}\n\n{{ mentions(page, nosuch) }}\n',
            f":3: 'nosuch' is undefined (in {TEMPLATES / '_parts.html.j2'}:",
        ),
    ],
    ids=["undefined", "syntax", "attribute", "python", "missing", "into-ours"],
)
def test_a_template_that_fails_is_an_error_at_its_file_and_line(
    tmp_path: Path, text: str, message: str
) -> None:
    """A site's override that fails says where and what, as a record's error does: no
    Python traceback through Jinja's internals."""
    override(tmp_path, "tags_index.html.j2", text)
    _, case = check(GOLDEN_CASE)
    assert case is not None
    path = tmp_path / OVERRIDE_FOLDER / "tags_index.html.j2"
    with pytest.raises(TemplateOverrideError) as failed:
        render_site(case, custom_dir=tmp_path)
    shown = str(failed.value)  # (our macro's line number, after its ":", left out here)
    assert (
        shown.startswith(f"{path}{message}")
        if message.endswith(":")
        else shown == (f"{path}{message}")
    )
    assert failed.value.__cause__ is None and failed.value.__suppress_context__


def test_casefile_render_and_mkdocs_say_where_a_template_fails(tmp_path: Path) -> None:
    project = tmp_path / "site"
    shutil.copytree(GOLDEN_CASE, project / "casefile")
    (project / "docs").mkdir()
    override(project / "overrides", "data.html.j2", "<h1>Downloads</h1>\n{% bad %}\n")
    where = f"{project / 'overrides' / OVERRIDE_FOLDER / 'data.html.j2'}:2: "
    (project / "mkdocs.yml").write_text(
        "site_name: Override\ntheme:\n  name: material\n  custom_dir: overrides\n"
        "plugins: [casefile]\n"
    )
    result = build(project, tmp_path / "out")
    assert result.returncode == 1
    assert f"casefile: {where}Encountered unknown tag 'bad'." in result.stderr
    assert "Traceback" not in result.stderr
    rendered = subprocess.run(
        [
            sys.executable,
            "-m",
            "build_scripts.cli",
            "render",
            "--out",
            str(tmp_path / "md"),
            "--custom-dir",
            str(project / "overrides"),
            str(project / "casefile"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (rendered.returncode, rendered.stdout) == (1, "")
    assert rendered.stderr == (
        f"casefile render: nothing written: {where}Encountered unknown tag 'bad'.\n"
    )
    assert not (tmp_path / "md").exists()


def test_tidy_drops_the_empty_lines_left_out_blocks_leave() -> None:
    assert tidy("\n\n<h1>A</h1>\n\n  \n\n<p>b</p>\n\n\n") == "<h1>A</h1>\n<p>b</p>\n"
    # Never inside <pre>, where an empty line is content.
    assert tidy("<pre>a\n\nb</pre>\n\n") == "<pre>a\n\nb</pre>\n"


def test_an_override_with_an_unknown_name_is_refused(tmp_path: Path) -> None:
    """Pages are HTML templates (`*.html.j2`): an override under another name (a typo, or a
    Markdown template from before) would be ignored without a word; it is an error."""
    override(tmp_path, "data.md.j2", "# Downloads\n")
    _, case = check(GOLDEN_CASE)
    assert case is not None
    with pytest.raises(TemplateOverrideError, match=r"data\.md\.j2.*data\.html\.j2"):
        render_site(case, custom_dir=tmp_path)


def test_every_template_documents_its_context() -> None:
    for path in sorted(TEMPLATES.glob("*.j2")):
        assert path.read_text(encoding="utf-8").startswith("{#- "), path.name


def test_mkdocs_uses_the_theme_custom_dir(tmp_path: Path) -> None:
    project = tmp_path / "site"
    shutil.copytree(GOLDEN_CASE, project / "casefile")
    (project / "docs").mkdir()
    override(
        project / "overrides",
        "data.html.j2",
        "<h1>Downloads</h1>\n<p>Overridden by this site.</p>\n",
    )
    (project / "mkdocs.yml").write_text(
        "site_name: Override\ntheme:\n  name: material\n  custom_dir: overrides\n"
        "plugins: [casefile]\n"
    )
    result = build(project, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "out" / "data" / "index.html").read_text(encoding="utf-8")
    assert "Overridden by this site." in page
