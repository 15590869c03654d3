"""Findings: what the checker says about a case file, as data until the very edge.

Every finding has a stable code from `CODES`, a location (file, line, column, 1-based) and a
message; a hint says how to fix it where one helps. `CODES` is the catalogue: each code's
severity, title, and the templates of its message and hint, filled by `Finding.make` from the
fields a call site passes (values, names, numbers; never sentences), so every message of one
kind reads the same and the documentation's table of codes is generated from it
(`codes_table`). Printing is done by `format_text`, `format_json` and `format_github`, called
only by the CLI and the MkDocs plugin.
"""

from __future__ import annotations

import json
import os
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Template:
    """Another shape of a code's message, picked by `Finding.make(..., variant=name)`.

    What a variant leaves as None it shares with its code; `hint=""` says it has no hint.
    """

    message: str | None = None
    hint: str | None = None


@dataclass(frozen=True, slots=True)
class Code:
    """One row of the catalogue. `message`, `hint` and `note` (the label of a related
    location) are `str.format` templates over the finding's fields.

    A code whose one fault shows in several ways has `variants`, each a whole other shape. A
    phrase that varies inside one shape is a field named in `phrases`: the call site passes
    the key of one of its entries, itself a template over the same fields (None: no phrase).
    """

    severity: Severity
    title: str
    message: str
    hint: str | None = None
    variants: Mapping[str, Template] = field(default_factory=dict)
    phrases: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    note: str | None = None

    def templates(self, variant: str | None = None) -> tuple[str, str | None]:
        """The message and hint templates of one shape (None: the code's own)."""
        if variant is None:
            return self.message, self.hint
        shape = self.variants[variant]
        message = self.message if shape.message is None else shape.message
        hint = self.hint if shape.hint is None else (shape.hint or None)
        return message, hint

    def render(self, variant: str | None, fields: Mapping[str, object]) -> tuple[str, str | None]:
        """The message and hint of one shape, filled from `fields`."""
        message, hint = self.templates(variant)
        filled = _fill(message, fields, self.phrases)
        return filled, (_fill(hint, fields, self.phrases) or None) if hint else None

    def field_names(self, variant: str | None = None, *, note: bool = False) -> frozenset[str]:
        """The fields one shape's templates (and with `note`, its note) read, phrases' fields
        included."""
        message, hint = self.templates(variant)
        names: set[str] = set()
        pending = [t for t in (message, hint, self.note if note else None) if t]
        while pending:
            for _, name, spec, _ in string.Formatter().parse(pending.pop()):
                if name is None:
                    continue
                names.add(name)
                pending.extend(self.phrases.get(name, {}).values())
                if spec:
                    pending.append(spec)
        return frozenset(names)


class _Phrases(string.Formatter):
    """`str.format`, where a field named in `phrases` holds the key of the phrase to insert."""

    def __init__(self, phrases: Mapping[str, Mapping[str, str]]) -> None:
        self.phrases = phrases

    def get_value(
        self, key: int | str, args: Sequence[object], kwargs: Mapping[str, object]
    ) -> object:
        if isinstance(key, str) and key in self.phrases:
            choice = kwargs[key]
            return "" if choice is None else self.vformat(self.phrases[key][choice], (), kwargs)
        return kwargs[str(key)]


def _fill(
    template: str, fields: Mapping[str, object], phrases: Mapping[str, Mapping[str, str]]
) -> str:
    if not phrases:
        return template.format_map(fields)
    return _Phrases(phrases).vformat(template, (), fields)


