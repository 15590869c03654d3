"""A checked case -> the site's pages, as Markdown, without MkDocs.

`render_site(case)` returns every generated file by path (sorted): Markdown pages, the JSON
download and the JSON Schemas. The MkDocs plugin and `casefile render` are thin adapters
over it. Pages link to each other with relative `.md` links so MkDocs validates them.

Record text reaches a page only through `text.py`: `md_text` for plain text, `attr` for
attributes, `json_script` for JSON-LD, `render_markdown` for Markdown fields.
"""

from __future__ import annotations

import json
import posixpath
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache, partial
from pathlib import Path
from typing import TypeVar

from markupsafe import Markup

from . import models
from .checker import Case, event_sort_key
from .dates import MONTHS, EdtfDate, Precision, format_date
from .models import KIND, KIND_LIST
from .records import Record
from .schema import record_schemas
from .templating import TemplatePage, environment, json_ld_block, tidy
from .text import attr, md_text, plain_markdown, render_markdown, with_article
from .textmatch import PassageMatch, Span

T = TypeVar("T")
FORMAT_VERSION = 1
KIND_LABELS = {
    "person": "People",
    "organization": "Organizations",
    "government": "Governments",
    "group": "Groups",
    "anonymous": "Unnamed sources and officials",
    "other": "Others",
}
SECTIONS = (
    ("index.md", "Home"),
    ("timeline.md", "Timeline"),
    ("actors/index.md", "Actors"),
    ("quotes/index.md", "Quotes"),
    ("sources/index.md", "Sources"),
    ("tags/index.md", "Tags"),
    ("data.md", "Data"),
)


@dataclass(slots=True)
class Site:
    """Everything generated: file contents by path, and each page's plain-text title."""

    files: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    # Generated page -> the record file it is made from (for edit links).
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def pages(self) -> dict[str, str]:
        return {p: c for p, c in self.files.items() if p.endswith(".md")}


class PathCollision(Exception):
    """Two generated files at one path. The checker's reserved names keep this from happening;
    this is the last guard before anything is written."""


def _claim(site: Site, path: str, origin: str) -> None:
    if path in site.files:
        raise PathCollision(
            f"{origin} would be generated at {path}, which another page already takes"
        )


def page_of(record: Record) -> str:
    return KIND[record.kind].page(record.id)


def tag_page(tag: str) -> str:
    return f"tags/{tag}.md"


def _url_of(page: str, directory_urls: bool) -> str:
    """The address MkDocs gives a page, relative to the site root."""
    stem = page.removesuffix(".md")
    if not directory_urls:
        return stem + ".html"
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem.removesuffix("index")
    return stem + "/"


@lru_cache(maxsize=1 << 17)  # a few folders times every page: keep them all
def _relative(target: str, start_dir: str) -> str:
    """`posixpath.relpath` for two site-relative paths, without its getcwd() calls."""
    t, s = target.split("/"), start_dir.split("/") if start_dir else []
    common = 0
    while common < min(len(t) - 1, len(s)) and t[common] == s[common]:
        common += 1
    return "/".join([".."] * (len(s) - common) + t[common:])


class _Page:
    """Builds one page: knows where it is, so it can link anywhere relatively."""

    def __init__(self, renderer: Renderer, path: str) -> None:
        self.r = renderer
        self.path = path
        self.dir = posixpath.dirname(path)
        self.lines: list[str] = []

    # -- links -------------------------------------------------------------------------------
    def rel(self, target: str, anchor: str = "") -> str:
        """A relative `.md` link for Markdown, which MkDocs checks and rewrites."""
        link = _relative(target, self.dir)
        return link + (f"#{anchor}" if anchor else "")

    def href(self, target: str, anchor: str = "") -> str:
        """A final address for raw HTML, which MkDocs leaves alone."""
        style = self.r.directory_urls
        if style is None:
            return self.rel(target, anchor)
        here = _url_of(self.path, style)
        here_dir = here if here.endswith("/") or not here else posixpath.dirname(here) + "/"
        there = _url_of(target, style) if target.endswith(".md") else target
        link = posixpath.relpath(there or ".", here_dir.rstrip("/") or ".")
        if not there or there.endswith("/"):
            link = "./" if link == "." else link + "/"
        return link + (f"#{anchor}" if anchor else "")

    def link(self, record: Record, text: str | None = None, anchor: str = "") -> str:
        label = text if text is not None else self.r.name(record)
        return f"[{md_text(label)}]({self.rel(page_of(record), anchor)})"

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
        return f'<div class="cf-prose" markdown="0">\n{html}\n</div>'

    # -- output ------------------------------------------------------------------------------
    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def block(self, *lines: str) -> None:
        """Lines as one Markdown block, separated from what comes before and after."""
        if self.lines and self.lines[-1] != "":
            self.lines.append("")
        self.lines.extend(lines)
        self.lines.append("")

    def json_ld(self, data: dict[str, object]) -> None:
        self.block(json_ld_block(data))

    def text(self, front: dict[str, object] | None = None) -> str:
        body = "\n".join(self.lines).rstrip("\n") + "\n"
        if front:
            # Front matter never holds record text: Material prints some of it unescaped.
            head = "\n".join(f"{k}: {json.dumps(v, sort_keys=True)}" for k, v in front.items())
            return f"---\n{head}\n---\n\n{body}"
        return body


