"""Events that may be the same event: the `possible-duplicate` warning.

Two events look alike when their dates overlap (their earliest-to-latest day ranges share a
day; an open end reaches `OPEN_REACH` days) and

- their titles are equal after `normalise_title`, or
- they cite exactly the same set of sources and their titles are at least
  `SIMILAR_WITH_SAME_SOURCES` alike (`title_similarity`), or
- both dates span at most `NEAR_SPAN` days and their titles are near-identical: at least
  `NEAR_IDENTICAL` alike, sharing at least `NEAR_WORDS` of their words.

A pair is silent when either event lists the other in `not_duplicate_of`.

Nothing compares all pairs. The events are swept in order of their first day; those whose
days still include it are that day's bucket, indexed by normalised title, by source set and
(dates of at most NEAR_SPAN days only) by key word, see `_key_words`. Each event is judged
against the events of its bucket that share one of these keys, at most `MAX_COMPARISONS`.

Cost for n events: O(n log n) to sort and sweep, O(n * w) to index their words (w words a
title), and at most n * MAX_COMPARISONS judgements. A judgement is a set intersection and a
length test, and for the few that pass both, difflib's ratio (quadratic in the title's length
at worst). `make bench` measures it over 10 x N events built in memory.
"""

from __future__ import annotations

import difflib
import heapq
import math
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter
from pathlib import Path

from .findings import Finding
from .records import Memo, Record, Table

# difflib's ratio over normalised titles: 2 * matching characters / all characters. 0.8 is
# about one word in five changed, or a few typos.
NEAR_IDENTICAL = 0.8
# Near-identical titles also share at least half their words (the Jaccard index of the word
# sets): titles that only spell alike, such as "talks in Geneva" and "walks in Genoa" (82%),
# are not taken for one event, and the key-word index (`_key_words`) misses no pair.
NEAR_WORDS = 0.5
# Citing exactly the same sources is evidence of its own, so less title likeness is needed.
SIMILAR_WITH_SAME_SOURCES = 0.6
# Near-identical titles are looked for only between dates of at most two months: a vague
# date ("2022", "2022-03/2022-09") says little, and would put an event beside thousands.
# Such events are still compared by title and by source set, which costs a hash lookup.
NEAR_SPAN = 62
# An open end ("../2022-08-04", "2022-08-04/..") would overlap everything before or after
# it. Here it reaches a year past its known end, no further, so an open date meets the
# events of one year, not of the whole case file.
OPEN_REACH = 366
# Events judged against each event, at most: thousands of events on one day with titles
# alike stay linear. The same title is judged first, then the events that began last.
MAX_COMPARISONS = 200


class _Punctuation(dict[int, str | None]):
    """A `str.translate` table filled on first use: a dash or slash separates words, so it
    becomes a space; other punctuation is dropped, so 'U.S.' matches 'US' and "don't"
    matches 'dont'."""

    def __missing__(self, code: int) -> str | None:
        char = chr(code)
        category = unicodedata.category(char)
        value: str | None = char
        if category == "Pd" or char == "/":
            value = " "
        elif category.startswith("P"):
            value = None
        self[code] = value
        return value


_PUNCTUATION = _Punctuation()


def normalise_title(title: str) -> str:
    """NFKC, case-folded, punctuation dropped, whitespace collapsed."""
    folded = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(folded.translate(_PUNCTUATION).split())


def title_similarity(a: str, b: str) -> float:
    """difflib's ratio of two normalised titles, 0 to 1. Autojunk is off: it would ignore
    the frequent characters of titles over 200 characters long."""
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


