"""Evidence rules: what a record says in its own words, held against the sources it cites.

Three rules, each `(view) -> Iterator[Finding]` like every rule in `checker.RULES`:

- `unverified_quotations`: words in quotation marks in an event's `summary`, an actor's
  `description`, a source's `notes` or the case's `summary` are verbatim in the full text
  of a source that the record cites (an event: its `sources`; a source's notes: that
  source; an actor or the case: any source with a text), compared as quotes are
  (`textmatch`).
- `quote_speakers`: a quote found in its source's text has its speaker named in that
  paragraph or the two before it, or at least something in the paragraph that refers to a
  speaker (English sources only).
- `inherited_precision`: an event's summary does not name a day or weekday inside the
  event's date range when that date is not one exact day.

Records arrive in pull requests from strangers, so each rule's work is bounded: the
quotation search by one `WorkBudget` of characters for the whole check (each search is also
within `SourceText.find`'s own bound), its hints by another shared with `explain_mismatch`
and `closest_paragraph`; the speaker check reads the quote's paragraph and the two before it
once per quote; the date check reads each summary once.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from .dates import MONTHS, EdtfDate
from .findings import Finding, Location
from .prose import MARK_RE, QUOTATION_MARKS, prose, quotations, quoted_words, shown
from .records import Record
from .textmatch import (
    EXPLAIN_WORK,
    WorkBudget,
    closest_paragraph,
    explain_mismatch,
    normalise,
    passage_pieces,
)

if TYPE_CHECKING:
    from .checker import CaseView

# -- rule 1: words in quotation marks ------------------------------------------------------------

# Characters the quotation search may scan in one check. A real case file spends a few
# thousand per quotation; only a crafted one (thousands of quotations against long texts)
# comes near it, and the quotations left are then reported as not checked.
QUOTATION_WORK = 400_000_000
# Word diffs and closest passages for the hints of one check: enough for about ten worst-case
# quotations (a quarter of `checker.CHECK_EXPLAIN_WORK`, which quotes and excerpts have to
# themselves), after which a hint says only what to do.
HINT_WORK = 10 * EXPLAIN_WORK
# Sources with a text that an actor's or the case's quotation is looked up in: those that
# hold its longest run of words, first by id. A run held by more texts than this is common
# enough that the first of them settle it.
CANDIDATES = 16
HINT_CANDIDATES = 4  # of those, the texts a hint compares an actor's or the case's quotation with
SCARE_WORDS = 2  # a quotation of at most this many words is a scare quote


@dataclass(frozen=True, slots=True)
class _Field:
    """A Markdown field whose quotations are checked."""

    value: str
    where: Location
    scope: str  # "event", "source" or "any": which texts its quotations must be found in
    sources: tuple[Record, ...]  # for "event" and "source": the texts that count


class _Library:
    """Every source text of the case, in one string, for finding the few that hold a run of
    words (an actor's or the case's quotation may be from any of them)."""

    def __init__(self, sources: Sequence[Record]) -> None:
        self.sources = list(sources)
        self.starts: list[int] = []
        parts: list[str] = []
        at = 0
        for source in self.sources:
            assert source.text is not None
            whole = "\n".join(source.text.normalised)
            self.starts.append(at)
            parts.append(whole)
            at += len(whole) + 1
        self.whole = "\x00".join(parts)

    def holding(self, run: str, limit: int) -> list[Record]:
        """The first `limit` sources whose normalised text holds `run` (anywhere, even inside
        a word: a candidate, not a match). Scans the library at most once."""
        found: list[Record] = []
        at = 0
        while len(found) < limit:
            hit = self.whole.find(run, at)
            if hit < 0:
                break
            index = bisect_right(self.starts, hit) - 1
            found.append(self.sources[index])
            at = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.whole)
        return found


class _Search:
    """The state of one check's quotation search: its budgets and what it has looked up."""

    def __init__(self, view: CaseView) -> None:
        self.view = view
        self.work = WorkBudget(QUOTATION_WORK)
        self.hints = WorkBudget(HINT_WORK)
        self.texts = sorted(
            (r for r in view.records.values() if r.kind == "source" and r.text is not None),
            key=lambda r: r.id,
        )
        self._library: _Library | None = None
        self._sizes: dict[str, int] = {}
        self._found: dict[tuple[str, str], bool] = {}

    @property
    def library(self) -> _Library:
        if self._library is None:
            self._library = _Library(self.texts)
            self.work.spend(len(self._library.whole))
        return self._library

    def size(self, source: Record) -> int:
        size = self._sizes.get(source.id)
        if size is None:
            assert source.text is not None
            size = self._sizes[source.id] = sum(len(p) + 1 for p in source.text.normalised)
        return size

    def found_in(self, source: Record, words: str) -> bool | None:
        """Whether `words` are verbatim in `source`'s text; None when the work is spent."""
        key = (source.id, words)
        known = self._found.get(key)
        if known is not None:
            return known
        if not self.work.spend(self.size(source) + len(words)):
            return None
        assert source.text is not None
        found = self._found[key] = source.text.find(words) is not None
        return found

    def candidates(self, field: _Field, words: str) -> list[Record] | None:
        """The texts `words` may be found in; None when the work is spent."""
        if field.scope != "any":
            return list(field.sources)
        pieces = passage_pieces(words)
        if not pieces or not self.texts:
            return []
        library = self.library
        if not self.work.spend(len(library.whole)):
            return None
        longest = max(pieces, key=len)
        # Without its first letter, whose case may differ from the source's (see `verified`).
        run = longest[1:] if longest is pieces[0] else longest
        return library.holding(run, CANDIDATES)

    def verified(self, field: _Field, words: str) -> bool | None:
        """Whether `words` are verbatim in a text that counts for `field`, the case of their
        first letter aside (a quotation's first letter follows the sentence it is set in:
        `said "so far ..."` quotes "So far ..."); None when the work is spent."""
        sources = self.candidates(field, words)
        if sources is None:
            return None
        spellings = dict.fromkeys((words, words[0].swapcase() + words[1:]))
        for source in sources:
            for spelling in spellings:
                found = self.found_in(source, spelling)
                if found is None or found:
                    return found
        return False

    def hint_sources(self, field: _Field, words: str) -> list[Record]:
        """The texts a hint may point into: those that count, or for an actor or the case the
        few holding the quotation's longest word."""
        if field.scope != "any":
            return list(field.sources)
        longest = max(re.findall(r"\w+", normalise(words)), key=len, default="")
        if len(longest) < 4 or not self.texts or not self.work.spend(len(self.library.whole)):
            return []
        return self.library.holding(longest, HINT_CANDIDATES)

    def closest(self, sources: Sequence[Record], words: str) -> tuple[Record, int, str] | None:
        """The source and paragraph sharing the longest run of text with `words`."""
        best: tuple[Record, int, str] | None = None
        for source in sources:
            assert source.text is not None
            own = WorkBudget(min(EXPLAIN_WORK, self.hints.left))
            found = closest_paragraph(source.text, words, own)
            self.hints.spend(own.spent)
            if found is not None and (best is None or len(found[1]) > len(best[2])):
                best = (source, *found)
        return best


