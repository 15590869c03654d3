"""Record format v1 as typed models: the one place that says which fields exist.

Every value arrives as a string (see `strictyaml`); the field types here decide what each
string may be. Validators raise `PydanticCustomError` whose type is a finding code from
`findings.CODES` and whose context holds the shape and fields of its template (`_fault`), so
`records.py` can turn each error into a located finding; no message is written here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    Tag,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from .dates import DateError, EdtfDate, parse_date
from .urls import check_url

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
# Names the site gives its own pages inside a record folder (actors/index.md is the Actors
# page, tags/index.md the Tags page): an id or tag may not take them.
RESERVED_NAMES = frozenset({"index"})
ID_MAX = 80
_ID_RE = re.compile(ID_PATTERN)
_LANG_RE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_WIKIDATA_RE = re.compile(r"^Q[1-9][0-9]*$")
_DATE_PART = r"\.\.|\d{4}(-\d{2}(-\d{2})?)?[~?%]?"

ACTOR_KINDS = ("person", "organization", "government", "group", "anonymous", "other")
SOURCE_KINDS = (
    "article",
    "report",
    "transcript",
    "statement",
    "briefing",
    "interview",
    "document",
    "post",
    "video",
    "other",
)
STATUSES = ("confirmed", "reported", "claimed", "disputed", "denied", "retracted")

# Shown on event pages and in the format documentation.
STATUS_MEANINGS: dict[str, str] = {
    "confirmed": "established by the record, or confirmed on the record by the parties involved",
    "reported": "reported by a source, not independently confirmed",
    "claimed": "asserted by a party with an interest in it, not confirmed",
    "disputed": "contested by a party or by other sources",
    "denied": "denied by a party involved",
    "retracted": "reported, then withdrawn by the source that reported it",
}


def _fault(
    code: str,
    *,
    variant: str | None = None,
    offset: int | None = None,
    fix: str | None = None,
    **fields: object,
) -> PydanticCustomError:
    """A value's fault as the catalogue's code, the shape and fields of its template, where in
    the value it is (`offset`) and the value as it must be written (`fix`), for `records.py`.
    pydantic's own message is never shown, so it is just the code."""
    context = {"variant": variant, "fields": fields, "offset": offset, "fix": fix}
    return PydanticCustomError(code, code, context)


def _need_str(value: object, what: str) -> str:
    """`value` if it is text; `what` names the type the field wants ("a date")."""
    if not isinstance(value, str):
        got = "a list" if isinstance(value, list) else "a mapping"
        raise _fault("wrong-type", expected=what, got=got)
    if len(value) > MAX_MARKDOWN:  # no value of any kind is longer
        raise _fault("too-long", variant="value", size=len(value), limit=MAX_MARKDOWN)
    return value


# Limits no real case file reaches (the longest paragraph of a report is a few thousand
# characters; an event has a handful of actors), so that a hostile record cannot make any later
# step do unbounded work. Documented on the Record format page.
MAX_TEXT = 10_000  # characters in a plain-text field (a quote, a title, a note on a date)
MAX_MARKDOWN = 20_000  # characters in a Markdown field (summary, description, notes)
MAX_ITEMS = 200  # entries in any list (actors of an event, tags, aliases, sources, ...)


def _text(value: object, limit: int = MAX_TEXT) -> str:
    text = _need_str(value, "text")
    if not text.strip():
        raise _fault("empty-value", variant="text")
    if len(text) > limit:
        raise _fault("too-long", size=len(text), limit=limit)
    return text


def _markdown(value: object) -> str:
    return _text(value, MAX_MARKDOWN)


def check_id(value: str) -> str | None:
    """Why `value` is not a valid id, as the catalogue's `bad-id` shape ("too-long",
    "invalid"); None for a valid id."""
    if len(value) > ID_MAX:
        return "too-long"
    if not _ID_RE.fullmatch(value):
        return "invalid"
    return None


