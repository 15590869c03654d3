"""Typed records -> a checked case: every cross-record rule, and the index of back-references.

`check(root)` is the one entry point the CLI, the plugin and the tests share. It returns the
report and, when there are no errors, the checked case the pages are rendered from.

The checker is a list of rules, `RULES`. `index` reads the loaded case once into a `CaseView`
(records by id, citations, every reference resolved), and each rule takes that view and yields
findings, so adding a rule touches no other.

With a `records.FileCache` (`mkdocs serve`), what the index and the rules derive from a record
(or a pair of record and source text) is kept in the cache's memo while those are the very
same objects, so a check after one edit redoes little but the passes over the whole case.
Without one (a cold check), the passages are looked up in their sources' texts by two
processes (`parallel.Shared`), the forked one starting while this one runs the rules that do
not read them.
"""

from __future__ import annotations

import difflib
import gc
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from . import models
from .escape import with_article
from .evidence import inherited_precision, quote_speakers, unverified_quotations
from .findings import Finding, Location, Report
from .parallel import Shared
from .progress import QUIET, Progress
from .records import FileCache, InvalidRecord, LoadedCase, Memo, Record, Table, load
from .similar_events import possible_duplicates
from .strictyaml import PathKey
from .textmatch import (
    EXPLAIN_WORK,
    PassageMatch,
    SourceText,
    WorkBudget,
    dropped_negation,
    explain_mismatch,
    word_around,
)


@dataclass(frozen=True, slots=True)
class Reference:
    """`origin` refers to `target`; `relation` says how (see RELATIONS)."""

    origin: str
    target: str
    relation: str


# relation -> the kinds of record the target may be
RELATIONS: dict[str, tuple[str, ...]] = {
    "actor": ("actor",),  # event -> actor taking part
    "organization": ("actor",),  # actor role -> organisation
    "cites": ("source",),  # event or quote -> source
    "speaker": ("actor",),  # quote -> who said it
    "about": ("actor",),  # quote -> who it is about
    "said-at": ("event",),  # quote -> event
    "related": ("event",),  # event -> event
    "not-duplicate-of": ("event",),  # event -> a look-alike event it is not
    "mentions": ("actor", "source", "event", "quote"),  # [[id]] in Markdown
}


def relation_phrase(relation: str) -> str:
    """How findings name the place a reference is written in."""
    return {
        "actor": "an event's actor",
        "organization": "a role's organization",
        "cites": "a citation",
        "speaker": "a quote's speaker",
        "about": "a quote's 'about'",
        "said-at": "a quote's event",
        "related": "a related event",
        "not-duplicate-of": "'not_duplicate_of'",
        "mentions": "a [[link]]",
    }[relation]


@dataclass(frozen=True, slots=True)
class Passage:
    """Words a record says its source holds, verbatim."""

    what: str  # "quote" or "excerpt": how findings name it
    text: str
    loc: PathKey  # where in the record it is written


@dataclass(frozen=True, slots=True)
class Citation:
    """One citation a record makes: the source, where in it, and what it quotes from it."""

    source: str
    loc: PathKey  # where in the record the source's id is written
    locator: str | None = None
    # A quote's text, then its citation's excerpt if any; an event citation's excerpt.
    passages: tuple[Passage, ...] = ()

    @property
    def passage(self) -> str | None:
        """The passage readers are pointed to: a quote's text, an event citation's excerpt."""
        return self.passages[0].text if self.passages else None

    @property
    def excerpt(self) -> str | None:
        """The citation's excerpt: the passage around a quote, in which a reader sees who
        says it; an event citation's excerpt (its passage)."""
        return next((p.text for p in self.passages if p.what == "excerpt"), None)


def citations_of(record: Record) -> list[Citation]:
    """Every citation `record` makes, whichever of the two shapes each is written in."""
    data = record.data
    if record.kind == "event":
        out = []
        for i, cite in enumerate(data.sources):
            if isinstance(cite, str):
                out.append(Citation(cite, ("sources", i)))
                continue
            excerpt = Passage("excerpt", cite.excerpt, ("sources", i, "excerpt"))
            passages = (excerpt,) if cite.excerpt else ()
            out.append(Citation(cite.source, ("sources", i, "source"), cite.locator, passages))
        return out
    if record.kind == "quote":
        cite = data.source
        quoted = Passage("quote", data.text, ("text",))
        if isinstance(cite, str):
            return [Citation(cite, ("source",), None, (quoted,))]
        excerpt = Passage("excerpt", cite.excerpt, ("source", "excerpt"))
        passages = (quoted, excerpt) if cite.excerpt else (quoted,)
        return [Citation(cite.source, ("source", "source"), cite.locator, passages)]
    return []