# Text that several shapes share, written once.
DATE_FORMAT_HINT = (
    "write YYYY, YYYY-MM or YYYY-MM-DD, optionally followed by ~ (approximate), "
    "? (uncertain) or % (both); a range as A/B, ../B (on or before B) or A/.. (on or after A)"
)
_LAYOUT_HINT = (
    "a case file holds case.yml and the folders actors/, sources/, events/ and quotes/ "
    "of .yml records (sources/ may hold <id>.txt full texts)"
)
_ID_HINT = "ids are lower-case letters, digits and single hyphens, e.g. '{suggestion}'"
_RENAME_HINT = (
    "rename it to '{suggestion}{suffix}'; the id is the file name without .yml, in lower-case "
    "letters, digits and single hyphens"
)
_PLACEHOLDER_HINT = "replace this placeholder with the id (the file name) of an existing record"
_ID_INVALID = "'{value}' is not a valid id"
_ID_TOO_LONG = "'{value}' is {length} characters long; ids have at most {limit}"
_INVISIBLE = "it can make text display differently from what it says"
_VERBATIM_HINT = "copy the passage exactly; '...' may stand for left-out words within one paragraph"
_QUOTATION_HINT = (
    "copy the words exactly ('...' may stand for left-out words within one paragraph); if they "
    "are not a source's words, drop the quotation marks"
)
_SEPARATOR = "'{text}' separates year, month and day with '{separator}'"
_TWO_DIGITS = "'{text}': the {parts} must be written with two digits"
_YEAR_LAST_TWICE = "'{text}' puts the year last, and could be read two ways"
_PART_OF_PERIOD = "'{text}' names a part of a period, which the format cannot say"
_PART_OF_PERIOD_HINT = (
    "write the period it falls in{guess} and say '{part}' in date_note; add ~ if even that is "
    "approximate"
)
_PERCENT_ENCODED = "URL holds {what}, which must be percent-encoded ({encoded})"
_LIMIT_HINT = (
    "split it over several records, or shorten it; see the limits on the Record format page"
)

E, W = Severity.ERROR, Severity.WARNING

