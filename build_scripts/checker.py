"""Typed records -> a checked case: every cross-record rule, and the index of back-references.

`check(root)` is the one entry point the CLI, the plugin and the tests share. It returns the
report and, when there are no errors, the checked case the pages are rendered from.
"""

from __future__ import annotations

import gc
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from . import models
from .findings import Finding, Location, Report
from .records import FileCache, LoadedCase, Record, load
from .similar_events import possible_duplicates
from .text import WIKILINK, with_article
from .textmatch import explain_mismatch


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


@dataclass(slots=True)
class Case:
    """A checked case file: records by id, sorted lists by kind, and back-references."""

    root: Path
    meta: models.Case
    records: dict[str, Record]
    references: list[Reference]
    backrefs: dict[str, list[Reference]] = field(default_factory=dict)

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


def _refs(record: Record) -> Iterator[tuple[tuple[str | int, ...], str, str]]:
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
        for i, citation in enumerate(data.sources):
            if isinstance(citation, str):
                yield ("sources", i), citation, "cites"
            else:
                yield ("sources", i, "source"), citation.source, "cites"
        for i, other in enumerate(data.related):
            yield ("related", i), other, "related"
        for i, other in enumerate(data.not_duplicate_of):
            yield ("not_duplicate_of", i), other, "not-duplicate-of"
    elif record.kind == "quote":
        yield ("speaker",), data.speaker, "speaker"
        if isinstance(data.source, str):
            yield ("source",), data.source, "cites"
        else:
            yield ("source", "source"), data.source.source, "cites"
        if data.event:
            yield ("event",), data.event, "said-at"
        for i, who in enumerate(data.about):
            yield ("about", i), who, "about"
    for name in models.MARKDOWN_FIELDS.get(type(data), ()):
        text = getattr(data, name)
        if text:
            for match in WIKILINK.finditer(text):
                yield (name,), match.group(1).strip(), "mentions"


def _strings(raw: object) -> Iterator[str]:
    """Every string in a record's raw data, and every [[id]] inside one: the ids it may name."""
    stack = [raw]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            yield value
            yield from (m.group(1).strip() for m in WIKILINK.finditer(value))
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)


def _case_wikilinks(meta: models.Case) -> Iterator[str]:
    for match in WIKILINK.finditer(meta.summary or ""):
        yield match.group(1).strip()


def check_loaded(loaded: LoadedCase) -> tuple[Report, Case | None]:
    findings = list(loaded.findings)

    # Ids: one record per id across the whole case file.
    by_key: dict[str, Record] = {}
    records: dict[str, Record] = {}
    for record in sorted(loaded.records, key=lambda r: str(r.path)):
        key = id_key(record.id)
        first = by_key.get(key)
        if first is not None:
            if first.id == record.id:
                message = f"id '{record.id}' is already used by the {first.kind} {first.path.name}"
                hint = "ids are unique across actors, sources, events and quotes: rename one file"
            else:
                message = (
                    f"id '{record.id}' looks like '{first.id}', the id of the {first.kind} "
                    f"{first.path.name}"
                )
                hint = (
                    "ids that differ only in characters that look alike (0 and o, 1 and l, "
                    "rn and m) would be taken for one another: rename one file"
                )
            findings.append(
                Finding(
                    "duplicate-id",
                    Location(record.path),
                    message,
                    hint,
                    related=(("first defined here", Location(first.path)),),
                )
            )
            continue
        by_key[key] = record
        records[record.id] = record

    invalid = {r.id: r for r in loaded.invalid if id_key(r.id) not in by_key}
    # invalid target id -> where it is first referred to: one note per target, not a cascade
    invalid_refs: dict[str, tuple[Location, str]] = {}
    references: list[Reference] = []
    for record in records.values():
        for loc, target, relation in _refs(record):
            found = records.get(target)
            if found is not None and found.kind in RELATIONS[relation] and target != record.id:
                references.append(Reference(record.id, target, relation))  # the usual case
                continue
            where = record.location(*loc)
            broken = invalid.get(target)
            if found is None and broken is not None and broken.kind in RELATIONS[relation]:
                invalid_refs.setdefault(target, (where, relation))
                continue
            if relation == "mentions" and models.check_id(target):
                findings.append(
                    Finding(
                        "bad-id",
                        where,
                        f"[[{target}]] is not a valid record id",
                        "write [[id]] or [[id|label]] with the id of an existing record",
                    )
                )
                continue
            if found is None:
                findings.append(_dangling(target, where, relation, records))
                continue
            allowed = RELATIONS[relation]
            if found.kind not in allowed:
                findings.append(
                    Finding(
                        "wrong-kind-reference",
                        where,
                        f"'{target}' is {with_article(found.kind)}, "
                        f"but {relation_phrase(relation)} must be "
                        + " or ".join(with_article(k) for k in allowed),
                        f"{found.kind} '{target}' is defined in {found.path.name}",
                    )
                )
                continue
            if target == record.id and relation != "mentions":
                findings.append(
                    Finding(
                        "self-reference", where, f"{record.kind} '{record.id}' refers to itself"
                    )
                )
                continue
            references.append(Reference(record.id, target, relation))

    case_language = loaded.case.language if loaded.case else "en"
    if loaded.case is not None and loaded.case_positions is not None:
        for target in _case_wikilinks(loaded.case):
            if target not in records:
                findings.append(
                    _dangling(target, loaded.case_positions.at(("summary",)), "mentions", records)
                )

    for target, (where, relation) in sorted(invalid_refs.items()):
        broken = invalid[target]
        findings.append(
            Finding(
                "invalid-target",
                where,
                f"{relation_phrase(relation)} '{target}' has errors of its own, reported in "
                f"{broken.path.name}",
                "references to it are checked again once that file is fixed",
                related=(("defined here", Location(broken.path)),),
            )
        )

    for record in records.values():
        findings.extend(_record_rules(record, records, case_language))
    findings.extend(possible_duplicates(r for r in records.values() if r.kind == "event"))

    mentioned = {ref.target for ref in references}
    if loaded.case is not None:
        mentioned.update(_case_wikilinks(loaded.case))
    for broken in loaded.invalid:  # what a broken record names is not reported unused
        mentioned.update(_strings(broken.raw))
    for record in records.values():
        if record.id in mentioned:
            continue
        if record.kind == "source":
            findings.append(
                Finding(
                    "unused-source",
                    record.location(),
                    f"source '{record.id}' is not cited by any event or quote",
                    "cite it from an event's sources or a quote's source, or remove it",
                )
            )
        elif record.kind == "actor":
            findings.append(
                Finding(
                    "unmentioned-actor",
                    record.location(),
                    f"actor '{record.id}' is not mentioned by any event, quote or role",
                    "add them to an event's actors, or remove the record",
                )
            )

    report = Report(findings)
    if report.errors or loaded.case is None:
        return report, None
    case = Case(loaded.root, loaded.case, dict(sorted(records.items())), references)
    backrefs: dict[str, list[Reference]] = defaultdict(list)
    for ref in sorted(set(references), key=lambda r: (r.target, r.origin, r.relation)):
        backrefs[ref.target].append(ref)
    case.backrefs = dict(backrefs)
    return report, case