@dataclass(slots=True)
class _Reads:
    """What rendering one page read from the case, as the objects it got.

    Records and full texts from the loader's cache are the same objects while their files
    are unchanged (records.FileCache), so a page whose reads all come back as the very same
    objects renders to the same text and need not be rendered again.
    """

    records: dict[str, tuple[Record | None, object]] = field(default_factory=dict)
    referrers: dict[tuple[str, tuple[str, ...]], tuple[Record, ...]] = field(default_factory=dict)
    neighbours: dict[str, tuple[Record | None, Record | None]] = field(default_factory=dict)

    def unchanged(self, renderer: Renderer) -> bool:
        records = renderer.case.records
        for rid, (record, text) in self.records.items():
            now = records.get(rid)
            if now is not record or (now is not None and now.text is not text):
                return False
        for (target, relations), seen in self.referrers.items():
            now_refs = renderer.case.referrers(target, *relations)
            if len(now_refs) != len(seen) or any(
                a is not b for a, b in zip(now_refs, seen, strict=True)
            ):
                return False
        for event_id, (before, after) in self.neighbours.items():
            if event_id not in renderer.event_index:
                return False
            now_before, now_after = renderer.neighbours_of(event_id)
            if now_before is not before or now_after is not after:
                return False
        return True


@dataclass(slots=True)
class PageCache:
    """Record pages and JSON entries from the last render, each with what it was made from,
    for `mkdocs serve`: after an edit, only the pages that read the edited records (or whose
    back-references changed) are rendered again. Pass the same cache to every render_site
    call of one process; the output is byte for byte what a fresh render gives.
    """

    settings: tuple[object, ...] | None = None
    pages: dict[str, tuple[_Reads, str, str]] = field(default_factory=dict)
    json: dict[str, tuple[Record, str]] = field(default_factory=dict)
    # Parts of the index pages, e.g. ("timeline", event id) -> that event's timeline entry.
    fragments: dict[tuple[str, ...], tuple[_Reads, list[str]]] = field(default_factory=dict)
    rendered: list[str] = field(default_factory=list)  # record pages the last call rendered
    reused: int = 0  # record pages it took from the cache