# The catalogue. The code is the contract: tools and tests match on it. Faults found in one
# field's value (raised by the record format's validators and the date and URL parsers) are
# written without the field's name, which `Finding.inside("field", ...)` puts in front.
CODES: dict[str, Code] = {
    "file-encoding": Code(
        E,
        "file is not valid UTF-8",
        "byte 0x{byte:02x} is not valid UTF-8",
        "save the file as UTF-8",
    ),
    "forbidden-character": Code(
        E,
        "NUL or bidirectional control character",
        "invisible control character U+{codepoint:04X} is not allowed",
        "delete it; " + _INVISIBLE,
        variants={
            "escape": Template(
                "this value holds the invisible control character U+{codepoint:04X}",
                "remove the escape; " + _INVISIBLE,
            ),
        },
    ),
    "file-too-large": Code(
        E,
        "file larger than the limit",
        "file is {size:,} bytes; the limit is {limit:,}",
        "split long texts; a record should hold one actor, event, quote or source",
    ),
    # {problem} and {context} are the YAML parser's own words.
    "yaml-syntax": Code(
        E,
        "YAML syntax error",
        "{problem}",
        "{advice}",
        variants={
            "context": Template("{problem} ({context})"),
            "unknown": Template("invalid YAML"),
            "event": Template("unexpected YAML event", ""),
        },
        phrases={
            "advice": {
                "quote-colon": "a value containing ': ' must be quoted, "
                'e.g. title: "Kirby: no calls planned"',
                "tab": "indent with spaces, not tabs",
                "unclosed-quote": "a quoted value is not closed: end it with the same quote "
                "mark it starts with",
                "colon": "each field is written 'name: value' on its own line",
            },
        },
        note="{started} started here",
    ),
    "yaml-feature": Code(
        E,
        "YAML feature not allowed in records",
        "alias '*{anchor}' is not allowed in records",
        "write the value out in full; records must read the same to people and programs",
        variants={
            "anchor": Template(
                "anchor '&{anchor}' is not allowed in records",
                "remove the anchor and write each value out in full",
            ),
            "tag": Template(
                "explicit tag '{tag}' is not allowed in records",
                "remove the tag; the record format decides each field's type",
            ),
            "key": Template("a key must be plain text, not {found}", ""),
            "document": Template(
                "a record file holds one YAML document; this is a second one",
                "one record per file: move this one into a file of its own",
            ),
        },
        phrases={
            "found": {
                "list": "a list",
                "mapping": "a mapping",
                "alias": "an alias",
                "value": "a value",
            },
        },
    ),
    "too-deep": Code(
        E,
        "nesting deeper than the limit",
        "nesting deeper than {limit} levels",
        "records are shallow: a mapping of fields, lists of values or small mappings",
    ),
    "duplicate-key": Code(
        E,
        "the same key twice in one mapping",
        "key '{key}' appears twice in the same mapping",
        "keep one of them; YAML would silently drop the first",
        note="first defined here",
    ),
    "empty-file": Code(
        E, "record file holds no record", "file is empty", "see the Record format page"
    ),
    "empty-value": Code(
        E,
        "a field with no value",
        "'{field}' has no value",
        "give it a value or delete the line",
        variants={"text": Template("text is empty", "write the text, or remove the field")},
    ),
    "unknown-field": Code(
        E,
        "field not in the record format",
        "unknown field '{field}'",
        "allowed fields: {allowed}",
        variants={"close": Template(hint="did you mean '{close}'?")},
    ),
    "missing-field": Code(
        E,
        "required field missing",
        "required field '{field}' is missing",
        "add '{name}: …'",
    ),
    # {expected} names a type: "text", "a record id", "a date"; {got} is "a list" or "a mapping".
    "wrong-type": Code(
        E,
        "value of the wrong type",
        "expected {expected}, got {got}",
        variants={
            "text-for-list": Template(
                "expected a list, got text", "write a list: one '- item' per line, or [a, b]"
            ),
            "mapping-for-list": Template("expected a list, got a mapping"),
            "id-or-mapping": Template("expected a record id or a mapping"),
            "not-a-mapping": Template("expected a mapping of fields"),
            "not-a-list": Template("expected a list"),
            "not-text": Template("expected text"),
            # Any other type error, in pydantic's words.
            "other": Template("{detail}"),
            "record": Template(
                "a record is a mapping of fields, but this file holds {found}",
                "write one 'field: value' per line; see the Record format page",
            ),
        },
        phrases={"found": {"list": "a list", "value": "a single value"}},
    ),
    "bad-value": Code(
        E,
        "value not allowed for this field",
        "'{value}' is not a BCP 47 language tag",
        "e.g. en, ru, pt-BR",
        variants={
            "tag": Template(
                "tag '{value}' is not a slug",
                "tags are lower-case words joined by hyphens: '{suggestion}'",
            ),
            "bool": Template(
                "'{value}' is not true or false",
                "write true or false (YAML's yes/no/on/off are not accepted)",
            ),
            "wikidata": Template(
                "'{value}' is not a Wikidata id", "Q followed by digits, e.g. Q42"
            ),
        },
    ),
    "bad-enum": Code(
        E,
        "value not among the allowed ones",
        "'{field}' is '{value}', which is not an allowed value",
        "allowed: {allowed}",
        variants={"close": Template(hint="did you mean '{close}'? allowed: {allowed}")},
    ),
    "bad-id": Code(
        E,
        "identifier or file name not allowed",
        _ID_INVALID,
        _ID_HINT,
        variants={
            "too-long": Template(_ID_TOO_LONG),
            "placeholder": Template(hint=_PLACEHOLDER_HINT),
            "placeholder-too-long": Template(_ID_TOO_LONG, _PLACEHOLDER_HINT),
            "file": Template("file name {name!r}: " + _ID_INVALID, _RENAME_HINT),
            "file-too-long": Template("file name {name!r}: " + _ID_TOO_LONG, _RENAME_HINT),
            "link": Template(
                "[[{target}]] is not a valid record id",
                "write [[id]] or [[id|label]] with the id of an existing record",
            ),
        },
    ),
    "duplicate-id": Code(
        E,
        "two records with the same id",
        "id '{id}' is already used by the {kind} {file}",
        "ids are unique across actors, sources, events and quotes: rename one file",
        variants={
            "lookalike": Template(
                "id '{id}' looks like '{other}', the id of the {kind} {file}",
                "ids that differ only in characters that look alike (0 and o, 1 and l, rn and "
                "m) would be taken for one another: rename one file",
            ),
        },
        note="first defined here",
    ),
    "unexpected-file": Code(
        E,
        "file the case file format does not know",
        "'{name}' is not part of a case file",
        _LAYOUT_HINT,
        variants={
            "not-yml": Template("'{name}' is not a .yml record and would be ignored"),
            "folder": Template("folders inside {folder}/ are not read"),
            "text-alone": Template(
                "full text '{name}' has no source record '{stem}.yml' beside it"
            ),
            "two-cases": Template("both case.yml and case.yaml exist; keep one"),
        },
    ),
    "missing-case": Code(
        E,
        "case.yml missing",
        "case.yml is missing",
        "create it with at least 'title: …'",
        variants={"no-folder": Template("no case file folder at {root}", _LAYOUT_HINT)},
    ),
    # {relation} is `checker.relation_phrase`: "an event's actor", "a citation", ...
    "dangling-reference": Code(
        E,
        "reference to a record that does not exist",
        "{relation} '{target}' does not exist",
        "no {kinds} has this id; create it first",
        variants={"close": Template(hint="did you mean '{close}'?")},
    ),
    "wrong-kind-reference": Code(
        E,
        "reference to a record of the wrong kind",
        "'{target}' is {found}, but {relation} must be {allowed}",
        "{kind} '{target}' is defined in {file}",
    ),
    "bad-date": Code(
        E,
        "date not in the accepted format",
        "'{text}' is not a date in the accepted form",
        DATE_FORMAT_HINT,
        variants={
            "spaces": Template("'{text}' has spaces around it", "remove the spaces"),
            "empty": Template("the date is empty"),
            "slashes": Template("'{text}' has more than one '/'"),
            "open": Template("an interval needs at least one known end"),
            "empty-end": Template(
                "'{text}' has an empty end",
                "write '..' for an open end: ../B means on or before B, A/.. on or after A",
            ),
            "separator": Template(
                _SEPARATOR,
                "write '{fixed}': dates use '-' ('/' separates the two ends of a range)",
            ),
            "separator-no-day": Template(_SEPARATOR),
            "digits": Template(_TWO_DIGITS, "write '{fixed}'"),
            "digits-no-day": Template(_TWO_DIGITS),
            "year-last": Template(
                "'{text}' puts the year last", "write '{fixed}': year, month, day"
            ),
            "two-readings": Template(
                _YEAR_LAST_TWICE, "'{first}' or '{second}': write year-month-day"
            ),
            "no-reading": Template(_YEAR_LAST_TWICE),
            "no-dashes": Template("'{text}' has no '-' between its parts", "write '{fixed}'"),
            "time": Template(
                "'{text}' holds a time of day; records give days",
                "write '{fixed}' and put the time in the date note",
            ),
            "circa": Template(
                "'{text}' says 'approximately' in words",
                "write '{fixed}': '~' marks an approximate date",
            ),
            "part-of-period": Template(_PART_OF_PERIOD, _PART_OF_PERIOD_HINT),
            "words": Template("'{text}' is written in words", "write '{fixed}'"),
        },
        # Which parts of a date lack a digit; where the period a part of one falls in is.
        phrases={
            "parts": {"month": "month", "day": "day", "both": "month and day"},
            "guess": {"known": ", {period!r},"},
        },
    ),
    "impossible-date": Code(
        E,
        "date that does not exist",
        "{year}-{month}-{day} is not a real day: {month_name} {year_number} has {last} days",
        "write a day from 01 to {last}, or {year}-{month} if the day is not known",
        variants={
            "year-zero": Template("year 0000 is not supported", "use 0001 or later"),
            "month": Template("month {month} does not exist", "months run from 01 to 12"),
        },
    ),
    "reversed-interval": Code(
        E,
        "interval that ends before it starts",
        "role '{title}' ends ({end}) before it starts ({start})",
        "swap start and end",
        variants={
            "date": Template(
                "the interval '{text}' ends before it starts",
                "write the earlier date first: '{end}/{start}'",
            ),
        },
    ),
    "bad-url": Code(
        E,
        "URL that is not http(s)",
        "'{url}' is not an http(s) URL",
        "write a full address starting with https://",
        variants={
            "scheme": Template(
                "URL scheme '{scheme}' is not allowed",
                "only http:// and https:// addresses can be cited; link to a web copy of the "
                "source",
            ),
            "mangled-scheme": Template(
                "'{url}' has a malformed scheme '{written}'",
                "write the scheme as {scheme}://, i.e. '{fixed}'",
            ),
            "no-scheme": Template(
                "'{url}' has no scheme",
                "write the full address, e.g. 'https://{url}' (check that the site serves https)",
            ),
            "host": Template(
                "the host name in '{url}' holds {character!r}, which no host name can hold",
                "write the site's address as it appears in the browser's address bar",
            ),
            "unencoded": Template(_PERCENT_ENCODED, "write it as '{fixed}'"),
            "user": Template(
                "'{url}' holds a user name or password before '@'",
                "cite the address without it; a URL with '@' can show one site and open another",
            ),
            "no-host": Template(
                "'{url}' is not a valid http(s) URL: it has no host name",
                "write a full address such as https://example.org/page",
            ),
        },
        phrases={
            "what": {
                "space": "a space",
                "character": "the character {character!r}",
                "control": "the control character U+{codepoint:04X}",
            },
        },
    ),
    "event-without-source": Code(
        E,
        "event that cites no source",
        "event '{id}' cites no source",
        "every event needs at least one citation: sources: [source-id]",
    ),
    # {what} is "quote" or "excerpt"; {difference} is `textmatch.explain_mismatch`'s account.
    "not-verbatim": Code(
        E,
        "quote or excerpt not found verbatim in the source text",
        "{what} is not found verbatim in the text of source '{source}' ({file})",
        _VERBATIM_HINT,
        variants={
            "explained": Template(hint="{difference}; " + _VERBATIM_HINT),
            "inside-word": Template(
                hint="it is found only inside the longer word '{word}': a passage starts and "
                "ends on whole words (an apostrophe or a hyphen is part of a word)"
            ),
        },
    ),
    "missing-translation": Code(
        E,
        "quote in another language without a translation",
        "quote is in '{language}' but the case file is in '{case_language}', and it has no "
        "translation",
        "add 'translation: …' in the case file's language",
    ),
    "self-reference": Code(E, "record that refers to itself", "{kind} '{id}' refers to itself"),
    # {what} is the kind of file `files.py` found there.
    "not-a-regular-file": Code(
        E,
        "symlink, device, FIFO or socket in the case file",
        "'{name}' is {what}; a case file holds only regular files and folders",
        "replace it with the file itself; links are not followed, so that nothing outside the "
        "case file can be read or published",
        phrases={
            "what": {
                "link": "a symbolic link",
                "fifo": "a named pipe (FIFO)",
                "socket": "a socket",
                "device": "a device",
                "other": "not a regular file",
            },
        },
    ),
    # {reason} is the operating system's.
    "unreadable-file": Code(
        E,
        "file that cannot be read",
        "cannot read '{name}': {reason}",
        "check the file's permissions, or remove it",
    ),
    "too-long": Code(
        E,
        "value or list longer than the limit",
        "the text has {size:,} characters; the limit is {limit:,}",
        _LIMIT_HINT,
        variants={
            "value": Template("the value has {size:,} characters; the limit is {limit:,}"),
            "list": Template("the list has {size:,} entries; the limit is {limit:,}"),
        },
    ),
    "reserved-id": Code(
        E,
        "id or tag that would take a generated page's path",
        "the id '{id}' is reserved: its page would replace the site's {folder} page",
        "rename the file, e.g. to '{id}-{kind}{suffix}'",
        variants={
            "tag": Template(
                "tag '{value}' is reserved: its page would replace the site's list of tags",
                "choose another tag, e.g. '{value}-tag'",
            ),
        },
    ),
    "path-collision": Code(
        E,
        "two pages at one path",
        "{origin} would be generated at {path}, which another page already takes",
    ),
    "invalid-target": Code(
        W,
        "reference to a record that has errors of its own",
        "{relation} '{target}' has errors of its own, reported in {file}",
        "references to it are checked again once that file is fixed",
        note="defined here",
    ),
    "possible-duplicate": Code(
        W,
        "two events that may be the same event",
        "event '{id}' may be the same as '{other}' ({other_file}): {when}{likeness}",
        "if they are the same event, merge them; if not, add `not_duplicate_of: [{other}]` to "
        "one of them",
        phrases={
            "when": {
                "same-day": "same day {date}",
                "same-date": "same date {date}",
                "overlap": "dates overlap ({date} and {other_date})",
            },
            "likeness": {
                "same-title": " and titles match after normalising case and punctuation",
                "near-title": " and titles {percent}% alike",
                "same-sources": ", both cite exactly {cited} and titles {percent}% alike",
            },
            "cited": {"one": "source {sources}", "many": "sources {sources}"},
        },
        note="the other event",
    ),
    "unchecked-quote": Code(
        W,
        "quote whose source has no full text to check it against",
        "{what} cannot be checked: source '{source}' has no full text",
        "add the source's text as sources/{source}.txt (with text_public: false it is used for "
        "checking only); until then the site shows the {what} as not checked against the "
        "source text",
    ),
    "elided-negation": Code(
        W,
        "elision that drops a negation next to the gap",
        "{what} leaves out '{negation}' next to a '...': the source may say the opposite",
        "quote the words around the gap so that the negation stays in",
    ),
    # `evidence.py`. {quoted} is the words between the marks, cut to about 80 characters;
    # {cited} says which texts they were looked for in; {difference} is
    # `textmatch.explain_mismatch`'s account, {passage} `textmatch.closest_paragraph`'s run.
    "unverified-quotation": Code(
        W,
        "words in quotation marks not found verbatim in a cited source",
        '"{quoted}" is in quotation marks but is not found verbatim in {cited}',
        _QUOTATION_HINT,
        variants={
            "explained": Template(hint="source '{source}': {difference}; " + _QUOTATION_HINT),
            "closest": Template(
                hint="the closest is source '{source}', paragraph {paragraph}: \"{passage}\"; "
                + _QUOTATION_HINT
            ),
            "short": Template(
                hint="a word or two in quotation marks must be the source's own words too; if "
                "they are yours, drop the quotation marks"
            ),
            "limit": Template(
                '"{quoted}" and the quotations after it were not checked: the check reached '
                "its limit of work",
                "so many quotations, or such long source texts, come only from crafted input; "
                "shorten them",
            ),
        },
        phrases={
            "cited": {
                "event": "the text of any source the event cites",
                "source": "this source's text",
                "any": "the text of any source",
            },
        },
    ),
    "quote-speaker-not-in-passage": Code(
        W,
        "quote whose speaker the source does not name near it",
        "speaker '{speaker}' is not named in paragraph {paragraph} of source '{source}' or the "
        "two before it, and nothing in that paragraph refers to a speaker",
        "check who said these words: if the source calls the speaker something else, add that "
        "name to the actor's aliases; if the words are someone else's, correct the speaker",
    ),
    "inherited-precision": Code(
        W,
        "summary more precise about the day than the event's date",
        "summary says \"{phrase}\", more precisely than the event's date '{date}'",
        "if a source gives that day for this event, make it the date (without ~ or ?); if not, "
        "say no more than the date does, and explain the day in date_note",
    ),
    "unused-source": Code(
        W,
        "source that nothing cites",
        "source '{id}' is not cited by any event or quote",
        "cite it from an event's sources or a quote's source, or remove it",
    ),
    "unmentioned-actor": Code(
        W,
        "actor that nothing mentions",
        "actor '{id}' is not mentioned by any event, quote or role",
        "add them to an event's actors, or remove the record",
    ),
    # `casefile links`: {field} is url or archive_url.
    "dead-link": Code(
        E,
        "source address that does not answer, or answers with an error",
        "{field} {url}: HTTP {status}",
        "check the address; if the page is gone, cite an archived copy in archive_url",
        variants={
            "no-answer": Template("{field} {url}: no answer ({reason})"),
        },
    ),
    "no-archive": Code(
        W,
        "source with a url but no archived copy",
        "source '{id}' has no archive_url",
        "archive it, e.g. at https://web.archive.org/",
    ),
    # `casefile scan`: what a built site must not hold (see scan.py). The location is the
    # site's file and line; {value}, {src} and {text} are the first characters of what was
    # found.
    "scan-event-handler": Code(
        E, "event-handler attribute", "event-handler attribute {attribute}= on <{tag}>"
    ),
    "scan-script-url": Code(
        E,
        "javascript:, data: or vbscript: URL",
        "{scheme} URL in {attribute}= on <{tag}>: {value!r}",
    ),
    "scan-foreign-script": Code(
        E,
        "script that is not one of the site's own",
        "script from outside the site's own assets: {src!r}",
    ),
    "scan-inline-script": Code(
        E,
        "inline script that is not the theme's",
        "inline script that is not Material's own: {text!r}",
    ),
    "scan-script-type": Code(
        E, "script of a type that is not allowed", "script of type {type!r} is not allowed"
    ),
    "scan-script-with-text": Code(
        E, "script with both a src and text", "script with src= also has text"
    ),
    "scan-script-breakout": Code(
        E,
        "script whose text could end it early",
        "script text holds '</script' or '<!--'",
    ),
    "scan-fragment-script": Code(
        E, "script in the HTML of the search index", "<script> in an HTML fragment"
    ),
    "scan-json-ld": Code(
        E, "JSON-LD that is not valid JSON", "application/ld+json script is not valid JSON"
    ),
    "scan-config-json": Code(
        E,
        "theme configuration that is not valid JSON",
        "Material's __config script is not valid JSON",
    ),
    "scan-config": Code(
        E,
        "theme configuration that is not the theme's",
        "__config script does not look like Material's",
    ),
    "scan-foreign-worker": Code(
        E,
        "search worker from outside the site",
        "__config names a search worker outside the site: {src!r}",
    ),
    "scan-worker": Code(
        E,
        "search worker that is not the theme's",
        "__config's search worker is not Material's: {src!r}",
    ),
    "scan-forbidden-element": Code(
        E, "frame, object, embed, applet, base or portal element", "<{tag}> element"
    ),
    "scan-meta-refresh": Code(E, "redirect by meta refresh", '<meta http-equiv="refresh">'),
    "scan-self-closing": Code(
        E,
        "self-closing script or style",
        "self-closing <{tag}/>: browsers read what follows as its content",
    ),
    "scan-stray-markup": Code(
        E,
        "markup that the scan did not read as a tag",
        "markup the parser did not read as a tag: {text!r}",
    ),
    "scan-comment": Code(
        E,
        "comment that browsers end earlier than the scan",
        "comment that browsers end earlier than this scan",
    ),
    "scan-marked-section": Code(
        E,
        "CDATA or other marked section",
        "<![{text}...]> section (a browser reads it differently)",
    ),
    "scan-unclosed": Code(
        E, "script or style never closed", "<script> or <style> that is never closed"
    ),
    # {reason} is the operating system's, or the decompressor's.
    "scan-unreadable": Code(E, "site file that cannot be read", "cannot read: {reason}"),
}

