"""Serving: a save that changed only records is applied to the served site in place.

MkDocs answers every save with a whole build: it loads `mkdocs.yml` again, makes a `File` and
a `Page` for every page, reads them all and runs every plugin event for each, before the
theme. At 10,000 records that costs seconds even when one page changed (`serve_cache.py`
already keeps the unchanged pages' output). When nothing but the records changed, the rest
of that build is known to come out the same: the configuration, the hand-written pages, the
theme and the navigation (record pages are not in it). So the plugin wraps the server's
builder (`on_serve`): it checks the records (with the loader's cache), renders the site (with
the page cache), and sends only the generated files whose content, title or head changed
through MkDocs' own page steps (`_populate_page`, `_build_page`, with the last build's
configuration, files, navigation and template environment), writing them in place.

The records folder is watched through the system's file events (inotify on Linux) rather than
MkDocs' polling, which lists and stats every file twice a second: at 10,000 records that is a
tenth of a second of work per poll and up to half a second before a save is noticed
(`watch_records`).

Anything else falls back to MkDocs' build: a change outside the records (`inputs_stamp`), a
generated file added or removed, a section's title, another day (pages carry the build date),
warnings under `--strict` (the build would stop on them). A test applies random saves both
ways and compares the served folder with a fresh build, byte for byte.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import jinja2
from mkdocs.commands.build import _build_page, _populate_page
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.livereload import LiveReloadServer
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.utils import get_build_date
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from .history import head_commit
from .site_paths import Site


@dataclass(slots=True)
class LastBuild:
    """What MkDocs' last complete build was made with, kept to render pages again."""

    config: MkDocsConfig
    files: Files
    nav: Navigation
    env: jinja2.Environment
    stamp: str  # `inputs_stamp` when that build began


def inputs_stamp(config: MkDocsConfig, records: Path) -> str:
    """One digest of everything the site depends on besides the records: every file (name,
    size, times) under docs/, the theme's overrides and the extra watched paths, the
    configuration file, the build date and the records' git commit."""
    digest = hashlib.blake2b(digest_size=16)
    roots = [config.docs_dir, config.config_file_path, config.theme.custom_dir, *config.watch]
    for root in sorted({os.path.abspath(r) for r in roots if r}):
        for entry in _stats(root):
            digest.update(repr(entry).encode("utf-8", "surrogateescape"))
    for part in (get_build_date(), head_commit(records), os.environ.get("SOURCE_DATE_EPOCH")):
        digest.update(repr(part).encode())
    return digest.hexdigest()


def _stats(root: str) -> Iterable[tuple[str, int, int, int]]:
    """(path, size, modification and change time) of `root` and of every file below it."""
    try:
        info = os.lstat(root)
    except OSError:
        yield (root, -1, 0, 0)
        return
    yield (root, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    if not os.path.isdir(root):
        return
    for folder, folders, names in os.walk(root):
        folders.sort()
        for name in sorted(names):
            path = os.path.join(folder, name)
            try:
                info = os.lstat(path)
            except OSError:
                continue
            yield (path, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def changed_outputs(old: Site, new: Site, in_nav: Iterable[str]) -> list[str] | None:
    """The generated files whose output differs between two renders (their content, their
    title, their extra head), in path order; None when only a whole build can tell: a file
    added or removed, the title of a page in the navigation, the feeds every head links."""
    if old.files.keys() != new.files.keys() or old.feeds != new.feeds:
        return None
    if old.directory_urls != new.directory_urls:
        return None
    if any(old.titles.get(p) != new.titles.get(p) for p in in_nav):
        return None
    return [
        path
        for path, content in new.files.items()
        if content != old.files[path]
        or new.titles.get(path) != old.titles.get(path)
        or new.sources.get(path) != old.sources.get(path)
        # The feeds every head links are the same (above): a head differs by its own part.
        or new.head.get(path) != old.head.get(path)
    ]


def apply(last: LastBuild, site: Site, paths: Iterable[str]) -> int:
    """Write the generated files at `paths` (their new content in `site`) into the served
    site: pages through MkDocs' page steps and the theme, downloads as they are. How many
    pages."""
    config, files = last.config, last.files
    doc_files = files.documentation_pages(inclusion=InclusionLevel.is_in_serve)
    pages = 0
    for path in paths:
        file = files.get_file_from_path(path)
        if file is None or not file.generated_by:
            raise LookupError(f"{path} is not a generated file of the last build")
        text = site.files[path]
        assert isinstance(text, str)  # serving never asks for pages as bytes
        file.content_string = text
        if file.page is None:
            file.copy_file()
            continue
        _populate_page(file.page, config, files)
        _build_page(file.page, config, doc_files, last.nav, last.env)
        pages += 1
    return pages


def write_generated(files: Files, path: str, content: str) -> None:
    """Replace a generated file that is not a page (the overlay's findings) in place."""
    file: File | None = files.get_file_from_path(path)
    if file is None:
        raise LookupError(f"{path} is not a file of the last build")
    file.content_string = content
    file.copy_file()


def watch_records(server: LiveReloadServer, path: str) -> Callable[[], None]:
    """Rebuild on every change under `path`, told by the system's file events; the function
    returned stops watching. Where those are not available (or the server is not the one
    this was written for: MkDocs 1.6's), MkDocs' own polling watch."""
    condition = getattr(server, "_rebuild_cond", None)
    if condition is None or not hasattr(server, "_want_rebuild"):
        server.watch(path)
        return lambda: None

    def changed(event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type in ("opened", "closed_no_write"):
            return  # reading a file (the check does) is no change
        with condition:  # what MkDocs' own watch does
            server._want_rebuild = True
            condition.notify_all()

    handler = FileSystemEventHandler()
    handler.on_any_event = changed  # type: ignore[method-assign]
    observer = Observer()
    try:
        observer.schedule(handler, path, recursive=True)
        observer.start()
    except OSError:  # e.g. out of inotify watches
        server.watch(path)
        return lambda: None

    def stop() -> None:
        observer.stop()
        observer.join(timeout=5)

    return stop
