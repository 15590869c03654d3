"""A checked case -> the site's pages, without MkDocs.

`render_site(case)` returns every generated file by path (sorted): pages (the body of each as
ready HTML, at `.md` paths MkDocs knows as pages) and the downloads (`downloads.py`).
The MkDocs plugin hands the HTML to MkDocs as it is; `casefile render` turns the same HTML
into portable Markdown (`portable.py`). Links are final URLs for MkDocs' `use_directory_urls`,
or relative `.md` paths when it is None (for other engines).

Record text reaches a page only through `escape.py`: `attr` for text and attributes,
`json_script` for JSON-LD, `render_markdown` for Markdown fields.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import TypeVar

from .checker import Case
from .dates import EdtfDate
from .downloads import Extras, add_head, data_files
from .escape import attr, plain_markdown, render_markdown
from .history import History
from .models import KIND
from .page_cache import PageCache, _Reads
from .placement import grouped
from .portable import portable_files
from .progress import QUIET, Progress
from .records import Record
from .site_paths import PathCollision, Site, _claim, _relative, href, page_of, tag_page
from .templating import environment
from .textmatch import PassageMatch
from .views import RECORD_VIEWS, SECTION_VIEWS, SECTIONS, PageViews

T = TypeVar("T")
__all__ = ["SECTIONS", "PageCache", "PathCollision", "Renderer", "Site"]
__all__ += ["portable_files", "render_site"]


class _Page:
    """Builds one page: knows where it is, so it can link anywhere relatively."""

    def __init__(self, renderer: Renderer, path: str) -> None:
        self.r = renderer
        self.path = path
        self.dir = posixpath.dirname(path)

    # -- links -------------------------------------------------------------------------------
    def href(self, target: str, anchor: str = "") -> str:
        """The address of `target` from this page: its final URL as MkDocs will serve it, or
        (`directory_urls` None, for `casefile render`) the relative `.md` path."""
        style = self.r.directory_urls
        link = _relative(target, self.dir) if style is None else href(target, self.path, style)
        return link + (f"#{anchor}" if anchor else "")

    def link(self, record: Record, text: str | None = None, anchor: str = "") -> str:
        label = text if text is not None else self.r.name(record)
        return f'<a href="{attr(self.href(page_of(record), anchor))}">{attr(label)}</a>'

    def link_id(self, record_id: str, text: str | None = None) -> str:
        return self.link(self.r.record(record_id), text)

    def markdown(self, value: str | None) -> str:
        if not value:
            return ""
        html = render_markdown(
            value,
            href=lambda rid: self.href(page_of(self.r.record(rid))),
            label=lambda rid: self.r.name(self.r.record(rid)),
        )
        return f'<div class="cf-prose">\n{html}\n</div>'


class Renderer(PageViews):
    def __init__(
        self,
        case: Case,
        *,
        directory_urls: bool | None = True,
        hand_written: frozenset[str] = frozenset(),
        cache: PageCache | None = None,
        custom_dir: Path | None = None,
        extras: Extras | None = None,
    ) -> None:
        self.case = case
        self.extras = extras or Extras()
        self.downloads: dict[str, str] = {}
        self.custom_dir = custom_dir
        self.env = environment(custom_dir)
        self.directory_urls = directory_urls
        self.hand_written = hand_written
        self.cache = cache
        self._reads: _Reads | None = None  # what the record page being rendered reads
        self._old_fragments: dict[tuple[str, ...], tuple[_Reads, list[str]]] = {}
        # Timeline order (placement.py): an open range sits in its own group, so "latest" and
        # an event's previous and next agree with the list.
        self.event_groups = grouped(case.events, lambda e: e.data.date)
        self.events = [e for _, events in self.event_groups for e in events]
        self.event_index = {r.id: i for i, r in enumerate(self.events)}
        self.by_kind: dict[str, list[Record]] = defaultdict(list)
        for record in case.records.values():
            self.by_kind[record.kind].append(record)
        self.quotes = sorted(self.by_kind["quote"], key=self._quote_key)
        self.tags: dict[str, list[Record]] = defaultdict(list)
        for record in case.records.values():
            for tag in record.data.tags:
                self.tags[tag].append(record)
        self._matches: dict[tuple[str, str], PassageMatch | None] = {}
        self.extra_pages = []
        self.timeline_pages = {}

    # -- reading the case (noted, so the page cache knows what a page depends on) -----------
    def record(self, record_id: str) -> Record:
        record = self.case.records[record_id]
        if self._reads is not None:
            self._reads.records[record_id] = (record, record.text)
        return record

    def referrers(self, target: str, *relations: str) -> list[Record]:
        found = self.case.referrers(target, *relations)
        if self._reads is not None:
            self._reads.referrers[(target, relations)] = tuple(found)
        return found

    def neighbours_of(self, event_id: str) -> tuple[Record | None, Record | None]:
        index = self.event_index[event_id]
        before = self.events[index - 1] if index > 0 else None
        after = self.events[index + 1] if index + 1 < len(self.events) else None
        return before, after

    def neighbours(self, event: Record) -> tuple[Record | None, Record | None]:
        """The events before and after `event` on the timeline."""
        found = self.neighbours_of(event.id)
        if self._reads is not None:
            self._reads.neighbours[event.id] = found
        return found

    def fragment(
        self, key: tuple[str, ...], record: Record, build: Callable[[], list[str]]
    ) -> list[str]:
        """Lines of an index page about `record`, reused from the cache while nothing they
        read changed. (Index pages themselves are always rendered: they read every record.)"""
        if self.cache is None:
            return build()
        assert self._reads is None, "fragments belong to index pages"
        known = self._old_fragments.get(key)
        if known is None or not known[0].unchanged(self):
            known = self._tracked(record, build)
        self.cache.fragments[key] = known
        return known[1]

    def _tracked(self, record: Record, build: Callable[[], T]) -> tuple[_Reads, T]:
        """`build()`, and everything it read from the case (starting with `record`)."""
        self._reads = _Reads({record.id: (record, record.text)})
        try:
            value = build()
        finally:
            reads, self._reads = self._reads, None
        return reads, value

    def page_at(self, path: str) -> _Page:
        """The builder of the page at `path` (views make extra pages: the parts of a list)."""
        return _Page(self, path)

    # -- facts shared by pages ----------------------------------------------------------------
    def name(self, record: Record) -> str:
        """How a record is called in links: a name, a title, or a quote's first words."""
        data = record.data
        if record.kind == "actor":
            return data.name
        if record.kind != "quote":
            return data.title
        words = data.text.split()
        short = " ".join(words[:12]) + (" …" if len(words) > 12 else "")
        return f"“{short}”"

    def plain(self, value: str) -> str:
        return plain_markdown(value, lambda rid: self.name(self.record(rid)))

    def _quote_key(self, record: Record) -> tuple[object, ...]:
        when = self.quote_date(record)
        key = when.sort_key if when else (date.max, date.max)
        return (*key, record.id)

    def quote_date(self, record: Record) -> EdtfDate | None:
        """When the words were said: the quote's own date, never lent from its event (an
        event's date says when the event happened, not when these words were spoken)."""
        return record.data.date

    def match(self, source_id: str, passage: str | None) -> PassageMatch | None:
        """Where a quoted passage sits in a source's full text (None: no text, no passage)."""
        if not passage:
            return None
        key = (source_id, passage)
        self.record(source_id)  # read even when the match is known: a page depends on it
        if key not in self._matches:
            source = self.record(source_id)
            text = source.text
            self._matches[key] = text.find(passage) if text else None
        return self._matches[key]

    def citations_of(self, record: Record) -> list[tuple[str, str | None, str | None]]:
        """(source id, locator, passage) for each citation a record makes: the checker's
        `Case.citations`, derived once when the case was checked."""
        return [(c.source, c.locator, c.passage) for c in self.case.citations(record)]

    def actor_ids(self, event: Record) -> list[tuple[str, str | None]]:
        return [(a, None) if isinstance(a, str) else (a.actor, a.role) for a in event.data.actors]

    # -- the site -------------------------------------------------------------------------------
    def render(self) -> Site:
        site = Site()
        cache = self.cache
        if cache is not None:
            settings = (self.directory_urls, self.hand_written, self.case.root, self.custom_dir)
            settings += self.extras.key
            if cache.settings != settings:
                cache.settings, cache.pages, cache.json, cache.fragments = settings, {}, {}, {}
            cache.rendered, cache.reused = [], 0
            self._old_fragments, cache.fragments = cache.fragments, {}
        # Before the section pages: the Data page shows each download's size.
        self.downloads = data_files(self.case, self.extras, self.directory_urls, cache)
        for path, _, view in SECTION_VIEWS:
            made = view(self, _Page(self, path))
            if made is not None:  # a section with nothing to show (no history: no changes)
                site.files[path], site.titles[path] = made
        for path, text, title in self.extra_pages:  # the parts of long lists
            _claim(site, path, f"a part of a long list ({title})")
            site.files[path], site.titles[path] = text, title
        pages: dict[str, tuple[_Reads, str, str]] = {}
        for record in self.case.records.values():
            path = page_of(record)
            _claim(site, path, f"{KIND[record.kind].folder}/{record.path.name}")
            view = RECORD_VIEWS[record.kind]
            build_page = partial(view, self, _Page(self, path), record)
            if cache is None:  # a one-off build: nothing to remember, nothing to track
                site.files[path], site.titles[path] = build_page()
            else:
                known = cache.pages.get(path)
                if known is not None and known[0].unchanged(self):
                    cache.reused += 1
                else:
                    reads, (text, title) = self._tracked(record, build_page)
                    known = (reads, text, title)
                    cache.rendered.append(path)
                pages[path] = known
                site.files[path], site.titles[path] = known[1:]
            site.sources[path] = f"{KIND[record.kind].folder}/{record.path.name}"  # its YAML
            self.extras.progress.advance()
        if cache is not None:
            cache.pages = pages  # pages of records that are gone are dropped
        for tag in sorted(self.tags):
            path = tag_page(tag)
            _claim(site, path, f"the tag '{tag}'")
            site.files[path], site.titles[path] = self.tag_page(_Page(self, path), tag)
        site.files.update(self.downloads)
        add_head(site, self.case, self.directory_urls)
        site.files = dict(sorted(site.files.items()))
        return site