# Where a finding sits inside something its location cannot point into, its message is framed.
FRAMES: dict[str, str] = {
    "field": "'{field}': {message}",  # a fault in one field's value
    "search-index": "search index entry {entry!r}, {key}: {message}",  # HTML inside JSON
}


def codes_table() -> str:
    """The Markdown table of every code, as the Record format page holds it."""
    rows = ["| code | severity | what it means |", "|---|---|---|"]
    for code, row in sorted(CODES.items(), key=lambda item: (item[1].severity, item[0])):
        rows.append(f"| `{code}` | {row.severity.value} | {row.title} |")
    return "\n".join(rows)


@dataclass(frozen=True, slots=True)
class Location:
    path: Path
    line: int = 1
    col: int = 1


@dataclass(frozen=True, slots=True)
class Fix:
    """A certain correction: the value that starts at `line`:`col` and reads `old` becomes
    `new` (`casefile check --fix` applies it to that span of the file and nothing else)."""

    line: int
    col: int
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    location: Location
    message: str
    hint: str | None = None
    # Other places the finding involves, e.g. the first definition of a duplicate id.
    related: tuple[tuple[str, Location], ...] = field(default_factory=tuple)
    fix: Fix | None = None

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown finding code {self.code!r}")

    @classmethod
    def make(
        cls,
        code: str,
        where: Location,
        /,
        *,
        variant: str | None = None,
        related_at: Location | None = None,
        fix: Fix | None = None,
        **fields: object,
    ) -> Finding:
        """The finding `code` at `where`, its message and hint filled from `fields` (and
        `variant`'s shape, when the code has several); `related_at` is the place its note
        names."""
        row = CODES[code]
        message, hint = row.render(variant, fields)
        related: tuple[tuple[str, Location], ...] = ()
        if related_at is not None:
            assert row.note is not None, f"{code} has no note for a related location"
            related = ((_fill(row.note, fields, row.phrases), related_at),)
        return cls(code, where, message, hint, related, fix)

    def inside(self, frame: str, **fields: object) -> Finding:
        """This finding with its message framed by `FRAMES[frame]`."""
        return replace(self, message=FRAMES[frame].format(message=self.message, **fields))

    @property
    def severity(self) -> Severity:
        return CODES[self.code].severity

    @property
    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        loc = self.location
        # The hint too: two findings that differ only there must still sort the same way
        # every run (a set holds them first).
        return (loc.path.as_posix(), loc.line, loc.col, self.code, self.message, self.hint or "")