@dataclass(slots=True)
class Case:
    """A checked case file: records by id, sorted lists by kind, and back-references."""

    root: Path
    meta: models.Case
    records: dict[str, Record]
    references: list[Reference]
    backrefs: dict[str, list[Reference]] = field(default_factory=dict)
    # record id -> the citations it makes, derived once by the checker
    cited: dict[str, list[Citation]] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[Record]:
        return [r for r in self.records.values() if r.kind == kind]

    @property
    def events(self) -> list[Record]:
        return sorted(self.of_kind("event"), key=event_sort_key)

    def referrers(self, target: str, *relations: str) -> list[Record]:
        seen: dict[str, Record] = {}
        for ref in self.backrefs.get(target, ()):
            if not relations or ref.relation in relations:
                seen.setdefault(ref.origin, self.records[ref.origin])
        return list(seen.values())

    def citations(self, record: Record) -> list[Citation]:
        """The citations `record` makes: source, locator, passages, and where each is written."""
        found = self.cited.get(record.id)
        return found if found is not None else citations_of(record)


def event_sort_key(record: Record) -> tuple[object, ...]:
    date = record.data.date
    return (*date.sort_key, record.id)


# The rows of Unicode's confusables.txt (UTS #39, section 4) whose source is a character an id
# may hold. Ids are [a-z0-9-] only (models.ID_PATTERN), so no other row can apply; the rest of
# the table maps non-ASCII characters, which the id check refuses before this runs.
_PROTOTYPES = str.maketrans({"0": "O", "1": "l", "m": "rn"})


def id_key(record_id: str) -> str:
    """What an id looks like: two ids with the same key would be taken for one another.

    NFKC and case-folding, then the UTS #39 skeleton (each character replaced by its
    confusable prototype, between two NFDs) and case-folding again, since some prototypes are
    capitals: 'c0de' and 'code', 'rnoscow' and 'moscow', 'talks-1' and 'talks-l' share a key.
    """
    folded = unicodedata.normalize("NFKC", record_id).casefold()
    skeleton = unicodedata.normalize(
        "NFD", unicodedata.normalize("NFD", folded).translate(_PROTOTYPES)
    )
    return skeleton.casefold()


# -- the index every rule reads ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference as written, and what is wrong with it: the code of the finding it earns,
    or None when it resolves."""

    origin: Record
    loc: PathKey
    target: str
    relation: str
    fault: str | None = None

    @property
    def where(self) -> Location:
        return self.origin.location(*self.loc)


@dataclass(slots=True)
class CaseView:
    """The loaded case, indexed once."""

    loaded: LoadedCase
    records: dict[str, Record]  # one record per id: the first by path
    clashes: list[tuple[Record, Record]]  # (record, the earlier one whose id it takes)
    invalid: dict[str, InvalidRecord]  # records with errors, still known by their ids
    citations: dict[str, list[Citation]]
    refs: list[Ref] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)  # one per ref, fault or not
    own: dict[str, _Own] = field(default_factory=dict)  # by record id, as `records`
    # What is wrong with each citation's passages, by record id and citation number, when
    # they were looked up before the rules ran (`check_loaded`); else the verbatim rule does.
    faults: dict[tuple[str, int], list[Fault]] | None = None
    _kinds: dict[str, list[Record]] | None = None

    @property
    def language(self) -> str:
        return self.loaded.case.language if self.loaded.case else "en"

    @property
    def memo(self) -> Memo:
        return self.loaded.memo

    def of_kind(self, kind: str) -> list[Record]:
        if self._kinds is None:  # the rules ask for each kind more than once
            self._kinds = defaultdict(list)
            for record in self.records.values():
                self._kinds[record.kind].append(record)
        return list(self._kinds.get(kind, ()))

    def case(self) -> Case:
        """The checked case, for a case file without errors."""
        assert self.loaded.case is not None
        references = [
            reference
            for ref, reference in zip(self.refs, self.references, strict=True)
            if not ref.fault
        ]
        ids = sorted(self.records)
        case = Case(
            self.loaded.root, self.loaded.case, {i: self.records[i] for i in ids}, references
        )
        # Each target's referrers by origin, then relation: each origin's references in that
        # order, origin after origin.
        made = self._made()
        backrefs: dict[str, list[Reference]] = defaultdict(list)
        for origin in ids:
            for ref in made[origin]:
                backrefs[ref.target].append(ref)
        case.backrefs = dict(sorted(backrefs.items()))
        case.cited = self.citations
        return case

    def _made(self) -> dict[str, tuple[Reference, ...]]:
        """Each record's references that resolve, once each, by target and relation."""
        made = {origin: mine.made for origin, mine in self.own.items()}
        faulted: dict[str, list[Reference]] = {ref.origin.id: [] for ref in self.refs if ref.fault}
        if faulted:
            for ref, reference in zip(self.refs, self.references, strict=True):
                if ref.origin.id in faulted and not ref.fault:
                    faulted[ref.origin.id].append(reference)
            made.update((origin, _made(resolved)) for origin, resolved in faulted.items())
        return made


