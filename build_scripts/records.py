"""Files -> typed records: read every file of a case file, collect every finding.

Nothing here looks across records (that is `checker.py`); each file is judged on its own:
file name, YAML, and the record format's fields and types.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from . import models
from .findings import CODES, Finding, Location
from .strictyaml import Mapping, Node, Scalar, Sequence, decode, load_file
from .textmatch import SourceText

PathKey = tuple[str | int, ...]
RECORD_SUFFIXES = (".yml", ".yaml")


@dataclass(slots=True)
class Positions:
    """Where each value (and each mapping key) of a record sits in its file."""

    path: Path
    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

    def at(self, loc: PathKey, *, key: bool = False) -> Location:
        """The closest known position to `loc`: the node itself, else its nearest parent."""
        table = self.keys if key else self.values
        for n in range(len(loc), -1, -1):
            prefix = loc[:n]
            if prefix in table:
                return Location(self.path, *table[prefix])
            if prefix in self.values:
                return Location(self.path, *self.values[prefix])
        return Location(self.path)


@dataclass(slots=True)
class Record:
    kind: str  # "actor" | "source" | "event" | "quote"
    id: str
    path: Path
    data: Any  # the typed model: models.Actor, models.Source, ...
    positions: Positions
    # Sources only: the full text beside the record, if any.
    text: SourceText | None = None
    text_path: Path | None = None

    def location(self, *loc: str | int) -> Location:
        return self.positions.at(loc)


@dataclass(slots=True)
class LoadedCase:
    root: Path
    case: models.Case | None
    case_positions: Positions | None
    records: list[Record]
    findings: list[Finding]


def _to_python(
    node: Node, loc: PathKey, pos: Positions, findings: list[Finding]
) -> tuple[bool, object]:
    """Plain Python data from a located tree; (False, None) for a value that is not there."""
    pos.values[loc] = (node.line, node.col)
    if isinstance(node, Scalar):
        if node.plain and node.value == "":
            findings.append(
                Finding(
                    "empty-value",
                    Location(pos.path, node.line, node.col),
                    f"'{_dotted(loc)}' has no value",
                    "give it a value or delete the line",
                )
            )
            return False, None
        return True, node.value
    if isinstance(node, Sequence):
        items = []
        for i, item in enumerate(node.items):
            present, value = _to_python(item, (*loc, i), pos, findings)
            if present:
                items.append(value)
        return True, items
    result: dict[str, object] = {}
    for key, (key_node, value_node) in node.items.items():
        pos.keys[(*loc, key)] = (key_node.line, key_node.col)
        present, value = _to_python(value_node, (*loc, key), pos, findings)
        if present:
            result[key] = value
    return True, result


def _dotted(loc: PathKey) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "record"


def _model_fields(model: type[BaseModel], loc: PathKey) -> list[str]:
    """The field names allowed at `loc` inside `model`, for 'did you mean' hints."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        info = current.model_fields.get(part)
        current = None
        if info is None:
            break
        for candidate in _walk_annotation(info.annotation):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                current = candidate
    return list(current.model_fields) if current is not None else []


def _walk_annotation(annotation: Any) -> list[Any]:
    out = [annotation]
    for arg in getattr(annotation, "__args__", ()) or ():
        out.extend(_walk_annotation(arg))
    origin = getattr(annotation, "__origin__", None)
    if origin is not None:
        out.extend(_walk_annotation(origin))
    return out


def _allowed_values(ctx: dict[str, Any]) -> list[str]:
    expected = str(ctx.get("expected", ""))
    return [part.strip(" '") for part in expected.replace(" or ", ",").split(",") if part.strip()]