class Report:
    """All findings of one check, sorted by file and position."""

    def __init__(self, findings: Iterable[Finding] = ()) -> None:
        self.findings: list[Finding] = sorted(set(findings), key=lambda f: f.sort_key)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.WARNING]

    def ok(self, *, strict: bool = False) -> bool:
        return not (self.findings if strict else self.errors)

    def summary(self) -> str:
        e, w = len(self.errors), len(self.warnings)
        return f"{e} error{'s' * (e != 1)}, {w} warning{'s' * (w != 1)}"


def display_path(path: Path, cwd: Path | None = None) -> str:
    """The path as compilers print it: relative to the current directory when below it."""
    cwd = cwd or Path.cwd()
    try:
        # The folder is resolved, never the file: a symlink must be named, not its target.
        return (path.parent.resolve() / path.name).relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return os.fspath(path)


# Every character that some reader of our output takes for the end of a line. Record text
# (and file names) can hold them; inside one field of a finding they are shown, not obeyed.
_LINE_BREAKS = str.maketrans({c: repr(c)[1:-1] for c in "\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029"})


def one_line(text: str) -> str:
    """`text` with its line breaks written as escapes, so it stays on the line it is put on."""
    return text.translate(_LINE_BREAKS)


def for_ci(text: str) -> str:
    """Text about to be printed, made unable to start a GitHub workflow command.

    The Actions runner reads `::command::` (and the older `##[command]`) at the start of any
    line of a step's stdout or stderr. With GITHUB_ACTIONS=true, a line that would start one
    gets a visible backslash in front; our own annotations are printed without this.
    """
    if os.environ.get("GITHUB_ACTIONS") != "true":
        return text
    return "".join(
        "\\" + line if line.lstrip().startswith(("::", "##[")) else line
        for line in text.splitlines(keepends=True)
    )