@dataclass(frozen=True, slots=True)
class _Own:
    """What the index reads from one record on its own: how its id looks (`id_key`), its
    citations, and its references as written, each with the `Reference` a case lists."""

    key: str
    citations: list[Citation]
    refs: tuple[Ref, ...]
    references: tuple[Reference, ...]
    made: tuple[Reference, ...]  # `_made(references)`: what the case lists when all resolve


def _own(record: Record) -> _Own:
    citations = citations_of(record)
    refs = tuple(
        Ref(record, loc, target, relation) for loc, target, relation in _refs(record, citations)
    )
    references = tuple(Reference(record.id, r.target, r.relation) for r in refs)
    return _Own(id_key(record.id), citations, refs, references, _made(references))


def _made(references: Iterable[Reference]) -> tuple[Reference, ...]:
    """One record's references, once each, by target and relation."""
    return tuple(sorted(set(references), key=lambda r: (r.target, r.relation)))


def index(loaded: LoadedCase) -> CaseView:
    """Records by id (an id taken twice, or one that looks like another, is a clash), their
    citations, and every reference with what, if anything, is wrong with it."""
    by_key: dict[str, Record] = {}
    records: dict[str, Record] = {}
    own: dict[str, _Own] = {}
    clashes: list[tuple[Record, Record]] = []
    table = loaded.memo.table("index")
    for record in sorted(loaded.records, key=lambda r: str(r.path)):
        mine = table.get(id(record), (record,), lambda r=record: _own(r))
        first = by_key.setdefault(mine.key, record)
        if first is record:
            records[record.id] = record
            own[record.id] = mine
        else:
            clashes.append((record, first))
    invalid = {r.id: r for r in loaded.invalid if id_key(r.id) not in by_key}
    citations = {rid: mine.citations for rid, mine in own.items()}
    view = CaseView(loaded, records, clashes, invalid, citations, own=own)
    view.refs = [_resolve(view, ref) for mine in own.values() for ref in mine.refs]
    view.references = [reference for mine in own.values() for reference in mine.references]
    return view


def _refs(record: Record, citations: list[Citation]) -> Iterator[tuple[PathKey, str, str]]:
    """(location in the record, target id, relation) for every reference a record makes."""
    data = record.data
    if record.kind == "actor":
        for i, role in enumerate(data.roles):
            if role.organization:
                yield ("roles", i, "organization"), role.organization, "organization"
    elif record.kind == "event":
        for i, entry in enumerate(data.actors):
            if isinstance(entry, str):
                yield ("actors", i), entry, "actor"
            else:
                yield ("actors", i, "actor"), entry.actor, "actor"
        yield from ((c.loc, c.source, "cites") for c in citations)
        for i, other in enumerate(data.related):
            yield ("related", i), other, "related"
        for i, other in enumerate(data.not_duplicate_of):
            yield ("not_duplicate_of", i), other, "not-duplicate-of"
    elif record.kind == "quote":
        yield ("speaker",), data.speaker, "speaker"
        yield from ((c.loc, c.source, "cites") for c in citations)
        if data.event:
            yield ("event",), data.event, "said-at"
        for i, who in enumerate(data.about):
            yield ("about", i), who, "about"
    for name in models.MARKDOWN_FIELDS.get(type(data), ()):
        text = getattr(data, name)
        if text:
            for target in models.wikilinks(text):
                yield (name,), target, "mentions"


def _resolve(view: CaseView, ref: Ref) -> Ref:
    """`ref` with its fault: the code of the finding it earns, or None."""
    found = view.records.get(ref.target)
    allowed = RELATIONS[ref.relation]
    is_self = ref.target == ref.origin.id
    if found is not None and found.kind in allowed and not is_self:
        return ref  # the usual case
    broken = view.invalid.get(ref.target)
    fault: str | None = None
    if found is None and broken is not None and broken.kind in allowed:
        fault = "invalid-target"  # reported once per target, not as a cascade
    elif ref.relation == "mentions" and models.check_id(ref.target):
        fault = "bad-id"
    elif found is None:
        fault = "dangling-reference"
    elif found.kind not in allowed:
        fault = "wrong-kind-reference"
    elif is_self and ref.relation != "mentions":  # a record may name itself in its own text
        fault = "self-reference"
    return Ref(ref.origin, ref.loc, ref.target, ref.relation, fault)


# -- the rules ---------------------------------------------------------------------------------


def duplicate_ids(view: CaseView) -> Iterator[Finding]:
    """One record per id across the whole case file, and no two ids that look alike."""
    for record, first in view.clashes:
        yield Finding.make(
            "duplicate-id",
            Location(record.path),
            variant=None if first.id == record.id else "lookalike",
            related_at=Location(first.path),
            id=record.id,
            other=first.id,
            kind=first.kind,
            file=first.path.name,
        )


def broken_references(view: CaseView) -> Iterator[Finding]:
    """References to nothing, to the wrong kind of record, or to the record itself."""
    for ref in view.refs:
        if ref.fault == "bad-id":
            yield Finding.make("bad-id", ref.where, variant="link", target=ref.target)
        elif ref.fault == "dangling-reference":
            yield _dangling(view, ref.target, ref.where, ref.relation)
        elif ref.fault == "wrong-kind-reference":
            found = view.records[ref.target]
            yield Finding.make(
                "wrong-kind-reference",
                ref.where,
                target=ref.target,
                found=with_article(found.kind),
                relation=relation_phrase(ref.relation),
                allowed=" or ".join(with_article(k) for k in RELATIONS[ref.relation]),
                kind=found.kind,
                file=found.path.name,
            )
        elif ref.fault == "self-reference":
            yield Finding.make("self-reference", ref.where, kind=ref.origin.kind, id=ref.origin.id)
    case, positions = view.loaded.case, view.loaded.case_positions
    if case is not None and positions is not None:
        for target in models.wikilinks(case.summary):
            if target not in view.records and target not in view.invalid:  # no cascade
                yield _dangling(view, target, positions.at(("summary",)), "mentions")


def _dangling(view: CaseView, target: str, where: Location, relation: str) -> Finding:
    allowed = RELATIONS[relation]
    candidates = [r.id for r in view.records.values() if r.kind in allowed]
    close = difflib.get_close_matches(target, candidates, n=1, cutoff=0.6)
    return Finding.make(
        "dangling-reference",
        where,
        variant="close" if close else None,
        relation=relation_phrase(relation),
        target=target,
        close=close[0] if close else None,
        kinds=" or ".join(allowed) if len(allowed) < 4 else "record",
    )


def invalid_targets(view: CaseView) -> Iterator[Finding]:
    """One note per record with errors of its own that others refer to, where it is first
    referred to: its references are checked again once it is fixed."""
    first: dict[str, Ref] = {}
    for ref in view.refs:
        if ref.fault == "invalid-target":
            first.setdefault(ref.target, ref)
    for target, ref in sorted(first.items()):
        broken = view.invalid[target]
        yield Finding.make(
            "invalid-target",
            ref.where,
            related_at=Location(broken.path),
            relation=relation_phrase(ref.relation),
            target=target,
            file=broken.path.name,
        )


def events_without_source(view: CaseView) -> Iterator[Finding]:
    for record in view.of_kind("event"):
        if not record.data.sources:
            yield Finding.make("event-without-source", record.location("sources"), id=record.id)


def reversed_roles(view: CaseView) -> Iterator[Finding]:
    for record in view.of_kind("actor"):
        for i, role in enumerate(record.data.roles):
            if role.start and role.end and role.end.latest < role.start.earliest:
                yield Finding.make(
                    "reversed-interval",
                    record.location("roles", i, "end"),
                    title=role.title,
                    start=role.start.text,
                    end=role.end.text,
                )


def missing_translations(view: CaseView) -> Iterator[Finding]:
    language = view.language
    for record in view.of_kind("quote"):
        data = record.data
        if data.language and data.language != language and not data.translation:
            yield Finding.make(
                "missing-translation",
                record.location("language"),
                language=data.language,
                case_language=language,
            )


