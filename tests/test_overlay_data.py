"""The serve overlay's findings file (overlay.py), and the plugin adding it only when serving."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import markdown
import pytest
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files

from build_scripts.checker import check
from build_scripts.findings import Finding, Location, Report
from build_scripts.overlay import (
    EDITOR_LINK,
    FINDINGS,
    SHOWN,
    check_editor_link,
    editor_href,
    errors_page,
    is_local,
    overlay_data,
    overlay_json,
)
from build_scripts.plugin import CasefilePlugin

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "casefile", tmp_path / "casefile")
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text("site_name: Serve\ntheme: material\nplugins: [casefile]\n")
    return tmp_path


def _break_kirby(project: Path) -> Path:
    path = project / "casefile" / "actors" / "john-kirby.yml"
    path.write_text(path.read_text().replace("kind: person", "kind: persn"))
    return path


def test_a_broken_record_gives_its_location_code_message_hint_and_link(project: Path) -> None:
    kirby = _break_kirby(project)
    report, _ = check(project / "casefile")
    data = overlay_data(report, cwd=project)
    assert (data["stale"], data["summary"]) == (True, "1 error, 1 warning")
    errors = data["errors"]
    # Not case.yml's [[john-kirby]] as well: the record is known, by its id, errors and all.
    assert [g["file"] for g in errors["files"]] == ["casefile/actors/john-kirby.yml"]
    assert errors["files"][0]["findings"] == [
        {
            "file": "casefile/actors/john-kirby.yml",
            "line": 3,
            "column": 7,
            "link": f"vscode://file{kirby.absolute().as_posix()}:3:7",
            "code": "bad-enum",
            "message": "'kind' is 'persn', which is not an allowed value",
            "hint": "did you mean 'person'? allowed: person, organization, government, group, "
            "anonymous, other",
            "related": [],
        }
    ]
    warning = data["warnings"]["files"][0]["findings"][0]
    assert (warning["code"], warning["related"][0]["label"]) == ("invalid-target", "defined here")
    assert warning["related"][0]["file"] == "casefile/actors/john-kirby.yml"


def test_ten_of_each_severity_grouped_by_file_and_a_count_of_the_rest(tmp_path: Path) -> None:
    findings = [
        Finding.make("empty-file", Location(tmp_path / f"f{n // 4}.yml", n + 1)) for n in range(13)
    ]
    data = overlay_data(Report(findings), cwd=tmp_path)
    errors = data["errors"]
    assert (errors["total"], errors["more"]) == (13, 13 - SHOWN)
    assert [(g["file"], len(g["findings"])) for g in errors["files"]] == [
        ("f0.yml", 4),
        ("f1.yml", 4),
        ("f2.yml", 2),
    ]
    assert data["warnings"] == {"total": 0, "more": 0, "files": []}


def test_warnings_alone_are_not_stale_and_no_findings_have_no_id(project: Path) -> None:
    report, _ = check(project / "casefile")
    assert overlay_data(report)["id"] == "" and overlay_data(report)["stale"] is False
    where = Location(project / "e.yml")
    only = Report(
        [Finding.make("invalid-target", where, relation="link", target="x", file="x.yml")]
    )
    data = overlay_data(only)
    assert data["id"] and data["stale"] is False and data["warnings"]["total"] == 1


def test_errors_with_no_good_site_behind_them_are_not_stale(tmp_path: Path) -> None:
    """A serve started with broken records has no last good site: the overlay says so."""
    report = Report([Finding.make("empty-file", Location(tmp_path / "a.yml"))])
    assert overlay_data(report)["stale"] is True
    assert overlay_data(report, last_good=False)["stale"] is False


def test_the_errors_page_lists_the_findings_as_inert_text(tmp_path: Path) -> None:
    hostile = Finding.make("empty-file", Location(tmp_path / "<img src=x onerror=alert(1)>.yml"))
    page = errors_page([hostile, hostile], tmp_path)
    assert page.startswith("# The records have errors\n")
    assert "2 errors:" in page
    assert "&lt;img src=x onerror=alert(1)&gt;.yml:1:1: error[empty-file]" in page
    assert "<img" not in page
    html = markdown.markdown(page)
    assert "<img" not in html and html.count("error[empty-file]") == 2


def test_the_id_names_the_set_of_findings(tmp_path: Path) -> None:
    one = Report([Finding.make("empty-file", Location(tmp_path / "a.yml"))])
    two = Report([Finding.make("empty-file", Location(tmp_path / "b.yml"))])
    assert overlay_data(one)["id"] == overlay_data(one)["id"] != overlay_data(two)["id"]


def test_the_json_holds_no_markup_character_and_reads_back(tmp_path: Path) -> None:
    hostile = tmp_path / "<script>x</script>.yml"
    report = Report([Finding.make("empty-file", Location(hostile))])
    text = overlay_json(report, cwd=tmp_path)
    assert "<" not in text
    assert json.loads(text)["errors"]["files"][0]["file"] == "<script>x</script>.yml"


def test_editor_links_percent_encode_the_path(tmp_path: Path) -> None:
    where = Location(tmp_path / "a b" / '"><x>.yml', 2, 5)
    link = editor_href(EDITOR_LINK, where)
    assert link == f"vscode://file{tmp_path.as_posix()}/a%20b/%22%3E%3Cx%3E.yml:2:5"
    assert editor_href("", where) is None
    assert editor_href("idea://open?file={path}&line={line}", where).endswith("&line=2")


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("javascript:alert(1)//{path}", "must not use the javascript: scheme"),
        ("DATA:text/html,{path}", "must not use the DATA: scheme"),
        ("/open/{path}", "must start with a URL scheme"),
        ("vscode://file{path}:{row}", "may use only {path}, {line} and {column}"),
    ],
)
def test_an_editor_link_that_could_harm_or_fail_is_refused(template: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem.replace("{", r"\{").replace("}", r"\}")):
        check_editor_link(template)


def test_editor_links_only_for_a_server_on_this_machine() -> None:
    assert [is_local(h) for h in ("127.0.0.1", "localhost", "::1")] == [True] * 3
    assert [is_local(h) for h in ("0.0.0.0", "192.168.1.2", "example.org")] == [False] * 3


def _plugin(project: Path, command: str, **options: object) -> tuple[CasefilePlugin, MkDocsConfig]:
    config = MkDocsConfig(config_file_path=str(project / "mkdocs.yml"))
    config.load_dict(
        {"site_name": "Serve", "docs_dir": str(project / "docs"), **options.pop("mkdocs", {})}
    )
    errors, _ = config.validate()
    assert not errors
    plugin = CasefilePlugin()
    errors, _ = plugin.load_config(options, str(project / "mkdocs.yml"))
    assert not errors
    config.plugins._current_plugin = "casefile"  # as MkDocs sets it around each event
    plugin.on_startup(command=command, dirty=False)
    plugin.on_config(config)
    return plugin, config


def test_only_serving_loads_the_overlay(project: Path) -> None:
    _, config = _plugin(project, "serve")
    assert "assets/casefile/overlay.js" in [str(x) for x in config.extra_javascript]
    assert "assets/casefile/overlay.css" in [str(x) for x in config.extra_css]
    built, config = _plugin(project, "build")
    assert not [x for x in [*config.extra_javascript, *config.extra_css] if "overlay" in str(x)]
    built.on_pre_build(config=config)
    files = built.on_files(Files([]), config=config)
    assert FINDINGS not in files.src_uris and "assets/casefile/overlay.js" not in files.src_uris


def test_serving_writes_the_findings_of_each_build(project: Path) -> None:
    plugin, config = _plugin(project, "serve", editor_link="")
    plugin.on_pre_build(config=config)
    files = plugin.on_files(Files([]), config=config)
    assert json.loads(files.get_file_from_path(FINDINGS).content_string)["id"] == ""
    _break_kirby(project)
    plugin.on_pre_build(config=config)  # keeps the last good site
    files = plugin.on_files(Files([]), config=config)
    data = json.loads(files.get_file_from_path(FINDINGS).content_string)
    assert data["stale"] is True
    assert data["errors"]["files"][0]["findings"][0]["link"] is None  # editor_link: ""


def test_a_server_reachable_from_elsewhere_gets_no_editor_links(project: Path) -> None:
    plugin, config = _plugin(project, "serve", mkdocs={"dev_addr": "0.0.0.0:8000"})
    _break_kirby(project)
    plugin.site = object()  # type: ignore[assignment]  # as after a first good build
    plugin.on_pre_build(config=config)
    assert '"link": null' in plugin._findings and "vscode" not in plugin._findings


def test_a_wrong_editor_link_fails_like_any_mkdocs_option(project: Path) -> None:
    plugin = CasefilePlugin()
    errors, _ = plugin.load_config(
        {"editor_link": "javascript:x{path}"}, str(project / "mkdocs.yml")
    )
    assert [(name, str(e)) for name, e in errors] == [
        ("editor_link", "editor_link must not use the javascript: scheme")
    ]
