"""JSON Schemas of record format v1, generated from the models (one per record kind).

Committed under `schema/` for editors (`# yaml-language-server: $schema=...`) and published
on the site's Data page; a test keeps the committed copies in step with the models.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from . import models

SCHEMA_KINDS: dict[str, type[models.BaseModel]] = {
    "case": models.Case,
    "actor": models.Actor,
    "source": models.Source,
    "event": models.Event,
    "quote": models.Quote,
}


@cache
def record_schemas() -> dict[str, str]:
    """kind -> the JSON Schema of that record kind, as stable, pretty JSON text."""
    out: dict[str, str] = {}
    for kind, model in SCHEMA_KINDS.items():
        schema = model.model_json_schema(mode="validation")
        schema = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{kind}.schema.json",
            **schema,
            "title": f"Case file record format v1: {kind}",
        }
        out[kind] = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return out


def write_schemas(directory: Path) -> list[Path]:
    """Write every schema into `directory`; return the files whose content changed."""
    directory.mkdir(parents=True, exist_ok=True)
    changed: list[Path] = []
    for kind, text in record_schemas().items():
        path = directory / f"{kind}.schema.json"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed
