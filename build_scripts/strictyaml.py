"""Strict YAML: bytes -> plain strings, lists and mappings with their positions, or findings.

PyYAML is used only as a tokenizer (its C parser's event stream where present); the data is
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


# Where a value sits in its document: mapping keys and list indexes from the top.
PathKey = tuple[str | int, ...]


@dataclass(slots=True)
class Document:
    """One YAML document as plain data, every scalar a string, with where each value and each
    mapping key was written (1-based line and column)."""

    # dict, list or str; None for a document that is an empty value.
    data: object
    values: dict[PathKey, tuple[int, int]]
    keys: dict[PathKey, tuple[int, int]]
    # Values written in '…' or "…": an offset into their text starts one column further right.
    quoted: set[PathKey]
    # Unquoted values with nothing written ("key:" alone, or "- "): left out of `data`, as if
    # not written, and listed here in the file's order so that the loader can say so.
    empty: list[PathKey]


class YamlFailure(Exception):
    """Raised inside the builder; carries the finding to report for the file."""

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
            Finding.make("file-encoding", Location(path, line, col), byte=data[exc.start])
        ]
    if text.startswith("\ufeff"):
        text = text[1:]
    findings = []
    for m in _FORBIDDEN.finditer(text):
        line, col = _line_col(text, m.start())
        findings.append(
            Finding.make("forbidden-character", Location(path, line, col), codepoint=ord(m.group()))
        )
    return (None if findings else text), findings


_OTHER_BREAKS = re.compile("[\r\x85\u2028\u2029]")


def _extent(text: str) -> list[int]:
    """The length of each line of `text`, as YAML counts lines."""
    if _OTHER_BREAKS.search(text) is None:  # the usual file: "\n" alone (3 times faster)
        return list(map(len, text.split("\n")))
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
    """What a key that is not plain text is, as the key of its phrase in `yaml-feature`."""
    return {
        yaml.SequenceStartEvent: "list",
        yaml.MappingStartEvent: "mapping",
        yaml.AliasEvent: "alias",
    }.get(type(event), "value")


class _Builder:
    """Plain data and positions from the events of one document, in one pass."""

    def __init__(self, path: Path, events: list[yaml.Event], extent: list[int]) -> None:
        self.path = path
        self.events = events
        self.extent = extent
        self.pos = 0
        self.document = Document(None, {}, {}, set(), [])

    def fail(
        self, code: str, event: yaml.Event, *, variant: str | None = None, **fields: object
    ) -> None:
        line, col = _mark(event, self.extent)
        where = Location(self.path, line, col)
        raise YamlFailure(Finding.make(code, where, variant=variant, **fields))

    def check_features(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.AliasEvent):
            self.fail("yaml-feature", event, anchor=event.anchor)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self.fail("yaml-feature", event, variant="anchor", anchor=anchor)
        tag = getattr(event, "tag", None)
        if tag is not None:
            self.fail("yaml-feature", event, variant="tag", tag=tag)

    def refuse_escape(self, event: yaml.ScalarEvent) -> None:
        """An escape in a quoted value ("\u202e") makes a character the file does not hold."""
        bad = _FORBIDDEN_VALUE.search(event.value)
        assert bad is not None
        self.fail("forbidden-character", event, variant="escape", codepoint=ord(bad.group()))

    def value(self, loc: PathKey) -> object:
        """The value whose events start here, its position noted at `loc`; `_NOTHING` for an
        empty unquoted value. Once per value of every record: type tests and the position
        are worked out inline (helper calls were a fifth of loading a case file)."""
        event = self.events[self.pos]
        self.pos += 1
        kind = type(event)
        if kind not in _NODE_EVENTS or event.anchor is not None or event.tag is not None:
            self.check_features(event)
        mark = event.start_mark
        line, col = mark.line + 1, mark.column + 1
        extent = self.extent
        if line > len(extent) or col > extent[line - 1] + 1:
            line, col = _clamp(extent, line, col)
        self.document.values[loc] = (line, col)
        if kind is yaml.ScalarEvent:
            return self._scalar(event, loc)
        if kind is yaml.SequenceStartEvent:
            items = []
            written = 0  # positions are by the index as written, empty items counted
            while type(self.events[self.pos]) is not yaml.SequenceEndEvent:
                item = self.value((*loc, written))
                written += 1
                if item is not _NOTHING:
                    items.append(item)
            self.pos += 1
            return items
        if kind is yaml.MappingStartEvent:
            return self._mapping(loc)
        self.fail("yaml-syntax", event, variant="event")  # pragma: no cover
        raise AssertionError  # pragma: no cover

    def _scalar(self, event: yaml.ScalarEvent, loc: PathKey) -> object:
        text = event.value
        if _FORBIDDEN_VALUE.search(text):
            self.refuse_escape(event)
        style = event.style
        if not style:  # plain: "" from the C parser, None from Python's
            if not text:
                self.document.empty.append(loc)
                return _NOTHING
        elif style == "'" or style == '"':
            self.document.quoted.add(loc)
        return text

    def _mapping(self, loc: PathKey) -> dict[str, object]:
        mapping: dict[str, object] = {}
        keys = self.document.keys
        extent = self.extent
        while type(key_event := self.events[self.pos]) is not yaml.MappingEndEvent:
            if type(key_event) is not yaml.ScalarEvent:
                self.check_features(key_event)
                self.fail("yaml-feature", key_event, variant="key", found=_describe(key_event))
            if key_event.anchor is not None or key_event.tag is not None:
                self.check_features(key_event)
            if _FORBIDDEN_VALUE.search(key_event.value):
                self.refuse_escape(key_event)
            self.pos += 1
            at = (*loc, key_event.value)
            mark = key_event.start_mark
            line, col = mark.line + 1, mark.column + 1
            if line > len(extent) or col > extent[line - 1] + 1:
                line, col = _clamp(extent, line, col)
            if at in keys:
                raise YamlFailure(
                    Finding.make(
                        "duplicate-key",
                        Location(self.path, line, col),
                        related_at=Location(self.path, *keys[at]),
                        key=key_event.value,
                    )
                )
            keys[at] = (line, col)
            value = self.value(at)
            if value is not _NOTHING:
                mapping[key_event.value] = value
        self.pos += 1
        return mapping


# What the builder returns for a value that is not there.
_NOTHING = object()
_NODE_EVENTS = frozenset({yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent})
_STARTS = frozenset({yaml.SequenceStartEvent, yaml.MappingStartEvent})
_ENDS = frozenset({yaml.SequenceEndEvent, yaml.MappingEndEvent})


def _too_deep(where: Location) -> Finding:
    return Finding.make("too-deep", where, limit=MAX_DEPTH)


def _events(text: str, path: Path, extent: list[int]) -> tuple[list[yaml.Event], list[int]]:
    """The parser's events, and where each document starts among them."""
    events: list[yaml.Event] = []
    starts: list[int] = []
    depth = 0
    parser = None
    try:
        parser = _Loader(text)  # Python's reader checks the text as it is made
        # The parser's own calls, not `yaml.parse`'s generator around them; None after the end.
        next_event = parser.get_event
        while (event := next_event()) is not None:
            # The parser itself is iterative; stop early so a hostile file costs nothing more.
            kind = type(event)
            if kind in _STARTS:
                depth += 1
                if depth > MAX_DEPTH:
                    line, col = _mark(event, extent)
                    raise YamlFailure(_too_deep(Location(path, line, col)))
            elif kind in _ENDS:
                depth -= 1
            elif kind is yaml.DocumentStartEvent:
                starts.append(len(events))
            events.append(event)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = _clamp(extent, mark.line + 1, mark.column + 1) if mark else (1, 1)
        if "maximum nesting depth" in str(exc.problem):
            # Newer libyaml stops at 1,000 levels while scanning ahead, before our own limit
            # sees the events; it is the same fault, so it is the same finding.
            raise YamlFailure(_too_deep(Location(path, line, col))) from None
        raise YamlFailure(_syntax_error(exc, path, extent, (line, col))) from None
    except yaml.YAMLError as exc:
        finding = Finding.make("yaml-syntax", Location(path), problem=str(exc), advice=None)
        raise YamlFailure(finding) from None
    finally:
        if parser is not None:
            parser.dispose()
    return events, starts


