"""The plugin's serve behaviour and the loader cache it keeps between rebuilds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError

from build_scripts.checker import check
from build_scripts.plugin import CasefilePlugin
from build_scripts.records import FileCache

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "casefile", tmp_path / "casefile")
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Serve\ntheme: material\nplugins: [search, casefile]\n"
    )
    return tmp_path


def _plugin(project: Path, command: str) -> tuple[CasefilePlugin, MkDocsConfig]:
    config = MkDocsConfig(config_file_path=str(project / "mkdocs.yml"))
    config.load_dict({"site_name": "Serve", "docs_dir": str(project / "docs")})
    errors, _ = config.validate()
    assert not errors
    plugin = CasefilePlugin()
    plugin.load_config({}, str(project / "mkdocs.yml"))
    plugin.on_startup(command=command, dirty=False)
    plugin.on_config(config)
    return plugin, config


def test_serving_keeps_the_last_good_site_when_a_record_breaks(project: Path) -> None:
    plugin, config = _plugin(project, "serve")
    plugin.on_pre_build(config=config)
    good = plugin.site
    assert good is not None
    event = project / "casefile" / "events" / "griner-testifies.yml"
    event.write_text(event.read_text().replace("status: reported", "status: rumoured"))
    plugin.on_pre_build(config=config)  # logs the error, does not raise
    assert plugin.site is good
    event.write_text(event.read_text().replace("status: rumoured", "status: disputed"))
    plugin.on_pre_build(config=config)
    assert plugin.site is not good
    assert "disputed" in plugin.site.files["events/griner-testifies.md"]


def test_building_aborts_on_a_broken_record(project: Path) -> None:
    plugin, config = _plugin(project, "build")
    event = project / "casefile" / "events" / "griner-testifies.yml"
    event.write_text(event.read_text().replace("status: reported", "status: rumoured"))
    with pytest.raises(PluginError, match=r"griner-testifies\.yml:\d+:\d+: error\[bad-enum\]"):
        plugin.on_pre_build(config=config)


def test_the_cache_reuses_unchanged_records_and_sees_changes(project: Path) -> None:
    cache = FileCache()
    _, first = check(project / "casefile", cache)
    assert first is not None
    event = project / "casefile" / "events" / "griner-testifies.yml"
    event.write_text(
        event.read_text().replace("title: Brittney Griner testifies", "title: Changed")
    )
    _, second = check(project / "casefile", cache)
    assert second is not None
    assert second.records["griner-testifies"].data.title == "Changed"
    assert second.records["john-kirby"] is first.records["john-kirby"]
    # The cached case checks exactly like a fresh one.
    _, fresh = check(project / "casefile")
    assert fresh is not None
    assert {k: r.data for k, r in fresh.records.items()} == {
        k: r.data for k, r in second.records.items()
    }