# Word diffs explaining not-verbatim passages, for the whole check: enough for about forty
# worst-case quotes, after which each explanation falls back to its linear message.
CHECK_EXPLAIN_WORK = 40 * EXPLAIN_WORK


def unverified_passages(view: CaseView) -> Iterator[Finding]:
    """Quotes and excerpts must be found verbatim in their source's full text, if it has one,
    and an elision in them must not leave out a negation.

    What each citation's passages come to is kept (`view.memo`) while the record, its source
    and the source's text are the very same objects; only a word diff explaining a passage
    not found spends from the check's budget, in order, every time."""
    budget = WorkBudget(CHECK_EXPLAIN_WORK)
    table = view.memo.table("verbatim")
    explained = view.memo.table("explain")
    default = view.language
    for record, number, citation, source in _cited_passages(view):
        if view.faults is not None:
            faults = view.faults[record.id, number]
        else:
            faults = table.get(
                (id(record), number, id(source), id(source.text), default),
                (record, source, source.text),
                lambda r=record, c=citation, s=source: _faults(r, c, s, default),
            )
        for passage, fault, word in faults:
            yield _verbatim(record, passage, source, fault, word, (budget, explained))


# A citation with passages to look up: the record, the citation's number, the citation, and
# the source it names.
Cited = tuple[Record, int, Citation, Record]


def _cited_passages(view: CaseView) -> Iterator[Cited]:
    for record in view.records.values():
        for number, citation in enumerate(view.citations[record.id]):
            if not citation.passages:
                continue  # an event's citation without an excerpt: the usual case
            source = view.records.get(citation.source)
            if source is None or source.kind != "source":
                continue  # a broken reference, reported as one
            yield record, number, citation, source


def _texts(cited: Iterable[Cited]) -> list[SourceText]:
    """The full texts of the sources `cited` names, each once."""
    texts = {source.id: source.text for _, _, _, source in cited if source.text is not None}
    return list(texts.values())


def _look_up(default: str, cited: Cited) -> tuple[list[Fault], dict[str, PassageMatch | None]]:
    """What is wrong with a citation's passages, and where each is in its source's text
    (for `SourceText.learn`)."""
    record, _, citation, source = cited
    faults = _faults(record, citation, source, default)
    text = source.text
    return faults, {p.text: text.find(p.text) for p in citation.passages} if text else {}


# What is wrong with a passage: "unchecked" (its source has no text), "inside-word" (found
# only inside a longer word, given), "not-found", or "negation" (the negation left out, given).
Fault = tuple[Passage, str, str | None]


def _faults(record: Record, citation: Citation, source: Record, default: str) -> list[Fault]:
    """What is wrong with each passage of `citation`, the sound ones left out."""
    language = getattr(record.data, "language", None) or source.data.language or default
    faults: list[Fault] = []
    if source.unreadable:  # its text's errors are reported; looked up once they are fixed
        return faults
    for passage in citation.passages:
        if source.text is None:
            faults.append((passage, "unchecked", None))
        elif source.text.find(passage.text) is None:
            word = word_around(source.text, passage.text)
            faults.append((passage, "inside-word" if word else "not-found", word))
        elif (negation := dropped_negation(source.text, passage.text, language)) is not None:
            faults.append((passage, "negation", negation))
    return faults


def _verbatim(
    record: Record,
    passage: Passage,
    source: Record,
    fault: str,
    word: str | None,
    explaining: tuple[WorkBudget, Table[tuple[str | None, int]]],
) -> Finding:
    where = record.location(*passage.loc)
    if fault == "unchecked":
        return Finding.make("unchecked-quote", where, what=passage.what, source=source.id)
    if fault == "negation":
        return Finding.make("elided-negation", where, what=passage.what, negation=word)
    assert source.text is not None
    difference = None if word else _explain(source.text, passage.text, *explaining)
    return Finding.make(
        "not-verbatim",
        where,
        variant="inside-word" if word else None if difference is None else "explained",
        what=passage.what,
        source=source.id,
        file=source.text_path.name if source.text_path else f"{source.id}.txt",
        difference=difference,
        word=word,
    )