def suggest_id(value: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")
    return slug[:ID_MAX].rstrip("-") or "an-id"


def _record_id(value: object) -> str:
    text = _need_str(value, "a record id")
    problem = check_id(text)
    if problem:
        # The placeholders of `casefile new` ("EVENT-ID") get their own hint.
        placeholder = re.fullmatch(r"[A-Z]+(-[A-Z]+)*-ID", text)
        variant = {
            ("invalid", False): None,
            ("too-long", False): "too-long",
            ("invalid", True): "placeholder",
            ("too-long", True): "placeholder-too-long",
        }[problem, bool(placeholder)]
        raise _fault(
            "bad-id",
            variant=variant,
            value=text,
            length=len(text),
            limit=ID_MAX,
            suggestion=suggest_id(text),
        )
    return text


def _slug(value: object) -> str:
    text = _need_str(value, "a tag")
    if text in RESERVED_NAMES:
        raise _fault("reserved-id", variant="tag", value=text)
    if not _ID_RE.fullmatch(text) or len(text) > ID_MAX:
        raise _fault("bad-value", variant="tag", value=text, suggestion=suggest_id(text))
    return text


def _date(value: object) -> EdtfDate:
    text = _need_str(value, "a date")
    try:
        return parse_date(text)
    except DateError as exc:
        raise _fault(
            exc.code, variant=exc.variant, offset=exc.offset, fix=exc.fix, **exc.fields
        ) from None


def _url(value: object) -> str:
    text = _need_str(value, "a URL")
    problem = check_url(text)
    if problem is not None:
        raise _fault(
            problem.code,
            variant=problem.variant,
            offset=problem.offset,
            fix=problem.fix,
            **problem.fields,
        )
    return text


def _bool(value: object) -> bool:
    text = _need_str(value, "true or false")
    if text not in ("true", "false"):
        raise _fault("bad-value", variant="bool", value=text)
    return text == "true"


def _language(value: object) -> str:
    text = _need_str(value, "a language tag")
    if not _LANG_RE.fullmatch(text):
        raise _fault("bad-value", value=text)
    return text


def _wikidata(value: object) -> str:
    text = _need_str(value, "a Wikidata id")
    if not _WIKIDATA_RE.fullmatch(text):
        raise _fault("bad-value", variant="wikidata", value=text)
    return text


def _list(value: object) -> object:
    if isinstance(value, list) and len(value) > MAX_ITEMS:
        raise _fault("too-long", variant="list", size=len(value), limit=MAX_ITEMS)
    if isinstance(value, str):
        raise _fault("wrong-type", variant="text-for-list")
    if isinstance(value, dict):
        raise _fault("wrong-type", variant="mapping-for-list")
    return value


_STR_SCHEMA = {"type": "string", "minLength": 1, "maxLength": MAX_TEXT}

Text = Annotated[str, BeforeValidator(_text), WithJsonSchema(_STR_SCHEMA)]
Markdown = Annotated[
    str,
    BeforeValidator(_markdown),
    WithJsonSchema(
        {
            **_STR_SCHEMA,
            "maxLength": MAX_MARKDOWN,
            "description": "Markdown; [[id]] links to a record",
        }
    ),
]
RecordId = Annotated[
    str,
    BeforeValidator(_record_id),
    WithJsonSchema({"type": "string", "pattern": ID_PATTERN, "maxLength": ID_MAX}),
]
Slug = Annotated[
    str,
    BeforeValidator(_slug),
    WithJsonSchema({"type": "string", "pattern": ID_PATTERN, "maxLength": ID_MAX}),
]
Date = Annotated[
    EdtfDate,
    BeforeValidator(_date),
    PlainSerializer(lambda d: d.text, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "description": "EDTF subset: YYYY, YYYY-MM, YYYY-MM-DD with ~ ? %, A/B, ../B, A/..",
            "pattern": rf"^({_DATE_PART})(/({_DATE_PART}))?$",
        }
    ),
]
Url = Annotated[
    str,
    BeforeValidator(_url),
    WithJsonSchema({"type": "string", "format": "uri", "pattern": "^https?://"}),
]
Bool = Annotated[bool, BeforeValidator(_bool), WithJsonSchema({"type": "boolean"})]
Language = Annotated[
    str,
    BeforeValidator(_language),
    WithJsonSchema({"type": "string", "pattern": _LANG_RE.pattern}),
]


def _tagged(kind_for_str: str, kind_for_map: str) -> Any:
    def discriminate(value: object) -> str | None:
        if isinstance(value, str):
            return kind_for_str
        if isinstance(value, dict | BaseModel):  # a model: when serialising
            return kind_for_map
        return None

    return Discriminator(
        discriminate,
        custom_error_type="wrong-type",
        custom_error_message="wrong-type",
        custom_error_context={"variant": "id-or-mapping"},
    )


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)


class CitationDetail(_Record):
    source: RecordId
    locator: Text | None = None
    excerpt: Text | None = None


# A citation is a source id, or a mapping with the source and where in it.
Citation = Annotated[
    Annotated[RecordId, Tag("<id>")] | Annotated[CitationDetail, Tag("<citation>")],
    _tagged("<id>", "<citation>"),
]


class ActorDetail(_Record):
    actor: RecordId
    role: Text | None = None


ActorRef = Annotated[
    Annotated[RecordId, Tag("<id>")] | Annotated[ActorDetail, Tag("<actor>")],
    _tagged("<id>", "<actor>"),
]

# Discriminator tags appear in error locations; records.py removes them.
LOCATION_TAGS = frozenset({"<id>", "<citation>", "<actor>"})

IdList = Annotated[list[RecordId], BeforeValidator(_list)]
SlugList = Annotated[list[Slug], BeforeValidator(_list)]
TextList = Annotated[list[Text], BeforeValidator(_list)]