def format_text(finding: Finding, cwd: Path | None = None) -> str:
    loc = finding.location
    lines = [
        f"{one_line(display_path(loc.path, cwd))}:{loc.line}:{loc.col}: "
        f"{finding.severity.value}[{finding.code}]: {one_line(finding.message)}"
    ]
    for label, other in finding.related:
        where = one_line(display_path(other.path, cwd))
        lines.append(f"  note: {one_line(label)}: {where}:{other.line}:{other.col}")
    if finding.hint:
        lines.append(f"  hint: {one_line(finding.hint)}")
    return for_ci("\n".join(lines))


def as_dict(finding: Finding, cwd: Path | None = None) -> dict[str, object]:
    loc = finding.location
    return {
        "severity": finding.severity.value,
        "code": finding.code,
        "file": display_path(loc.path, cwd),
        "line": loc.line,
        "column": loc.col,
        "message": finding.message,
        "hint": finding.hint,
        "related": [
            {
                "label": label,
                "file": display_path(o.path, cwd),
                "line": o.line,
                "column": o.col,
            }
            for label, o in finding.related
        ],
    }


def format_json(report: Report, cwd: Path | None = None) -> str:
    return json.dumps(
        {
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "findings": [as_dict(f, cwd) for f in report.findings],
        },
        indent=2,
        ensure_ascii=False,
    )


