"""The pages' views: for each page, the facts its template needs (records, dates, matches),
computed from the checked case through the renderer's tracked reads. No markup and no words
live here; they are in `templates/`.

A record kind's page is found in `RECORD_VIEWS`: a new page type is a view method here, a
template, and (for a new record kind) a row in the kind registry.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from functools import partial
from itertools import pairwise
from typing import TYPE_CHECKING

from jinja2 import Template
from markupsafe import Markup

from . import models
from .checker import event_sort_key
from .citations import BIB_PATH, CSL_PATH, bibtex_entry, source_citation_path
from .dates import EdtfDate
from .downloads import Extras, commit_day, last_change
from .escape import attr, with_article
from .export import SCHEMA_PATH
from .feeds import CHANGES_FEED, CHANGES_LIMIT, EVENTS_FEED, anchor
from .figures import Item, Node, activity_strip, connections, source_strip, timeline_overview
from .models import KIND
from .placement import Group as DateGroup
from .records import Record
from .schema import record_schemas
from .site_paths import page_of, quote_title, tag_page
from .tables import PACKAGE_PATH, TABLES, cells, event_row
from .templating import TemplatePage, tidy
from .textmatch import PassageMatch, Span

if TYPE_CHECKING:
    from .site_paths import _Page

KIND_LABELS = {
    "person": "People",
    "organization": "Organizations",
    "government": "Governments",
    "group": "Groups",
    "anonymous": "Unnamed sources and officials",
    "other": "Others",
}


# A generated list page's HTML body is kept under this many bytes: longer lists are split
# into parts (by year, or in pieces), so that no page is over 300 KB with the theme's frame
# (about 20 KB, more with a long navigation).
PAGE_BUDGET = 200_000
NAV_PARTS, NAV_NEAR = 100, 5  # a timeline in more parts links each to its neighbours and years
PART_OF_YEAR = ", part "  # in the label of a year's second part and after ("2020, part 2")
FORM_BYTES = 1_000  # the timeline's filter form without its options, a little over
LIST_PART = 1000  # entries on one page of a list (a linked name is 150 to 200 bytes)
CHANGES_FILES = 100  # files listed under one commit on the Recent changes page


class PageViews:
    """The page builders, mixed into `pages.Renderer`, whose reads they go through."""

    # Pages a section view adds besides its own (the parts of a long list): (path, text, title).
    extra_pages: list[tuple[str, str, str]]
    # The events in their timeline groups (placement.py), in list order: made once, by the
    # renderer, which lists events in this order everywhere.
    event_groups: list[tuple[DateGroup, list[Record]]]
    # Where each timeline group (by its anchor) is: the page that lists it.
    timeline_pages: dict[str, str]
    # The history and settings the site is built with, and the downloads by path.
    extras: Extras
    downloads: dict[str, str]
    # The templates this render has looked up, by name.
    templates: dict[str, Template]

    def _render(self, page: _Page, template: str, **context: object) -> str:
        """A page from its template: the view hands over facts, the template writes."""
        return tidy(self._template(template).render(page=TemplatePage(page), **context))

    def _template(self, name: str) -> Template:
        """A template, looked up once per render (a lookup checks the file's time)."""
        found = self.templates.get(name)
        if found is None:
            found = self.templates[name] = self.env.get_template(name)
        return found

    def home(self, page: _Page) -> tuple[str, str]:
        weight = Counter(
            {a.id: len(self.case.backrefs.get(a.id, ())) for a in self.by_kind["actor"]}
        )
        key_actors = sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))[:8]
        text = self._render(
            page,
            "home.html.j2",
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
        """The timeline on one page, or (when longer than `PAGE_BUDGET`) an overview page
        and one page per period, packed by year, in the folder `timeline/`."""
        groups = self._timeline_groups()
        parted = self.page_at("timeline/part.md")  # every part is in one folder: same links
        entries = {e.id: self._timeline_fragment(parted, e) for g in groups for e in g[3]}
        items = {rid: text for rid, (text, _) in entries.items()}
        # In bytes, as served, with the options each event adds to its page's filter form.
        sizes = [sum(entries[e.id][1] for e in g[3]) for g in groups]
        budget = PAGE_BUDGET - FORM_BYTES
        if sum(sizes) <= budget:
            filters = self._filters(self.events)
            form = self._form(filters)
            self.timeline_pages = {g[2]: page.path for g in groups}
            marked = _year_starts_marked([(g, False) for g in groups])
            mine = [self._group_view(page, g, first) for (g, _), first in marked]
            text = self._render(
                page,
                "timeline.html.j2",
                title="Timeline",
                chart=self._timeline_chart(page, {g[0]: page.path for g in groups}),
                form=form,
                groups=mine,
                parts=[],
                count=len(self.events),
                overview=False,
            )
            return text, "Timeline"
        parts = _pack_by_year(groups, sizes, budget)
        listing = self._timeline_parts(parts, items)
        years: dict[int, str] = {}
        for _, path, chunk in parts:
            for group, _ in chunk:
                years.setdefault(group[0], path)
        text = self._render(
            page,
            "timeline.html.j2",
            title="Timeline",
            chart=self._timeline_chart(page, years),
            form="",
            groups=[],
            parts=[{**p, "current": False} for p in listing],
            count=len(self.events),
            overview=True,
        )
        return text, "Timeline"

    def _timeline_parts(
        self,
        parts: list[tuple[str, str, list[tuple[Group, bool]]]],
        items: dict[str, str],
    ) -> list[dict[str, object]]:
        """Render each part of a split timeline (an extra page); the list of the parts.
        Each part's filter form offers the values of its own events. A part is made again
        only when what it shows differs from the last render's."""
        self.timeline_pages = {}
        listing = []
        for label, path, chunk in parts:
            for group, _ in chunk:
                self.timeline_pages.setdefault(group[2], path)
            count = sum(len(g[3]) for g, _ in chunk)
            listing.append({"path": path, "label": label, "count": count})
        listing = self.same(("timeline parts",), listing)
        for index, (label, path, chunk) in enumerate(parts):
            filters = self._filters(e for group, _ in chunk for e in group[3])
            groups = tuple(
                (
                    group[0] if first else None,
                    group[1] + (" (continued)" if continued else ""),
                    group[2] + ("-continued" if continued else ""),
                    tuple(items[e.id] for e in group[3]),
                )
                for (group, continued), first in _year_starts_marked(chunk)
            )
            text = self.kept(
                ("timeline part", path),
                (label, groups, listing, index, filters),
                partial(self._timeline_part, path, label, groups, listing, index, filters),
            )
            self.extra_pages.append((path, text, f"Timeline: {label}"))
        return listing

    def _timeline_part(
        self,
        path: str,
        label: str,
        groups: tuple[tuple[int | None, str, str, tuple[str, ...]], ...],
        listing: list[dict[str, object]],
        index: int,
        filters: Filters,
    ) -> str:
        """One part of a split timeline: `groups` (year if the first of its year, label,
        anchor, items) of the parts `listing` names, the `index`th of them, with the form
        of `filters`."""
        return self._render(
            self.page_at(path),
            "timeline.html.j2",
            title=f"Timeline: {label}",
            chart="",
            form=self._form(filters),
            groups=[
                {"year": year, "label": text, "anchor": anchor, **_listed(list(items))}
                for year, text, anchor, items in groups
            ],
            parts=_parts_near(listing, index),
            count=sum(len(items) for *_, items in groups),
            overview=False,
        )

    def _timeline_groups(self) -> list[Group]:
        """The events in the groups `placement.grouped` files them under (a month, a year
        whose month is not known, or an open range's own group): (year of its heading,
        label, anchor, events), in list order."""
        return [
            (group.year, group.label, group.anchor, events) for group, events in self.event_groups
        ]

    def _timeline_chart(self, page: _Page, years: dict[int, str]) -> Markup:
        """The overview chart: each mark links to the list group holding its events (on
        this page, or on the part page `timeline_pages` names), each zoom link to the first
        page whose list shows that year or decade (`years`: year -> page)."""

        def link(target: str, anchor: str) -> str:
            return f"#{anchor}" if target == page.path else page.href(target, anchor)

        def href_of_zoom(first: int, last: int) -> str:
            year = next((y for y in sorted(years) if y >= first), max(years))
            return link(years[year], f"y{year}")

        return timeline_overview(
            self._dated_items(page, self.events, []),
            href_of_group=lambda anchor: link(self.timeline_pages[anchor], anchor),
            href_of_zoom=href_of_zoom,
        )

    def _dated_items(self, page: _Page, events: list[Record], quotes: list[Record]) -> list[Item]:
        """Events and dated quotes as the time figures draw them, linked to their pages."""
        items = [
            Item(e.id, self.name(e), "event", e.data.date, page.href(page_of(e)), e.data.status)
            for e in events
        ]
        for quote in quotes:
            when = self.quote_date(quote)
            if when is not None:
                items.append(
                    Item(quote.id, self.name(quote), "quote", when, page.href(page_of(quote)))
                )
        return items

    def _group_view(
        self, page: _Page, group: tuple[int, str, str, list[Record]], first_of_year: bool
    ) -> dict[str, object]:
        year, label, anchor, events = group
        return {
            "year": year if first_of_year else None,
            "label": label,
            "anchor": anchor,
            **_listed([self._timeline_fragment(page, e)[0] for e in events]),
        }

    def _timeline_fragment(self, page: _Page, event: Record) -> tuple[str, int]:
        """An event's entry on the timeline, and its size in bytes as served with the
        options it can add to its page's filter form (at most: an option once per page)."""

        def build() -> tuple[str, int]:
            text = self._timeline_item(page, event)
            return text, len(text.encode()) + _form_bytes(self._filters([event]))

        return self.memo(("timeline", page.path, event.id), event, build)

    def _filters(self, events: Iterable[Record]) -> Filters:
        """The filters of a timeline page: (name, label, [(value, text)]), each with the
        values the page's `events` have, no more. (A form of every actor on each of the
        1,464 parts of the timeline at 100,000 records was 600 KB a part.)"""
        taking_part: set[str] = set()
        tagged: set[str] = set()
        seen: set[str] = set()
        for event in events:
            taking_part.update(a for a, _ in self.actor_ids(event))
            tagged.update(event.data.tags)
            seen.add(event.data.status)
        names = {a: self.name(self.record(a)) for a in taking_part}
        # Two actors may share a name: the id breaks the tie, or set order (hash seeds) would.
        actors = sorted(taking_part, key=lambda rid: (names[rid].casefold(), rid))
        statuses = [s for s in models.STATUSES if s in seen]
        return (
            ("actor", "Actor", tuple((a, names[a]) for a in actors)),
            ("tag", "Tag", tuple((t, t) for t in sorted(tagged))),
            ("status", "Status", tuple((s, s) for s in statuses)),
        )

    def _form(self, filters: Filters) -> Markup:
        """The timeline's filter form (shown by its script) offering `filters`."""
        return Markup(self._template("timeline_filters.html.j2").render(filters=filters))

    def _timeline_item(self, page: _Page, event: Record) -> str:
        data = event.data
        actors = self.actor_ids(event)
        text = self._template("timeline_item.html.j2").render(
            page=TemplatePage(page),
            event=event,
            actors=[self.record(a) for a, _ in actors],
            actor_ids=" ".join(a for a, _ in actors),
            tag_list=" ".join(data.tags),
            quotes=len(self.referrers(event.id, "said-at")),
            sources=[self.record(s) for s in sorted({c[0] for c in self.citations_of(event)})],
            meaning=models.STATUS_MEANINGS[data.status],
            csv_row=json.dumps(cells(event_row(event)), ensure_ascii=False),
        )
        return text.strip("\n")

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
            "event.html.j2",
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
        return text, data.title

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
        citing: set[str] = set()
        for record in [*events, *said]:
            citing.update(c[0] for c in self.citations_of(record))
        text = self._render(
            page,
            "actor.html.j2",
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
            activity=activity_strip(self._dated_items(page, events, said), name=data.name),
            connections=self._connections(page, actor, events),
            events=events,
            said=[self._quote_view(q, speaker=False) for q in said],
            about=[self._quote_view(q, speaker=True) for q in about],
            members=sorted(self.referrers(actor.id, "organization"), key=lambda r: r.id),
            citing=[self.record(s) for s in sorted(citing)],
            **self._annotations(actor),
            ld={
                **self._ld_actor(actor),
                "alternateName": data.aliases or None,
                "description": self.plain(data.description) if data.description else None,
                "jobTitle": [r.title for r in data.roles] or None,
            },
        )
        return text, data.name

    def _connections(self, page: _Page, actor: Record, events: list[Record]) -> Markup:
        """The actors `actor` shares events with, weighted by how many (`figures.connections`)."""
        together: Counter[str] = Counter()
        for event in events:
            together.update({a for a, _ in self.actor_ids(event)} - {actor.id})

        def node(record: Record) -> Node:
            return Node(record.id, self.name(record), page.href(page_of(record)))

        return connections(node(actor), [(node(self.record(a)), n) for a, n in together.items()])

    def quote_page(self, page: _Page, quote: Record) -> tuple[str, str]:
        data = quote.data
        speaker = self.record(data.speaker)
        title = quote_title(speaker.data.name, data.text)
        when = self.quote_date(quote)
        text = self._render(
            page,
            "quote.html.j2",
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
        return text, title

    def _quote_view(self, quote: Record, *, speaker: bool) -> dict[str, object]:
        """What a quote block shows: who, when (never lent from the event), where it is
        verbatim in its source, or that it could not be checked."""
        data = quote.data
        source = self.record(data.source_id)
        found = self.placed(data.source_id, data.text, data.excerpt)
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
        """Each citation: the source, the paragraph its passage is in, the locator, and the
        excerpt (an event's passage; for a quote, the words around it that show who says
        it)."""
        views = []
        for source_id, locator, passage, excerpt in self.citations_of(record):
            found = self.placed(source_id, passage, excerpt)
            paragraph = f"paragraph {found.paragraph + 1}" if found else None
            where = [locator] if locator else []
            if paragraph and (locator or "").casefold() != paragraph:
                where.append(paragraph)
            views.append(
                {
                    "source": self.record(source_id),
                    "anchor": f"p-{found.paragraph + 1}" if found else "",
                    "where": where,
                    "excerpt": excerpt,
                }
            )
        return views

    def _annotations(self, record: Record) -> dict[str, object]:
        """What every record page ends with: where it is mentioned (the case's summary, on
        the home page, too), its notes, its tags, when it last changed (None without a
        history), and for a source how to cite it."""
        return {
            "mentions": sorted(self.referrers(record.id, "mentions"), key=lambda r: r.id),
            "in_summary": self.in_case_summary(record.id),
            "notes": record.data.notes,
            "tags": record.data.tags,
            "tag_pages": {t: tag_page(t) for t in record.data.tags},
            "changed": self._last_changed(record),
            "cite": self._cite(record) if record.kind == "source" else None,
        }

    def _last_changed(self, record: Record) -> dict[str, object] | None:
        """The day the record's files last changed, and that file's history on the host."""
        history, links = self.extras.history, self.extras.history_links
        found = last_change(history, record) if history else None
        if found is None:
            return None
        commit, yaml_file = found
        return {"date": commit_day(commit), "url": links(yaml_file) if links else None}

    def _cite(self, source: Record) -> dict[str, object]:
        """A source's citation files, and its BibTeX entry to show."""
        return {
            "bib": source_citation_path(source.id, "bib"),
            "csl": source_citation_path(source.id, "csl.json"),
            "bibtex": bibtex_entry(source),
        }

    def source_page(self, page: _Page, source: Record) -> tuple[str, str]:
        data = source.data
        citing = self.referrers(source.id, "cites")
        events = sorted((r for r in citing if r.kind == "event"), key=event_sort_key)
        quotes = sorted((r for r in citing if r.kind == "quote"), key=self._quote_key)
        text = self._render(
            page,
            "source.html.j2",
            source=source,
            urls=[
                (label, url)
                for label, url in (("Link", data.url), ("Archived copy", data.archive_url))
                if url
            ],
            strip=source_strip(self._dated_items(page, events, quotes), name=data.title),
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
        be published; None when the source has no text. Of a text that is not published, a
        quote's words come with its excerpt where it has one (the words that show who says
        it), joined where they share a paragraph; of a published text, the quote's own words
        are marked."""
        cited: dict[int, list[tuple[Record, PassageMatch]]] = defaultdict(list)
        public = source.data.text_public
        for record in citing:
            for source_id, _, passage, excerpt in self.citations_of(record):
                if source_id != source.id:
                    continue
                words = self.placed(source_id, passage, excerpt)
                around = None if public or excerpt in (None, passage) else excerpt
                for found in _joined([words, self.match(source_id, around)]):
                    if (record, found) not in cited[found.paragraph]:
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
                        (_cited_words(paragraphs[index], found.spans), rec)
                        for rec, found in cited[index]
                    ],
                )
                for index in sorted(cited)
            ],
        }

    def actors_index(self, page: _Page) -> tuple[str, str]:
        def entries() -> list[tuple[str, Record]]:
            found: list[tuple[str, Record]] = []
            every = self.of_kind("actor")
            for kind in models.ACTOR_KINDS:
                actors = [a for a in every if a.data.kind == kind]
                actors.sort(key=lambda a: (a.data.name.casefold(), a.id))
                found.extend((KIND_LABELS[kind], a) for a in actors)
            return found

        return self._in_parts(page, "actors_index.html.j2", "Actors", entries, "actors/all"), (
            "Actors"
        )

    def quotes_index(self, page: _Page) -> tuple[str, str]:
        """Quotes by speaker and by date on one page; when that is longer than
        `PAGE_BUDGET`, the speakers with their counts (each speaker's page lists their
        quotes) and the quotes by date in parts, by year, in `quotes/by-date/`."""
        by_speaker: dict[str, list[Record]] = defaultdict(list)
        for quote in self.quotes:
            by_speaker[quote.data.speaker].append(quote)
        speakers = sorted(by_speaker, key=lambda s: (self.name(self.record(s)).casefold(), s))
        parted = self.page_at("quotes/by-date/part.md")
        lines = [self._quote_line(parted, q, speaker=True) for q in self.quotes]
        if 2 * sum(len(line) for line in lines) <= PAGE_BUDGET:
            text = self._render(
                page,
                "quotes_index.html.j2",
                title="Quotes",
                by_speaker=[
                    (
                        self.record(s),
                        len(by_speaker[s]),
                        [self._quote_line(page, q) for q in by_speaker[s]],
                    )
                    for s in speakers
                ],
                by_date=[self._quote_line(page, q, speaker=True) for q in self.quotes],
                parts=[],
            )
            return text, "Quotes"
        listing = self._quote_parts(lines)
        counts = tuple((self.record(s), len(by_speaker[s]), None) for s in speakers)
        text = self.kept(
            ("quotes index", page.path),
            (counts, listing),
            partial(
                self._render,
                page,
                "quotes_index.html.j2",
                title="Quotes",
                by_speaker=list(counts),
                by_date=[],
                parts=[{**p, "current": False} for p in listing],
            ),
        )
        return text, "Quotes"

    def _quote_parts(self, lines: list[Markup]) -> list[dict[str, object]]:
        """Render the parts of the quotes by date (extra pages); the list of the parts."""
        groups = [
            (year, [(q, lines[i]) for i, q in quotes])
            for year, quotes in _by_year(self.quotes, self.quote_date)
        ]
        parts = _pack_lines(groups, "quotes/by-date", PAGE_BUDGET)
        listing = [{"path": p, "label": label, "count": len(chunk)} for label, p, chunk in parts]
        listing = self.same(("quote parts",), listing)
        for index, (label, path, chunk) in enumerate(parts):
            text = self.kept(
                ("quote part", path),
                (label, tuple(chunk), listing, index),
                partial(
                    self._render,
                    self.page_at(path),
                    "quotes_index.html.j2",
                    title=f"Quotes: {label}",
                    by_speaker=[],
                    by_date=chunk,
                    parts=[{**p, "current": i == index} for i, p in enumerate(listing)],
                ),
            )
            self.extra_pages.append((path, text, f"Quotes: {label}"))
        return listing

    def _quote_line(self, page: _Page, quote: Record, *, speaker: bool = False) -> Markup:
        def build() -> str:
            who = self.record(quote.data.speaker) if speaker else None
            line = self._template("quote_line.html.j2").render(
                page=TemplatePage(page), quote=quote, speaker=who
            )
            return line.strip("\n")

        key = ("quote", page.path, quote.id, str(speaker))
        return Markup(self.memo(key, quote, build))

    def sources_index(self, page: _Page) -> tuple[str, str]:
        def entries() -> list[tuple[str, Record]]:
            by_publisher: dict[str, list[Record]] = defaultdict(list)
            for source in self.of_kind("source"):
                by_publisher[source.data.publisher or ""].append(source)
            return [
                (publisher, source)
                for publisher in sorted(by_publisher, key=lambda p: (p == "", p.casefold()))
                for source in sorted(
                    by_publisher[publisher],
                    key=lambda s: (
                        s.data.published.sort_key if s.data.published else (date.max,),
                        s.id,
                    ),
                )
            ]

        folder = "sources/all"
        return self._in_parts(page, "sources_index.html.j2", "Sources", entries, folder), (
            "Sources"
        )

    def tags_index(self, page: _Page) -> tuple[str, str]:
        tags = [(tag, tag_page(tag), len(self.tags[tag])) for tag in sorted(self.tags)]
        return self._render(page, "tags_index.html.j2", tags=tags), "Tags"

    def tag_page(self, page: _Page, tag: str) -> tuple[str, str]:
        """A tag's records by kind (in numbered parts when long: `tags/<tag>/2.md`, ...)."""

        def records() -> list[tuple[str, Record]]:
            found: list[tuple[str, Record]] = []
            tagged = self.tagged(tag)
            for kind in ("event", "actor", "quote", "source"):
                of_kind = [r for r in tagged if r.kind == kind]
                of_kind.sort(key=lambda r: (self.name(r).casefold(), r.id))
                found.extend((KIND[kind].title, r) for r in of_kind)
            return found

        title = f"Tag: {tag}"
        folder = page.path[:-3]
        return self._in_parts(page, "tag.html.j2", title, records, folder, tag=tag), title

    def _in_parts(
        self,
        page: _Page,
        template: str,
        title: str,
        entries: Callable[[], list[tuple[str, Record]]],
        folder: str,
        **context: object,
    ) -> str:
        """A list of (heading, record) on one page, or in numbered parts of `LIST_PART`
        entries (`<folder>/2.md`, ...: extra pages) with plain links between them; the
        first page's text. The template gets `groups` [(heading, [record])] and `parts`.
        The pages are kept while the records `entries()` reads are unchanged."""
        text, parts = self.memo(
            ("list", page.path),
            None,
            lambda: self._parts_of(page, template, title, entries(), folder, context),
        )
        self.extra_pages.extend(parts)
        return text

    def _parts_of(
        self,
        page: _Page,
        template: str,
        title: str,
        entries: list[tuple[str, Record]],
        folder: str,
        context: dict[str, object],
    ) -> tuple[str, list[tuple[str, str, str]]]:
        """`_in_parts`' pages: the first one's text, and the others (path, text, title)."""
        chunks = [entries[i : i + LIST_PART] for i in range(0, len(entries), LIST_PART)] or [[]]
        paths = [page.path] + [f"{folder}/{n}.md" for n in range(2, len(chunks) + 1)]
        listing = [
            {"path": p, "label": f"part {n}", "count": len(c)}
            for n, (p, c) in enumerate(zip(paths, chunks, strict=True), start=1)
        ]
        texts, extra = [], []
        for index, (path, chunk) in enumerate(zip(paths, chunks, strict=True)):
            groups: list[tuple[str, list[Record]]] = []
            for heading, record in chunk:
                if not groups or groups[-1][0] != heading:
                    groups.append((heading, []))
                groups[-1][1].append(record)
            texts.append(
                self._render(
                    page if index == 0 else self.page_at(path),
                    template,
                    groups=groups,
                    parts=[{**p, "current": i == index} for i, p in enumerate(listing)],
                    **context,
                )
            )
            if index:
                extra.append((path, texts[-1], f"{title} (part {index + 1})"))
        return texts[0], extra

    def data_page(self, page: _Page) -> tuple[str, str]:
        """Every download with its size (the downloads are made before the pages)."""
        schemas = [
            (kind, "case.yml" if kind == "case" else with_article(kind) + " record")
            for kind in record_schemas()
        ]
        text = self._render(
            page,
            "data.html.j2",
            schemas=schemas,
            sizes={path: _utf8_size(text) for path, text in self.downloads.items()},
            tables=[(t.path, t.name, t.title) for t in TABLES],
            package=PACKAGE_PATH,
            citations=(CSL_PATH, BIB_PATH),
            casefile_schema=SCHEMA_PATH,
            feeds=[p for p in (EVENTS_FEED, CHANGES_FEED) if p in self.downloads],
        )
        return text, "Data"

    def changes_page(self, page: _Page) -> tuple[str, str] | None:
        """The commits that changed the records, newest first (the last `CHANGES_LIMIT`), each
        with the records it added, changed or deleted; None without a history."""
        history = self.extras.history
        if history is None:
            return None
        commits = []
        for commit in history.commits[:CHANGES_LIMIT]:
            changes = []
            for change in commit.changes[:CHANGES_FILES]:
                found = change.record
                record = self.case.records.get(found[1]) if found else None
                if record is not None and found is not None and record.kind != found[0]:
                    record = None
                linked = record if change.status != "deleted" else None
                changes.append({"status": change.status, "record": linked, "path": change.path})
            commits.append(
                {
                    "anchor": anchor(commit),
                    "subject": commit.subject,
                    "short": commit.short,
                    "date": commit_day(commit),
                    "changes": changes,
                    "more": max(len(commit.changes) - CHANGES_FILES, 0),
                }
            )
        text = self._render(
            page,
            "changes.html.j2",
            commits=commits,
            total=len(history.commits),
            shallow=history.shallow,
            feed=CHANGES_FEED,
        )
        return text, "Recent changes"


Group = tuple[int, str, str, list[Record]]
# A timeline page's filters: (name, label, ((value, text), ...)), as its form offers them.
Filters = tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]


def _utf8_size(text: str) -> int:
    """How many bytes `text` takes in UTF-8 (without encoding it, when it is ASCII)."""
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def _listed(items: list[str]) -> dict[str, object]:
    """Rendered items of a list, for a template: each, and all of them one a line (the body
    of the list, joined here rather than by a loop of the template, for long lists)."""
    return {"items": [Markup(item) for item in items], "body": Markup("\n".join(items))}


def _year_starts_marked(
    chunk: list[tuple[Group, bool]],
) -> list[tuple[tuple[Group, bool], bool]]:
    seen: set[int] = set()
    out = []
    for entry in chunk:
        out.append((entry, entry[0][0] not in seen))
        seen.add(entry[0][0])
    return out


def _pack_by_year(
    groups: list[Group], sizes: list[int], budget: int
) -> list[tuple[str, str, list[tuple[Group, bool]]]]:
    """The timeline's parts: consecutive years share a page while they fit in `budget`; a
    year too long for one page is cut between events into pages of its own. Each part is
    (label, path, [(group, whether it continues from the part before)])."""
    years: dict[int, list[tuple[Group, int]]] = defaultdict(list)
    for group, size in zip(groups, sizes, strict=True):
        years[group[0]].append((group, size))
    parts: list[tuple[str, str, list[tuple[Group, bool]]]] = []
    pending: list[tuple[int, list[tuple[Group, int]]]] = []

    def flush() -> None:
        if not pending:
            return
        first, last = pending[0][0], pending[-1][0]
        label = str(first) if first == last else f"{first}\u2013{last}"
        chunk = [(g, False) for _, year in pending for g, _ in year]
        parts.append((label, f"timeline/{first}.md", chunk))
        pending.clear()

    for year, year_groups in years.items():
        total = sum(size for _, size in year_groups)
        if total > budget:
            flush()
            parts.extend(_cut_year(year, year_groups, budget))
            continue
        if pending and sum(s for _, y in pending for _, s in y) + total > budget:
            flush()
        pending.append((year, year_groups))
    flush()
    return parts


def _parts_near(listing: list[dict[str, object]], index: int) -> list[dict[str, object]]:
    """The parts a part of the timeline links to: all of them, or (more than `NAV_PARTS`)
    the first part of each year and the parts next to this one; the overview page lists
    them all. (At 100,000 records the timeline has some 1,500 parts: every part linking
    every other, twice, was 4.3 million links and 83 s of the build.)"""
    near = len(listing) <= NAV_PARTS
    return [
        {**part, "current": i == index}
        for i, part in enumerate(listing)
        if near or abs(i - index) <= NAV_NEAR or PART_OF_YEAR not in str(part["label"])
    ]


def _form_bytes(filters: Filters) -> int:
    """About how many bytes the options of `filters` take in the filter form (an option
    is its value, its text and some 30 bytes of markup)."""
    return sum(len(v.encode()) + len(t.encode()) + 30 for _, _, o in filters for v, t in o)


def _cut_year(
    year: int, year_groups: list[tuple[Group, int]], budget: int
) -> list[tuple[str, str, list[tuple[Group, bool]]]]:
    """A year too long for one page, cut between events into pages of about `budget`."""
    pieces: list[list[tuple[Group, bool]]] = [[]]
    used = 0
    for group, size in year_groups:
        events, each = group[3], size // max(len(group[3]), 1)
        continued = False
        for event in events:
            if used + each > budget and pieces[-1]:
                pieces.append([])
                used = 0
            if pieces[-1] and pieces[-1][-1][0][2] == group[2]:
                pieces[-1][-1][0][3].append(event)
            else:
                pieces[-1].append(((group[0], group[1], group[2], [event]), continued))
                continued = True
            used += each
    return [
        (
            str(year) if n == 1 else f"{year}{PART_OF_YEAR}{n}",
            f"timeline/{year}.md" if n == 1 else f"timeline/{year}-{n}.md",
            piece,
        )
        for n, piece in enumerate(pieces, start=1)
    ]


def _by_year(
    records: list[Record], when: Callable[[Record], EdtfDate | None]
) -> list[tuple[int | None, list[tuple[int, Record]]]]:
    """(year, [(index, record)]) in the records' order; undated ones under None."""
    out: list[tuple[int | None, list[tuple[int, Record]]]] = []
    for index, record in enumerate(records):
        value = when(record)
        year = value.sort_key[0].year if value else None
        if not out or out[-1][0] != year:
            out.append((year, []))
        out[-1][1].append((index, record))
    return out


def _pack_lines(
    groups: list[tuple[int | None, list[tuple[Record, Markup]]]], folder: str, budget: int
) -> list[tuple[str, str, list[Markup]]]:
    """Lines grouped by year into parts under `budget` characters: consecutive years share a
    part while they fit; a long year is cut into pieces. (label, path, lines)."""
    parts: list[tuple[str, str, list[Markup]]] = []
    years: list[int | None] = []
    lines: list[Markup] = []

    def name(year: int | None) -> str:
        return "undated" if year is None else str(year)

    def flush(piece: int = 1) -> None:
        if not lines:
            return
        first, last = name(years[0]), name(years[-1])
        label = first if first == last else f"{first}\u2013{last}"
        if piece > 1:
            label, first = f"{label}, part {piece}", f"{first}-{piece}"
        parts.append((label, f"{folder}/{first}.md", list(lines)))
        years.clear()
        lines.clear()

    for year, found in groups:
        size = sum(len(line) for _, line in found)
        if lines and sum(len(x) for x in lines) + size > budget:
            flush()
        piece, used = 1, 0
        for _, line in found:
            if lines and used + len(line) > budget:
                flush(piece)
                piece, used = piece + 1, 0
            if not years or years[-1] != year:
                years.append(year)
            lines.append(line)
            used += len(line)
        if piece > 1:
            flush(piece)
    flush()
    return parts


def _joined(matches: Iterable[PassageMatch | None]) -> list[PassageMatch]:
    """The matches found, one per paragraph: the spans of those in one paragraph in order,
    overlapping ones merged (a quote inside its excerpt is shown once)."""
    by_paragraph: dict[int, list[Span]] = defaultdict(list)
    for found in matches:
        if found is not None:
            by_paragraph[found.paragraph].extend(found.spans)
    joined = []
    for paragraph, spans in by_paragraph.items():
        merged: list[Span] = []
        for span in sorted(spans, key=lambda s: (s.start, s.end)):
            if merged and span.start <= merged[-1].end:
                last = merged[-1]
                merged[-1] = Span(last.start, max(last.end, span.end))
            else:
                merged.append(span)
        joined.append(PassageMatch(paragraph, tuple(merged)))
    return joined


def _cited_words(paragraph: str, spans: tuple[Span, ...]) -> str:
    """The words of `spans` in `paragraph`, with " … " where words were left out between
    two (what is between them as it is, where that is only spaces and punctuation)."""
    out = [paragraph[spans[0].start : spans[0].end]]
    for before, span in pairwise(spans):
        gap = paragraph[before.end : span.start]
        out += [" … " if any(c.isalnum() for c in gap) else gap, paragraph[span.start : span.end]]
    return "".join(out)


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


# The site's own pages, in the navigation's order: (path, title in the navigation, view). A
# new one is a view method, a template and a row here.
SECTION_VIEWS = (
    ("index.md", "Home", PageViews.home),
    ("timeline.md", "Timeline", PageViews.timeline),
    ("actors/index.md", "Actors", PageViews.actors_index),
    ("quotes/index.md", "Quotes", PageViews.quotes_index),
    ("sources/index.md", "Sources", PageViews.sources_index),
    ("tags/index.md", "Tags", PageViews.tags_index),
    ("data.md", "Data", PageViews.data_page),
    ("changes.md", "Recent changes", PageViews.changes_page),  # absent without a history
)
SECTIONS = tuple((path, title) for path, title, _ in SECTION_VIEWS)

# The page of each record kind: a new kind's page is one more row (and its template).
RECORD_VIEWS = {
    "actor": PageViews.actor_page,
    "event": PageViews.event_page,
    "quote": PageViews.quote_page,
    "source": PageViews.source_page,
}