def relation_phrase(relation: str) -> str:
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


def _dangling(target: str, where: Location, relation: str, records: dict[str, Record]) -> Finding:
    import difflib

    allowed = RELATIONS[relation]
    candidates = [r.id for r in records.values() if r.kind in allowed]
    close = difflib.get_close_matches(target, candidates, n=1, cutoff=0.6)
    kinds = " or ".join(allowed) if len(allowed) < 4 else "record"
    hint = f"did you mean '{close[0]}'?" if close else f"no {kinds} has this id; create it first"
    return Finding(
        "dangling-reference",
        where,
        f"{relation_phrase(relation)} '{target}' does not exist",
        hint,
    )


def _record_rules(record: Record, records: dict[str, Record], language: str) -> list[Finding]:
    findings: list[Finding] = []
    data = record.data
    if record.kind == "event" and not data.sources:
        findings.append(
            Finding(
                "event-without-source",
                record.location("sources"),
                f"event '{record.id}' cites no source",
                "every event needs at least one citation: sources: [source-id]",
            )
        )
    if record.kind == "actor":
        for i, role in enumerate(data.roles):
            if role.start and role.end and role.end.latest < role.start.earliest:
                findings.append(
                    Finding(
                        "reversed-interval",
                        record.location("roles", i, "end"),
                        f"role '{role.title}' ends ({role.end.text}) before it starts "
                        f"({role.start.text})",
                        "swap start and end",
                    )
                )
    if record.kind == "quote":
        if data.language and data.language != language and not data.translation:
            findings.append(
                Finding(
                    "missing-translation",
                    record.location("language"),
                    f"quote is in '{data.language}' but the case file is in '{language}', "
                    "and it has no translation",
                    "add 'translation: …' in the case file's language",
                )
            )
        source_id = data.source_id
        findings.extend(_verbatim(record, ("text",), data.text, records.get(source_id), "quote"))
        if not isinstance(data.source, str) and data.source.excerpt:
            findings.extend(
                _verbatim(
                    record,
                    ("source", "excerpt"),
                    data.source.excerpt,
                    records.get(source_id),
                    "excerpt",
                )
            )
    if record.kind == "event":
        for i, citation in enumerate(data.sources):
            if not isinstance(citation, str) and citation.excerpt:
                findings.extend(
                    _verbatim(
                        record,
                        ("sources", i, "excerpt"),
                        citation.excerpt,
                        records.get(citation.source),
                        "excerpt",
                    )
                )
    return findings


def _verbatim(
    record: Record,
    loc: tuple[str | int, ...],
    passage: str,
    source: Record | None,
    what: str,
) -> list[Finding]:
    if source is None or source.kind != "source":
        return []
    if source.text is None:
        return [
            Finding(
                "unchecked-quote",
                record.location(*loc),
                f"{what} cannot be checked: source '{source.id}' has no full text",
                f"add the source's text as sources/{source.id}.txt (with text_public: false "
                "it is used for checking only); until then the site shows the "
                f"{what} as not checked against the source text",
            )
        ]
    if source.text.find(passage) is not None:
        return []
    text_name = source.text_path.name if source.text_path else f"{source.id}.txt"
    hint = "copy the passage exactly; '...' may stand for left-out words within one paragraph"
    difference = explain_mismatch(source.text, passage)
    if difference is not None:
        hint = f"{difference}; {hint}"
    return [
        Finding(
            "not-verbatim",
            record.location(*loc),
            f"{what} is not found verbatim in the text of source '{source.id}' ({text_name})",
            hint,
        )
    ]


def check(root: Path, cache: FileCache | None = None) -> tuple[Report, Case | None]:
    """Load and check the case file in `root`: every finding, and the case when it has no errors.

    `cache` (see `records.load`) lets a long-running process skip files that did not change.
    """
    # The loader builds a large heap without reference cycles; the cyclic collector's full
    # passes over it cost about a quarter of the time at 10,000 records (measured), for nothing.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return check_loaded(load(root, cache))
    finally:
        if enabled:
            gc.enable()
