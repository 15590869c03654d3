"""`casefile.json`: the whole case file as one JSON download, in a documented, stable shape.

The shape, which `casefile_schema()` states as a JSON Schema (published as
`schema/casefile.schema.json`):

- `version`: the version of this shape, "MAJOR.MINOR". MINOR grows when a field is added;
  MAJOR when a field is removed, renamed or changes meaning. A reader checks MAJOR.
- `format`: the version of the record format the records were written in (1).
- `case`: the fields of `case.yml`.
- `actors`, `sources`, `events`, `quotes`: the records of each kind, sorted by id. Each is
  `{"id", "file", ...}` with the record's fields as the record format names them: a field the
  record leaves out is absent (never null); a list field is always there, perhaps empty; a
  citation or an event's actor is written as the record writes it, an id or a mapping.
- A date is `{"edtf": as written, "display": as the site shows it, "earliest", "latest"}`,
  the last two ISO days, empty at an open end. A role's `start` and `end` are always there,
  null when the role does not give them.
- An event's date also has `placement` (since 1.1): how the site draws it and the group of
  the timeline that lists it, as `placement.Placement.as_json` writes it: `{"shape", "earliest",
  "latest" (null on an open side), "approximate", "uncertain", "group": {"anchor", "label"}}`.
  The anchor is the timeline's section (`timeline/#<anchor>`, or the part page holding it).

Keys are sorted and the file is `json.dumps(..., indent=1, sort_keys=True)`, so a change to one
record changes only that record's lines.
"""

from __future__ import annotations

import json
import typing
from functools import cache, partial
from typing import Any

from pydantic import WithJsonSchema

from . import models
from .checker import Case
from .dates import EdtfDate, format_date
from .models import KIND_LIST
from .page_cache import Direct, Reader
from .placement import placement
from .records import Record

FORMAT_VERSION = 1  # the record format's version
VERSION = "1.1"  # this file's shape (see the module docstring)
SCHEMA_PATH = "schema/casefile.schema.json"


def _date_json(value: EdtfDate | None) -> dict[str, object] | None:
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
    if record.kind == "event":
        data["date"]["placement"] = placement(record.data.date).as_json()
    if record.kind == "actor":
        for role_json, role in zip(data.get("roles", []), record.data.roles, strict=True):
            role_json["start"] = _date_json(role.start)
            role_json["end"] = _date_json(role.end)
    data = {k: v for k, v in data.items() if v is not None}
    return {"id": record.id, "file": record.path.name, **data}


def _entry(record: Record) -> str:
    """A record's entry in its list, indented as in the whole file."""
    return "  " + _dump(_record_json(record), 2)


def _dump(value: object, depth: int) -> str:
    """JSON as `json.dumps(indent=1, sort_keys=True)` writes it `depth` levels down."""
    text = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)
    return text.replace("\n", "\n" + " " * depth)  # JSON strings hold no raw newline


def export_json(case: Case, reader: Reader | None = None) -> str:
    """The whole case file as JSON: normalised records, dates resolved (open ends empty).

    Byte for byte `json.dumps(..., indent=1, sort_keys=True)` of the whole; each record's
    entry is written on its own (and kept by `reader` while the record is unchanged), and
    the file is joined from them once (it is megabytes long).
    """
    memo = (reader or Direct(case)).memo
    by_kind: dict[str, list[Record]] = {kind.name: [] for kind in KIND_LIST}
    for record in case.records.values():
        by_kind[record.kind].append(record)
    fields: dict[str, list[str]] = {
        "case": [_dump(case.meta.model_dump(mode="json", exclude_none=True), 1)],
        "format": [json.dumps(FORMAT_VERSION)],
        "version": [json.dumps(VERSION)],
    }
    for kind in KIND_LIST:
        records = sorted(by_kind[kind.name], key=lambda r: r.id)
        items = [memo(("json", r.id), r, partial(_entry, r)) for r in records]
        fields[kind.folder] = ["[\n", *_separated(items, ",\n"), "\n ]"] if items else ["[]"]
    out = ["{\n"]
    for index, name in enumerate(sorted(fields)):
        out += [",\n" if index else "", f" {json.dumps(name)}: ", *fields[name]]
    out.append("\n}\n")
    return "".join(out)


def _separated(items: list[str], separator: str) -> list[str]:
    """`items` with `separator` between each two: `"".join` of it is `separator.join`."""
    out = [separator] * (2 * len(items) - 1) if items else []
    out[::2] = items
    return out


# -- the JSON Schema of the shape ---------------------------------------------------------------


def _edtf_schema() -> dict[str, Any]:
    """The record format's schema of a date as written (models.Date's own)."""
    for meta in typing.get_args(models.Date)[1:]:
        if isinstance(meta, WithJsonSchema) and meta.json_schema is not None:
            return dict(meta.json_schema)
    raise AssertionError("models.Date declares its JSON Schema")