def _fields(view: CaseView) -> Iterator[_Field]:
    """The fields whose quotations are checked, with the texts each must be found in: those
    that may hold one (`_may_quote`), and whose texts are all read. A source with errors of
    its own, or a full text with errors, leaves the text unread, so the fields whose
    quotations may be from it (an event citing it; any actor's, and the case's) wait until
    it is fixed: its errors are reported, not a warning for each quotation as a cascade."""
    table = view.memo.table("quotation-fields")
    broken = {i for i, r in view.invalid.items() if r.kind == "source"}
    broken.update(r.id for r in view.of_kind("source") if r.unreadable)
    for record in view.records.values():
        if not table.get(id(record), (record,), lambda r=record: _may_quote(_prose_of(r))):
            continue
        data = record.data
        if record.kind == "event":
            if any(citation.source in broken for citation in view.citations[record.id]):
                continue
            cited: dict[str, Record] = {}
            for citation in view.citations[record.id]:
                source = view.records.get(citation.source)
                if source is not None and source.kind == "source" and source.text is not None:
                    cited.setdefault(source.id, source)
            where = record.location("summary")
            yield _Field(data.summary, where, "event", tuple(cited.values()))
        elif record.kind == "source" and record.text is not None:
            yield _Field(data.notes, record.location("notes"), "source", (record,))
        elif record.kind == "actor" and not broken:
            yield _Field(data.description, record.location("description"), "any", ())
    case, positions = view.loaded.case, view.loaded.case_positions
    if case is not None and case.summary and positions is not None and not broken:
        yield _Field(case.summary, positions.at(("summary",)), "any", ())


