"""Files -> typed records: read every file of a case file, collect every finding.

Nothing here looks across records (that is `checker.py`); each file is judged on its own:
file name, YAML, and the record format's fields and types.
"""

from __future__ import annotations

import difflib
import hashlib
import time
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from . import models
from .files import Entry, StatKey, read_bytes, read_stat, scan_dir, scan_named
from .findings import CODES, Finding, Fix, Location
from .parallel import Shared
from .progress import QUIET, Progress
from .strictyaml import Document, PathKey, decode, load_data, load_file
from .textmatch import SourceText

RECORD_SUFFIXES = (".yml", ".yaml")


@dataclass(slots=True)
class Positions:
    """Where each value (and each mapping key) of a record sits in its file."""

    path: Path
    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    # Values written in quotes: an offset into their text starts one column further right.
    quoted: set[PathKey] = field(default_factory=set)

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


# The typed model a record holds: models.Actor, models.Source, models.Event or models.Quote.
M = TypeVar("M", bound=BaseModel)
R = TypeVar("R")


@dataclass(slots=True)
class Record(Generic[M]):
    """One valid record: its kind (models.KIND), id (the file name), file, typed data and the
    position of every value; `Record[models.Event]` where the kind is known."""

    kind: str  # "actor" | "source" | "event" | "quote"
    id: str
    path: Path
    data: M
    positions: Positions
    # Sources only: the full text beside the record, if any, and its file (a file with no
    # text: one that could not be read, whose errors are reported; see `unreadable`).
    text: SourceText | None = None
    text_path: Path | None = None

    @property
    def unreadable(self) -> bool:
        """A source whose full text is there but has errors of its own: what is looked up in
        it waits until they are fixed (one error, not a finding per quote as a cascade)."""
        return self.text is None and self.text_path is not None

    def location(self, *loc: str | int) -> Location:
        return self.positions.at(loc)


@dataclass(frozen=True, slots=True)
class InvalidRecord:
    """A record file whose name is a valid id but whose content has errors. It is still known
    by its id, so references to it are not reported as dangling (one error, not a cascade)."""

    kind: str
    id: str
    path: Path
    raw: object  # what the file holds, as plain Python data, for ids it mentions