def _escape_data(text: str) -> str:
    # GitHub's workflow-command escaping for the message part.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(finding: Finding, cwd: Path | None = None) -> str:
    """One `::error file=…,line=…,col=…,title=…::message` workflow command."""
    loc = finding.location
    message = one_line(finding.message) + (f"\n{one_line(finding.hint)}" if finding.hint else "")
    props = ",".join(
        f"{k}={_escape_property(str(v))}"
        for k, v in (
            ("file", one_line(display_path(loc.path, cwd))),
            ("line", loc.line),
            ("col", loc.col),
            ("title", f"casefile {finding.code}"),
        )
    )
    return f"::{finding.severity.value} {props}::{_escape_data(message)}"


GITHUB_ANNOTATION_LIMIT = 10  # GitHub shows at most 10 annotations of a kind per step


def github_annotations(
    report: Report,
    changed: frozenset[str] = frozenset(),
    limit: int = GITHUB_ANNOTATION_LIMIT,
    cwd: Path | None = None,
) -> list[str]:
    """Workflow commands for the findings, those in `changed` files first, at most `limit`,
    then one notice counting the rest (GitHub would silently drop them)."""
    ordered = sorted(
        report.findings,
        key=lambda f: (display_path(f.location.path, cwd) not in changed, f.sort_key),
    )
    lines = [format_github(f, cwd) for f in ordered[:limit]]
    rest = len(ordered) - limit
    if rest > 0:
        lines.append(
            f"::notice title=casefile::{rest} more finding{'s' * (rest != 1)} not annotated; "
            "see the job summary or the log"
        )
    return lines


def _cell(text: str) -> str:
    """Text for a cell of a Markdown table that GitHub renders: nothing in it is markup."""
    text = " ".join(text.split())
    return "".join(f"&#{ord(c)};" if c in "|<>[]()*_`\\&!#" else c for c in text)


def summary_markdown(
    report: Report, cwd: Path | None = None, command: str = "casefile check"
) -> str:
    """The findings as a Markdown table, for `$GITHUB_STEP_SUMMARY`."""
    lines = [f"### {command}: {report.summary()}", ""]
    if not report.findings:
        return "\n".join([*lines, "No problems found.", ""])
    lines += ["| | file | line | problem | hint |", "|---|---|---|---|---|"]
    for f in report.findings:
        mark = "❌" if f.severity is Severity.ERROR else "⚠️"
        lines.append(
            f"| {mark} | {_cell(display_path(f.location.path, cwd))} | {f.location.line} "
            f"| {_cell(f.code)}: {_cell(f.message)} | {_cell(f.hint or '')} |"
        )
    return "\n".join([*lines, ""])