def _prose_of(record: Record) -> str | None:
    """The field of `record` whose quotations are checked, if its kind has one."""
    name = {"event": "summary", "source": "notes", "actor": "description"}.get(record.kind)
    return getattr(record.data, name) if name else None


def _may_quote(value: str | None) -> bool:
    """Whether Markdown may hold a quotation: a quotation mark, or an entity that may be
    one. Decided without reading the Markdown; most fields have neither."""
    if not value:
        return False
    return MARK_RE.search(value) is not None or "&" in value


def record_label(view: CaseView) -> Callable[[str], str]:
    """What an `[[id]]` link shows: an actor's name, a quote's words, any other's title."""

    def label(record_id: str) -> str:
        found = view.records.get(record_id)
        if found is None:
            return record_id
        if found.kind == "actor":
            return str(found.data.name)
        return str(found.data.text if found.kind == "quote" else found.data.title)

    return label


def unverified_quotations(view: CaseView) -> Iterator[Finding]:
    """Words in quotation marks in an event's summary, an actor's description, a source's
    notes or the case's summary are verbatim in a source text that counts for them: an
    event's cited sources, the source itself, or for an actor and the case any source (the
    first CANDIDATES, by id, holding the quotation's longest run of words). Compared as
    quotes are (`...` elides words within one paragraph), once the comma or full stop that
    the sentence puts inside the closing mark is set aside, the case of the first letter
    aside. A field with no such text is not checked.

    Bounded by QUOTATION_WORK characters scanned in the whole check (each `SourceText.find`
    within its own bound as well) and HINT_WORK for hints; past it, one finding says where
    the check stopped.
    """
    search = _Search(view)
    label = record_label(view)
    for field in _fields(view):
        if field.scope != "any" and not field.sources:
            continue  # nothing to check against: `unchecked-quote` is about quotes only
        if field.scope == "any" and not search.texts:
            continue
        if not _may_quote(field.value):
            continue  # the usual case (no mark, no entity), decided without reading Markdown
        seen: set[str] = set()
        for paragraph in prose(field.value, label):
            for quotation in quotations(paragraph):
                words = quoted_words(quotation)
                if words is None or words in seen:
                    continue
                seen.add(words)
                verified = search.verified(field, words)
                if verified is None:
                    yield Finding.make(
                        "unverified-quotation", field.where, variant="limit", quoted=shown(words)
                    )
                    return
                if not verified:
                    yield _unverified(search, field, words)


def _as_in(source: Record, words: str) -> str:
    """`words` with their first letter in the case the source's text has it, if it has that
    first word in only one case: a hint about the first letter alone would hide the real
    difference, which `verified` forgives anyway."""
    assert source.text is not None
    first, _, rest = words.partition(" ")
    other = first[:1].swapcase() + first[1:]
    whole = "\n".join(source.text.normalised)
    if other != first and other in whole and first not in whole:
        return f"{other} {rest}" if rest else other
    return words