@dataclass(slots=True)
class LoadedCase:
    root: Path
    case: models.Case | None
    case_positions: Positions | None
    records: list[Record]
    findings: list[Finding]
    invalid: list[InvalidRecord] = field(default_factory=list)
    # What the checker derived from these records before: kept by a FileCache, else empty.
    memo: Memo = field(default_factory=lambda: Memo(keep=False))


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
        name = _dotted(loc)
        if kind == "extra_forbidden":
            allowed = _model_fields(model, loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
            findings.append(
                Finding.make(
                    "unknown-field",
                    pos.at(loc, key=True),
                    variant="close" if close else None,
                    field=name,
                    close=close[0] if close else None,
                    allowed=", ".join(allowed),
                )
            )
        elif kind == "missing":
            findings.append(
                Finding.make("missing-field", pos.at(loc[:-1]), field=name, name=loc[-1])
            )
        elif kind == "literal_error":
            findings.append(_bad_enum(err, loc, pos))
        elif kind in CODES:
            findings.append(_value_fault(kind, err.get("ctx") or {}, err.get("input"), loc, pos))
        else:
            variant = _TYPE_ERRORS.get(kind, "other")
            where = pos.at(loc)
            finding = Finding.make("wrong-type", where, variant=variant, detail=err["msg"])
            findings.append(finding.inside("field", field=name))
    return findings


def _bad_enum(err: Any, loc: PathKey, pos: Positions) -> Finding:
    allowed = _allowed_values(err.get("ctx") or {})
    value = str(err.get("input", ""))
    same = [a for a in allowed if a.casefold() == value.strip().casefold()]
    close = same or (difflib.get_close_matches(value, allowed, n=1, cutoff=0.5) if value else [])
    return Finding.make(
        "bad-enum",
        pos.at(loc),
        variant="close" if close else None,
        fix=_fix(pos, loc, value, same[0]) if same else None,
        field=_dotted(loc),
        value=value,
        close=close[0] if close else None,
        allowed=", ".join(allowed),
    )


def _value_fault(
    code: str, ctx: dict[str, Any], old: object, loc: PathKey, pos: Positions
) -> Finding:
    """A fault the record format's validators found in one value (see `models._fault`),
    pointed at the offending character where they say which it is."""
    location = pos.at(loc)
    offset = ctx.get("offset")
    if isinstance(offset, int) and loc in pos.values:
        shift = offset + (loc in pos.quoted)
        location = Location(location.path, location.line, location.col + shift)
    fixed = ctx.get("fix")
    fix = _fix(pos, loc, old, fixed) if isinstance(fixed, str) and isinstance(old, str) else None
    fields = ctx.get("fields") or {}
    finding = Finding.make(code, location, variant=ctx.get("variant"), fix=fix, **fields)
    return finding.inside("field", field=_dotted(loc))


def _fix(pos: Positions, loc: PathKey, old: str, new: str) -> Fix | None:
    """A fix for the value at `loc`, if the loader knows exactly where that value is."""
    if loc not in pos.values or old == new:
        return None
    return Fix(*pos.values[loc], old, new)


# pydantic's own type errors -> the shape of `wrong-type` that says it in our words.
_TYPE_ERRORS = {
    "model_type": "not-a-mapping",
    "model_attributes_type": "not-a-mapping",
    "dict_type": "not-a-mapping",
    "list_type": "not-a-list",
    "string_type": "not-text",
}


def _validate(
    model: type[BaseModel], document: Document, path: Path
) -> tuple[Any | None, Positions, list[Finding], object]:
    pos = Positions(path, document.values, document.keys, document.quoted)
    data = document.data
    if not isinstance(data, dict):
        found = "list" if isinstance(data, list) else "value"
        where = Location(path, *document.values[()])
        return None, pos, [Finding.make("wrong-type", where, variant="record", found=found)], None
    findings = [
        Finding.make("empty-value", Location(path, *document.values[loc]), field=_dotted(loc))
        for loc in document.empty
    ]
    try:
        return model.model_validate(data), pos, findings, data
    except ValidationError as exc:
        return None, pos, findings + validation_findings(exc, model, pos), data


def _id_from_name(path: Path) -> tuple[str, Finding | None]:
    record_id = path.stem
    if record_id in models.RESERVED_NAMES:
        folder = path.parent.name
        kind = models.FOLDER[folder].name if folder in models.FOLDER else "record"
        return record_id, Finding.make(
            "reserved-id",
            Location(path),
            id=record_id,
            folder=folder,
            kind=kind,
            suffix=path.suffix,
        )
    problem = models.check_id(record_id)
    if problem is None:
        return record_id, None
    return record_id, Finding.make(
        "bad-id",
        Location(path),
        variant="file-too-long" if problem == "too-long" else "file",
        name=path.name,
        value=record_id,
        length=len(record_id),
        limit=models.ID_MAX,
        suggestion=models.suggest_id(record_id),
        suffix=path.suffix,
    )


_TOP_FILES = {"case.yml", "case.yaml", "README.md"}
_ALLOWED_TOP = {*_TOP_FILES, *models.FOLDER}


# How long after a file last changed its `lstat` can be trusted to show the next change. A
# write within the same tick of the file system's clock, leaving the size alone, keeps every
# time the same; a file read that soon after a change is read again next time (as git does).
SETTLED_NS = 2_000_000_000


@dataclass(slots=True)
class _Kept(Generic[R]):
    """What reading one file gave, and what `fstat` said of it when it was read."""

    stat: StatKey
    digest: bytes
    settled: bool  # read long enough after its last change for `stat` to show the next one
    result: R


class Memo:
    """What the checker derives from records and texts, kept while those very objects come
    back from the cache: a rule asks for a table by name and looks its inputs up in it by
    identity (see `Table`). At the end of each check (`finish`) the entries it did not ask
    for are dropped, so the memo never holds more than one check used.

    Without `keep` (a one-off check) nothing is stored and every value is computed.
    """

    __slots__ = ("_tables", "keep")

    def __init__(self, *, keep: bool = True) -> None:
        self.keep = keep
        self._tables: dict[str, Table[Any]] = {}

    def table(self, name: str) -> Table[Any]:
        found = self._tables.get(name)
        if found is None:
            found = self._tables[name] = Table(keep=self.keep)
        return found

    def finish(self) -> None:
        for table in self._tables.values():
            table.finish()

    def sizes(self) -> dict[str, int]:
        """How many entries each table holds."""
        return {name: len(table) for name, table in sorted(self._tables.items())}


class Table(Generic[R]):
    """Values derived from objects, each under a key that holds the `id` of every object it
    was derived from (and any plain value it depends on): a value is reused while it is
    asked for with the very same objects. An entry holds its objects, so their ids are not
    reused while it lives, and a key names them alone."""

    __slots__ = ("_kept", "_used", "keep")

    def __init__(self, *, keep: bool = True) -> None:
        self.keep = keep
        self._kept: dict[Hashable, tuple[tuple[object, ...], R]] = {}  # by the last check
        self._used: dict[Hashable, tuple[tuple[object, ...], R]] = {}  # by this one

    def get(self, key: Hashable, inputs: tuple[object, ...], compute: Callable[[], R]) -> R:
        """The value derived from `inputs`, whose ids `key` holds: the kept one, else
        `compute()`."""
        if not self.keep:
            return compute()
        found = self._kept.pop(key, None) or self._used.get(key)
        if found is None:
            found = (inputs, compute())
        self._used[key] = found
        return found[1]

    def finish(self) -> None:
        """Keep what this check asked for, and only that."""
        self._kept, self._used = self._used, {}

    def __len__(self) -> int:
        return len(self._kept) + len(self._used)


@dataclass(slots=True)
class FileCache:
    """What reading each file gave, for a long-running process (`mkdocs serve`) to skip
    files that did not change, and what the checker derived from it (`memo`).

    A file whose `lstat` (inode, size, modification and change times) is what it was when
    it was last read, at least SETTLED_NS after it last changed, is not read again. Any
    other is read, within the limits of `files.read_bytes`, and parsed only if its bytes
    differ from what was read before.

    Records are immutable (frozen models) and so are full texts, so an unchanged file's
    record and text are reused as the very same objects: identity says "unchanged", which
    the page cache (pages.PageCache) and the checker's memo rely on. Entries of files that
    went away are dropped after each load.
    """

    records: dict[str, _Kept[Loaded]] = field(default_factory=dict)
    texts: dict[str, _Kept[tuple[SourceText | None, list[Finding]]]] = field(default_factory=dict)
    memo: Memo = field(default_factory=Memo)
    # Each folder's entries by name, as the last load listed them (files.scan_dir's `known`).
    listings: dict[Path, dict[str, Entry]] = field(default_factory=dict)
    _seen: set[str] = field(default_factory=set)
    _listed: set[Path] = field(default_factory=set)

    def scan(self, directory: Path) -> tuple[list[Entry], list[Finding]]:
        entries, findings = scan_named(directory, self.listings.get(directory))
        self.listings[directory] = entries
        self._listed.add(directory)
        return list(entries.values()), findings

    def unchanged(self, table: dict[str, _Kept[R]], entry: Entry) -> R | None:
        """What reading `entry`'s file gave, if `lstat` shows it as it was when read, and it
        was read at least SETTLED_NS after it last changed; else None."""
        name = str(entry.path)
        kept = table.get(name)
        if kept is None or not kept.settled or kept.stat != entry.stat:
            return None
        self._seen.add(name)
        return kept.result

    def prune(self) -> None:
        """Forget the files and folders not looked at since the last prune."""
        for table in (self.records, self.texts):
            for key in table.keys() - self._seen:
                del table[key]
        for directory in self.listings.keys() - self._listed:
            del self.listings[directory]
        self._seen.clear()
        self._listed.clear()


def _through_cache(
    table: dict[str, _Kept[R]] | None,
    entry: Entry,
    cache: FileCache | None,
    parse: Callable[[bytes], R],
) -> tuple[R | None, list[Finding]]:
    """What parsing the bytes of `entry`'s file gives (read within the limit), or None and
    the findings that say why it could not be read. With a cache (a long-running process),
    what parsing gave before when the file did not change."""
    if cache is None or table is None:
        data, problems = read_bytes(entry.path)
        return (None, problems) if data is None else (parse(data), [])
    found = cache.unchanged(table, entry)
    if found is not None:
        return found, []
    name = str(entry.path)
    cache._seen.add(name)
    kept = table.get(name)
    now = time.time_ns()
    data, stat, problems = read_stat(entry.path)
    if data is None or stat is None:
        return None, problems
    digest = hashlib.blake2b(data, digest_size=16).digest()
    if kept is None or kept.digest != digest:
        kept = table[name] = _Kept(stat, digest, False, parse(data))
    kept.stat = stat
    kept.settled = max(stat[2], stat[3]) < now - SETTLED_NS
    return kept.result, []


# A record file's outcome: its record (None when unreadable), the findings about its content,
# and the finding about its name when that is not a valid id.
Loaded = tuple[Record | InvalidRecord | None, list[Finding], Finding | None]


def _load_record(
    kind: str, model: type[BaseModel], entry: Entry, cache: FileCache | None
) -> Loaded:
    path = entry.path

    def parse(data: bytes) -> Loaded:
        record_id, problem = _id_from_name(path)
        document, problems = load_data(data, path)
        if document is None:
            return InvalidRecord(kind, record_id, path, None), problems, problem
        model_data, positions, more, raw = _validate(model, document, path)
        if model_data is None:
            return InvalidRecord(kind, record_id, path, raw), problems + more, problem
        return Record(kind, record_id, path, model_data, positions), problems + more, problem

    loaded, problems = _through_cache(cache.records if cache else None, entry, cache, parse)
    return (None, problems, _id_from_name(path)[1]) if loaded is None else loaded


def _load_case(path: Path) -> tuple[models.Case | None, Positions | None, list[Finding]]:
    document, findings = load_file(path)  # read within the limit, decoded, parsed
    if document is None:
        return None, None, findings
    case, positions, problems, _ = _validate(models.Case, document, path)
    return case, positions, findings + problems


def load(root: Path, cache: FileCache | None = None, progress: Progress = QUIET) -> LoadedCase:
    """Read every file under `root`; never raises for bad input, never writes.

    With a `cache` (kept by `mkdocs serve` between rebuilds), files that did not change are
    not read again, nor parsed when their bytes did not change (see FileCache), and the
    checker's memo comes along. `progress` hears of each record file read.
    """
    progress.stage("loading records")
    if not root.is_dir():
        missing = Finding.make("missing-case", Location(root), variant="no-folder", root=root)
        return LoadedCase(root, None, None, [], [missing])
    top, problems = scan_dir(root)
    loaded = LoadedCase(root, None, None, [], list(problems))
    if cache is not None:
        loaded.memo = cache.memo
    _load_top(loaded, top, problems)
    folders = {e.name: e.path for e in top if e.is_dir}
    listed = []  # each kind's folder: its entries, each with whether it is a record file
    for kind in models.KIND_LIST:
        if (folder := folders.get(kind.folder)) is not None:
            entries, problems = cache.scan(folder) if cache else scan_dir(folder)
            listed.append((kind, [(entry, _is_record(entry)) for entry in entries], problems))
    record_files = [(kind, e) for kind, marked, _ in listed for e, record in marked if record]
    outcomes = iter(_load_records(record_files, cache, progress))
    for kind, marked, problems in listed:
        loaded.findings.extend(problems)
        _load_folder(loaded, kind, marked, outcomes, cache)
    if cache is not None:
        cache.prune()
    return loaded


def _is_record(entry: Entry) -> bool:
    """Whether `entry` is a record file in a kind's folder: its suffix (`Path.suffix`, from
    the last dot of a name that does not start with it) is one of RECORD_SUFFIXES. Asked of
    every file at each save under `mkdocs serve`, so string tests, not `Path.suffix`."""
    name = entry.path.name
    return not entry.is_dir and name.endswith(RECORD_SUFFIXES) and name not in RECORD_SUFFIXES


def _load_records(
    files: list[tuple[models.Kind, Entry]], cache: FileCache | None, progress: Progress
) -> list[Loaded]:
    """Each record file's outcome, in order. With a `cache` (`mkdocs serve`, `casefile check
    --watch`), a file that did not change gives what it gave before. Otherwise the files are
    shared with a forked process where there are enough of them (`parallel.Shared`):
    parsing is most of a cold check, and each file is parsed on its own; the outcomes come
    back pickled, in the same order, equal to those made here."""
    if cache is not None:
        outcomes = []
        for kind, entry in files:
            outcome = cache.unchanged(cache.records, entry)  # nearly every file, serving
            if outcome is None:
                outcome = _load_record(kind.name, kind.model, entry, cache)
            outcomes.append(outcome)
            progress.advance()
        return outcomes
    with Shared(files, _load_one) as shared:
        return shared.results(progress.advance)


def _load_one(file: tuple[models.Kind, Entry]) -> Loaded:
    kind, entry = file
    return _load_record(kind.name, kind.model, entry, None)


def _load_top(loaded: LoadedCase, top: list[Entry], refused: list[Finding]) -> None:
    """case.yml, and a finding for anything at the top that a case file does not hold."""
    findings = loaded.findings
    case_paths = [e.path for e in top if e.is_file and e.name in ("case.yml", "case.yaml")]
    if not case_paths and not any(
        f.location.path.name in ("case.yml", "case.yaml") for f in refused
    ):
        findings.append(Finding.make("missing-case", Location(loaded.root / "case.yml")))
    for case_path in case_paths[:1]:
        loaded.case, loaded.case_positions, problems = _load_case(case_path)
        findings.extend(problems)
    for extra in case_paths[1:]:
        findings.append(Finding.make("unexpected-file", Location(extra), variant="two-cases"))
    for entry in top:
        if entry.name in _ALLOWED_TOP and (entry.is_dir or entry.name in _TOP_FILES):
            continue
        findings.append(Finding.make("unexpected-file", Location(entry.path), name=entry.name))


def _load_folder(
    loaded: LoadedCase,
    kind: models.Kind,
    marked: list[tuple[Entry, bool]],
    outcomes: Iterator[Loaded],
    cache: FileCache | None,
) -> None:
    """One kind's folder (each entry with whether it is a record file): its records (their
    outcomes, in order, from `outcomes`), a finding for anything else, and for sources their
    full texts."""
    findings = loaded.findings
    texts: dict[str, Entry] = {}
    for entry, record_file in marked:
        if record_file:
            record, problems, problem = next(outcomes)
            findings.extend([problem, *problems] if problem else problems)
            if isinstance(record, Record) and problem is None:
                loaded.records.append(record)
            elif isinstance(record, InvalidRecord) and problem is None:
                loaded.invalid.append(record)
        elif entry.is_dir:
            findings.append(
                Finding.make(
                    "unexpected-file", Location(entry.path), variant="folder", folder=kind.folder
                )
            )
        elif kind.folder == "sources" and entry.path.suffix == ".txt":
            texts[entry.path.stem] = entry
        else:
            findings.append(
                Finding.make(
                    "unexpected-file", Location(entry.path), variant="not-yml", name=entry.name
                )
            )
    if kind.folder == "sources":
        record_stems = {e.path.stem for e, record_file in marked if record_file}
        findings.extend(_attach_texts(loaded.records, texts, record_stems, cache))


def _read_text(entry: Entry, cache: FileCache | None) -> tuple[SourceText | None, list[Finding]]:
    def parse(data: bytes) -> tuple[SourceText | None, list[Finding]]:
        text, problems = decode(data, entry.path)
        return (SourceText(text) if text is not None else None), problems

    read, problems = _through_cache(cache.texts if cache else None, entry, cache, parse)
    return (None, problems) if read is None else read


def _attach_texts(
    records: list[Record], texts: dict[str, Entry], record_stems: set[str], cache: FileCache | None
) -> list[Finding]:
    findings = []
    sources = {r.id: r for r in records if r.kind == "source"}
    for source in sources.values():  # a cached record may carry a text that is gone
        source.text = None
        source.text_path = None
    for stem, entry in sorted(texts.items()):
        path = entry.path
        if stem not in sources:
            if stem not in record_stems:
                findings.append(
                    Finding.make(
                        "unexpected-file",
                        Location(path),
                        variant="text-alone",
                        name=path.name,
                        stem=stem,
                    )
                )
            continue
        text, problems = _read_text(entry, cache)
        findings.extend(problems)
        sources[stem].text = text
        sources[stem].text_path = path  # with no text: it is there but has errors
    return findings
