"""Strict YAML: bytes -> a tree of located strings, lists and mappings, or findings.

PyYAML is used only as a tokenizer (its C parser's event stream where present); the tree is
built here so that every YAML 1.1 surprise is closed off: every scalar stays a string until
the schema types it, and anchors, aliases, explicit tags, duplicate keys, deep nesting,
multiple documents, oversized files, non-UTF-8 bytes and invisible control characters are
errors. Building from events, not `compose`, also means no recursion in C: a file of 50,000
nested `[` cannot crash the process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .files import read_bytes
from .findings import Finding, Location

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_DEPTH = 32

# NUL and the Unicode bidirectional controls that can make text read differently than it is
# (CVE-2021-42574, "Trojan Source").
_FORBIDDEN = re.compile("[\x00\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# In values (where escapes can produce them), other C0 controls are refused too.
_FORBIDDEN_VALUE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


@dataclass(slots=True)
class Scalar:
    value: str
    line: int
    col: int
    # True for an unquoted scalar: only then is an empty value "nothing".
    plain: bool = True
    # True for a '…' or "…" scalar: its text starts one column after its position.
    quoted: bool = False


@dataclass(slots=True)
class Sequence:
    items: list[Node]
    line: int
    col: int


@dataclass(slots=True)
class Mapping:
    # key -> (key scalar, value node); insertion order is the file's order.
    items: dict[str, tuple[Scalar, Node]]
    line: int
    col: int


Node = Scalar | Sequence | Mapping


class YamlFailure(Exception):
    """Raised inside the builder; carries the findings to report for the file."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.message)
        self.finding = finding


