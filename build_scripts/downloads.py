"""The site's downloads and what it knows of the records' history, for `pages.Renderer`.

The downloads are every file a reader takes away: `casefile.json` and its JSON Schema, the
record schemas, the CSV tables and their data package, the citation files and the Atom feeds.
They are made before the pages, because the Data page shows each one's size.

What the history adds (each record's last change, the Recent changes page, the changes
feed) comes from `history.read_history`; without it (no git, a tarball) those are simply
absent. Every date comes from the history or from SOURCE_DATE_EPOCH, never from the clock:
without either, the events feed is dated by the newest record file's modification time, so
two builds of the same files are byte-identical.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from .checker import Case
from .citations import citation_files, meta_tags
from .dates import EdtfDate, parse_date
from .escape import attr
from .export import SCHEMA_PATH, casefile_schema, export_json
from .feeds import CHANGES_FEED, EVENTS_FEED, feed_files
from .history import Commit, History, file_history_url, source_date_epoch
from .models import KIND
from .page_cache import Direct, Reader
from .progress import QUIET, Progress
from .records import Record
from .schema import record_schemas
from .site_paths import Site, page_of
from .tables import data_tables

# Each feed's path and its title in the pages' <link rel="alternate">.
FEED_TITLES = {EVENTS_FEED: "Events (Atom)", CHANGES_FEED: "Recent changes (Atom)"}


@dataclass(frozen=True, slots=True)
class HistoryLinks:
    """A record file's history page on the repository host, from MkDocs' `repo_url` and
    `edit_uri` (as its edit links are made): `records` is the records folder relative to
    docs_dir (`../casefile`). An absolute `edit_uri` needs no `repo_url`, as in MkDocs."""

    repo_url: str | None
    edit_uri: str | None
    records: str

    @classmethod
    def of(
        cls, repo_url: str | None, edit_uri: str | None, records_root: Path, docs_dir: Path
    ) -> HistoryLinks:
        records = os.path.relpath(records_root.resolve(), docs_dir.resolve())
        return cls(repo_url, edit_uri, Path(records).as_posix())

    def __call__(self, record_file: str) -> str | None:
        """The history page of `record_file` (relative to the records folder), or None."""
        base = self.repo_url
        if not base and self.edit_uri and urlsplit(self.edit_uri).scheme in ("http", "https"):
            base = self.edit_uri
        return file_history_url(base, self.edit_uri, posixpath.join(self.records, record_file))


@dataclass(frozen=True, slots=True)
class Extras:
    """What the site is built with besides the records: their history, where each record
    file's history is shown, the site's address (for absolute feed links) and the build time
    (None: SOURCE_DATE_EPOCH, else the history's, else the newest record file's), and who
    hears how far rendering is (never part of a page)."""

    history: History | None = None
    history_links: Callable[[str], str | None] | None = None
    site_url: str | None = None
    built: datetime | None = None
    progress: Progress = field(default=QUIET, compare=False)

    @property
    def key(self) -> tuple[object, ...]:
        """What a cached page depends on here (a new commit changes every "last changed")."""
        newest = self.history.commits[0].hash if self.history else None
        return (newest, self.history_links)


def build_time(case: Case, extras: Extras) -> datetime:
    if extras.built is not None:
        return extras.built
    epoch = source_date_epoch()
    if epoch is not None:
        return datetime.fromtimestamp(epoch, UTC)
    if extras.history is not None:
        return extras.history.built
    newest = max((r.path.stat().st_mtime for r in case.records.values()), default=0.0)
    return datetime.fromtimestamp(int(newest), UTC)


def data_files(
    case: Case, extras: Extras, directory_urls: bool | None, reader: Reader | None = None
) -> dict[str, str]:
    """Every download by site path. Feed links follow MkDocs' `use_directory_urls` (its
    default when `directory_urls` is None, for `casefile render`). `reader` (the renderer,
    under `mkdocs serve`) keeps each record's part of them while the record is unchanged."""
    reader = reader or Direct(case)
    files = {"casefile.json": export_json(case, reader), SCHEMA_PATH: casefile_schema()}
    for kind, schema in record_schemas().items():
        files[f"schema/{kind}.schema.json"] = schema
    files.update(data_tables(case, reader))
    files.update(citation_files(case, reader))
    built = build_time(case, extras)
    urls = True if directory_urls is None else directory_urls
    files.update(
        feed_files(
            case,
            extras.history,
            built,
            site_url=extras.site_url,
            directory_urls=urls,
            reader=reader,
        )
    )
    return files


def record_files(record: Record) -> list[str]:
    """A record's files relative to the records folder: its YAML, and a source's text."""
    folder = KIND[record.kind].folder
    paths = [record.path, *([record.text_path] if record.text_path else [])]
    return [f"{folder}/{p.name}" for p in paths]


def last_change(history: History, record: Record) -> tuple[Commit, str] | None:
    """The last commit that changed any of the record's files, and its YAML file's path."""
    files = record_files(record)
    found = [c for c in (history.last_changed(f) for f in files) if c is not None]
    if not found:
        return None
    return max(found, key=lambda c: c.date), files[0]


def commit_day(commit: Commit) -> EdtfDate:
    """The day (UTC) of a commit, as a date the site formats like any other."""
    return parse_date(commit.date.date().isoformat())


def citation_head(record: Record) -> str:
    """A source page's Highwire `citation_*` meta tags, escaped, one per line."""
    return "".join(
        f'<meta name="{attr(name)}" content="{attr(value)}">\n' for name, value in meta_tags(record)
    )


def add_head(
    site: Site, case: Case, directory_urls: bool | None, reader: Reader | None = None
) -> None:
    """What `head.head_tags` reads: each source page's meta tags, the feeds, the URL style."""
    memo = (reader or Direct(case)).memo
    site.head = {
        page_of(r): memo(("head", r.id), r, partial(citation_head, r))
        for r in case.of_kind("source")
    }
    site.feeds = {p: t for p, t in FEED_TITLES.items() if p in site.files}
    site.directory_urls = directory_urls
