"""The generated site as MkDocs files: in memory, never over a hand-written page, each record
page's edit link pointing at its YAML file.

Plain functions over MkDocs' own `File` and `Files`, called by the plugin and by tests
without a build (the mkdocs-gen-files pattern).
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files, InclusionLevel


def hand_written_collision(
    generated: Iterable[str], files: Files, *, use_directory_urls: bool
) -> str | None:
    """The hand-written page (its path in docs/) that sits where a generated page goes: at its
    source path, or at its output URL (docs/timeline/index.md lands where timeline.md does).
    None when there is none. The build never overwrites either."""
    taken = {f.dest_uri: f for f in files if not f.generated_by}
    for path in generated:
        existing = files.get_file_from_path(path)
        if existing is None:
            probe = File(path, None, None, use_directory_urls)
            existing = taken.get(probe.dest_uri)
        if existing is not None and not existing.generated_by:
            return existing.src_uri
    return None


def edit_uri(records_root: Path, record_file: str, docs_dir: Path) -> str:
    """The record's YAML file relative to docs/, which MkDocs joins to `edit_uri`."""
    return posixpath.join(_records_from_docs(records_root, docs_dir), record_file)


@lru_cache(maxsize=8)
def _records_from_docs(records_root: Path, docs_dir: Path) -> str:
    """The records folder relative to docs/ (resolved once, not once per record: record
    files are regular files inside it, never links, see files.py)."""
    return Path(os.path.relpath(records_root.resolve(), docs_dir.resolve())).as_posix()


def normalise_edit_url(url: str) -> str:
    """An absolute edit_uri is not joined by MkDocs, so `docs/../casefile/x.yml` keeps its
    `..`; collapse it so the link opens the file on the repository host."""
    if "/../" not in url:
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=posixpath.normpath(parts.path)))


def hand_over(files: dict[str, str | bytes]) -> dict[str, bytes]:
    """`files` as UTF-8 bytes, moved out of `files` one at a time (which ends empty): how a
    one-off build gives MkDocs the generated files, held from then on by MkDocs alone. A
    str with one character beyond Latin-1 takes 2 bytes a character, UTF-8 about 1 for the
    markup that most of a page is: at 100,000 records, 1.95 GB of pages as str. (A build's
    come as bytes already: `render_site`'s `encoded`.)"""
    out: dict[str, bytes] = {}
    for path in list(files):
        content = files.pop(path)
        out[path] = content if isinstance(content, bytes) else content.encode()
    return out


def generated_files(
    config: MkDocsConfig,
    contents: Mapping[str, str | bytes],
    *,
    in_nav: Iterable[str],
    record_files: Mapping[str, str],
    records_root: Path,
) -> list[File]:
    """One in-memory `File` per generated path. Record pages are kept out of the navigation
    (they are reached through the index pages) and carry the edit link of their YAML file;
    other generated pages have no edit link, since there is no file to edit."""
    nav_pages = frozenset(in_nav)
    docs_dir = Path(config.docs_dir)
    out: list[File] = []
    for path, content in contents.items():
        page = path.endswith(".md")
        hidden = page and path not in nav_pages
        inclusion = InclusionLevel.NOT_IN_NAV if hidden else InclusionLevel.UNDEFINED
        file = File.generated(config, path, content=content, inclusion=inclusion)
        source = record_files.get(path)
        if source is not None:
            file.edit_uri = edit_uri(records_root, source, docs_dir)
        elif page:
            file.edit_uri = None
        out.append(file)
    return out