def _unverified(search: _Search, field: _Field, words: str) -> Finding:
    quoted = shown(words)
    if len(words.split()) <= SCARE_WORDS:
        return Finding.make(
            "unverified-quotation", field.where, variant="short", quoted=quoted, cited=field.scope
        )
    sources = search.hint_sources(field, words)
    best = search.closest(sources, words) if len(sources) > 1 else None
    source = best[0] if best is not None else sources[0] if sources else None
    if source is not None:
        assert source.text is not None
        difference = explain_mismatch(source.text, _as_in(source, words), search.hints)
        if difference is not None:
            return Finding.make(
                "unverified-quotation",
                field.where,
                variant="explained",
                quoted=quoted,
                cited=field.scope,
                source=source.id,
                difference=difference,
            )
        if best is None:
            best = search.closest([source], words)
    if best is not None:
        return Finding.make(
            "unverified-quotation",
            field.where,
            variant="closest",
            quoted=quoted,
            cited=field.scope,
            source=best[0].id,
            paragraph=best[1] + 1,
            passage=shown(best[2]),
        )
    return Finding.make("unverified-quotation", field.where, quoted=quoted, cited=field.scope)


# -- rule 2: a quote's speaker in its passage ----------------------------------------------------

# Words in a quote's paragraph that can attribute it to a speaker the paragraph does not
# name: pronouns, the roles news reports name speakers by, and the verbs they report speech
# with. English only; a source in another language is not checked.
SPEAKER_REFERENCES = frozenset(
    {
        *("he", "she", "they"),
        *("said", "says", "told", "added", "continued", "replied"),
        *("official", "officials", "spokesperson", "spokesman", "spokeswoman"),
        *("minister", "president"),
    }
)
SPEAKER_LANGUAGES = frozenset({"en"})
PARAGRAPHS_BEFORE = 2  # paragraphs before a quote's own in which its speaker may be named
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_WORDS = re.compile(r"[^\W_]+")


def _words(normalised: str) -> str:
    """Normalised text as its case-folded words (runs of letters and digits), each between
    spaces: a name is in it where " name " is, which is on word boundaries."""
    return " " + " ".join(_WORDS.findall(normalised.casefold())) + " "


def speaker_names(actor: Record) -> list[str]:
    """How a source may name an actor, as `_words`: the name, each alias, and for a person
    of two or more words the last (a surname; a suffix such as Jr. is skipped). A name with
    no letter or digit is left out: it would be found everywhere."""
    data = actor.data
    names = [data.name, *data.aliases]
    words = _WORDS.findall(normalise(data.name).casefold())
    while len(words) > 1 and words[-1] in _NAME_SUFFIXES:
        words.pop()
    if data.kind == "person" and len(words) > 1:
        names.append(words[-1])
    return [w for w in dict.fromkeys(_words(normalise(name)) for name in names) if w.strip()]


def quote_speakers(view: CaseView) -> Iterator[Finding]:
    """A quote found in its source's text: its speaker's name, an alias or (for a person) the
    surname appears in its paragraph or the PARAGRAPHS_BEFORE before it, or its paragraph
    holds one of SPEAKER_REFERENCES. The paragraph is read whole, the quote's own words
    included. Compared as words (`_words`): case-insensitive, on normalised text, on word
    boundaries, one paragraph at a time (a name is never joined across two). English
    sources only (SPEAKER_LANGUAGES: the source's language, or else the case's).

    Each paragraph is read into words once per check; then each quote costs a substring
    search per name of its speaker in at most 1 + PARAGRAPHS_BEFORE paragraphs, after the
    verbatim rule's `SourceText.find` (cached) located it. What a quote comes to is kept
    (`view.memo`) while it, its source, the source's text and its speaker are the very same
    objects.
    """
    names: dict[str, list[str]] = {}
    words: dict[tuple[str, int], str] = {}
    table = view.memo.table("quote-speakers")
    default = view.language
    for record in view.of_kind("quote"):
        data = record.data
        source = view.records.get(data.source_id)
        speaker = view.records.get(data.speaker)
        if source is None or source.kind != "source" or source.text is None:
            continue
        if speaker is None or speaker.kind != "actor":
            continue
        finding = table.get(
            (id(record), id(source), id(source.text), id(speaker), default),
            (record, source, source.text, speaker),
            lambda r=record, s=source, a=speaker: _speaker_finding(r, s, a, default, names, words),
        )
        if finding is not None:
            yield finding