class Renderer:
    def __init__(
        self,
        case: Case,
        *,
        directory_urls: bool | None = True,
        hand_written: frozenset[str] = frozenset(),
        cache: PageCache | None = None,
        custom_dir: Path | None = None,
    ) -> None:
        self.case = case
        self.custom_dir = custom_dir
        self.env = environment(custom_dir)
        self.directory_urls = directory_urls
        self.hand_written = hand_written
        self.cache = cache
        self._reads: _Reads | None = None  # what the record page being rendered reads
        self._old_fragments: dict[tuple[str, ...], tuple[_Reads, list[str]]] = {}
        self.events = case.events
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
        """(source id, locator, passage) for each citation a record makes."""
        data = record.data
        if record.kind == "event":
            cites = list(data.sources)
        elif record.kind == "quote":
            cites = [data.source]
        else:
            return []
        out: list[tuple[str, str | None, str | None]] = []
        for cite in cites:
            if isinstance(cite, str):
                passage = data.text if record.kind == "quote" else None
                out.append((cite, None, passage))
            else:
                passage = data.text if record.kind == "quote" else cite.excerpt
                out.append((cite.source, cite.locator, passage))
        return out

    def actor_ids(self, event: Record) -> list[tuple[str, str | None]]:
        return [(a, None) if isinstance(a, str) else (a.actor, a.role) for a in event.data.actors]

    # -- the site -------------------------------------------------------------------------------
    def render(self) -> Site:
        site = Site()
        cache = self.cache
        if cache is not None:
            settings = (self.directory_urls, self.hand_written, self.case.root, self.custom_dir)
            if cache.settings != settings:
                cache.settings, cache.pages, cache.json, cache.fragments = settings, {}, {}, {}
            cache.rendered, cache.reused = [], 0
            self._old_fragments, cache.fragments = cache.fragments, {}
        builders = [
            ("index.md", self.home),
            ("timeline.md", self.timeline),
            ("actors/index.md", self.actors_index),
            ("quotes/index.md", self.quotes_index),
            ("sources/index.md", self.sources_index),
            ("tags/index.md", self.tags_index),
            ("data.md", self.data_page),
        ]
        for path, build in builders:
            site.files[path], site.titles[path] = build(_Page(self, path))
        pages: dict[str, tuple[_Reads, str, str]] = {}
        for record in self.case.records.values():
            path = page_of(record)
            _claim(site, path, f"{KIND[record.kind].folder}/{record.path.name}")
            build_page = partial(getattr(self, f"{record.kind}_page"), _Page(self, path), record)
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
        if cache is not None:
            cache.pages = pages  # pages of records that are gone are dropped
        for tag in sorted(self.tags):
            path = tag_page(tag)
            _claim(site, path, f"the tag '{tag}'")
            site.files[path], site.titles[path] = self.tag_page(_Page(self, path), tag)
        site.files["casefile.json"] = export_json(self.case, cache)
        for kind, schema in record_schemas().items():
            site.files[f"schema/{kind}.schema.json"] = schema
        site.files = dict(sorted(site.files.items()))
        return site

    # -- pages ---------------------------------------------------------------------------------
    def _render(self, page: _Page, template: str, **context: object) -> str:
        """A page from its template: the view hands over facts, the template writes."""
        text = self.env.get_template(template).render(page=TemplatePage(page), **context)
        return tidy(text)

    def home(self, page: _Page) -> tuple[str, str]:
        weight = Counter(
            {a.id: len(self.case.backrefs.get(a.id, ())) for a in self.by_kind["actor"]}
        )
        key_actors = sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))[:8]
        text = self._render(
            page,
            "home.md.j2",
            case=self.case.meta,
            counts=[
                (len(self.events), "events", "timeline.md"),
                (len(self.by_kind["actor"]), "actors", "actors/index.md"),
                (len(self.quotes), "quotes", "quotes/index.md"),
                (len(self.by_kind["source"]), "sources", "sources/index.md"),
            ],
            latest=list(reversed(self.events[-5:])),
            key_actors=[(self.record(rid), n) for rid, n in key_actors if n],
            contributing="contributing.md" in self.hand_written,
        )
        return text, self.case.meta.title

    def timeline(self, page: _Page) -> tuple[str, str]:
        groups: dict[tuple[int, int], list[Record]] = defaultdict(list)
        for event in self.events:
            first = event.data.date.sort_key[0]
            value = event.data.date
            known = value.start or value.end
            month = 0 if known is None or known.precision is Precision.YEAR else first.month
            groups[(first.year, month)].append(event)
        months = []
        year_seen: set[int] = set()
        for (year, month), events in groups.items():
            months.append(
                {
                    "year": None if year in year_seen else year,
                    "label": f"{MONTHS[month - 1]} {year}" if month else f"{year}, month not known",
                    "anchor": f"m{year}-{month:02d}" if month else f"y{year}-unknown",
                    "items": [
                        Markup(
                            self.fragment(
                                ("timeline", page.path, event.id),
                                event,
                                lambda event=event: self._timeline_item(page, event),
                            )[0]
                        )
                        for event in events
                    ],
                }
            )
            year_seen.add(year)
        text = self._render(
            page, "timeline.md.j2", filters=self._filters(), months=months, count=len(self.events)
        )
        return text, "Timeline"

    def _filters(self) -> list[tuple[str, str, list[tuple[str, str]]]]:
        """The timeline's filters: (name, label, [(value, text)]), each only with values
        some event has."""
        actors = sorted(
            {a for e in self.events for a, _ in self.actor_ids(e)},
            # Two actors may share a name: the id breaks the tie, or set order (hash seeds) would.
            key=lambda rid: (self.name(self.record(rid)).casefold(), rid),
        )
        tags = sorted({t for e in self.events for t in e.data.tags})
        statuses = [s for s in models.STATUSES if any(e.data.status == s for e in self.events)]
        return [
            ("actor", "Actor", [(a, self.name(self.record(a))) for a in actors]),
            ("tag", "Tag", [(t, t) for t in tags]),
            ("status", "Status", [(s, s) for s in statuses]),
        ]

    def _timeline_item(self, page: _Page, event: Record) -> list[str]:
        data = event.data
        actors = self.actor_ids(event)
        text = self.env.get_template("timeline_item.md.j2").render(
            page=TemplatePage(page),
            event=event,
            actors=[self.record(a) for a, _ in actors],
            actor_ids=" ".join(a for a, _ in actors),
            tag_list=" ".join(data.tags),
            quotes=len(self.referrers(event.id, "said-at")),
            sources=[self.record(s) for s in sorted({s for s, _, _ in self.citations_of(event)})],
            meaning=models.STATUS_MEANINGS[data.status],
        )
        return [text.strip("\n")]

    def event_page(self, page: _Page, event: Record) -> tuple[str, str]:
        data = event.data
        actors = self.actor_ids(event)
        quotes = sorted(self.referrers(event.id, "said-at"), key=self._quote_key)
        related = sorted(
            {*data.related, *(r.id for r in self.referrers(event.id, "related"))},
            key=lambda rid: event_sort_key(self.record(rid)),
        )
        before, after = self.neighbours(event)
        text = self._render(
            page,
            "event.md.j2",
            event=event,
            meaning=models.STATUS_MEANINGS[data.status],
            actors=[(self.record(a), role) for a, role in actors],
            quotes=[self._quote_view(q, speaker=True) for q in quotes],
            citations=self._citation_views(event),
            related=[self.record(r) for r in related],
            before=before,
            after=after,
            **self._annotations(event),
            ld={
                "@type": "Event",
                "name": data.title,
                "startDate": data.date.start.iso if data.date.start else None,
                "endDate": data.date.end.iso if data.date.end else None,
                "description": self.plain(data.summary) if data.summary else None,
                "location": data.location,
                "performer": [self._ld_actor(self.record(a)) for a, _ in actors],
            },
        )
        return _front(text, {"search": {"boost": 2}}), data.title

    def _ld_actor(self, actor: Record) -> dict[str, object]:
        kind = "Person" if actor.data.kind == "person" else "Organization"
        if actor.data.kind == "anonymous":
            kind = "Person"
        return {"@type": kind, "name": actor.data.name}

    def actor_page(self, page: _Page, actor: Record) -> tuple[str, str]:
        data = actor.data
        links: list[tuple[str, str]] = []
        if data.links:
            links = [
                (label, getattr(data.links, name))
                for name, label in (("website", "Website"), ("wikipedia", "Wikipedia"))
                if getattr(data.links, name)
            ]
            if data.links.wikidata:
                links.append(("Wikidata", f"https://www.wikidata.org/wiki/{data.links.wikidata}"))
        events = sorted(self.referrers(actor.id, "actor"), key=event_sort_key)
        said = sorted(self.referrers(actor.id, "speaker"), key=self._quote_key)
        about = sorted(self.referrers(actor.id, "about"), key=self._quote_key)
        together: Counter[str] = Counter()
        for event in events:
            together.update({a for a, _ in self.actor_ids(event)} - {actor.id})
        ranked = sorted(together.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
        citing: set[str] = set()
        for record in [*events, *said]:
            citing.update(s for s, _, _ in self.citations_of(record))
        text = self._render(
            page,
            "actor.md.j2",
            actor=actor,
            roles=[
                {
                    "title": role.title,
                    "organization": self.record(role.organization) if role.organization else None,
                    "start": role.start,
                    "end": role.end,
                }
                for role in data.roles
            ],
            links=links,
            events=events,
            said=[self._quote_view(q, speaker=False) for q in said],
            about=[self._quote_view(q, speaker=True) for q in about],
            members=sorted(self.referrers(actor.id, "organization"), key=lambda r: r.id),
            together=[(self.record(a), n) for a, n in ranked],
            citing=[self.record(s) for s in sorted(citing)],
            **self._annotations(actor),
            ld={
                **self._ld_actor(actor),
                "alternateName": data.aliases or None,
                "description": self.plain(data.description) if data.description else None,
                "jobTitle": [r.title for r in data.roles] or None,
            },
        )
        return _front(text, {"search": {"boost": 3}}), data.name

    def quote_page(self, page: _Page, quote: Record) -> tuple[str, str]:
        data = quote.data
        speaker = self.record(data.speaker)
        title = f"{speaker.data.name}: {self.name(quote)}"
        when = self.quote_date(quote)
        text = self._render(
            page,
            "quote.md.j2",
            title=title,
            quote=self._quote_view(quote, speaker=True),
            context=data.context,
            event=self.record(data.event) if data.event else None,
            about=[self.record(a) for a in data.about],
            citations=self._citation_views(quote),
            **self._annotations(quote),
            ld={
                "@type": "Quotation",
                "text": data.text,
                "inLanguage": data.language,
                "spokenByCharacter": self._ld_actor(speaker),
                "dateCreated": when.html_datetime if when else None,
                "isBasedOn": {
                    "@type": "CreativeWork",
                    "name": self.record(data.source_id).data.title,
                },
            },
        )
        return _front(text, {"search": {"boost": 3}}), title

    def _quote_view(self, quote: Record, *, speaker: bool) -> dict[str, object]:
        """What a quote block shows: who, when (never lent from the event), where it is
        verbatim in its source, or that it could not be checked."""
        data = quote.data
        source = self.record(data.source_id)
        found = self.match(data.source_id, data.text)
        return {
            "quote": quote,
            "speaker": self.record(data.speaker) if speaker else None,
            "when": self.quote_date(quote),
            "event": self.record(data.event) if data.event else None,
            "source": source,
            "source_page": page_of(source),
            "paragraph": found.paragraph + 1 if found else None,
            "permalink": page_of(quote),
        }

    def _citation_views(self, record: Record) -> list[dict[str, object]]:
        """Each citation: the source, the paragraph its passage is in, the locator, and (for
        an event) the excerpt."""
        views = []
        for source_id, locator, passage in self.citations_of(record):
            found = self.match(source_id, passage)
            paragraph = f"paragraph {found.paragraph + 1}" if found else None
            where = [locator] if locator else []
            if paragraph and (locator or "").casefold() != paragraph:
                where.append(paragraph)
            views.append(
                {
                    "source": self.record(source_id),
                    "anchor": f"p-{found.paragraph + 1}" if found else "",
                    "where": where,
                    "excerpt": passage if record.kind == "event" else None,
                }
            )
        return views

    def _annotations(self, record: Record) -> dict[str, object]:
        """What every record page ends with: where it is mentioned, its notes, its tags."""
        return {
            "mentions": sorted(self.referrers(record.id, "mentions"), key=lambda r: r.id),
            "notes": record.data.notes,
            "tags": record.data.tags,
            "tag_pages": {t: tag_page(t) for t in record.data.tags},
        }

    def source_page(self, page: _Page, source: Record) -> tuple[str, str]:
        data = source.data
        citing = self.referrers(source.id, "cites")
        events = sorted((r for r in citing if r.kind == "event"), key=event_sort_key)
        quotes = sorted((r for r in citing if r.kind == "quote"), key=self._quote_key)
        text = self._render(
            page,
            "source.md.j2",
            source=source,
            urls=[
                (label, url)
                for label, url in (("Link", data.url), ("Archived copy", data.archive_url))
                if url
            ],
            events=events,
            quotes=[self._quote_view(q, speaker=True) for q in quotes],
            passages=self._passages(source, [*events, *quotes]),
            **self._annotations(source),
            ld={
                "@type": "CreativeWork",
                "name": data.title,
                "publisher": {"@type": "Organization", "name": data.publisher}
                if data.publisher
                else None,
                "author": [{"@type": "Person", "name": a} for a in data.authors] or None,
                "datePublished": data.published.html_datetime if data.published else None,
                "url": data.url,
                "archivedAt": data.archive_url,
            },
        )
        return text, data.title

    def _passages(self, source: Record, citing: list[Record]) -> dict[str, object] | None:
        """The cited passages by paragraph, or the whole text (cited spans marked) when it may
        be published; None when the source has no text."""
        cited: dict[int, list[tuple[Record, PassageMatch]]] = defaultdict(list)
        for record in citing:
            for source_id, _, passage in self.citations_of(record):
                found = self.match(source_id, passage) if source_id == source.id else None
                if found and (record, found) not in cited[found.paragraph]:
                    cited[found.paragraph].append((record, found))
        if source.text is None:
            return None
        paragraphs = source.text.paragraphs
        if source.data.text_public:
            marked = []
            for index, paragraph in enumerate(paragraphs):
                spans = sorted(
                    {s for _, m in cited.get(index, ()) for s in m.spans}, key=lambda s: s.start
                )
                marked.append((index + 1, Markup(_highlight(paragraph, spans))))
            return {"public": True, "paragraphs": marked, "cited": []}
        return {
            "public": False,
            "paragraphs": [],
            "cited": [
                (
                    index + 1,
                    [
                        (" … ".join(paragraphs[index][s.start : s.end] for s in found.spans), rec)
                        for rec, found in cited[index]
                    ],
                )
                for index in sorted(cited)
            ],
        }

    def actors_index(self, page: _Page) -> tuple[str, str]:
        groups = []
        for kind in models.ACTOR_KINDS:
            actors = [a for a in self.by_kind["actor"] if a.data.kind == kind]
            if actors:
                actors.sort(key=lambda a: (a.data.name.casefold(), a.id))
                groups.append((KIND_LABELS[kind], actors))
        return self._render(page, "actors_index.md.j2", groups=groups), "Actors"

    def quotes_index(self, page: _Page) -> tuple[str, str]:
        by_speaker: dict[str, list[Record]] = defaultdict(list)
        for quote in self.quotes:
            by_speaker[quote.data.speaker].append(quote)
        speakers = sorted(by_speaker, key=lambda s: (self.name(self.record(s)).casefold(), s))
        text = self._render(
            page,
            "quotes_index.md.j2",
            by_speaker=[
                (self.record(s), [self._quote_line(page, q) for q in by_speaker[s]])
                for s in speakers
            ],
            by_date=[self._quote_line(page, q, speaker=True) for q in self.quotes],
        )
        return text, "Quotes"

    def _quote_line(self, page: _Page, quote: Record, *, speaker: bool = False) -> Markup:
        def build() -> list[str]:
            who = self.record(quote.data.speaker) if speaker else None
            line = self.env.get_template("quote_line.md.j2").render(
                page=TemplatePage(page), quote=quote, speaker=who
            )
            return [line.strip("\n")]

        key = ("quote", page.path, quote.id, str(speaker))
        return Markup(self.fragment(key, quote, build)[0])

    def sources_index(self, page: _Page) -> tuple[str, str]:
        by_publisher: dict[str, list[Record]] = defaultdict(list)
        for source in self.by_kind["source"]:
            by_publisher[source.data.publisher or ""].append(source)
        groups = [
            (
                publisher,
                sorted(
                    by_publisher[publisher],
                    key=lambda s: (
                        s.data.published.sort_key if s.data.published else (date.max,),
                        s.id,
                    ),
                ),
            )
            for publisher in sorted(by_publisher, key=lambda p: (p == "", p.casefold()))
        ]
        return self._render(page, "sources_index.md.j2", groups=groups), "Sources"

    def tags_index(self, page: _Page) -> tuple[str, str]:
        tags = [(tag, tag_page(tag), len(self.tags[tag])) for tag in sorted(self.tags)]
        return self._render(page, "tags_index.md.j2", tags=tags), "Tags"

    def tag_page(self, page: _Page, tag: str) -> tuple[str, str]:
        groups = []
        for kind in ("event", "actor", "quote", "source"):
            records = [r for r in self.tags[tag] if r.kind == kind]
            if records:
                records.sort(key=lambda r: (self.name(r).casefold(), r.id))
                groups.append((KIND[kind].title, records))
        return self._render(page, "tag.md.j2", tag=tag, groups=groups), f"Tag: {tag}"

    def data_page(self, page: _Page) -> tuple[str, str]:
        schemas = [
            (kind, "case.yml" if kind == "case" else with_article(kind) + " record")
            for kind in record_schemas()
        ]
        return self._render(page, "data.md.j2", schemas=schemas), "Data"


def _front(body: str, front: dict[str, object]) -> str:
    """A page with front matter for MkDocs. It never holds record text: Material prints some
    of it unescaped."""
    head = "\n".join(f"{k}: {json.dumps(v, sort_keys=True)}" for k, v in front.items())
    return f"---\n{head}\n---\n\n{body}"


def _highlight(paragraph: str, spans: list[Span]) -> str:
    """A paragraph as HTML text with the cited spans marked."""
    out: list[str] = []
    at = 0
    for span in spans:
        start, end = span.start, span.end
        if start < at:
            start = at
        if start >= end:
            continue
        out.append(attr(paragraph[at:start]))
        out.append(f"<mark>{attr(paragraph[start:end])}</mark>")
        at = end
    out.append(attr(paragraph[at:]))
    return "".join(out)


def _date_json(value: EdtfDate | None) -> dict[str, str] | None:
    if value is None:
        return None
    return {
        "edtf": value.text,
        "display": format_date(value),
        "earliest": value.earliest.isoformat() if value.start else "",
        "latest": value.latest.isoformat() if value.end else "",
    }


def _record_json(record: Record) -> dict[str, object]:
    data = record.data.model_dump(mode="json", exclude_none=True)
    for name, value in record.data:
        if isinstance(value, EdtfDate):
            data[name] = _date_json(value)
    if record.kind == "actor":
        for role_json, role in zip(data.get("roles", []), record.data.roles, strict=True):
            role_json["start"] = _date_json(role.start)
            role_json["end"] = _date_json(role.end)
    data = {k: v for k, v in data.items() if v is not None}
    return {"id": record.id, "file": record.path.name, **data}


def _dump(value: object, depth: int) -> str:
    """JSON as `json.dumps(indent=1, sort_keys=True)` writes it `depth` levels down."""
    text = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)
    return text.replace("\n", "\n" + " " * depth)  # JSON strings hold no raw newline