@dataclass(slots=True)
class _Event:
    record: Record
    title: str
    words: frozenset[str]
    sources: tuple[str, ...]
    first: int  # ordinals of the first and last day it may have been, open ends clipped
    last: int
    apart: frozenset[str]  # not_duplicate_of
    narrow: bool = False  # its days span at most NEAR_SPAN
    own: tuple[tuple[str, object], ...] = ()  # its keys from itself: title, source set
    keys: list[tuple[str, object]] = field(default_factory=list)  # its keys in the bucket
    # Its place in the sweep, one order whatever the input order: the first and last day,
    # then its file and id.
    order: tuple[int, int, str, str] = (0, 0, "", "")


def _event(record: Record) -> _Event | None:
    """What the sweep reads of one event, from the event alone; None when its title says
    nothing (all punctuation)."""
    title = normalise_title(record.data.title)
    if not title:
        return None
    cited = {c if isinstance(c, str) else c.source for c in record.data.sources}
    first, last = _days(record)
    sources = tuple(sorted(cited))
    return _Event(
        record,
        title,
        frozenset(title.split()),
        sources,
        first,
        last,
        frozenset(record.data.not_duplicate_of),
        narrow=last - first < NEAR_SPAN,
        own=(("title", title), ("sources", sources)) if sources else (("title", title),),
        order=(first, last, record.path.as_posix(), record.id),
    )


def _days(record: Record) -> tuple[int, int]:
    value = record.data.date
    first, last = value.earliest.toordinal(), value.latest.toordinal()
    if value.start is None:
        first = max(first, last - OPEN_REACH)
    if value.end is None:
        last = min(last, first + OPEN_REACH, date.max.toordinal())
    return first, last


def _key_words(words: Iterable[str], rank: dict[str, int]) -> list[str]:
    """A title's rarest words, as many as prefix filtering needs: with one order of all words,
    two word sets with a Jaccard index of at least t share one of the first |x| - ceil(t|x|) + 1
    words of each. Rare words first keep each word's list in the index short."""
    ordered = sorted(words, key=rank.__getitem__)
    return ordered[: len(ordered) - math.ceil(NEAR_WORDS * len(ordered)) + 1]


def _prepare(events: Iterable[Record], kept: Table[_Event | None]) -> list[_Event]:
    """The events to sweep, in the sweep's order, each with its keys. What each reads of its
    record alone is taken from `kept` while the record is the very same object; the key
    words depend on every title, so they are picked again."""
    prepared = []
    for record in events:
        event = kept.get(id(record), (record,), lambda r=record: _event(r))
        if event is not None:
            event.keys = list(event.own)
            prepared.append(event)
    frequency = Counter(word for event in prepared if event.narrow for word in event.words)
    order = sorted(frequency, key=lambda word: (frequency[word], word))
    rank = {word: number for number, word in enumerate(order)}
    for event in prepared:
        if event.narrow:
            event.keys += [("word", word) for word in _key_words(event.words, rank)]
    # One order whatever the input order: the sweep, and so the result, depend on it.
    prepared.sort(key=attrgetter("order"))
    return prepared


class _Bucket:
    """The events whose days include the sweep's current day, by the keys they may share."""

    def __init__(self, events: list[_Event]) -> None:
        self.events = events
        self.ends: list[tuple[int, int]] = []  # (last day, event number): a heap
        self.index: dict[tuple[str, object], dict[int, None]] = {}  # dicts as ordered sets

    def add(self, number: int) -> None:
        event = self.events[number]
        heapq.heappush(self.ends, (event.last, number))
        for key in event.keys:
            self.index.setdefault(key, {})[number] = None

    def advance(self, day: int) -> None:
        """Drop the events whose last day is before `day`."""
        while self.ends and self.ends[0][0] < day:
            _, number = heapq.heappop(self.ends)
            for key in self.events[number].keys:
                entries = self.index[key]
                del entries[number]
                if not entries:
                    del self.index[key]

    def candidates(self, event: _Event) -> list[int]:
        """The events sharing a key with `event`, by number: the same title first, then the
        ones that began last (a larger number), at most MAX_COMPARISONS."""
        same = list(self.index.get(event.keys[0], ()))
        if len(same) >= MAX_COMPARISONS:
            return same[-MAX_COMPARISONS:]
        found: dict[int, None] = {}
        for key in event.keys[1:]:
            found.update(self.index.get(key, {}))
        rest = sorted(found.keys() - set(same), reverse=True)
        return same + rest[: MAX_COMPARISONS - len(same)]


