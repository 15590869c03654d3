"""The theme caches (`theme.py`) change no byte: the example site, with hand-written pages
where cached links could differ (a page inside `assets/`, a deep page, a page with previous
and next links), built with and without them."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from build_scripts import plugin, theme

ROOT = Path(__file__).resolve().parent.parent


def _project(tmp: Path, directory_urls: bool = True) -> Path:
    project = tmp / "project"
    shutil.copytree(ROOT / "casefile", project / "casefile")
    shutil.copytree(ROOT / "docs", project / "docs")
    (project / "docs" / "assets").mkdir(exist_ok=True)
    (project / "docs" / "assets" / "notes.md").write_text("# Notes\n\nIn the assets folder.\n")
    (project / "docs" / "deep" / "er").mkdir(parents=True)
    (project / "docs" / "deep" / "er" / "page.md").write_text("# Deep\n\nTwo folders down.\n")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    # The footer's previous and next links, and a script of the site's own in a folder.
    config = config.replace(
        "    - navigation.top\n", "    - navigation.top\n    - navigation.footer\n"
    )
    (project / "docs" / "js").mkdir()
    (project / "docs" / "js" / "extra.js").write_text("// the site's own\n")
    config += "\nextra_javascript:\n  - js/extra.js\n"
    if not directory_urls:
        config += "use_directory_urls: false\n"
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    return project


def _build(project: Path, site: Path) -> dict[str, bytes]:
    build(load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(site)))
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file() and "pagefind" not in p.parts
    }


@pytest.mark.parametrize("directory_urls", [True, False])
def test_the_theme_caches_change_no_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, directory_urls: bool
) -> None:
    project = _project(tmp_path, directory_urls)
    calls: list[str] = []
    caches: dict[str, object] = {}

    def counted(name: str) -> Callable[..., object]:
        def call(*args: object) -> object:
            done = getattr(theme, name)(*args)
            if done is not False:
                calls.append(name)
                caches[name] = args[1]
            return done

        return call

    names = ("cache_nav", "cache_header", "cache_translations", "cache_toc", "cache_blocks")
    for name in names:
        monkeypatch.setattr(plugin, name, counted(name))
    cached = _build(project, tmp_path / "cached")
    assert calls == list(names)  # Material's own templates: every cache applies
    # ... and is used: a cache set up on a template the pages do not use saves nothing.
    for name in ("cache_nav", "cache_header", "cache_toc"):
        assert caches[name], name
    blocks = {key[0] for key in caches["cache_blocks"]}  # type: ignore[attr-defined]
    assert blocks >= {*theme.FOLDER_BLOCKS, theme.FOOTER}
    for name in names:
        monkeypatch.setattr(plugin, name, lambda *args: False)
    plain = _build(project, tmp_path / "plain")
    assert sorted(cached) == sorted(plain)
    for path in plain:
        assert cached[path] == plain[path], path
    if directory_urls:
        page = cached["assets/notes/index.html"].decode()
        assert '<script src="../../js/extra.js"></script>' in page
        # Inside assets/, the theme's own stylesheet is a sibling folder away, not two up.
        assert 'href="../stylesheets/main.' in page


def test_a_site_with_its_own_base_html_is_not_cached(tmp_path: Path) -> None:
    project = _project(tmp_path)
    overrides = project / "overrides"
    overrides.mkdir()
    base = Path(theme.BASE).read_text(encoding="utf-8")
    (overrides / "base.html").write_text(base.replace("<body", "<body data-own", 1))
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("  name: material\n", "  name: material\n  custom_dir: overrides\n", 1)
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    config = load_config(config_file=str(project / "mkdocs.yml"))
    env = config.theme.get_env()
    assert theme.cache_blocks(env, {}, []) is False
    (overrides / "partials").mkdir()
    language = (theme.THEME / theme.LANGUAGE).read_text(encoding="utf-8")
    (overrides / theme.LANGUAGE).write_text(language.replace("or key", "or key ~ '!'"))
    assert theme.cache_translations(config.theme.get_env(), config) is False
    built = _build(project, tmp_path / "site")
    assert b"<body data-own" in built["index.html"]


def test_links_into_generated_pages_are_checked_against_their_anchors(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A hand-written page's link to `record#id` is checked by MkDocs against the ids the
    generated page has (read from its body when asked): a missing one is a warning."""
    project = _project(tmp_path)
    (project / "docs" / "links.md").write_text(
        "# Links\n\n[the sources](events/whelan-convicted.md#sources) and "
        "[nowhere](events/whelan-convicted.md#no-such-anchor)\n"
    )
    caplog.set_level("WARNING")
    build(load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(tmp_path / "s")))
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("no-such-anchor" in m for m in warned), warned
    assert not any("#sources" in m for m in warned), warned
