"""The case file as tables: one CSV per record kind, one per list field, and a Frictionless
Data Package (`datapackage.json`) that types them and says how they join.

Every table is declared once in `TABLES` (its columns with their Table Schema types, its key,
what it refers to, and the rows it holds), and the CSVs and the descriptor are both derived
from that declaration, so they cannot disagree.

The files are RFC 4180: UTF-8 without a byte order mark, comma-separated, CRLF between rows,
a field quoted (with `"` doubled) when it holds a comma, a quote or a line break. An empty cell
is a missing value: no text field of the record format may be empty, so nothing is lost.

**Spreadsheet safety (CSV injection).** A spreadsheet runs a cell that starts with `=`, `+`,
`-` or `@` as a formula, and some treat a leading tab or carriage return the same way. Such a
text cell is written with one apostrophe in front (`'=HYPERLINK(...)`), as OWASP recommends:
spreadsheets show it as text, and readers that are not spreadsheets see the apostrophe. To keep
this reversible, a cell that already starts with apostrophes followed by one of those characters
gets one more. `restore_cell` undoes it exactly: a cell of one or more apostrophes followed by
one of those characters loses its first apostrophe. So a legitimate `-5 °C` is written
`'-5 °C` and read back as `-5 °C`; ids, dates, numbers and booleans never start with those
characters and are never changed.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import partial

from .checker import Case
from .dates import EdtfDate
from .models import ACTOR_KINDS, ID_PATTERN, SOURCE_KINDS, STATUSES
from .page_cache import Direct, Reader
from .records import Record

DATA_DIR = "data"  # the tables' folder in the site
PACKAGE_PATH = f"{DATA_DIR}/datapackage.json"

# Starts a formula in a spreadsheet; see the module docstring.
_FORMULA_START = re.compile(r"'*[=+\-@\t\r]")
_TAG_LIST = r"^[a-z0-9]+(-[a-z0-9]+)*( [a-z0-9]+(-[a-z0-9]+)*)*$"

Cell = str | int | bool | date | None


def neutralise_cell(value: str) -> str:
    """A text cell as written to the CSV: an apostrophe in front of one a spreadsheet would run
    as a formula (and of one that already looks neutralised, so that the change is reversible)."""
    return "'" + value if _FORMULA_START.match(value) else value


def restore_cell(value: str) -> str:
    """The text a CSV cell holds, `neutralise_cell` undone."""
    return value[1:] if value.startswith("'") and _FORMULA_START.match(value) else value


@dataclass(frozen=True, slots=True)
class Column:
    """A column and its Table Schema field descriptor."""

    name: str
    type: str  # Table Schema type: string, integer, boolean, date
    description: str
    constraints: dict[str, object] = field(default_factory=dict)
    format: str | None = None

    def descriptor(self) -> dict[str, object]:
        out: dict[str, object] = {
            "name": self.name,
            "type": self.type,
            "description": self.description,
        }
        if self.format:
            out["format"] = self.format
        if self.type == "boolean":
            out["trueValues"], out["falseValues"] = ["true"], ["false"]
        if self.constraints:
            out["constraints"] = self.constraints
        return out


@dataclass(frozen=True, slots=True)
class Table:
    """One CSV: its columns, primary key, references to other tables (column -> (table,
    column)), and where its rows come from: the records of one kind, in id order, each giving
    its own rows (`rows_of`)."""

    name: str
    title: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    kind: str
    rows_of: Callable[[Record], Iterable[tuple[Cell, ...]]]
    foreign_keys: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return f"{DATA_DIR}/{self.name}.csv"

    def rows(self, case: Case) -> Iterator[tuple[Cell, ...]]:
        for record in _of(case, self.kind):
            yield from self.rows_of(record)

    def descriptor(self) -> dict[str, object]:
        schema: dict[str, object] = {
            "fields": [c.descriptor() for c in self.columns],
            "missingValues": [""],
            "primaryKey": list(self.primary_key),
        }
        if self.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": column, "reference": {"resource": table, "fields": target}}
                for column, (table, target) in self.foreign_keys.items()
            ]
        return {
            "name": self.name,
            "title": self.title,
            "path": f"{self.name}.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": {
                "delimiter": ",",
                "lineTerminator": "\r\n",
                "quoteChar": '"',
                "doubleQuote": True,
                "header": True,
            },
            "schema": schema,
        }


# -- column declarations -----------------------------------------------------------------------


def _id(name: str, what: str, *, required: bool = False) -> Column:
    constraints: dict[str, object] = {"pattern": ID_PATTERN}
    if required:
        constraints["required"] = True
    return Column(name, "string", what, constraints)


def _text(name: str, what: str, *, required: bool = False) -> Column:
    return Column(name, "string", what, {"required": True} if required else {})


def _enum(name: str, what: str, values: Iterable[str]) -> Column:
    return Column(name, "string", what, {"required": True, "enum": list(values)})


def _url(name: str, what: str) -> Column:
    return Column(name, "string", what, format="uri")


def _date(name: str, what: str, *, required: bool = False) -> tuple[Column, ...]:
    written = {"required": True} if required else {}
    return (
        Column(name, "string", f"{what}, as written (EDTF subset)", written),
        Column(f"{name}_earliest", "date", f"earliest possible day of {name}; empty if open"),
        Column(f"{name}_latest", "date", f"latest possible day of {name}; empty if open"),
    )


def _key(name: str, what: str) -> Column:
    return _id(name, what, required=True)


_POSITION = Column(
    "position", "integer", "1-based place in the record's list", {"required": True, "minimum": 1}
)
_FILE = _text("file", "the record's file name in its folder", required=True)
_TAGS = Column("tags", "string", "tags, separated by single spaces", {"pattern": _TAG_LIST})
_LANGUAGE = Column("language", "string", "BCP 47 language tag")


def _date_cells(value: EdtfDate | None) -> tuple[Cell, Cell, Cell]:
    if value is None:
        return None, None, None
    earliest = value.earliest if value.start else None
    latest = value.latest if value.end else None
    return value.text, earliest, latest


def _tags(tags: list[str]) -> str | None:
    return " ".join(tags) or None


def _of(case: Case, kind: str) -> list[Record]:
    return sorted(case.of_kind(kind), key=lambda r: r.id)


# -- rows --------------------------------------------------------------------------------------


def _actors(r: Record) -> Iterator[tuple[Cell, ...]]:
    d = r.data
    links = d.links
    yield (
        r.id,
        r.path.name,
        d.name,
        d.kind,
        d.description,
        links.website if links else None,
        links.wikipedia if links else None,
        links.wikidata if links else None,
        _tags(d.tags),
        d.notes,
    )


def _actor_aliases(r: Record) -> Iterator[tuple[Cell, ...]]:
    for i, alias in enumerate(r.data.aliases, 1):
        yield r.id, i, alias


def _actor_roles(r: Record) -> Iterator[tuple[Cell, ...]]:
    for i, role in enumerate(r.data.roles, 1):
        yield (
            r.id,
            i,
            role.title,
            role.organization,
            *_date_cells(role.start),
            *_date_cells(role.end),
        )


def _sources(r: Record) -> Iterator[tuple[Cell, ...]]:
    d = r.data
    yield (
        r.id,
        r.path.name,
        d.title,
        d.kind,
        d.publisher,
        d.url,
        d.archive_url,
        *_date_cells(d.published),
        *_date_cells(d.accessed),
        d.language,
        d.text_public,
        _tags(d.tags),
        d.notes,
    )


def _source_authors(r: Record) -> Iterator[tuple[Cell, ...]]:
    for i, author in enumerate(r.data.authors, 1):
        yield r.id, i, author


def event_row(r: Record) -> tuple[Cell, ...]:
    """An event's row of `events.csv` (the timeline's "download these events" writes it)."""
    d = r.data
    return (
        r.id,
        r.path.name,
        d.title,
        *_date_cells(d.date),
        d.date_note,
        d.status,
        d.summary,
        d.location,
        _tags(d.tags),
        d.notes,
    )


def _events(r: Record) -> Iterator[tuple[Cell, ...]]:
    yield event_row(r)


def _event_actors(r: Record) -> Iterator[tuple[Cell, ...]]:
    for i, entry in enumerate(r.data.actors, 1):
        if isinstance(entry, str):
            yield r.id, i, entry, None
        else:
            yield r.id, i, entry.actor, entry.role


def _event_sources(r: Record) -> Iterator[tuple[Cell, ...]]:
    for i, cite in enumerate(r.data.sources, 1):
        if isinstance(cite, str):
            yield r.id, i, cite, None, None
        else:
            yield r.id, i, cite.source, cite.locator, cite.excerpt


def _event_list(name: str) -> Callable[[Record], Iterator[tuple[Cell, ...]]]:
    def rows(r: Record) -> Iterator[tuple[Cell, ...]]:
        for i, other in enumerate(getattr(r.data, name), 1):
            yield r.id, i, other

    return rows


def _quotes(r: Record) -> Iterator[tuple[Cell, ...]]:
    d = r.data
    cite = d.source
    locator, excerpt = (None, None) if isinstance(cite, str) else (cite.locator, cite.excerpt)
    yield (
        r.id,
        r.path.name,
        d.text,
        d.speaker,
        d.source_id,
        locator,
        excerpt,
        *_date_cells(d.date),
        d.event,
        d.context,
        d.language,
        d.translation,
        _tags(d.tags),
        d.notes,
    )


def _quote_about(r: Record) -> Iterator[tuple[Cell, ...]]:
    for i, who in enumerate(r.data.about, 1):
        yield r.id, i, who


# -- the tables --------------------------------------------------------------------------------

TABLES: tuple[Table, ...] = (
    Table(
        "actors",
        "Actors",
        (
            _key("id", "the actor's id"),
            _FILE,
            _text("name", "name", required=True),
            _enum("kind", "kind of actor", ACTOR_KINDS),
            _text("description", "description (Markdown; [[id]] links to a record)"),
            _url("website", "official website"),
            _url("wikipedia", "Wikipedia article"),
            Column("wikidata", "string", "Wikidata item", {"pattern": r"^Q[1-9][0-9]*$"}),
            _TAGS,
            _text("notes", "notes (Markdown)"),
        ),
        ("id",),
        "actor",
        _actors,
    ),
    Table(
        "actor_aliases",
        "Other names of actors",
        (_key("actor", "the actor"), _POSITION, _text("alias", "other name", required=True)),
        ("actor", "position"),
        "actor",
        _actor_aliases,
        {"actor": ("actors", "id")},
    ),
    Table(
        "actor_roles",
        "Roles of actors",
        (
            _key("actor", "the actor"),
            _POSITION,
            _text("title", "title of the role", required=True),
            _id("organization", "the organisation (an actor) the role is in"),
            *_date("start", "start of the role"),
            *_date("end", "end of the role"),
        ),
        ("actor", "position"),
        "actor",
        _actor_roles,
        {"actor": ("actors", "id"), "organization": ("actors", "id")},
    ),
    Table(
        "sources",
        "Sources",
        (
            _key("id", "the source's id"),
            _FILE,
            _text("title", "title", required=True),
            _enum("kind", "kind of source", SOURCE_KINDS),
            _text("publisher", "publisher"),
            _url("url", "address of the source"),
            _url("archive_url", "address of an archived copy"),
            *_date("published", "publication date"),
            *_date("accessed", "date the source was accessed"),
            _LANGUAGE,
            Column(
                "text_public", "boolean", "whether the full text is published", {"required": True}
            ),
            _TAGS,
            _text("notes", "notes (Markdown)"),
        ),
        ("id",),
        "source",
        _sources,
    ),
    Table(
        "source_authors",
        "Authors of sources",
        (_key("source", "the source"), _POSITION, _text("author", "author", required=True)),
        ("source", "position"),
        "source",
        _source_authors,
        {"source": ("sources", "id")},
    ),
    Table(
        "events",
        "Events",
        (
            _key("id", "the event's id"),
            _FILE,
            _text("title", "title", required=True),
            *_date("date", "date of the event", required=True),
            _text("date_note", "how the date was established"),
            _enum("status", "how established the event is", STATUSES),
            _text("summary", "summary (Markdown)"),
            _text("location", "location"),
            _TAGS,
            _text("notes", "notes (Markdown)"),
        ),
        ("id",),
        "event",
        _events,
    ),
    Table(
        "event_actors",
        "Actors of events",
        (
            _key("event", "the event"),
            _POSITION,
            _key("actor", "an actor taking part"),
            _text("role", "the actor's role in the event"),
        ),
        ("event", "position"),
        "event",
        _event_actors,
        {"event": ("events", "id"), "actor": ("actors", "id")},
    ),
    Table(
        "event_sources",
        "Sources of events",
        (
            _key("event", "the event"),
            _POSITION,
            _key("source", "a source cited for the event"),
            _text("locator", "where in the source"),
            _text("excerpt", "the passage of the source, verbatim"),
        ),
        ("event", "position"),
        "event",
        _event_sources,
        {"event": ("events", "id"), "source": ("sources", "id")},
    ),
    Table(
        "event_related",
        "Related events",
        (_key("event", "the event"), _POSITION, _key("related", "a related event")),
        ("event", "position"),
        "event",
        _event_list("related"),
        {"event": ("events", "id"), "related": ("events", "id")},
    ),
    Table(
        "event_not_duplicate_of",
        "Events that look alike but are not the same",
        (_key("event", "the event"), _POSITION, _key("other", "an event it is not")),
        ("event", "position"),
        "event",
        _event_list("not_duplicate_of"),
        {"event": ("events", "id"), "other": ("events", "id")},
    ),
    Table(
        "quotes",
        "Quotes",
        (
            _key("id", "the quote's id"),
            _FILE,
            _text("text", "the words, verbatim", required=True),
            _key("speaker", "who said it (an actor)"),
            _key("source", "the source that reports it"),
            _text("locator", "where in the source"),
            _text("excerpt", "the passage of the source holding it, verbatim"),
            *_date("date", "when it was said"),
            _id("event", "the event it was said at"),
            _text("context", "context"),
            _LANGUAGE,
            _text("translation", "translation"),
            _TAGS,
            _text("notes", "notes (Markdown)"),
        ),
        ("id",),
        "quote",
        _quotes,
        {"speaker": ("actors", "id"), "source": ("sources", "id"), "event": ("events", "id")},
    ),
    Table(
        "quote_about",
        "Who quotes are about",
        (_key("quote", "the quote"), _POSITION, _key("actor", "an actor it is about")),
        ("quote", "position"),
        "quote",
        _quote_about,
        {"quote": ("quotes", "id"), "actor": ("actors", "id")},
    ),
)


# -- writing -----------------------------------------------------------------------------------


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | date):
        return value.isoformat() if isinstance(value, date) else str(value)
    return neutralise_cell(value)


def cells(row: Iterable[Cell]) -> list[str]:
    """A row's cells as the CSV writes them (`neutralise_cell` applied to text)."""
    return [_cell(v) for v in row]


