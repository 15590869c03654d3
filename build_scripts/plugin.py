"""The MkDocs plugin `casefile`: a thin adapter from MkDocs' events to `check` and `render_site`.

`plugins: [casefile]` is all a site needs. The plugin checks the records (errors stop the
build with the checker's own messages; warnings go through MkDocs' log, so `--strict` fails on
them), adds the generated pages as ready HTML (`ready_pages.py`), keeps record pages out of the
navigation, builds the Pagefind search index and puts its box in the header, and ships its own
CSS and JavaScript. Under `mkdocs serve` a save of records is applied to the served site in
place (`serve_patch.py`); any other change is MkDocs' build, in which only the pages whose
inputs changed are rendered again (`serve_cache.py`); the index follows in the background.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from . import heap
from .checker import Case, check
from .downloads import HistoryLinks
from .escape import attr
from .files import Entry, walk
from .findings import Finding, Report, for_ci, format_text, one_line
from .head import head_tags, insert_head
from .history import History, head_commit, read_history
from .index_beside import IndexBeside, site_documents
from .nav import order
from .offline import keep_local
from .overlay import ASSET_FILES as OVERLAY_FILES
from .overlay import FINDINGS, EditorLink, errors_page, is_local, overlay_json
from .pages import SECTIONS, PageCache, PathCollision, Site, render_site
from .parallel import Steps
from .progress import QUIET, Line, for_terminal
from .ready_pages import ReadyPage, make_ready
from .records import FileCache
from .search_index import (
    BOX_TEMPLATE,
    Reindexer,
    SearchDocument,
    built_pages,
    dest_of,
    header_with_search,
    search_box,
)
from .serve_cache import SKIP_TEMPLATE, QuietSkips, SiteKeeper, frame_signature
from .serve_patch import (
    LastBuild,
    apply,
    changed_outputs,
    inputs_stamp,
    watch_records,
    write_generated,
)
from .site_files import (
    generated_files,
    hand_over,
    hand_written_collision,
    normalise_edit_url,
)
from .site_paths import url_of
from .stopping import terminate_as_interrupt
from .templating import TemplateOverrideError
from .theme import (
    cache_blocks,
    cache_header,
    cache_nav,
    cache_toc,
    cache_translations,
    linked_paths,
)

# Messages read "casefile: ..." and go to mkdocs.plugins.casefile, so --strict fails on warnings.
log = get_plugin_logger("casefile")
ASSETS = Path(__file__).parent / "assets"
ASSET_FILES = ("casefile.css", "figures.css", "casefile.js", "search.css", "search.js")
MARKDOWN_EXTENSIONS = ("attr_list", "md_in_html", "toc")


class CasefileConfig(Config):
    records = c.Dir(exists=True, default="casefile")  # relative to mkdocs.yml
    # serve's error overlay links each finding to the file (see overlay.py); "" for no links
    editor_link = EditorLink()


class CasefilePlugin(BasePlugin[CasefileConfig]):
    supports_multiple_instances = False

    def __init__(self) -> None:
        self.site: Site | None = None
        self.case: Case | None = None
        self.root: Path | None = None
        self._serving = False
        self._cache = FileCache()
        self._pages = PageCache()
        self._nav_html: dict[str, str] = {}
        self._blocks: dict[tuple[str, str], str] = {}  # theme blocks by folder (theme.py)
        self._tocs: dict[object, str] = {}  # tables of contents by their entries (theme.py)
        self._store: SiteKeeper | None = None  # serve: the pages of the last build
        self._history_read: tuple[object, History | None] | None = None
        self._reindexer: Reindexer | None = None  # serve: builds the index in the background
        self._beside: IndexBeside | None = None  # a full build: its index (index_beside.py)
        self._steps = Steps()  # this build's timings, logged at its end
        self._findings = ""  # serve: the overlay's findings.json of this build (overlay.py)
        self._editor_link = ""  # serve: the overlay's links into the editor
        self._progress: Line = QUIET  # this build's progress line (progress.py)
        self._hand_written: frozenset[str] = frozenset()  # this build's pages in docs/
        # serve: the last complete build, to apply a save of records in place (serve_patch.py)
        self._last: LastBuild | None = None
        self._stamp = ""  # serve: `inputs_stamp` as this build began
        self._built: tuple[Files, Navigation] | None = None  # this build's files and nav
        self._unwatch: Callable[[], None] = lambda: None  # serve: stop watching the records
        self._untrap: Callable[[], None] = lambda: None  # serve: SIGTERM as before
        self._read: ReadyPage | None = None  # the ready page MkDocs read last (_let_go_read)
        # serve, records that never passed the check: the home page that lists their errors
        self._errors_page = ""
        self._collector = False  # was the collector on when a hook paused it (heap.py)
        self._full: tuple[int, int, int] | None = None  # held full passes (heap.young_only)
        self._unread: list[Page] | None = None  # hand-written pages not read yet

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self._serving = command == "serve"
        self._untrap = terminate_as_interrupt()  # a SIGTERM stops as Ctrl-C does (stopping.py)

    def on_shutdown(self) -> None:
        """After every command, also one stopped by Ctrl-C or SIGTERM (stopping.py): what
        it started stops, and what it staged is removed."""
        self._untrap()
        self._untrap = lambda: None
        self._full_passes_again()
        self._stop_index()
        self._progress.close()
        self._unwatch()
        if self._reindexer is not None:
            self._reindexer.close()
            self._reindexer = None
        if self._store is not None:
            self._store.close()
            self._store = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        # Material prints these unescaped into every page (title, header, attributes).
        for name in ("site_name", "site_description"):
            value = config.get(name) or ""
            if any(c in value for c in '<>"'):
                raise PluginError(
                    f'casefile: {name} must be plain text without <, > or " '
                    "(the theme prints it into every page as it is)"
                )
        for warning in keep_local(config.theme, config.extra):
            log.warning("%s", warning)
        self.root = Path(self.config.records)
        for name in MARKDOWN_EXTENSIONS:
            if name not in config.markdown_extensions:
                config.markdown_extensions.append(name)
        for asset in self._assets:
            kind = config.extra_css if asset.endswith(".css") else config.extra_javascript
            if f"assets/casefile/{asset}" not in [str(x) for x in kind]:
                kind.append(f"assets/casefile/{asset}")
        # Editor links name files on the serving machine: only for a browser on it.
        local = is_local(config.dev_addr.host)
        self._editor_link = self.config.editor_link if local else ""
        return config

    @property
    def _assets(self) -> tuple[str, ...]:
        """Our CSS and JavaScript; serving, the error overlay's too (never in a built site)."""
        return ASSET_FILES + (OVERLAY_FILES if self._serving else ())

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        self._steps = Steps()
        if self._serving:  # before MkDocs empties the site folder
            assert self.root is not None
            self._last, self._stamp = None, inputs_stamp(config, self.root)
            if self._store is None:
                self._store = SiteKeeper(Path(config.site_dir))
                logging.getLogger("mkdocs.commands.build").addFilter(QuietSkips(self._store))
            self._store.stash()
        assert self.root is not None
        cwd = Path.cwd()
        docs = Path(config.docs_dir)
        listing = list(walk(docs))  # once: the refused entries, then the hand-written pages
        refused = [f for f in listing if isinstance(f, Finding)]
        if refused:  # before MkDocs reads docs/, which would follow a link
            text = "\n".join(format_text(f, cwd=cwd) for f in refused)
            raise PluginError(f"casefile: docs/ holds files that are not regular files\n{text}")
        with heap.growing():
            report, case = self._check()
            self._steps.mark("check")
        for finding in report.warnings:
            log.warning("%s", format_text(finding, cwd=cwd))
        if case is None:
            text = "\n".join(format_text(f, cwd=cwd) for f in report.errors)
            if self._serving and self.site is not None:
                # Keep serving the last good site; say loudly what is wrong.
                log.error("records have errors; serving the last good site\n%s", text)
                return
            if self._serving:
                # No good site yet: serve what is wrong until a save mends it (on_files).
                log.error("records have errors; serving them until they are fixed\n%s", text)
                self._errors_page = errors_page(report.errors, cwd)
                return
            raise PluginError(f"casefile: the records have errors\n{text}")
        self._errors_page = ""
        self.case = case
        if not self._serving:
            self._stop_index()  # a build before this one that was not waited for
            du = config.use_directory_urls
            self._beside = IndexBeside(Path(config.site_dir), directory_urls=du)
            self._beside.stage(case)
        self._hand_written = frozenset(
            e.path.relative_to(docs).as_posix()
            for e in listing
            if isinstance(e, Entry) and e.path.suffix == ".md"
        )
        self.site = self._render(config, case)
        self._steps.mark("render")
        heap.settle(collect=True)

    def _render(self, config: MkDocsConfig, case: Case) -> Site:
        """Every generated file of the site (serving, through the page cache)."""
        assert self.root is not None
        docs = Path(config.docs_dir)
        try:
            return render_site(
                case,
                directory_urls=config.use_directory_urls,
                hand_written=self._hand_written,
                cache=self._pages if self._serving else None,
                custom_dir=Path(config.theme.custom_dir) if config.theme.custom_dir else None,
                history=self._history(),
                history_links=HistoryLinks.of(config.repo_url, config.edit_uri, self.root, docs),
                site_url=config.site_url,
                progress=self._progress,
                encoded=not self._serving,  # handed to MkDocs as UTF-8 (on_files)
            )
        except (PathCollision, TemplateOverrideError) as exc:
            raise PluginError(f"casefile: {for_ci(one_line(str(exc)))}") from None

    def _check(self) -> tuple[Report, Case | None]:
        """Check the records with this build's progress line (progress.py); serving, keep
        their findings for the error overlay (overlay.py)."""
        assert self.root is not None
        self._progress.close()  # a build stopped before its end may have left one open
        self._progress = for_terminal()
        report, case = check(self.root, self._cache if self._serving else None, self._progress)
        if self._serving:
            self._findings = overlay_json(
                report, editor_link=self._editor_link, last_good=self.site is not None
            )
        return report, case

    def _history(self) -> History | None:
        """The records' git history: read once per build, or (serving) again only when the
        checked-out commit or SOURCE_DATE_EPOCH changed, since saving a file changes neither."""
        assert self.root is not None
        key = (head_commit(self.root), os.environ.get("SOURCE_DATE_EPOCH"))
        if not self._serving or self._history_read is None or self._history_read[0] != key:
            self._history_read = (key, read_history(self.root))
        return self._history_read[1]

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        if self.site is None or self.root is None:
            return self._errors_only(files, config)
        clash = hand_written_collision(
            self.site.files, files, use_directory_urls=config.use_directory_urls
        )
        if clash is not None:
            raise PluginError(
                f"casefile: docs/{for_ci(one_line(clash))} is a hand-written page at the path "
                "of a generated one; rename or remove it (the build never overwrites either)"
            )
        # A one-off build needs the pages' text no more: MkDocs holds it from here.
        contents = self.site.files if self._serving else hand_over(self.site.files)
        for file in generated_files(
            config,
            contents,
            in_nav=dict(SECTIONS),
            record_files=self.site.sources,
            records_root=self.root,
        ):
            files.append(file)
        for file in self._asset_files(config):
            files.append(file)
        if self._store is not None:
            self._store.keep_static(files)
        self._progress.stage("building pages", len(files.documentation_pages()))
        # MkDocs now makes a page object for every file, kept to the end: the collector is
        # off until they are frozen in `on_nav` (heap.py).
        self._pause_collector()
        return files

    def _errors_only(self, files: Files, config: MkDocsConfig) -> Files:
        """Serving records that never passed the check: the hand-written pages, the error
        overlay, and (unless docs/ has its own) a home page that lists what is wrong."""
        if not self._errors_page:
            return files
        if files.get_file_from_path("index.md") is None:
            home = File.generated(config, "index.md", content=self._errors_page)
            home.edit_uri = None  # no file of its own to edit
            files.append(home)
        for file in self._asset_files(config):
            files.append(file)
        return files

    def _asset_files(self, config: MkDocsConfig) -> list[File]:
        """Our CSS and JavaScript; serving, the overlay's too, and this build's findings
        (written every build: the pages themselves may not be)."""
        out = [
            File.generated(
                config, f"assets/casefile/{asset}", content=(ASSETS / asset).read_bytes()
            )
            for asset in self._assets
        ]
        if self._serving:
            out.append(File.generated(config, FINDINGS, content=self._findings))
        return out

    def on_env(
        self, env: jinja2.Environment, *, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment:
        assert env.loader is not None
        # The search box goes where Material puts its own, in the header the site uses (its
        # custom_dir's, if it overrides it): derived from that template's source at build time.
        source, _, _ = env.loader.get_source(env, "partials/header.html")
        try:
            header = header_with_search(source)
        except ValueError as exc:
            raise PluginError(f"casefile: {exc}") from None
        box = search_box(SECTIONS[1:], directory_urls=config.use_directory_urls)
        own = {"partials/header.html": header, BOX_TEMPLATE: box}
        if self._store is not None:
            own[SKIP_TEMPLATE] = ""  # an unchanged page's: MkDocs writes nothing for it
        env.loader = jinja2.ChoiceLoader([jinja2.DictLoader(own), env.loader])
        self._let_go_read()  # every page is read
        self._cache_theme(env, config)
        self._steps.mark("read pages")
        heap.settle()
        self._resume_collector()
        if self._full is None:  # the theme step's cycles die young (heap.py)
            self._full = heap.young_only()
        self._unread = None
        if self._beside is not None and not self._beside.started:  # not when they were read
            self._start_index(config, files)
        elif self._built is not None:  # kept to apply a save in place (serve_patch.py)
            self._last = LastBuild(config, files, self._built[1], env, self._stamp)
        return env

    def _pause_collector(self) -> None:
        self._collector = heap.pause() or self._collector

    def _resume_collector(self) -> None:
        collector, self._collector = self._collector, False
        heap.resume(collector)

    def _full_passes_again(self) -> None:
        full, self._full = self._full, None
        heap.full_again(full)

    def _cache_theme(self, env: jinja2.Environment, config: MkDocsConfig) -> None:
        """The parts of the theme that thousands of generated pages share, rendered once for
        all of them (`theme.py`; the same bytes)."""
        self._nav_html, self._blocks, self._tocs = {}, {}, {}  # afresh for every build
        linked = linked_paths(config)
        if self.site is not None:
            generated, in_nav = self.site.titles, dict(SECTIONS)

            def outside(page: Page) -> bool:
                return page.file.src_uri in generated and page.file.src_uri not in in_nav

            if "toc.integrate" not in config.theme.get("features", []):
                cache_nav(env, self._nav_html, outside)
            nav = self._built[1].pages if self._built is not None else []
            du = config.use_directory_urls
            targets = [*(p.url for p in nav), *(url_of(p, du) for p, _ in SECTIONS), *linked]
            cache_header(env, self._blocks, outside, targets)
        cache_translations(env, config)
        cache_toc(env, self._tocs)
        # Last: Jinja keeps loaded templates per loader, and the caches above each put a
        # loader in front; the blocks are set on the `base.html` that pages will extend.
        cache_blocks(env, self._blocks, linked)

    def _stop_index(self) -> None:
        """A full build's index that is still being made stops (the build failed or was
        stopped), and what it staged is removed."""
        beside, self._beside = self._beside, None
        if beside is not None:
            beside.stop()

    def _start_index(self, config: MkDocsConfig, files: Files) -> None:
        """A full build: the search index is built while MkDocs reads and renders the
        pages (everything it needs is known now: the records, and the hand-written pages'
        bodies).

        Once the records' documents are staged (beside the render; done by now in every
        build measured), nothing of the build needs the checked case: it is let go here, a
        gigabyte at 100,000 records while MkDocs writes the pages and Pagefind runs."""
        if self.site is None or self.case is None or self._beside is None:
            return
        hand_written = {
            f.dest_uri: f.page.content or ""
            for f in files.documentation_pages()
            if f.page is not None and f.src_uri not in self.site.titles
        }
        case: Case | None = self.case
        language = self.case.meta.language
        if self._beside.staged():  # waits for the child, or stages here if it failed
            self._steps.mark("staging wait")
            self.case = case = None
        heap.give_back_memory()  # the case's, and the pages' text's before it became UTF-8
        self._beside.start(case, language, hand_written)

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        nav = nav if config.nav is not None else order(nav, SECTIONS)
        if self._store is not None:
            self._store.begin(frame_signature(config, nav))
        self._built = (files, nav)
        heap.settle()
        self._resume_collector()
        if self.site is not None:
            # The hand-written pages not read yet, last first (`_when_read`). MkDocs reads
            # them before the generated pages, which come after them in `files`.
            titles = self.site.titles
            docs = files.documentation_pages()
            self._unread = [f.page for f in docs if f.page and f.src_uri not in titles][::-1]
        return nav

    def on_pre_page(self, page: Page, *, config: MkDocsConfig, files: Files) -> Page:
        self._let_go_read()
        if self._unread is not None:
            self._when_read(config, files)
        site = self.site
        if site is not None and page.file.generated_by and page.file.src_uri in site.titles:
            self._read = make_ready(page)
            return self._read
        return page

    def _when_read(self, config: MkDocsConfig, files: Files) -> None:
        """Once every hand-written page has been read (MkDocs sets a page's content once the
        last plugin's `on_page_content` is done): the generated pages that MkDocs reads next
        are kept to the end, so the collector is off until they are frozen in `on_env`
        (what the hand-written pages left is collected and frozen first, everything before
        it having been frozen in `on_nav`); and a full build starts the search index, not
        waiting for them."""
        unread = self._unread
        while unread and unread[-1].content is not None:
            unread.pop()
        if unread == []:
            self._unread = None
            heap.settle(collect=True)  # their cycles freed: a pass over what they left alone
            self._pause_collector()
            if not self._serving:
                self._steps.mark("read pages")
                self._start_index(config, files)

    def _let_go_read(self) -> None:
        """A ready page lets go of its text once MkDocs is done reading it: when the next
        page is read, or all are (MkDocs sets the content after the last plugin's
        `on_page_content`), and again once it is written (`on_post_page`)."""
        if self._read is not None:
            self._read.let_go()
            self._read = None

    def on_page_markdown(
        self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        if self.site is not None and page.file.src_uri in self.site.titles:
            # Material prints meta.title unescaped: give it text that is already escaped.
            page.meta["title"] = attr(self.site.titles[page.file.src_uri])
        if page.edit_url:
            page.edit_url = normalise_edit_url(page.edit_url)
        store = self._store
        if store is not None and isinstance(page, ReadyPage):
            head = head_tags(page.file.src_uri, self.site) if self.site else ""
            inputs = (store.chrome, markdown, repr(page.meta), page.edit_url, head)
            if store.unchanged(page.file.dest_uri, page.file.src_uri, inputs):
                page.meta["template"] = SKIP_TEMPLATE
        return markdown

    @event_priority(-100)  # last of all plugins: nothing reads the page after this
    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str:
        if isinstance(page, ReadyPage):
            page.let_go()
        self._progress.advance()
        if self.site is None or not output:
            return output
        return insert_head(output, head_tags(page.file.src_uri, self.site))

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self._steps.mark("theme and write")
        self._built = None
        if self._store is not None:
            kept = self._store.finish()
            rendered = len(self.site.titles) - kept if self.site else 0
            log.info("%d generated pages rendered, %d unchanged and kept", rendered, kept)
        self._index(config)
        self._progress.close()
        self._full_passes_again()
        if self._serving:
            heap.settle()

    def on_build_error(self, *, error: Exception) -> None:
        self._resume_collector()
        self._full_passes_again()
        self._unread = None
        self._progress.close()
        self._stop_index()
        self._last = self._built = None  # the next save builds the whole site
        if self._store is not None:
            self._store.failed()

    def _index(self, config: MkDocsConfig) -> None:
        """The Pagefind search index of the built site: a full build waits for the one started
        beside the pages; serving, it is rebuilt in the background, so the page reloads first
        and the index follows."""
        case, site_dir = self.case, Path(config.site_dir)
        if self._serving:
            if case is None or self.site is None:  # records with errors: no index to build
                return
            # One re-indexer per `mkdocs serve`, made at its first build; even the documents
            # are made in the background, so the reload is not kept waiting.
            if self._reindexer is None:
                self._reindexer = Reindexer(self._log_info)
            reindexer, checked, du = self._reindexer, case, config.use_directory_urls

            def submit() -> None:
                pages = self._built_pages(config)
                documents = site_documents(checked, pages, directory_urls=du)
                reindexer.submit(documents, site_dir, checked.meta.language)

            thread = threading.Thread(target=submit, name="casefile-search-documents", daemon=True)
            reindexer.track(thread)
            return
        beside = self._beside
        if beside is None or not beside.started:  # not started beside the pages (no on_env)
            if case is None or self.site is None:
                return
            if beside is None:
                du = config.use_directory_urls
                beside = self._beside = IndexBeside(site_dir, directory_urls=du)
            beside.start(case, case.meta.language, self._built_pages(config))
        self._progress.stage("building the search index")
        stats = beside.wait()
        self._beside = None
        self._steps.mark("index wait")
        log.info("build steps: %s (index %.2f s, beside the pages)", self._steps, stats.seconds)
        log.info(
            "search index: %d pages, %.1f MB in %d files, %.2f s",
            stats.pages,
            stats.bytes / 1e6,
            stats.files,
            stats.seconds,
        )

    def _built_pages(self, config: MkDocsConfig) -> dict[str, SearchDocument]:
        """The hand-written pages' documents, read from the built site."""
        assert self.site is not None
        du = config.use_directory_urls
        generated = [dest_of(url_of(p, du)) for p in self.site.titles]  # every page made
        return built_pages(Path(config.site_dir), generated)

    @staticmethod
    def _log_info(message: str) -> None:
        log.info("%s", message)

    def on_serve(
        self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        if self.root is not None:
            self._unwatch = watch_records(server, str(self.root))
        build_all = server.builder

        def build_or_apply(config: MkDocsConfig | None = None) -> None:
            if config is not None or not self.apply_save():
                build_all(config)

        server.builder = build_or_apply
        return server

    def apply_save(self) -> bool:
        """Serving, after a save: apply it to the served site in place when only records
        changed and MkDocs' whole build would give the same files, frame and navigation
        (`serve_patch.py`); False when that build is needed."""
        last, old = self._last, self.site
        if last is None or old is None or self.root is None:
            return False
        if inputs_stamp(last.config, self.root) != last.stamp:
            return False
        steps = Steps()
        report, case = self._check()
        steps.mark("check")
        if report.warnings and last.config.strict:  # the whole build stops on them
            return False
        for finding in report.warnings:
            log.warning("%s", format_text(finding, cwd=Path.cwd()))
        write_generated(last.files, FINDINGS, self._findings)
        if case is None:
            text = "\n".join(format_text(f, cwd=Path.cwd()) for f in report.errors)
            log.error("records have errors; serving the last good site\n%s", text)
            return True
        site = self._render(last.config, case)
        steps.mark("render")
        paths = changed_outputs(old, site, dict(SECTIONS))
        if paths is None:
            return False
        self._last = None  # until the site is whole again: a failure here means a full build
        self.site, self.case = site, case
        pages = apply(last, site, paths)
        steps.mark("theme and write")
        self._last = last
        log.info(
            "%d generated pages rendered, %d unchanged and kept", pages, len(site.titles) - pages
        )
        log.info("save applied in place in %.2f s: %s", sum(steps.seconds.values()), steps)
        self._index(last.config)
        self._progress.close()
        heap.settle()
        return True