def export_json(case: Case, cache: PageCache | None = None) -> str:
    """The whole case file as JSON: normalised records, dates resolved (open ends empty).

    Byte for byte `json.dumps(..., indent=1, sort_keys=True)` of the whole; each record's
    entry is written on its own (and reused from `cache` while the record is unchanged).
    """
    entries: dict[str, tuple[Record, str]] = {}
    known = cache.json if cache is not None else {}
    lists: dict[str, list[str]] = {}
    for kind_info in KIND_LIST:
        kind, plural = kind_info.name, kind_info.folder
        items = []
        for record in sorted(case.of_kind(kind), key=lambda r: r.id):
            entry = known.get(record.id)
            if entry is None or entry[0] is not record:
                entry = (record, _dump(_record_json(record), 2))
            entries[record.id] = entry
            items.append("  " + entry[1])
        lists[plural] = items
    if cache is not None:
        cache.json = entries
    fields = {
        "case": _dump(case.meta.model_dump(mode="json", exclude_none=True), 1),
        "format": json.dumps(FORMAT_VERSION),
    }
    for plural, items in lists.items():
        fields[plural] = "[\n" + ",\n".join(items) + "\n ]" if items else "[]"
    body = ",\n".join(f" {json.dumps(name)}: {fields[name]}" for name in sorted(fields))
    return "{\n" + body + "\n}\n"


def render_site(
    case: Case,
    *,
    directory_urls: bool | None = True,
    hand_written: frozenset[str] = frozenset(),
    cache: PageCache | None = None,
    custom_dir: Path | None = None,
) -> Site:
    """Every generated file of the site, by path.

    `directory_urls` says how MkDocs will address pages (its `use_directory_urls`), for the
    few links inside raw HTML; None writes `.md` links there too, for other engines.
    `cache` (kept by `mkdocs serve`) skips record pages whose inputs did not change.
    `custom_dir` is the theme's custom_dir: templates in its `casefile/` folder replace ours.
    """
    renderer = Renderer(
        case,
        directory_urls=directory_urls,
        hand_written=hand_written,
        cache=cache,
        custom_dir=custom_dir,
    )
    return renderer.render()
