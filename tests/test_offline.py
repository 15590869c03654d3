"""The site loads nothing from another host, whatever Material's configuration asks for:
the web fonts are turned off (a warning where one is named), analytics is warned of."""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from build_scripts.offline import MATERIAL_FONT, keep_local

ROOT = Path(__file__).resolve().parent.parent


def test_materials_default_font_is_turned_off_without_a_word() -> None:
    theme = {"name": "material", "font": dict(MATERIAL_FONT)}
    assert keep_local(theme, {}) == []
    assert theme["font"] is False


def test_a_font_asked_for_by_name_is_turned_off_with_a_warning() -> None:
    theme = {"name": "material", "font": {"text": "Inter"}}
    [warning] = keep_local(theme, {})
    assert theme["font"] is False
    assert warning.startswith("theme.font {'text': 'Inter'} is not used: Material loads it")
    assert "extra_css" in warning


def test_fonts_already_off_and_other_themes_are_left_as_they_are() -> None:
    off = {"name": "material", "font": False}
    other = {"name": "mkdocs", "font": {"text": "Roboto"}}
    assert keep_local(off, {}) == [] and off["font"] is False
    assert keep_local(other, {}) == [] and other["font"] == {"text": "Roboto"}


def test_analytics_stays_with_a_warning() -> None:
    extra = {"analytics": {"provider": "google", "property": "G-XXXX"}}
    [warning] = keep_local({"name": "material", "font": False}, extra)
    assert warning.startswith("extra.analytics loads the provider's script from its own host")
    assert extra["analytics"]["provider"] == "google"


def _readme_config() -> str:
    """The `mkdocs.yml` the README gives for a case file of one's own."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    after = readme.split("A site needs only this `mkdocs.yml`", 1)[1]
    found = re.search(r"```yaml\n(.*?)```", after, re.S)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize("font", ["", "  font:\n    text: Inter\n"], ids=["default", "named"])
def test_the_readmes_own_config_builds_a_site_that_loads_nothing_from_another_host(
    tmp_path: Path, font: str, caplog: pytest.LogCaptureFixture
) -> None:
    config = _readme_config()
    assert "theme: material\n" in config and "font" not in config
    if font:
        config = config.replace("theme: material\n", "theme:\n  name: material\n" + font)
    shutil.copytree(ROOT / "casefile", tmp_path / "casefile")
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(config, encoding="utf-8")
    site = tmp_path / "site"
    with caplog.at_level(logging.WARNING):
        build(load_config(config_file=str(tmp_path / "mkdocs.yml"), site_dir=str(site)))
    pages = list(site.rglob("*.html"))
    assert len(pages) > 50
    loaded = re.compile(r'(?:<link [^>]*href|src)="(?:https?:)?//([^/"]+)')  # not <a href>
    assert not {host for page in pages for host in loaded.findall(page.read_text())}
    warned = [r.getMessage() for r in caplog.records if "theme.font" in r.getMessage()]
    assert len(warned) == (1 if font else 0)
