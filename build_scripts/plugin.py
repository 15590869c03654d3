"""The MkDocs plugin `casefile`: a thin adapter from MkDocs' events to `check` and `render_site`.

`plugins: [search, casefile]` is all a site needs. The plugin checks the records (errors stop
the build with the checker's own messages; warnings go through MkDocs' log, so `--strict`
fails on them), adds the generated pages as in-memory files, keeps record pages out of the
navigation, and ships its own CSS and JavaScript.
"""

from __future__ import annotations

import logging
import os
import posixpath
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from .checker import Case, check
from .files import Entry, walk
from .findings import Finding, for_ci, format_text, one_line
from .pages import SECTIONS, PageCache, PathCollision, Site, render_site
from .records import FileCache
from .text import attr

log = logging.getLogger("mkdocs.plugins.casefile")
ASSETS = Path(__file__).parent / "assets"
ASSET_FILES = ("casefile.css", "casefile.js")
MARKDOWN_EXTENSIONS = ("attr_list", "md_in_html", "toc")


class CasefileConfig(Config):
    records = c.Type(str, default="casefile")  # relative to mkdocs.yml


class CasefilePlugin(BasePlugin[CasefileConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.site: Site | None = None
        self.case: Case | None = None
        self.root: Path | None = None
        self._serving = False
        self._cache = FileCache()
        self._pages = PageCache()

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self._serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        # Material prints these unescaped into every page (title, header, attributes).
        for name in ("site_name", "site_description"):
            value = config.get(name) or ""
            if any(c in value for c in '<>"'):
                raise PluginError(
                    f'casefile: {name} must be plain text without <, > or " '
                    "(the theme prints it into every page as it is)"
                )
        self.root = Path(config.config_file_path or ".").parent / self.config.records
        for name in MARKDOWN_EXTENSIONS:
            if name not in config.markdown_extensions:
                config.markdown_extensions.append(name)
        for asset in ASSET_FILES:
            kind = config.extra_css if asset.endswith(".css") else config.extra_javascript
            if f"assets/casefile/{asset}" not in [str(x) for x in kind]:
                kind.append(f"assets/casefile/{asset}")
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        assert self.root is not None
        cwd = Path.cwd()
        docs = Path(config.docs_dir)
        refused = [f for f in walk(docs) if isinstance(f, Finding)]
        if refused:  # before MkDocs reads docs/, which would follow a link
            text = "\n".join(format_text(f, cwd=cwd) for f in refused)
            raise PluginError(f"casefile: docs/ holds files that are not regular files\n{text}")
        report, case = check(self.root, self._cache if self._serving else None)
        for finding in report.warnings:
            log.warning("%s", format_text(finding, cwd=cwd))
        if case is None:
            text = "\n".join(format_text(f, cwd=cwd) for f in report.errors)
            if self._serving and self.site is not None:
                # Keep serving the last good site; say loudly what is wrong.
                log.error("casefile: records have errors; serving the last good site\n%s", text)
                return
            raise PluginError(f"casefile: the records have errors\n{text}")
        self.case = case
        hand_written = frozenset(
            e.path.relative_to(docs).as_posix()
            for e in walk(docs)
            if isinstance(e, Entry) and e.path.suffix == ".md"
        )
        try:
            self.site = render_site(
                case,
                directory_urls=config.use_directory_urls,
                hand_written=hand_written,
                cache=self._pages if self._serving else None,
            )
        except PathCollision as exc:
            raise PluginError(f"casefile: {for_ci(one_line(str(exc)))}") from None

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        if self.site is None:
            return files
        taken = {f.dest_uri: f for f in files if not f.generated_by}
        for path in self.site.files:
            existing = files.get_file_from_path(path)
            if existing is None:  # docs/timeline/index.md would land where timeline.md does
                probe = File(path, None, None, config.use_directory_urls)
                existing = taken.get(probe.dest_uri)
                if existing is not None:
                    path = existing.src_uri
            if existing is not None and not existing.generated_by:
                name = for_ci(one_line(path))
                raise PluginError(
                    f"casefile: docs/{name} is a hand-written page at the path of a generated "
                    "one; rename or remove it (the build never overwrites either)"
                )
        docs_dir = Path(config.docs_dir)
        section_pages = dict(SECTIONS)
        for path, content in self.site.files.items():
            record_page = path.endswith(".md") and path not in section_pages
            inclusion = InclusionLevel.NOT_IN_NAV if record_page else InclusionLevel.UNDEFINED
            file = File.generated(config, path, content=content, inclusion=inclusion)
            source = self.site.sources.get(path)
            if source is not None and self.root is not None:
                target = (self.root / source).resolve()
                file.edit_uri = Path(os.path.relpath(target, docs_dir.resolve())).as_posix()
            elif path.endswith(".md"):
                file.edit_uri = None
            files.append(file)
        for asset in ASSET_FILES:
            files.append(
                File.generated(
                    config,
                    f"assets/casefile/{asset}",
                    content=(ASSETS / asset).read_bytes(),
                )
            )
        return files

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        if config.nav is not None:
            return nav
        # The automatic nav lists sections alphabetically; put the case file's in reading order.
        order = {path: i for i, (path, _) in enumerate(SECTIONS)}

        def rank(item: Any) -> tuple[int, str]:
            page = item.children[0] if isinstance(item, Section) and item.children else item
            path = getattr(getattr(page, "file", None), "src_uri", "")
            return (order.get(path, len(order)), str(item.title or ""))

        nav.items.sort(key=rank)
        # A section holding only its index page is shown as that page, not "Actors / Actors".
        for i, item in enumerate(nav.items):
            if isinstance(item, Section) and len(item.children) == 1:
                child = item.children[0]
                child.parent = None
                nav.items[i] = child
        titles = dict(SECTIONS)
        for page in nav.pages:
            if page.file.src_uri in titles:
                page.title = titles[page.file.src_uri]
        return nav

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        if self.site is not None and page.file.src_uri in self.site.titles:
            # Material prints meta.title unescaped: give it text that is already escaped.
            page.meta["title"] = attr(self.site.titles[page.file.src_uri])
        if page.edit_url and "/../" in page.edit_url:
            # An absolute edit_uri is not joined by MkDocs, so ".." (docs/ -> casefile/) stays.
            parts = urlsplit(page.edit_url)
            page.edit_url = urlunsplit(parts._replace(path=posixpath.normpath(parts.path)))
        return markdown

    def on_serve(
        self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        if self.root is not None and self.root.is_dir():
            server.watch(str(self.root))
        return server
