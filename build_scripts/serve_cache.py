"""Incremental `mkdocs serve`: after a save, only the pages whose output can have changed are
rendered through the theme and written; every other page stays where it is.

MkDocs rebuilds the whole site on every change and empties the output folder first (`build()`
without `--dirty`; its `File.is_modified()` compares file times, which generated files do not
have, so a dirty build cannot tell either). At 10,000 records emptying and refilling that
folder is most of a rebuild: tens of thousands of unlinks and mkdirs. What decides a generated
page's output is known exactly: its HTML body, its title and edit link, and what every page
shares (the navigation, `mkdocs.yml`, the theme overrides, the versions). So `SiteKeeper`:

- before MkDocs empties the folder, moves its top-level entries aside (a few renames);
- gives a page whose inputs are unchanged an empty template, so MkDocs writes nothing for it;
- after the build, moves what MkDocs wrote into the kept tree, deletes what the new build no
  longer has, and moves the tree back.

The served site is byte for byte a fresh build's: a test edits records under a serving plugin
and compares. A build that fails half-way puts the last complete site back.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File
from mkdocs.structure.nav import Navigation

# The template an unchanged page is given: MkDocs renders it to nothing and skips the write.
SKIP_TEMPLATE = "casefile/unchanged.html"


def frame_signature(config: MkDocsConfig, nav: Navigation) -> str:
    """One digest of what every page's frame depends on: the navigation (titles and
    addresses), `mkdocs.yml` as written, the theme's overrides, and the versions of MkDocs
    and Material."""
    parts: list[object] = [_nav_items(nav.items), config.site_url, config.use_directory_urls]
    if config.config_file_path and Path(config.config_file_path).is_file():
        parts.append(Path(config.config_file_path).read_bytes())
    for folder in config.theme.dirs[:-1]:  # the overrides; the installed theme is its version
        root = Path(folder)
        parts.extend(
            (p.relative_to(root).as_posix(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*"))
            if p.is_file()
        )
    parts.extend(_version(name) for name in ("mkdocs", "mkdocs-material"))
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(repr(part).encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


def _nav_items(items: Iterable[Any]) -> list[object]:
    out: list[object] = []
    for item in items:
        url = getattr(item, "url", None)
        children = getattr(item, "children", None) or []
        out.append((type(item).__name__, item.title, url, _nav_items(children)))
    return out


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""


def _files(root: Path) -> set[str]:
    return {
        (Path(folder) / name).relative_to(root).as_posix()
        for folder, _, names in os.walk(root)
        for name in names
    }


class SiteKeeper:
    """The served folder between builds: which generated page was rendered from which
    inputs, and the files of the last complete build."""

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self.kept = site_dir.with_name(site_dir.name + ".casefile-kept")
        self.inputs: dict[str, tuple[object, ...]] = {}  # page path in the site -> inputs
        self.files: set[str] | None = None  # of the last complete build; None: not known
        self.reused: list[str] = []  # this build: pages left as they were
        self.skipped: set[str] = set()  # their source paths, whose "skipped" line is dropped
        self.aside = False  # the last complete build is in `kept`, not in the site folder
        self.chrome = ""  # this build: the signature of what every page's frame depends on
        self.static: dict[str, tuple[str, int, int]] = {}  # static file -> its source's stat

    def stash(self) -> None:
        """A build begins (MkDocs empties the site folder next): move the last complete site
        aside. (After a build that failed half-way it is aside already.)"""
        self.reused, self.skipped = [], set()
        if self.aside:
            return
        if self.files is None or not self.site_dir.is_dir():
            self.inputs.clear()
            return
        shutil.rmtree(self.kept, ignore_errors=True)
        self.kept.mkdir()
        for entry in os.scandir(self.site_dir):
            os.replace(entry.path, self.kept / entry.name)
        self.aside = True

    def keep_static(self, files: Iterable[File]) -> int:
        """Leave in place the static files (the theme's assets, media in docs/) whose source
        is unchanged since the last build, instead of MkDocs copying them all again; how
        many."""
        kept = 0
        seen: dict[str, tuple[str, int, int]] = {}
        for file in files:
            if file.generated_by or not file.abs_src_path or file.is_documentation_page():
                continue
            try:
                stat = os.stat(file.abs_src_path)
            except OSError:
                continue
            seen[file.dest_uri] = (file.abs_src_path, stat.st_mtime_ns, stat.st_size)
            if (
                self.aside
                and self.files is not None
                and file.dest_uri in self.files
                and self.static.get(file.dest_uri) == seen[file.dest_uri]
            ):
                file.copy_file = _no_copy  # type: ignore[method-assign]
                self.reused.append(file.dest_uri)
                kept += 1
        self.static = seen
        return kept

    def begin(self, chrome: str) -> None:
        """The navigation is known: `chrome` is the signature of every page's frame."""
        self.chrome = chrome

    def unchanged(self, dest: str, src: str, inputs: tuple[object, ...]) -> bool:
        """Whether the page at `dest` would render exactly as in the kept site."""
        known = self.inputs.get(dest)
        self.inputs[dest] = inputs
        if not self.aside or known != inputs or self.files is None or dest not in self.files:
            return False
        self.reused.append(dest)
        self.skipped.add(src)
        return True

    def finish(self) -> int:
        """The build is complete: merge what it wrote into the kept site, drop what it no
        longer has, and serve that. How many pages were left as they were."""
        written = _files(self.site_dir)
        if not self.aside:
            self.files = written
            return 0
        for path in written:
            target = self.kept / path
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.site_dir / path, target)
        assert self.files is not None
        current = written | set(self.reused)
        for path in self.files - current:
            (self.kept / path).unlink(missing_ok=True)
            _prune(self.kept, (self.kept / path).parent)
        self._serve_kept()  # what MkDocs left is folders, now empty
        self.files = current
        return len(self.reused)

    def failed(self) -> None:
        """The build stopped half-way: serve the last complete site again."""
        if self.aside:
            self._serve_kept()

    def _serve_kept(self) -> None:
        """Empty the site folder of this build's leftovers and move the kept site back."""
        for entry in os.scandir(self.site_dir):
            shutil.rmtree(entry.path) if entry.is_dir() else os.unlink(entry.path)
        for entry in os.scandir(self.kept):
            os.replace(entry.path, self.site_dir / entry.name)
        self.kept.rmdir()
        self.aside = False

    def close(self) -> None:
        shutil.rmtree(self.kept, ignore_errors=True)


def _no_copy(dirty: bool = False) -> None:
    """A static file left in place: nothing to copy."""


def _prune(root: Path, folder: Path) -> None:
    """Remove `folder` and its parents up to `root` while they are empty."""
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


class QuietSkips(logging.Filter):
    """Drop MkDocs' "Page skipped" line for the pages the store links in (thousands of lines
    per save otherwise); every other message passes."""

    def __init__(self, store: SiteKeeper) -> None:
        super().__init__()
        self.store = store

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.msg
        if record.levelno != logging.INFO or not isinstance(message, str):
            return True
        if not message.startswith(_SKIPPED) or not message.endswith(_EMPTY):
            return True
        return message[len(_SKIPPED) : -len(_EMPTY)] not in self.store.skipped


_SKIPPED, _EMPTY = "Page skipped: '", "'. Generated empty output."