def render_site(
    case: Case,
    *,
    directory_urls: bool | None = True,
    hand_written: frozenset[str] = frozenset(),
    cache: PageCache | None = None,
    custom_dir: Path | None = None,
    history: History | None = None,
    history_links: Callable[[str], str | None] | None = None,
    site_url: str | None = None,
    built: datetime | None = None,
    progress: Progress = QUIET,
) -> Site:
    """Every generated file of the site, by path.

    `directory_urls` says how MkDocs will address pages (its `use_directory_urls`), for the
    few links inside raw HTML; None writes `.md` links there too, for other engines.
    `cache` (kept by `mkdocs serve`) skips record pages whose inputs did not change.
    `custom_dir` is the theme's custom_dir: templates in its `casefile/` folder replace ours.
    `history` (`history.read_history`) adds each record's last change and the Recent changes
    page and feed; `history_links` (`downloads.HistoryLinks`) links a record file's history;
    `site_url` makes feed links absolute; `built` dates the feeds (see `downloads.py`);
    `progress` hears of each record page rendered.
    """
    extras = Extras(history, history_links, site_url, built, progress)
    progress.stage("rendering pages", len(case.records))
    return Renderer(
        case,
        directory_urls=directory_urls,
        hand_written=hand_written,
        cache=cache,
        custom_dir=custom_dir,
        extras=extras,
    ).render()