def _explain(
    text: SourceText, passage: str, budget: WorkBudget, kept: Table[tuple[str | None, int]]
) -> str | None:
    """`explain_mismatch(text, passage, budget)`. With a whole explanation's work left in the
    budget, its result and cost are those of a fresh budget, and are kept for the next check."""
    if budget.left < EXPLAIN_WORK:
        return explain_mismatch(text, passage, budget)

    def fresh() -> tuple[str | None, int]:
        own = WorkBudget(EXPLAIN_WORK)
        return explain_mismatch(text, passage, own), own.spent

    difference, spent = kept.get((id(text), passage), (text,), fresh)
    budget.spend(spent)
    return difference


def possible_duplicate_events(view: CaseView) -> Iterator[Finding]:
    yield from possible_duplicates(view.of_kind("event"), view.memo)


def unused_records(view: CaseView) -> Iterator[Finding]:
    """Sources nothing cites and actors nothing mentions."""
    mentioned = {ref.target for ref in view.refs if ref.fault is None}
    if view.loaded.case is not None:
        mentioned.update(models.wikilinks(view.loaded.case.summary))
    for broken in view.loaded.invalid:  # what a broken record names is not reported unused
        mentioned.update(_strings(broken.raw))
    for record in view.records.values():
        if record.id in mentioned:
            continue
        if record.kind == "source":
            yield Finding.make("unused-source", record.location(), id=record.id)
        elif record.kind == "actor":
            yield Finding.make("unmentioned-actor", record.location(), id=record.id)


def _strings(raw: object) -> Iterator[str]:
    """Every string in a record's raw data, and every [[id]] inside one: the ids it may name."""
    stack = [raw]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            yield value
            yield from models.wikilinks(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


Rule = Callable[[CaseView], Iterator[Finding]]

RULES: tuple[Rule, ...] = (
    duplicate_ids,
    broken_references,
    invalid_targets,
    events_without_source,
    reversed_roles,
    missing_translations,
    unverified_passages,
    possible_duplicate_events,
    unused_records,
    unverified_quotations,
    quote_speakers,
    inherited_precision,
)
# The rules that read where the passages are in their sources' texts (`check_loaded`).
LOOKING_UP: tuple[Rule, ...] = (unverified_passages, quote_speakers)


def check_loaded(
    loaded: LoadedCase, progress: Progress = QUIET, *, fork: bool = False
) -> tuple[Report, Case | None]:
    """Every finding about a loaded case file, and the case when it has no errors.

    With `fork`, the passages are looked up in their sources' texts first, shared with a
    forked process (`Shared`: where it forks) that starts while this one runs the rules
    that do not read them. The findings are the same, in the same order."""
    progress.stage("checking records", len(RULES))
    view = index(loaded)
    found: dict[Rule, list[Finding]] = {}
    if fork:
        _look_up_beside(view, found, progress)
    for rule in RULES:
        if rule not in found:
            found[rule] = list(rule(view))
            progress.advance()
    findings = list(loaded.findings)
    for rule in RULES:
        findings.extend(found[rule])
    report = Report(findings)
    case = None if report.errors or loaded.case is None else view.case()
    loaded.memo.finish()  # what was derived from records that changed or went away is dropped
    return report, case


def _look_up_beside(view: CaseView, found: dict[Rule, list[Finding]], progress: Progress) -> None:
    """Look every passage up in its source's text in two processes (`Shared`), the forked
    one starting while this one runs the rules that do not read where they are (their
    findings into `found`). What is wrong with each goes into `view.faults`, and where each
    is into its text (`SourceText.learn`), which the pages read too."""
    cited = list(_cited_passages(view))
    with Shared(cited, partial(_look_up, view.language)) as lookups:
        for text in _texts(cited):  # the pages read these too: made once, here
            text.normalised  # noqa: B018  # a cached property, made now
        for rule in RULES:
            if rule not in LOOKING_UP:
                found[rule] = list(rule(view))
                progress.advance()
        looked = lookups.results(lambda: None)
    view.faults = {}
    for (record, number, _, source), (faults, places) in zip(cited, looked, strict=True):
        view.faults[record.id, number] = faults
        if source.text is not None:
            source.text.learn(places)


def check(
    root: Path, cache: FileCache | None = None, progress: Progress = QUIET
) -> tuple[Report, Case | None]:
    """Load and check the case file in `root`: every finding, and the case when it has no errors.

    `cache` (see `records.load`) lets a long-running process skip files that did not change;
    `progress` hears how far loading and checking are.
    """
    # The loader builds a large heap without reference cycles; the cyclic collector's full
    # passes over it cost about a quarter of the time at 10,000 records (measured), for nothing.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return check_loaded(load(root, cache, progress), progress, fork=cache is None)
    finally:
        if enabled:
            gc.enable()