_DAY = {"type": "string", "pattern": r"^([0-9]{4}-[0-9]{2}-[0-9]{2})?$"}
_DATE_DEF = {
    "type": "object",
    "description": "a date: as written (EDTF subset), as displayed, and its earliest and "
    "latest possible day (ISO; empty at an open end)",
    "additionalProperties": False,
    "required": ["display", "earliest", "edtf", "latest"],
    "properties": {
        "edtf": _edtf_schema(),
        "display": {"type": "string", "minLength": 1},
        "earliest": _DAY,
        "latest": _DAY,
    },
}
_DATE_REF = {"$ref": "#/$defs/Date"}
_NULL = {"type": "null"}
_DAY_OR_NULL = {"anyOf": [{"type": "string", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}, _NULL]}
_PLACEMENT_DEF = {
    "type": "object",
    "description": "how the site draws a date and the timeline group that lists it "
    "(placement.py); earliest and latest are null on an open side",
    "additionalProperties": False,
    "required": ["approximate", "earliest", "group", "latest", "shape", "uncertain"],
    "properties": {
        "shape": {"enum": ["day", "month", "year", "interval", "open-start", "open-end"]},
        "earliest": _DAY_OR_NULL,
        "latest": _DAY_OR_NULL,
        "approximate": {"type": "boolean"},
        "uncertain": {"type": "boolean"},
        "group": {
            "type": "object",
            "additionalProperties": False,
            "required": ["anchor", "label"],
            "properties": {
                "anchor": {"type": "string", "pattern": "^[a-z0-9-]+$"},
                "label": {"type": "string", "minLength": 1},
            },
        },
    },
}
_EVENT_DATE_DEF = {
    **_DATE_DEF,
    "description": "an event's date: a Date, and where the site places it",
    "required": sorted([*_DATE_DEF["required"], "placement"]),
    "properties": {**_DATE_DEF["properties"], "placement": {"$ref": "#/$defs/Placement"}},
}


def _always_written(model: type[models.BaseModel]) -> list[str]:
    """Fields present in every dump: required ones and those whose default is not None."""
    return sorted(
        name
        for name, info in model.model_fields.items()
        if info.is_required() or info.default_factory is not None or info.default is not None
    )


def _rewrite(node: Any, edtf: dict[str, Any]) -> Any:
    """A model's schema as casefile.json writes the model: dates as Date objects, no nulls
    (None fields are left out), no defaults."""
    if isinstance(node, list):
        return [_rewrite(n, edtf) for n in node]
    if not isinstance(node, dict):
        return node
    if node == edtf:
        return _DATE_REF
    out = {k: _rewrite(v, edtf) for k, v in node.items() if k != "default"}
    options = out.get("anyOf")
    if isinstance(options, list) and _NULL in options:
        rest = [o for o in options if o != _NULL]
        del out["anyOf"]
        out.update(rest[0] if len(rest) == 1 else {"anyOf": rest})
    return out


def _model_schema(model: type[models.BaseModel], defs: dict[str, Any]) -> dict[str, Any]:
    edtf = _edtf_schema()
    schema = model.model_json_schema(mode="serialization", ref_template="#/$defs/{model}")
    for name, definition in schema.pop("$defs", {}).items():
        nested = _rewrite(definition, edtf)
        nested["required"] = _always_written(getattr(models, name))
        if name == "Role":  # written always, null when the role has no such date
            for end in ("start", "end"):
                nested["properties"][end] = {"anyOf": [_DATE_REF, _NULL]}
            nested["required"] = sorted({*nested["required"], "start", "end"})
        assert defs.setdefault(name, nested) == nested, name
    out = _rewrite(schema, edtf)
    out["required"] = _always_written(model)
    return out


@cache  # made from the record models alone
def casefile_schema() -> str:
    """The JSON Schema (2020-12) of casefile.json, derived from the record models, as text."""
    defs: dict[str, Any] = {
        "Date": _DATE_DEF,
        "EventDate": _EVENT_DATE_DEF,
        "Placement": _PLACEMENT_DEF,
    }
    properties: dict[str, Any] = {
        "version": {"const": VERSION, "description": "version of this shape, MAJOR.MINOR"},
        "format": {"const": FORMAT_VERSION, "description": "version of the record format"},
        "case": _model_schema(models.Case, defs),
    }
    for kind in KIND_LIST:
        record = _model_schema(kind.model, defs)
        record["properties"] = {
            "id": {"type": "string", "pattern": models.ID_PATTERN},
            "file": {"type": "string", "minLength": 1},
            **record["properties"],
        }
        record["required"] = sorted({"id", "file", *record["required"]})
        if kind.name == "event":  # an event's date says where the site places it
            assert record["properties"]["date"] == _DATE_REF
            record["properties"]["date"] = {"$ref": "#/$defs/EventDate"}
        record["title"] = kind.title
        defs[kind.model.__name__] = record
        properties[kind.folder] = {
            "type": "array",
            "items": {"$ref": f"#/$defs/{kind.model.__name__}"},
        }
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "casefile.schema.json",
        "title": f"casefile.json, version {VERSION}",
        "type": "object",
        "additionalProperties": False,
        "required": sorted(properties),
        "properties": properties,
        "$defs": dict(sorted(defs.items())),
    }
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
