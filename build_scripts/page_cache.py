"""What `mkdocs serve` keeps between rebuilds: every record page, and every piece of an index
page or a download that is made from a few records, each with what it read from the case, so
that after an edit only what read the edited records is made again.

What a page or a piece read is a set of keys: `record <id>` for a record (and its full
text), `referrers <id>` for the records that refer to one, `neighbours <id>` for the events
before and after an event, `kind <kind>` and `tag <tag>` for every record of a kind or with a
tag, `summary <id>` for whether the case's summary (case.yml's) links to a record. What
changed since the last render is a set of the same keys (`changes`), found once per render;
a kept piece is reused while the two are disjoint.

Records and full texts from the loader's cache are the same objects while their files are
unchanged (records.FileCache), so identity says which records changed.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TypeVar

from .models import wikilinks
from .records import Record

if TYPE_CHECKING:
    from .checker import Case
    from .dates import EdtfDate

T = TypeVar("T")
Key = str  # "record <id>", "referrers <id>", "neighbours <id>", "kind <kind>", "tag <tag>", …
# What a page or a piece read: a tuple of strings rather than a set, so that the garbage
# collector, which walks every set on every full collection, can leave tens of thousands be.
Reads = tuple[Key, ...]
Neighbours = tuple[Record | None, Record | None]


@dataclass(slots=True)
class PageCache:
    """Record pages, and pieces of the other pages and of the downloads, from the last
    render, each with what it was made from, for `mkdocs serve`: after an edit, only what
    read the edited records (or their back-references, or their place in a list) is made
    again. Pass the same cache to every render_site call of one process; the output is byte
    for byte what a fresh render gives.
    """

    settings: tuple[object, ...] | None = None
    summary_links: frozenset[str] = frozenset()  # the ids case.yml's summary linked to
    # The case as the last render saw it: its records, their full texts, and its events in
    # timeline order (what `changes` compares the next case with).
    records: dict[str, Record] = field(default_factory=dict)
    texts: dict[str, object] = field(default_factory=dict)
    events: list[Record] = field(default_factory=list)
    # Record pages by path: what each read, its text, its title and its YAML file.
    pages: dict[str, tuple[Reads, str, str, str]] = field(default_factory=dict)
    # Pieces, e.g. ("timeline", page, event id) -> that event's timeline entry. Each render
    # keeps only the pieces it used, each checked against that render's changes.
    fragments: dict[tuple[str, ...], tuple[Reads, object]] = field(default_factory=dict)
    rendered: list[str] = field(default_factory=list)  # record pages the last call rendered
    reused: int = 0  # record pages it took from the cache

    def clear(self) -> None:
        """Forget everything (a render failed half way: what is kept may not agree)."""
        self.settings, self.summary_links = None, frozenset()
        self.records, self.texts, self.events, self.pages, self.fragments = {}, {}, [], {}, {}


def changes(cache: PageCache, case: Case, events: list[Record]) -> set[Key]:
    """The keys of what differs between `case` (its events in timeline order: `events`) and
    the case the last render saw; and note `case` as the one this render sees."""
    before, now = cache.records, case.records
    texts = {rid: r.text for rid, r in now.items() if r.text is not None}
    changed = set(before.keys() ^ now.keys())
    changed.update(rid for rid, record in now.items() if before.get(rid, record) is not record)
    old_texts = cache.texts
    changed.update(
        r for r in old_texts.keys() | texts.keys() if old_texts.get(r) is not texts.get(r)
    )
    keys: set[Key] = set()
    if changed:
        for rid in changed:
            keys.add("record " + rid)
            keys.add("referrers " + rid)
            for version in (before.get(rid), now.get(rid)):
                if version is not None:
                    keys.update(_membership(version))
        # A changed record may now refer to a record it did not: that one's referrers differ.
        # (Those it no longer refers to listed it, so what read them read it too.)
        keys.update("referrers " + r.target for r in case.references if r.origin in changed)
    keys.update("neighbours " + event_id for event_id in _moved(cache.events, events))
    linked = frozenset(wikilinks(case.meta.summary))
    keys.update("summary " + record_id for record_id in linked ^ cache.summary_links)
    cache.records, cache.texts, cache.events = dict(now), texts, list(events)
    cache.summary_links = linked
    return keys


def _moved(old: list[Record], new: list[Record]) -> Iterator[str]:
    """The events of `new` whose neighbours (the events before and after them) are other
    objects than in `old`, and the events of `old` that `new` has not."""
    if len(old) == len(new) and all(map(operator.is_, old, new)):
        return
    at = {e.id: i for i, e in enumerate(old)}
    for i, event in enumerate(new):
        j = at.pop(event.id, None)
        if j is None or _next_to(old, j) != _next_to(new, i):
            yield event.id
    yield from at  # gone


def _next_to(events: list[Record], index: int) -> tuple[int, int]:
    """The identities of the events before and after the one at `index` (0: none)."""
    before = id(events[index - 1]) if index > 0 else 0
    after = id(events[index + 1]) if index + 1 < len(events) else 0
    return before, after


def _membership(record: Record) -> Iterable[Key]:
    """The lists a record is in: its kind's, and each of its tags'."""
    yield "kind " + record.kind
    for tag in record.data.tags:
        yield "tag " + tag


class Reader(Protocol):
    """How the downloads read the case: `find` a record by id, the events in date order, and
    `memo` a piece made from a record (the renderer notes what each piece read, and keeps it
    while that is unchanged)."""

    def find(self, record_id: str) -> Record | None: ...

    def events_by_date(self) -> list[Record]: ...

    def memo(self, key: tuple[str, ...], record: Record, build: Callable[[], T]) -> T: ...


class Direct:
    """A `Reader` for a one-off build: reads the case as it is and keeps nothing."""

    def __init__(self, case: Case) -> None:
        self.case = case

    def find(self, record_id: str) -> Record | None:
        return self.case.records.get(record_id)

    def events_by_date(self) -> list[Record]:
        return self.case.events

    def memo(self, key: tuple[str, ...], record: Record, build: Callable[[], T]) -> T:
        return build()


class Tracker:
    """The renderer's reads of the case: each noted while a page or a piece is being made, so
    that the cache knows what it depends on; and the pieces kept in the cache: `memo` for
    what is made from records (kept while what it read is unchanged), `kept` for what is
    made from other pieces (kept while they are the same)."""

    events: list[Record]  # in timeline order
    event_index: dict[str, int]
    tags: dict[str, list[Record]]
    by_kind: dict[str, list[Record]]

    def __init__(self, case: Case, cache: PageCache | None) -> None:
        self.case = case
        self.cache = cache
        self._reads: set[Key] | None = None  # what the page or piece being made read so far
        self._changed: frozenset[Key] = frozenset()  # what changed since the last render
        self._old: dict[tuple[str, ...], tuple[Reads, object]] = {}  # the last render's pieces
        self._noted = False  # whether `_changed` is known yet
        self._summary_links: frozenset[str] | None = None  # the ids case.yml's summary links

    def begin(self, cache: PageCache, settings: tuple[object, ...]) -> None:
        """Ready `cache` for this render: all of it forgotten if the settings differ from
        the last render's. (Then `note_changes`, once the events' order is known.)"""
        if cache.settings != settings:
            cache.clear()
            cache.settings = settings
        self._old, cache.fragments = cache.fragments, {}
        cache.rendered, cache.reused = [], 0

    def note_changes(self, events: list[Record]) -> None:
        """Find what changed in the case since the last render (`events`: in timeline
        order); until then, `memo` takes nothing from the last render."""
        assert self.cache is not None
        self._changed = frozenset(changes(self.cache, self.case, events))
        self._noted = True

    def unchanged(self, reads: Reads) -> bool:
        """Whether nothing `reads` names changed since the last render."""
        return self._changed.isdisjoint(reads)

    # -- reading the case (noted, so the page cache knows what a page depends on) -----------
    # (Each checks `_reads` before it makes a key: without a cache, nothing is noted.)
    def record(self, record_id: str) -> Record:
        record = self.case.records[record_id]
        if self._reads is not None:
            self._reads.add("record " + record_id)
        return record

    def find(self, record_id: str) -> Record | None:
        if self._reads is not None:
            self._reads.add("record " + record_id)
        return self.case.records.get(record_id)

    def referrers(self, target: str, *relations: str) -> list[Record]:
        found = self.case.referrers(target, *relations)
        if self._reads is not None:
            self._reads.add("referrers " + target)
            self._reads.update("record " + r.id for r in found)
        return found

    def in_case_summary(self, record_id: str) -> bool:
        """Whether the case's summary (on the home page) links to the record."""
        if self._reads is not None:
            self._reads.add("summary " + record_id)
        if self._summary_links is None:
            self._summary_links = frozenset(wikilinks(self.case.meta.summary))
        return record_id in self._summary_links

    def neighbours(self, event: Record) -> Neighbours:
        """The events before and after `event` on the timeline."""
        if self._reads is not None:
            self._reads.add("neighbours " + event.id)
        index = self.event_index[event.id]
        before = self.events[index - 1] if index > 0 else None
        after = self.events[index + 1] if index + 1 < len(self.events) else None
        return before, after

    def tagged(self, tag: str) -> list[Record]:
        """The records with `tag`, in id order."""
        if self._reads is not None:
            self._reads.add("tag " + tag)
        return self.tags[tag]

    def of_kind(self, kind: str) -> list[Record]:
        """The records of `kind`, in id order."""
        if self._reads is not None:
            self._reads.add("kind " + kind)
        return self.by_kind[kind]

    # -- kept pieces ----------------------------------------------------------------------------
    def memo(self, key: tuple[str, ...], record: Record | None, build: Callable[[], T]) -> T:
        """`build()`, or what it gave last time while nothing it read changed (`key` names it,
        and everything besides the case that it depends on). Without a cache, `build()`."""
        if self.cache is None:
            return build()
        known = self._old.get(key) if self._noted else None
        if known is None or not self._changed.isdisjoint(known[0]):
            known = self.tracked(record, build)
        elif self._reads is not None:  # a piece of something being made: that read it too
            self._reads.update(known[0])
        self.cache.fragments[key] = known
        return known[1]  # type: ignore[return-value]  # what `build` gave for this key

    def kept(self, key: tuple[str, ...], inputs: tuple[object, ...], build: Callable[[], T]) -> T:
        """`build()`, or what it gave last time from equal `inputs`: for a page made of kept
        pieces and little else, `inputs` being everything it shows (the pieces kept from the
        last render are the same objects, so comparing them is quick)."""
        if self.cache is None:
            return build()
        assert self._reads is None, "what a page made from `inputs` reads is not noted"
        known = self._old.get(key)
        if known is None or known[0] != inputs:
            known = (inputs, build())
        self.cache.fragments[key] = known
        return known[1]  # type: ignore[return-value]  # what `build` gave for this key

    def same(self, key: tuple[str, ...], value: T) -> T:
        """`value`, or the equal value the last render had under `key`: the same object, so
        that `kept` finds what is made from it unchanged without comparing it again."""
        if self.cache is None:
            return value
        known = self._old.get(key)
        if known is None or known[1] != value:
            known = ((), value)
        self.cache.fragments[key] = known
        return known[1]  # type: ignore[return-value]  # equal to `value`

    def tracked(self, record: Record | None, build: Callable[[], T]) -> tuple[Reads, T]:
        """`build()`, and everything it read from the case (starting with `record`)."""
        outer, self._reads = self._reads, set()
        if record is not None:
            self._reads.add("record " + record.id)
        try:
            value = build()
        finally:
            reads, self._reads = tuple(self._reads), outer
        if outer is not None:
            outer.update(reads)
        return reads, value


def dated_ids(
    records: list[Record], when: Callable[[Record], EdtfDate | None]
) -> tuple[tuple[str, ...], tuple[EdtfDate | None, ...]]:
    """The records' ids and dates: what the order of dated records depends on."""
    return tuple(r.id for r in records), tuple(when(r) for r in records)