class Case(_Record):
    title: Text
    summary: Markdown | None = None
    language: Language = "en"
    license: Text | None = None
    publisher: Text | None = None


class Role(_Record):
    title: Text
    organization: RecordId | None = None
    start: Date | None = None
    end: Date | None = None


class Links(_Record):
    website: Url | None = None
    wikipedia: Url | None = None
    wikidata: Annotated[str, BeforeValidator(_wikidata)] | None = None


class Actor(_Record):
    name: Text
    kind: Literal[ACTOR_KINDS]  # type: ignore[valid-type]
    aliases: TextList = Field(default_factory=list)
    description: Markdown | None = None
    roles: Annotated[list[Role], BeforeValidator(_list)] = Field(default_factory=list)
    links: Links | None = None
    tags: SlugList = Field(default_factory=list)
    notes: Markdown | None = None


class Source(_Record):
    title: Text
    kind: Literal[SOURCE_KINDS]  # type: ignore[valid-type]
    publisher: Text | None = None
    authors: TextList = Field(default_factory=list)
    url: Url | None = None
    archive_url: Url | None = None
    published: Date | None = None
    accessed: Date | None = None
    language: Language | None = None
    text_public: Bool = False
    tags: SlugList = Field(default_factory=list)
    notes: Markdown | None = None


class Event(_Record):
    title: Text
    date: Date
    date_note: Text | None = None
    status: Literal[STATUSES]  # type: ignore[valid-type]
    summary: Markdown | None = None
    actors: Annotated[list[ActorRef], BeforeValidator(_list)] = Field(default_factory=list)
    # Required; an empty list is the checker's `event-without-source`, not a type error.
    sources: Annotated[list[Citation], BeforeValidator(_list)]
    location: Text | None = None
    related: IdList = Field(default_factory=list)
    # Events that look like this one but are not the same (silences `possible-duplicate`).
    not_duplicate_of: IdList = Field(default_factory=list)
    tags: SlugList = Field(default_factory=list)
    notes: Markdown | None = None


class Quote(_Record):
    text: Text
    speaker: RecordId
    source: Citation
    date: Date | None = None
    event: RecordId | None = None
    context: Text | None = None
    language: Language | None = None
    translation: Text | None = None
    about: IdList = Field(default_factory=list)
    tags: SlugList = Field(default_factory=list)
    notes: Markdown | None = None

    @property
    def source_id(self) -> str:
        """The cited source's id, whether the citation is an id or a mapping."""
        return self.source if isinstance(self.source, str) else self.source.source

    @property
    def excerpt(self) -> str | None:
        """The citation's excerpt (the words around the quote that show who says it)."""
        return None if isinstance(self.source, str) else self.source.excerpt


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of record, declared once: everything else that names a kind derives from it
    (the loader's folders, the pages' paths and section titles, the scaffold, the schemas)."""

    name: str  # "actor": the record's kind, in messages and in JSON
    folder: str  # "actors": the folder of its files, and of its pages
    model: type[_Record]
    title: str  # "Actors": its section of the site

    def page(self, record_id: str) -> str:
        """The generated page of a record of this kind (a path MkDocs maps to a URL)."""
        return f"{self.folder}/{record_id}.md"


# In reading order: the order of the site's sections and of the schemas.
KIND_LIST: tuple[Kind, ...] = (
    Kind("actor", "actors", Actor, "Actors"),
    Kind("source", "sources", Source, "Sources"),
    Kind("event", "events", Event, "Events"),
    Kind("quote", "quotes", Quote, "Quotes"),
)
KIND: dict[str, Kind] = {k.name: k for k in KIND_LIST}
FOLDER: dict[str, Kind] = {k.folder: k for k in KIND_LIST}

# [[id]] or [[id|label]] in a Markdown field, part of the record format: the checker
# validates them, pages link them.
# Neither part may hold a bracket, and the quantifiers are possessive: each attempt reads at
# most up to the next bracket or line break and never backtracks, so a run of 30,000 `[` is
# read in linear time.
WIKILINK = re.compile(r"\[\[([^\[\]|\n]*+)(?:\|([^\[\]\n]*+))?\]\]")


def wikilinks(markdown: str | None) -> Iterator[str]:
    """The ids `markdown`'s [[id]] and [[id|text]] links name, in order."""
    for match in WIKILINK.finditer(markdown or ""):
        yield match.group(1).strip()


# Fields holding Markdown, where [[id]] links are resolved and checked.
MARKDOWN_FIELDS: dict[type[_Record], tuple[str, ...]] = {
    Case: ("summary",),
    Actor: ("description", "notes"),
    Source: ("notes",),
    Event: ("summary", "notes"),
    Quote: ("notes",),
}