class _Lines(list[str]):
    """What a csv.writer writes, line by line (it writes each row in one call)."""

    write = list.append


def _record_lines(tables: list[Table], record: Record) -> tuple[str, ...]:
    """A record's rows of each of `tables`, as CSV text."""
    out = _Lines()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    texts = []
    for table in tables:
        for row in table.rows_of(record):
            assert len(row) == len(table.columns), table.name
            writer.writerow(cells(row))
        texts.append("".join(out))
        out.clear()
    return tuple(texts)


def _header(table: Table) -> str:
    out = _Lines()
    csv.writer(out, lineterminator="\r\n").writerow([c.name for c in table.columns])
    return out[0]


def table_csv(table: Table, case: Case) -> str:
    """One table as RFC 4180 CSV text (encode it as UTF-8)."""
    rows = [_record_lines([table], r)[0] for r in _of(case, table.kind)]
    return _header(table) + "".join(rows)


def events_header() -> list[str]:
    """The columns of `events.csv`, in order."""
    return [c.name for t in TABLES if t.name == "events" for c in t.columns]


def package_json(case: Case) -> str:
    """`datapackage.json`: the Frictionless Data Package describing every table."""
    meta = case.meta
    package: dict[str, object] = {
        "profile": "tabular-data-package",
        "name": "casefile",
        "title": meta.title,
    }
    if meta.summary:
        package["description"] = meta.summary
    # The case file's own fields, as in casefile.json, so the package holds all of it.
    package["case"] = meta.model_dump(mode="json", exclude_none=True)
    package["resources"] = [t.descriptor() for t in TABLES]
    return json.dumps(package, ensure_ascii=False, indent=1) + "\n"


def data_tables(case: Case, reader: Reader | None = None) -> dict[str, str]:
    """Every CSV and the package descriptor, by site path (`data/events.csv`, ...). Each
    record's rows are written on their own (and kept by `reader` while it is unchanged)."""
    memo = (reader or Direct(case)).memo
    lines = {t.name: [_header(t)] for t in TABLES}
    for kind in dict.fromkeys(t.kind for t in TABLES):
        tables = [t for t in TABLES if t.kind == kind]
        for record in _of(case, kind):
            texts = memo(("csv", record.id), record, partial(_record_lines, tables, record))
            for table, text in zip(tables, texts, strict=True):
                lines[table.name].append(text)
    files = {t.path: "".join(lines[t.name]) for t in TABLES}
    files[PACKAGE_PATH] = package_json(case)
    return files