def possible_duplicates(events: Iterable[Record], memo: Memo | None = None) -> list[Finding]:
    """A `possible-duplicate` warning for each pair of events that may be the same event.

    Each pair is reported once, on the event whose file path sorts later, with the other
    event's title as the related location. The result does not depend on the input order.
    With the checker's `memo`, what is read of each event alone is kept between checks.
    """
    memo = memo if memo is not None else Memo(keep=False)
    prepared = _prepare(events, memo.table("similar-events"))
    bucket = _Bucket(prepared)
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    findings: list[Finding] = []
    for number, event in enumerate(prepared):
        bucket.advance(event.first)
        for other in map(prepared.__getitem__, bucket.candidates(event)):
            if other.record.id in event.apart or event.record.id in other.apart:
                continue
            likeness = _likeness(other, event, matcher)
            if likeness:
                findings.append(_finding(other.record, event.record, likeness))
        bucket.add(number)
    findings.sort(key=lambda f: (f.location.path.as_posix(), f.message))
    return findings


# What makes two events look alike: the `likeness` phrase of `possible-duplicate` and the
# fields it reads. Empty when they do not.
Likeness = dict[str, object]


def _likeness(a: _Event, b: _Event, matcher: difflib.SequenceMatcher[str]) -> Likeness:
    """What makes `a` and `b`, whose days overlap, look alike, if they do."""
    if a.title == b.title:
        return {"likeness": "same-title"}
    same_sources = bool(a.sources) and a.sources == b.sources
    near = False
    if a.narrow and b.narrow:
        shared = len(a.words & b.words)
        near = shared >= NEAR_WORDS * (len(a.words) + len(b.words) - shared)
    if not (near or same_sources):
        return {}
    needed = SIMILAR_WITH_SAME_SOURCES if same_sources else NEAR_IDENTICAL
    # Upper bounds of the ratio, cheapest first: by the lengths, then by the characters.
    if 2 * min(len(a.title), len(b.title)) < needed * (len(a.title) + len(b.title)):
        return {}
    matcher.set_seq2(b.title)  # the same b for a run of a's: difflib keeps what it learnt
    matcher.set_seq1(a.title)
    if matcher.quick_ratio() < needed:
        return {}
    ratio = matcher.ratio()
    # Rounded down, so a pair is never shown as more alike than the threshold it passed.
    percent = math.floor(ratio * 100 + 1e-9)
    if near and ratio >= NEAR_IDENTICAL:
        return {"likeness": "near-title", "percent": percent}
    if same_sources and ratio >= SIMILAR_WITH_SAME_SOURCES:
        return {
            "likeness": "same-sources",
            "percent": percent,
            "cited": "many" if len(a.sources) > 1 else "one",
            "sources": ", ".join(a.sources),
        }
    return {}


def _when(this: Record, other: Record) -> Likeness:
    """The `when` phrase of `possible-duplicate`, and the fields it reads."""
    mine, theirs = this.data.date, other.data.date
    if mine.text == theirs.text:
        return {"when": "same-day" if mine.is_exact_day else "same-date", "date": mine.text}
    return {"when": "overlap", "date": mine.text, "other_date": theirs.text}


def _short(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _finding(a: Record, b: Record, likeness: Likeness) -> Finding:
    other, this = sorted((a, b), key=lambda r: (r.path.as_posix(), r.id))
    return Finding.make(
        "possible-duplicate",
        this.location("title"),
        related_at=other.location("title"),
        id=this.id,
        other=other.id,
        other_file=_short(other.path),
        **_when(this, other),
        **likeness,
    )