def validation_findings(
    error: ValidationError, model: type[BaseModel], pos: Positions
) -> list[Finding]:
    """Each pydantic error as a located finding with a hint."""
    findings = []
    for err in error.errors(include_url=False):
        kind = err["type"]
        raw = err["loc"]
        # A contributor's unknown key may spell a tag ('<actor>:'): it is the field, kept.
        keep_last = bool(raw) and (kind == "extra_forbidden" or raw[-1] not in models.LOCATION_TAGS)
        loc = tuple(p for p in raw[:-1] if p not in models.LOCATION_TAGS) + (
            (raw[-1],) if keep_last else ()
        )
        ctx = err.get("ctx") or {}
        name = _dotted(loc)
        hint = ctx.get("hint")
        if kind == "extra_forbidden":
            field_name = str(loc[-1])
            allowed = _model_fields(model, loc[:-1])
            close = difflib.get_close_matches(field_name, allowed, n=1, cutoff=0.6)
            hint = (
                f"did you mean '{close[0]}'?" if close else "allowed fields: " + ", ".join(allowed)
            )
            findings.append(
                Finding("unknown-field", pos.at(loc, key=True), f"unknown field '{name}'", hint)
            )
        elif kind == "missing":
            findings.append(
                Finding(
                    "missing-field",
                    pos.at(loc[:-1]),
                    f"required field '{name}' is missing",
                    f"add '{loc[-1]}: …'",
                )
            )
        elif kind == "literal_error":
            allowed = _allowed_values(ctx)
            value = str(err.get("input", ""))
            close = difflib.get_close_matches(value, allowed, n=1, cutoff=0.5) if value else []
            hint = (
                (f"did you mean '{close[0]}'? " if close else "") + "allowed: " + ", ".join(allowed)
            )
            findings.append(
                Finding(
                    "bad-enum",
                    pos.at(loc),
                    f"'{name}' is '{value}', which is not an allowed value",
                    hint,
                )
            )
        elif kind in CODES:
            location = pos.at(loc)
            offset = ctx.get("offset")
            if isinstance(offset, int):
                location = Location(location.path, location.line, location.col + offset)
            findings.append(Finding(kind, location, f"'{name}': {err['msg']}", hint))
        else:
            findings.append(
                Finding("wrong-type", pos.at(loc), f"'{name}': {_type_message(kind, err)}", hint)
            )
    return findings


def _type_message(kind: str, err: Any) -> str:
    return {
        "model_type": "expected a mapping of fields",
        "model_attributes_type": "expected a mapping of fields",
        "dict_type": "expected a mapping of fields",
        "list_type": "expected a list",
        "string_type": "expected text",
    }.get(kind, err["msg"])


def _validate(
    model: type[BaseModel], node: Node, path: Path
) -> tuple[Any | None, Positions, list[Finding]]:
    pos = Positions(path)
    findings: list[Finding] = []
    if not isinstance(node, Mapping):
        what = "a list" if isinstance(node, Sequence) else "a single value"
        findings.append(
            Finding(
                "wrong-type",
                Location(path, node.line, node.col),
                f"a record is a mapping of fields, but this file holds {what}",
                "write one 'field: value' per line; see the Record format page",
            )
        )
        return None, pos, findings
    _, data = _to_python(node, (), pos, findings)
    try:
        return model.model_validate(data), pos, findings
    except ValidationError as exc:
        return None, pos, findings + validation_findings(exc, model, pos)


def _id_from_name(path: Path) -> tuple[str, Finding | None]:
    record_id = path.stem
    problem = models.check_id(record_id)
    if problem is None:
        return record_id, None
    return record_id, Finding(
        "bad-id",
        Location(path),
        f"file name {path.name!r}: {problem}",
        f"rename it to '{models.suggest_id(record_id)}{path.suffix}'; the id is the file name "
        "without .yml, in lower-case letters, digits and single hyphens",
    )


def _unexpected(path: Path, why: str) -> Finding:
    return Finding("unexpected-file", Location(path), why, _LAYOUT_HINT)


_LAYOUT_HINT = (
    "a case file holds case.yml and the folders actors/, sources/, events/ and quotes/ "
    "of .yml records (sources/ may hold <id>.txt full texts)"
)
_ALLOWED_TOP = {"case.yml", "case.yaml", "README.md", *models.KINDS}


FileKey = tuple[str, bytes]  # (path, digest of the file's bytes)


@dataclass(slots=True)
class FileCache:
    """What reading each file gave, keyed by its path and the digest of its bytes, for a
    long-running process (`mkdocs serve`) to skip files that did not change.

    Records are immutable (frozen models) and so are full texts, so an unchanged file's
    record and text are reused as the very same objects: identity says "unchanged", which
    the page cache (pages.PageCache) relies on. Entries of files that changed or went away
    are dropped after each load.
    """

    records: dict[FileKey, tuple[Record | None, list[Finding]]] = field(default_factory=dict)
    texts: dict[FileKey, tuple[SourceText | None, list[Finding]]] = field(default_factory=dict)
    _seen: set[FileKey] = field(default_factory=set)

    def key(self, path: Path, data: bytes) -> FileKey:
        key = (str(path), hashlib.blake2b(data, digest_size=16).digest())
        self._seen.add(key)
        return key

    def prune(self) -> None:
        """Forget the files not read since the last prune."""
        for table in (self.records, self.texts):
            for key in table.keys() - self._seen:
                del table[key]
        self._seen.clear()