def _syntax_error(
    exc: yaml.MarkedYAMLError, path: Path, extent: list[int], at: tuple[int, int]
) -> Finding:
    """The parser's own account of a syntax error, with our advice where we have some."""
    # The parser names the fault (`problem`), what it was doing (`context`), or both.
    problem = exc.problem or exc.context
    both = bool(exc.context and exc.problem)
    start, end = exc.context_mark, exc.problem_mark
    related_at = None
    if start is not None and end is not None and start.line != end.line:
        related_at = Location(path, *_clamp(extent, start.line + 1, start.column + 1))
    return Finding.make(
        "yaml-syntax",
        Location(path, *at),
        variant="context" if both else None if problem else "unknown",
        related_at=related_at,
        problem=problem,
        context=exc.context,
        advice=_syntax_advice(" ".join(w for w in (exc.problem, exc.context) if w)),
        started=exc.context.removeprefix("while ") if exc.context else "this",
    )


def _syntax_advice(words: str) -> str | None:
    """Which advice of `yaml-syntax` fits the parser's words, if any."""
    if "mapping values are not allowed" in words:
        return "quote-colon"
    if "found character '\\t'" in words or "tab" in words:
        return "tab"
    if "while scanning a quoted scalar" in words:
        return "unclosed-quote"
    if "could not find expected ':'" in words:
        return "colon"
    return None


def parse(text: str, path: Path) -> Document:
    """Parse one YAML document into located plain data; raise YamlFailure on the first
    problem."""
    extent = _extent(text)
    events, starts = _events(text, path, extent)
    if not starts:
        raise YamlFailure(Finding.make("empty-file", Location(path)))
    if len(starts) > 1:
        line, col = _mark(events[starts[1]], extent)
        raise YamlFailure(
            Finding.make("yaml-feature", Location(path, line, col), variant="document")
        )
    builder = _Builder(path, events, extent)
    builder.pos = starts[0] + 1
    data = builder.value(())
    builder.document.data = None if data is _NOTHING else data
    return builder.document


def load_file(path: Path) -> tuple[Document | None, list[Finding]]:
    """Read, decode and parse a record file. Findings instead of exceptions."""
    data, findings = read_bytes(path)
    if data is None:
        return None, findings
    return load_data(data, path)


def load_data(data: bytes, path: Path) -> tuple[Document | None, list[Finding]]:
    """Decode and parse the bytes of the record file at `path`."""
    text, findings = decode(data, path)
    if text is None:
        return None, findings
    try:
        return parse(text, path), []
    except YamlFailure as failure:
        return None, [failure.finding]