# What YAML counts as a line break, and so what our line numbers count.
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _line_col(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of `offset`, counting lines as YAML does."""
    breaks = list(_LINE_BREAK.finditer(text, 0, offset))
    start = breaks[-1].end() if breaks else 0
    return len(breaks) + 1, offset - start + 1


def decode(data: bytes, path: Path) -> tuple[str | None, list[Finding]]:
    """Strict UTF-8 with the checks every text file of a case file gets (its size is checked
    when it is read: `files.read_bytes`)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        valid = data[: exc.start].decode("utf-8")  # everything before the bad byte is text
        line, col = _line_col(valid, len(valid))
        return None, [
            Finding(
                "file-encoding",
                Location(path, line, col),
                f"byte 0x{data[exc.start]:02x} is not valid UTF-8",
                "save the file as UTF-8",
            )
        ]
    if text.startswith("\ufeff"):
        text = text[1:]
    findings = []
    for m in _FORBIDDEN.finditer(text):
        line, col = _line_col(text, m.start())
        findings.append(
            Finding(
                "forbidden-character",
                Location(path, line, col),
                f"invisible control character U+{ord(m.group()):04X} is not allowed",
                "delete it; it can make text display differently from what it says",
            )
        )
    return (None if findings else text), findings


def _extent(text: str) -> list[int]:
    """The length of each line of `text`, as YAML counts lines."""
    return [len(line) for line in _LINE_BREAK.split(text)]


def _clamp(extent: list[int], line: int, col: int) -> tuple[int, int]:
    """A 1-based position inside the text: the parser may place the end of the stream (an
    empty value at the end of a file without a final newline) one line past the last."""
    if line > len(extent):
        return len(extent), extent[-1] + 1
    return line, min(col, extent[line - 1] + 1)


def _mark(event: yaml.Event, extent: list[int]) -> tuple[int, int]:
    return _clamp(extent, event.start_mark.line + 1, event.start_mark.column + 1)


def _describe(event: yaml.Event) -> str:
    return {
        yaml.SequenceStartEvent: "a list",
        yaml.MappingStartEvent: "a mapping",
        yaml.AliasEvent: "an alias",
    }.get(type(event), "a value")


class _Builder:
    def __init__(self, path: Path, events: list[yaml.Event], extent: list[int]) -> None:
        self.path = path
        self.events = events
        self.extent = extent
        self.pos = 0

    def fail(self, code: str, event: yaml.Event, message: str, hint: str | None = None) -> None:
        line, col = _mark(event, self.extent)
        raise YamlFailure(Finding(code, Location(self.path, line, col), message, hint))

    def check_features(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.AliasEvent):
            self.fail(
                "yaml-feature",
                event,
                f"alias '*{event.anchor}' is not allowed in records",
                "write the value out in full; records must read the same to people and programs",
            )
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self.fail(
                "yaml-feature",
                event,
                f"anchor '&{anchor}' is not allowed in records",
                "remove the anchor and write each value out in full",
            )
        tag = getattr(event, "tag", None)
        if tag is not None:
            self.fail(
                "yaml-feature",
                event,
                f"explicit tag '{tag}' is not allowed in records",
                "remove the tag; the record format decides each field's type",
            )

    def node(self) -> Node:
        event = self.events[self.pos]
        self.pos += 1
        self.check_features(event)
        line, col = _mark(event, self.extent)
        if isinstance(event, yaml.ScalarEvent):
            # An escape in a quoted value ("\u202e") makes a character the file does not hold.
            bad = _FORBIDDEN_VALUE.search(event.value)
            if bad:
                self.fail(
                    "forbidden-character",
                    event,
                    f"this value holds the invisible control character U+{ord(bad.group()):04X}",
                    "remove the escape; it can make text display differently from what it says",
                )
            return Scalar(
                event.value,
                line,
                col,
                plain=not event.style,  # the C parser says "" for plain, Python None
                quoted=event.style in ("'", '"'),
            )
        if isinstance(event, yaml.SequenceStartEvent):
            items: list[Node] = []
            while not isinstance(self.events[self.pos], yaml.SequenceEndEvent):
                items.append(self.node())
            self.pos += 1
            return Sequence(items, line, col)
        if isinstance(event, yaml.MappingStartEvent):
            mapping: dict[str, tuple[Scalar, Node]] = {}
            while not isinstance(self.events[self.pos], yaml.MappingEndEvent):
                key_event = self.events[self.pos]
                if not isinstance(key_event, yaml.ScalarEvent):
                    self.check_features(key_event)
                    self.fail(
                        "yaml-feature",
                        key_event,
                        f"a key must be plain text, not {_describe(key_event)}",
                    )
                key = self.node()
                assert isinstance(key, Scalar)
                if key.value in mapping:
                    first = mapping[key.value][0]
                    raise YamlFailure(
                        Finding(
                            "duplicate-key",
                            Location(self.path, key.line, key.col),
                            f"key '{key.value}' appears twice in the same mapping",
                            "keep one of them; YAML would silently drop the first",
                            related=(
                                ("first defined here", Location(self.path, first.line, first.col)),
                            ),
                        )
                    )
                mapping[key.value] = (key, self.node())
            self.pos += 1
            return Mapping(mapping, line, col)
        self.fail("yaml-syntax", event, "unexpected YAML event")  # pragma: no cover
        raise AssertionError  # pragma: no cover


def _too_deep(where: Location) -> Finding:
    return Finding(
        "too-deep",
        where,
        f"nesting deeper than {MAX_DEPTH} levels",
        "records are shallow: a mapping of fields, lists of values or small mappings",
    )


def _events(text: str, path: Path, extent: list[int]) -> list[yaml.Event]:
    events: list[yaml.Event] = []
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            # The parser itself is iterative; stop early so a hostile file costs nothing more.
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    line, col = _mark(event, extent)
                    raise YamlFailure(_too_deep(Location(path, line, col)))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            events.append(event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = _clamp(extent, mark.line + 1, mark.column + 1) if mark else (1, 1)
        if "maximum nesting depth" in str(exc.problem):
            # Newer libyaml stops at 1,000 levels while scanning ahead, before our own limit
            # sees the events; it is the same fault, so it is the same finding.
            raise YamlFailure(_too_deep(Location(path, line, col))) from None
        problem = exc.problem or exc.context or "invalid YAML"
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        related: tuple[tuple[str, Location], ...] = ()
        start = exc.context_mark
        if start is not None and exc.problem_mark is not None and start.line != mark.line:
            where = exc.context.removeprefix("while ") if exc.context else "this"
            began = _clamp(extent, start.line + 1, start.column + 1)
            related = ((f"{where} started here", Location(path, *began)),)
        raise YamlFailure(
            Finding(
                "yaml-syntax",
                Location(path, line, col),
                f"{problem}{context}",
                _syntax_hint(f"{problem}{context}"),
                related,
            )
        ) from None
    except yaml.YAMLError as exc:
        raise YamlFailure(Finding("yaml-syntax", Location(path), str(exc))) from None
    return events


def _syntax_hint(problem: str) -> str | None:
    if "mapping values are not allowed" in problem:
        return "a value containing ': ' must be quoted, e.g. title: \"Kirby: no calls planned\""
    if "found character '\\t'" in problem or "tab" in problem:
        return "indent with spaces, not tabs"
    if "while scanning a quoted scalar" in problem:
        return "a quoted value is not closed: end it with the same quote mark it starts with"
    if "could not find expected ':'" in problem:
        return "each field is written 'name: value' on its own line"
    return None


def parse(text: str, path: Path) -> Node:
    """Parse one YAML document into a located tree; raise YamlFailure on the first problem."""
    extent = _extent(text)
    events = _events(text, path, extent)
    documents = [e for e in events if isinstance(e, yaml.DocumentStartEvent)]
    if not documents:
        raise YamlFailure(
            Finding("empty-file", Location(path), "file is empty", "see the Record format page")
        )
    if len(documents) > 1:
        line, col = _mark(documents[1], extent)
        raise YamlFailure(
            Finding(
                "yaml-feature",
                Location(path, line, col),
                "a record file holds one YAML document; this is a second one",
                "one record per file: move this one into a file of its own",
            )
        )
    builder = _Builder(path, events, extent)
    builder.pos = events.index(documents[0]) + 1
    return builder.node()


def load_file(path: Path) -> tuple[Node | None, list[Finding]]:
    """Read, decode and parse a record file. Findings instead of exceptions."""
    data, findings = read_bytes(path)
    if data is None:
        return None, findings
    return load_data(data, path)


def load_data(data: bytes, path: Path) -> tuple[Node | None, list[Finding]]:
    """Decode and parse the bytes of the record file at `path`."""
    text, findings = decode(data, path)
    if text is None:
        return None, findings
    try:
        return parse(text, path), []
    except YamlFailure as failure:
        return None, [failure.finding]
