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

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from pathlib import Path

from . import site_paths as paths
from .checker import Case
from .dates import EdtfDate
from .downloads import Extras, add_head, data_files
from .escape import plain_markdown
from .history import History
from .page_cache import PageCache, Reads, Tracker, dated_ids
from .parallel import Shared
from .placement import Group as DateGroup
from .placement import grouped
from .portable import portable_files
from .progress import QUIET, Progress
from .records import Record
from .site_paths import (
    PathCollision,
    RecordPage,
    Site,
    _claim,
    _Page,
    encode_texts,
    page_of,
    tag_page,
)
from .stopping import interrupts_unwrapped
from .templating import environment, located
from .textmatch import PassageMatch
from .views import RECORD_VIEWS, SECTION_VIEWS, SECTIONS, PageViews

__all__ = ["SECTIONS", "PageCache", "PathCollision", "Renderer", "Site"]
__all__ += ["portable_files", "render_site"]


class Renderer(PageViews, Tracker):
    def __init__(
        self,
        case: Case,
        *,
        directory_urls: bool | None = True,
        hand_written: frozenset[str] = frozenset(),
        cache: PageCache | None = None,
        custom_dir: Path | None = None,
        extras: Extras | None = None,
        encoded: bool = False,
    ) -> None:
        Tracker.__init__(self, case, cache)
        self.encoded = encoded
        self.extras = extras or Extras()
        self.downloads: dict[str, str] = {}
        self.custom_dir = custom_dir
        self.env = environment(custom_dir)
        self.templates = {}
        self.directory_urls = directory_urls
        self.hand_written = hand_written
        if cache is not None:  # (a template edited under `mkdocs serve` is another `env`)
            settings = (directory_urls, hand_written, case.root, self.env, self.extras.site_url)
            self.begin(cache, (*settings, *self.extras.key))
        self.by_kind: dict[str, list[Record]] = defaultdict(list)
        self.tags: dict[str, list[Record]] = defaultdict(list)
        for record in case.records.values():
            self.by_kind[record.kind].append(record)
            for tag in record.data.tags:
                self.tags[tag].append(record)
        # Timeline order (placement.py): an open range sits in its own group, so "latest" and
        # an event's previous and next agree with the list.
        self.by_date, self.event_groups = self._event_order()
        self.events = [e for _, events in self.event_groups for e in events]
        self.event_index = {r.id: i for i, r in enumerate(self.events)}
        self.quotes = self._quotes_by_date()
        self._matches: dict[tuple[str, str], PassageMatch | None] = {}
        self.extra_pages = []
        self.timeline_pages = {}

    def _event_order(self) -> tuple[list[Record], list[tuple[DateGroup, list[Record]]]]:
        """The events in date order (`Case.events`), and in their timeline groups. Both
        depend on the events' ids and dates alone: kept while those are unchanged."""

        def order() -> tuple[list[str], list[tuple[DateGroup, list[str]]]]:
            by_date = self.case.events
            groups = grouped(by_date, lambda e: e.data.date)
            return [e.id for e in by_date], [(g, [e.id for e in events]) for g, events in groups]

        dates = dated_ids(self.by_kind["event"], lambda e: e.data.date)
        by_date, groups = self.kept(("event order",), dates, order)
        records = self.case.records
        return [records[i] for i in by_date], [(g, [records[i] for i in ids]) for g, ids in groups]

    def _quotes_by_date(self) -> list[Record]:
        """The quotes by `_quote_key`, which reads their ids and `quote_date`s alone: the
        order is kept while those are unchanged."""
        quotes = self.by_kind["quote"]
        order = self.kept(
            ("quote order",),
            dated_ids(quotes, self.quote_date),
            lambda: [q.id for q in sorted(quotes, key=self._quote_key)],
        )
        return [self.case.records[i] for i in order]

    def events_by_date(self) -> list[Record]:
        """The events in date order (`Case.events`), for the downloads."""
        return self.by_date

    def page_at(self, path: str) -> _Page:
        """The builder of the page at `path` (views make extra pages: the parts of a list)."""
        return _Page(self, path)

    # -- facts shared by pages ----------------------------------------------------------------
    def name(self, record: Record) -> str:
        """How a record is called in links: a name, a title, or a quote's first words."""
        data = record.data
        if record.kind == "actor":
            return data.name
        return data.title if record.kind != "quote" else paths.quote_label(data.text)

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

    def placed(
        self, source_id: str, passage: str | None, excerpt: str | None
    ) -> PassageMatch | None:
        """Where a citation's passage is: a quote's words where its excerpt is, when they
        are there too (`SourceText.quoted_at`)."""
        found = self.match(source_id, passage)  # (and the page depends on the source)
        text = self.record(source_id).text
        return text.quoted_at(passage, excerpt) if found and text and passage and excerpt else found

    def citations_of(self, record: Record) -> list[tuple[str, str | None, str | None, str | None]]:
        """(source id, locator, passage, excerpt) for each citation a record makes: the
        checker's `Case.citations`, derived once when the case was checked."""
        return [(c.source, c.locator, c.passage, c.excerpt) for c in self.case.citations(record)]

    def actor_ids(self, event: Record) -> list[tuple[str, str | None]]:
        return [(a, None) if isinstance(a, str) else (a.actor, a.role) for a in event.data.actors]

    # -- the site -------------------------------------------------------------------------------
    def render(self) -> Site:
        cache = self.cache
        if cache is None:
            return self._site()
        self.note_changes(self.events)
        try:
            return self._site()
        except BaseException:
            cache.clear()  # part of it is this render's, part the last's: keep neither
            raise

    def _site(self) -> Site:
        site = Site()
        records = list(self.case.records.values())
        # A one-off build renders record pages on a second core meanwhile (parallel.py).
        with Shared(records, self._one_off_page, fork=self.cache is None) as one_off:
            # Before the section pages: the Data page shows each download's size.
            self.downloads = data_files(self.case, self.extras, self.directory_urls, self)
            for path, _, view in SECTION_VIEWS:
                made = view(self, _Page(self, path))
                if made is not None:  # a section with nothing to show (no history: no changes)
                    site.files[path], site.titles[path] = made
            site.files.update(self.downloads)
            if self.encoded:  # before the forked process's pages arrive: the peak of memory
                encode_texts(site.files)
            self._record_pages(site, one_off)
        for tag in sorted(self.tags):
            path = tag_page(tag)
            _claim(site, path, f"the tag '{tag}'")
            site.files[path], site.titles[path] = self.tag_page(_Page(self, path), tag)
        for path, text, title in self.extra_pages:  # the parts of long lists (tags' too)
            _claim(site, path, f"a part of a long list ({title})")
            site.files[path], site.titles[path] = text, title
        add_head(site, self.case, self.directory_urls, self)
        if self.encoded:
            encode_texts(site.files)
        site.files = dict(sorted(site.files.items()))
        return site

    def _record_pages(self, site: Site, one_off: Shared[Record, RecordPage]) -> None:
        """Each record's page: one-off, from `one_off`; serving, cached while unchanged."""
        cache = self.cache
        if cache is None:
            for path, text, title, source in one_off.results(self.extras.progress.advance):
                _claim(site, path, source)
                site.files[path], site.titles[path], site.sources[path] = text, title, source
            return
        pages: dict[str, tuple[Reads, str, str, str]] = {}
        for record in self.case.records.values():
            path = page_of(record)
            known = cache.pages.get(path)
            if known is None or not self.unchanged(known[0]):
                known = self._record_page(path, record)
            _claim(site, path, known[3])
            site.files[path], site.titles[path], site.sources[path] = known[1:]
            pages[path] = known
            self.extras.progress.advance()
        cache.pages = pages  # pages of records that are gone are dropped
        cache.reused = len(pages) - len(cache.rendered)

    def _one_off_page(self, record: Record) -> RecordPage:
        """A record's page in a one-off build (nothing to track): path, text, title, file.
        The text is UTF-8 when `encoded`: half the memory of a str with one character
        beyond Latin-1, and no decoding and encoding again on its way from the forked
        process to MkDocs (pickle writes a str as UTF-8)."""
        path = page_of(record)
        text, title = RECORD_VIEWS[record.kind](self, _Page(self, path), record)
        return path, text.encode() if self.encoded else text, title, paths.record_file(record)

    def _record_page(self, path: str, record: Record) -> tuple[Reads, str, str, str]:
        """Serving, a record's page: what it read, and its text, title and YAML file."""
        build_page = partial(RECORD_VIEWS[record.kind], self, _Page(self, path), record)
        reads, (text, title) = self.tracked(record, build_page)
        self.cache.rendered.append(path)  # type: ignore[union-attr]  # serving: a cache
        return reads, text, title, paths.record_file(record)


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
    encoded: bool = False,
) -> Site:
    """Every generated file of the site, by path.

    `directory_urls` says how MkDocs will address pages (its `use_directory_urls`), for the
    few links inside raw HTML; None writes `.md` links there too, for other engines.
    `cache` (kept by `mkdocs serve`) skips record pages whose inputs did not change.
    `custom_dir` is the theme's custom_dir: templates in its `casefile/` folder replace ours.
    `history` (`history.read_history`) adds each record's last change and the Recent changes
    page and feed; `history_links` (`downloads.HistoryLinks`) links a record file's history;
    `site_url` makes feed links absolute; `built` dates the feeds (see `downloads.py`);
    `progress` hears of each record page rendered; `encoded` gives a one-off build's files
    as UTF-8 bytes (as MkDocs takes them: `site_files.hand_over`): half the memory of a str
    with one character beyond Latin-1, for the 1.9 GB of text of 100,000 records.
    """
    extras = Extras(history, history_links, site_url, built, progress)
    progress.stage("rendering pages", len(case.records))
    renderer = Renderer(
        case,
        directory_urls=directory_urls,
        hand_written=hand_written,
        cache=cache,
        custom_dir=custom_dir,
        extras=extras,
        encoded=encoded and cache is None,
    )
    try:
        with interrupts_unwrapped():  # a stop inside pydantic's serializers (`export.py`)
            return renderer.render()
    except Exception as error:  # a template's (a site's override's), as a located error
        found = located(error, custom_dir)
        if found is None:
            raise
        raise found from None
