"""The plugin's logic as plain functions, tested without a build: collisions with hand-written
pages, edit links, and the navigation's order."""

from __future__ import annotations

from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Section, get_navigation

from build_scripts.nav import order
from build_scripts.pages import SECTIONS
from build_scripts.site_files import (
    edit_uri,
    generated_files,
    hand_written_collision,
    normalise_edit_url,
)


def config(tmp_path: Path, **options: object) -> MkDocsConfig:
    (tmp_path / "docs").mkdir(exist_ok=True)
    cfg = MkDocsConfig(config_file_path=str(tmp_path / "mkdocs.yml"))
    cfg.load_dict({"site_name": "Test", "docs_dir": str(tmp_path / "docs"), **options})
    errors, _ = cfg.validate()
    assert not errors
    cfg.plugins._current_plugin = "casefile"  # as MkDocs sets it while a plugin event runs
    return cfg


def hand_written(*paths: str, directory_urls: bool = True) -> Files:
    return Files([File(p, "/docs", "/site", directory_urls) for p in paths])


def test_a_hand_written_page_at_a_generated_path_is_found() -> None:
    files = hand_written("about.md", "timeline.md")
    assert hand_written_collision(["timeline.md"], files, use_directory_urls=True) == "timeline.md"


def test_a_hand_written_page_at_a_generated_url_is_found() -> None:
    files = hand_written("timeline/index.md")
    assert (
        hand_written_collision(["timeline.md"], files, use_directory_urls=True)
        == "timeline/index.md"
    )
    # Without directory URLs the two are timeline.html and timeline/index.html: no clash.
    files = hand_written("timeline/index.md", directory_urls=False)
    assert hand_written_collision(["timeline.md"], files, use_directory_urls=False) is None


def test_no_collision_with_other_pages() -> None:
    files = hand_written("about.md", "contributing.md")
    assert (
        hand_written_collision(["timeline.md", "actors/x.md"], files, use_directory_urls=True)
        is None
    )


def test_edit_uri_points_from_docs_to_the_record(tmp_path: Path) -> None:
    assert edit_uri(tmp_path / "casefile", "events/x.yml", tmp_path / "docs") == (
        "../casefile/events/x.yml"
    )


def test_an_absolute_edit_url_loses_its_dot_dot() -> None:
    url = "https://github.com/o/r/edit/main/docs/../casefile/events/x.yml"
    assert normalise_edit_url(url) == "https://github.com/o/r/edit/main/casefile/events/x.yml"
    assert normalise_edit_url("https://h/x/y.md") == "https://h/x/y.md"


def test_record_pages_are_out_of_the_nav_and_edit_their_yaml(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    files = generated_files(
        cfg,
        {"timeline.md": "# T", "events/x.md": "# X", "casefile.json": "{}"},
        in_nav=["timeline.md"],
        record_files={"events/x.md": "events/x.yml"},
        records_root=tmp_path / "casefile",
    )
    by_path = {f.src_uri: f for f in files}
    assert by_path["timeline.md"].inclusion is InclusionLevel.UNDEFINED
    assert by_path["timeline.md"].edit_uri is None
    assert by_path["events/x.md"].inclusion is InclusionLevel.NOT_IN_NAV
    assert by_path["events/x.md"].edit_uri == "../casefile/events/x.yml"
    assert by_path["casefile.json"].content_string == "{}"


def test_the_nav_reads_in_case_file_order(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    paths = ["about.md", "actors/index.md", "data.md", "index.md", "tags/index.md", "timeline.md"]
    files = Files([File.generated(cfg, p, content="# x") for p in paths])
    nav = order(get_navigation(files, cfg), SECTIONS)
    assert [item.file.src_uri for item in nav.items] == [
        "index.md",
        "timeline.md",
        "actors/index.md",
        "tags/index.md",
        "data.md",
        "about.md",
    ]
    assert [item.title for item in nav.items][:5] == ["Home", "Timeline", "Actors", "Tags", "Data"]
    assert not any(isinstance(item, Section) for item in nav.items)  # single pages flattened