def _load_record(
    kind: str, record_id: str, model: type[BaseModel], path: Path, cache: FileCache | None
) -> tuple[Record | None, list[Finding]]:
    key: FileKey | None = None
    if cache is not None:
        try:
            key = cache.key(path, path.read_bytes())
        except OSError:
            key = None
        if key is not None and key in cache.records:
            return cache.records[key]
    node, problems = load_file(path)
    result: tuple[Record | None, list[Finding]]
    if node is None:
        result = (None, problems)
    else:
        data, positions, more = _validate(model, node, path)
        record = Record(kind, record_id, path, data, positions) if data is not None else None
        result = (record, problems + more)
    if cache is not None and key is not None:
        cache.records[key] = result
    return result


def load(root: Path, cache: FileCache | None = None) -> LoadedCase:
    """Read every file under `root`; never raises for bad input, never writes.

    With a `cache` (kept by `mkdocs serve` between rebuilds), files whose bytes did not
    change are not parsed again.
    """
    findings: list[Finding] = []
    records: list[Record] = []
    case: models.Case | None = None
    case_positions: Positions | None = None

    case_paths = [root / name for name in ("case.yml", "case.yaml") if (root / name).is_file()]
    if not root.is_dir():
        findings.append(
            Finding("missing-case", Location(root), f"no case file folder at {root}", _LAYOUT_HINT)
        )
        return LoadedCase(root, None, None, [], findings)
    if not case_paths:
        findings.append(
            Finding(
                "missing-case",
                Location(root / "case.yml"),
                "case.yml is missing",
                "create it with at least 'title: …'",
            )
        )
    for case_path in case_paths[:1]:
        node, problems = load_file(case_path)
        findings.extend(problems)
        if node is not None:
            case, case_positions, problems = _validate(models.Case, node, case_path)
            findings.extend(problems)
    for extra in case_paths[1:]:
        findings.append(_unexpected(extra, "both case.yml and case.yaml exist; keep one"))

    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        if entry.name.startswith(".") or entry.name in _ALLOWED_TOP:
            continue
        findings.append(_unexpected(entry, f"'{entry.name}' is not part of a case file"))

    for folder, model in models.KINDS.items():
        directory = root / folder
        if not directory.is_dir():
            continue
        kind = models.SINGULAR[folder]
        texts: dict[str, Path] = {}
        for path in sorted(directory.iterdir(), key=lambda p: p.name):
            if path.name.startswith("."):
                continue
            if path.is_dir():
                findings.append(_unexpected(path, f"folders inside {folder}/ are not read"))
                continue
            if folder == "sources" and path.suffix == ".txt":
                texts[path.stem] = path
                continue
            if path.suffix not in RECORD_SUFFIXES:
                findings.append(
                    _unexpected(path, f"'{path.name}' is not a .yml record and would be ignored")
                )
                continue
            record_id, problem = _id_from_name(path)
            if problem:
                findings.append(problem)
            record, problems = _load_record(kind, record_id, model, path, cache)
            findings.extend(problems)
            if record is not None and problem is None:
                records.append(record)
        if folder == "sources":
            findings.extend(_attach_texts(records, texts, cache))
    if cache is not None:
        cache.prune()
    return LoadedCase(root, case, case_positions, records, findings)


def _read_text(path: Path, cache: FileCache | None) -> tuple[SourceText | None, list[Finding]]:
    data = path.read_bytes()
    key = cache.key(path, data) if cache is not None else None
    if cache is not None and key in cache.texts:
        return cache.texts[key]
    text, problems = decode(data, path)
    result = (SourceText(text) if text is not None else None, problems)
    if cache is not None and key is not None:
        cache.texts[key] = result
    return result


def _attach_texts(
    records: list[Record], texts: dict[str, Path], cache: FileCache | None
) -> list[Finding]:
    findings = []
    sources = {r.id: r for r in records if r.kind == "source"}
    for source in sources.values():  # a cached record may carry a text that is gone
        source.text = None
        source.text_path = None
    yml_stems = {p for p in sources}
    for stem, path in sorted(texts.items()):
        if stem not in yml_stems:
            if not path.with_suffix(".yml").exists() and not path.with_suffix(".yaml").exists():
                findings.append(
                    _unexpected(
                        path,
                        f"full text '{path.name}' has no source record '{stem}.yml' beside it",
                    )
                )
            continue
        text, problems = _read_text(path, cache)
        findings.extend(problems)
        if text is not None:
            sources[stem].text = text
            sources[stem].text_path = path
    return findings