def _speaker_finding(
    record: Record,
    source: Record,
    speaker: Record,
    default: str,
    names: dict[str, list[str]],
    words: dict[tuple[str, int], str],
) -> Finding | None:
    """The finding about `record` (a quote) when its speaker is not in its passage; `names`
    and `words` are what the check has read so far, by speaker and by paragraph."""
    assert source.text is not None
    language = (source.data.language or default).split("-")[0].casefold()
    if language not in SPEAKER_LANGUAGES:
        return None
    match = source.text.quoted_at(record.data.text, record.data.excerpt)
    if match is None:
        return None  # not verbatim: reported as such
    if speaker.id not in names:
        names[speaker.id] = speaker_names(speaker)
    window = []
    for index in range(max(0, match.paragraph - PARAGRAPHS_BEFORE), match.paragraph + 1):
        key = (source.id, index)
        if key not in words:
            words[key] = _words(source.text.normalised[index])
        window.append(words[key])
    if any(name in paragraph for name in names[speaker.id] for paragraph in window):
        return None
    if not SPEAKER_REFERENCES.isdisjoint(window[-1].split()):
        return None
    return Finding.make(
        "quote-speaker-not-in-passage",
        record.location("speaker"),
        speaker=speaker.id,
        paragraph=match.paragraph + 1,
        source=source.id,
    )


# -- rule 3: a summary more precise than its event's date ----------------------------------------

_MONTH_NUMBERS: dict[str, int] = {
    **{name: i for i, name in enumerate(MONTHS, 1)},
    **{name[:3]: i for i, name in enumerate(MONTHS, 1)},
    "Sept": 9,
}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# A full name, or an abbreviation that may end in a full stop ("Aug."), which is then part of
# it; a full stop after a full name ends the sentence.
_MONTH = "|".join(
    [
        *(rf"{name}\b" for name in MONTHS),
        *(rf"{name}\b\.?" for name in sorted(_MONTH_NUMBERS, key=len) if name not in MONTHS),
    ]
)
_WEEKDAY = "|".join(WEEKDAYS)
_ORDINAL = r"(?:st|nd|rd|th)?"
# "27 July 2022", "27th of July", "July 27, 2022", "2022-07-27", each maybe after a weekday
# ("Wednesday 27 July"); or a weekday alone. English names, capitalised as English writes
# them (so the verb "may" is not a month). An ISO day that is one end of an EDTF interval
# ("2022-07-27/2022-07-31") or carries a qualifier ("2022-07-28?") says no more than a date.
_DAY = re.compile(
    rf"(?<![\w/.-])(?:(?P<weekday>{_WEEKDAY})\b,?\s+(?:the\s+)?)?"
    rf"(?:(?P<d1>\d{{1,2}}){_ORDINAL}(?:\s+of)?\s+(?P<m1>{_MONTH})(?:,?\s+(?P<y1>\d{{4}})\b)?"
    rf"|(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}}){_ORDINAL}\b(?:,?\s+(?P<y2>\d{{4}})\b)?"
    rf"|(?P<y3>\d{{4}})-(?P<m3>\d{{2}})-(?P<d3>\d{{2}})(?![\w/~?%-]))"
    rf"|(?<![\w/.-])(?P<alone>{_WEEKDAY})\b"
)
# Anything `_DAY` could match, looked for before a summary's Markdown is read.
_DATE_LIKE = re.compile(rf"\b(?=[A-Z\d])(?:{_MONTH}|{_WEEKDAY}|\d{{4}}-\d{{2}}-\d{{2}})\b")
# A word right before the day that makes it a bound or one end of a range ("after 27 July",
# "between 27 and 31 July", "on or before"), an approximation ("around 27 July"), or, before
# a weekday, any of several ("on a Thursday").
_NOT_THE_DAY = frozenset(
    {
        *("before", "after", "by", "until", "till", "since", "from", "between", "to", "and"),
        *("or", "through", "than"),
        *("about", "around", "approximately", "roughly", "circa", "c."),
        *("a", "an", "any", "every", "each", "some", "another", "one"),
    }
)
# Words that make a whole sentence conditional or tentative, up to the day it names.
HEDGES = frozenset(
    {
        *("if", "whether", "likely", "probably", "possibly", "perhaps", "presumably"),
        *("apparently", "uncertain", "unclear"),
    }
)
_LEADING = "([{'" + "".join(sorted(QUOTATION_MARKS))  # "(around" is "around"
_SENTENCE_END = re.compile(r"[.!?;]\s")
_LOOK_BACK = 400  # characters of a sentence read back from a day for a hedge
_WEEK = 7


def _days(match: re.Match[str], when: EdtfDate) -> list[date]:
    """The days a phrase may name: with no year, in the year of either known end of `when`."""
    groups = match.groupdict()
    day = groups["d1"] or groups["d2"] or groups["d3"]
    month = groups["m1"] or groups["m2"]
    year = groups["y1"] or groups["y2"] or groups["y3"]
    number = int(groups["m3"]) if groups["m3"] else _MONTH_NUMBERS[month.rstrip(".")]
    years = [int(year)] if year else sorted({d.year for d in (when.start, when.end) if d})
    out = []
    for y in years:
        try:
            out.append(date(y, number, int(day)))
        except ValueError:
            continue  # not a day at all ("31 June"): not this rule's business
    return out


def _qualified(text: str, start: int) -> bool:
    """Whether the word before `start` makes the day a bound, a range's end, an
    approximation or one of several, or a hedge earlier in its sentence makes it tentative."""
    before = text[max(0, start - _LOOK_BACK) : start]
    words = before.split()
    if words and words[-1].lstrip(_LEADING).casefold() in _NOT_THE_DAY:
        return True
    sentence = _SENTENCE_END.split(before)[-1]
    return not HEDGES.isdisjoint(w.casefold() for w in _WORDS.findall(sentence))


def _weekday_in(name: str, earliest: date, latest: date) -> bool:
    """Whether a range of at most a week holds a day of weekday `name`."""
    if (latest - earliest).days >= _WEEK:
        return False
    wanted = WEEKDAYS.index(name)
    return any(
        (earliest + timedelta(n)).weekday() == wanted for n in range((latest - earliest).days + 1)
    )


def _may_name_a_day(event: Record) -> bool:
    """Whether an event's summary may name a day its date does not pin down."""
    data = event.data
    return (
        not data.date.is_exact_day and bool(data.summary) and bool(_DATE_LIKE.search(data.summary))
    )


def inherited_precision(view: CaseView) -> Iterator[Finding]:
    """An event whose date is not one exact day (a month, a year, an interval, an open
    range, or a day marked ~ or ?) has a summary that names a day inside its date's range
    ("27 July 2022", "July 27", "2022-07-27"; without a year, in the year of either known
    end), or a weekday when the range is at most a week and holds that weekday. Such a
    summary says more precisely when the event happened than its date does.

    Not reported: a day outside the range (another event's date, given as context); a day
    right after a word in _NOT_THE_DAY ("after 27 July", "between 27 and 31 July", "around
    27 July", "on a Thursday"); a day in a sentence with a HEDGE before it ("If that is 28
    July ..."). Code spans are left out. One pass over each summary.
    """
    label = record_label(view)
    table = view.memo.table("summaries-naming-days")
    for record in view.of_kind("event"):
        if not table.get(id(record), (record,), lambda r=record: _may_name_a_day(r)):
            continue  # the usual cases, decided without reading the Markdown
        data = record.data
        when: EdtfDate = data.date
        earliest, latest = when.earliest, when.latest
        named: dict[str, None] = {}
        for paragraph in prose(data.summary, label):
            for match in _DAY.finditer(paragraph):
                if _qualified(paragraph, match.start()):
                    continue
                weekday = match.group("alone")
                if weekday is not None:
                    inside = _weekday_in(weekday, earliest, latest)
                else:
                    inside = any(earliest <= d <= latest for d in _days(match, when))
                if inside:
                    named.setdefault(" ".join(match.group().split()))
        for phrase in named:
            yield Finding.make(
                "inherited-precision", record.location("summary"), phrase=phrase, date=when.text
            )
