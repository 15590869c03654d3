"""`casefile.json`: the whole case file as one JSON download, in a documented, stable shape."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .checker import Case
from .dates import EdtfDate, format_date
from .models import KIND_LIST
from .records import Record

if TYPE_CHECKING:
    from .pages import PageCache

FORMAT_VERSION = 1


def _date_json(value: EdtfDate | None) -> dict[str, str] | None:
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
    if record.kind == "actor":
        for role_json, role in zip(data.get("roles", []), record.data.roles, strict=True):
            role_json["start"] = _date_json(role.start)
            role_json["end"] = _date_json(role.end)
    data = {k: v for k, v in data.items() if v is not None}
    return {"id": record.id, "file": record.path.name, **data}


def _dump(value: object, depth: int) -> str:
    """JSON as `json.dumps(indent=1, sort_keys=True)` writes it `depth` levels down."""
    text = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)
    return text.replace("\n", "\n" + " " * depth)  # JSON strings hold no raw newline


def export_json(case: Case, cache: PageCache | None = None) -> str:
    """The whole case file as JSON: normalised records, dates resolved (open ends empty).

    Byte for byte `json.dumps(..., indent=1, sort_keys=True)` of the whole; each record's
    entry is written on its own (and reused from `cache` while the record is unchanged).
    """
    entries: dict[str, tuple[Record, str]] = {}
    known = cache.json if cache is not None else {}
    lists: dict[str, list[str]] = {}
    for kind_info in KIND_LIST:
        kind, plural = kind_info.name, kind_info.folder
        items = []
        for record in sorted(case.of_kind(kind), key=lambda r: r.id):
            entry = known.get(record.id)
            if entry is None or entry[0] is not record:
                entry = (record, _dump(_record_json(record), 2))
            entries[record.id] = entry
            items.append("  " + entry[1])
        lists[plural] = items
    if cache is not None:
        cache.json = entries
    fields = {
        "case": _dump(case.meta.model_dump(mode="json", exclude_none=True), 1),
        "format": json.dumps(FORMAT_VERSION),
    }
    for plural, items in lists.items():
        fields[plural] = "[\n" + ",\n".join(items) + "\n ]" if items else "[]"
    body = ",\n".join(f" {json.dumps(name)}: {fields[name]}" for name in sorted(fields))
    return "{\n" + body + "\n}\n"
