"""Record Markdown as a reader sees it, and the quotations in it.

`prose` turns a Markdown field into plain paragraphs (code, tags, link addresses and emphasis
marks set aside; `[[id|label]]` read as its label); `quotations` finds the outermost
quotations in a paragraph, matching marks like brackets in one linear pass. The evidence rules
(`evidence.py`) hold those quotations against the sources.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable

from .models import WIKILINK

# -- Markdown as readers see it ------------------------------------------------------------------

_FENCE = re.compile(r"[ \t]{0,3}(`{3,}|~{3,})")
# A list item or a heading starts a block of its own, so a quotation never runs into it.
_BLOCK_START = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]|[ \t]{0,3}#{1,6}(?:[ \t]|$)")
_REFERENCE_DEFINITION = re.compile(r"[ \t]{0,3}\[[^\[\]\n]++\]:")
_BACKTICKS = re.compile(r"`+")
# An inline link, image or reference link: its words are what readers see; the address and
# title (which may hold quotation marks) are not. Possessive: each `[` is read at most to the
# next bracket or line break, so a run of brackets costs linear time.
_LINK = re.compile(
    r"(!?)\[([^\[\]\n]*+)\]"
    r"(?:\((?:[^()\s]++|\([^()\s]*+\))*+"
    r"(?:\s++(?:\"[^\"\n]*+\"|'[^'\n]*+'|\([^()\n]*+\)))?\s*+\)"
    r"|\[[^\[\]\n]*+\])"
)
# HTML tags and autolinks: markup, even where the site shows them as text, not prose.
_TAG = re.compile(r"<[A-Za-z/!?][^<>]*+>")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# Emphasis: every asterisk, and underscores that pair up around words as Python-Markdown
# reads them (never inside a word: "snake_case", "window.__name" keep theirs). The span is
# bounded, so a run of unpaired underscores costs linear time.
_ASTERISKS = re.compile(r"\*+")
_UNDERSCORES = re.compile(r"(?<![^\W_])(_{1,3})(?=[^\s_])([^_\n]{1,300}?)(?<=[^\s_])\1(?![^\W_])")


def prose(value: str, label: Callable[[str], str]) -> list[str]:
    """A Markdown field's paragraphs as readers see their words: code (spans and fenced
    blocks), HTML tags, link addresses and titles, reference definitions and emphasis marks
    left out; `[[id|label]]` as its label, `[[id]]` as `label(id)`; entities and backslash
    escapes as the characters they stand for. Linear in the field's length."""
    blocks: list[list[str]] = [[]]
    fence: str | None = None
    for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        opened = _FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            continue
        if opened:
            fence = opened.group(1)
            blocks.append([])
            continue
        if not line.strip() or _BLOCK_START.match(line):
            blocks.append([])
        if line.strip() and not _REFERENCE_DEFINITION.match(line):
            blocks[-1].append(line)
    return [p for p in (_inline("\n".join(b), label) for b in blocks if b) if p.strip()]


def _inline(text: str, label: Callable[[str], str]) -> str:
    text = _without_code(text)
    text = WIKILINK.sub(
        lambda m: (m.group(2) or "").strip() or _unquoted(label(m.group(1).strip())), text
    )
    text = _LINK.sub(lambda m: "" if m.group(1) else m.group(2), text)
    text = _TAG.sub(" ", text)
    text = _UNDERSCORES.sub(r"\2", _ASTERISKS.sub("", _ESCAPE.sub(r"\1", text)))
    return html.unescape(text)


def _without_code(text: str) -> str:
    """`text` with its code spans (a run of backticks up to the next run as long) left out,
    in one pass: each run looks ahead to the next run of its length, found from the right."""
    runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text)]
    if not runs:
        return text
    after: list[int | None] = [None] * len(runs)
    last: dict[int, int] = {}
    for i in range(len(runs) - 1, -1, -1):
        size = runs[i][1] - runs[i][0]
        after[i] = last.get(size)
        last[size] = i
    out: list[str] = []
    at = i = 0
    while i < len(runs):
        closing = after[i]
        if closing is None:
            i += 1
            continue
        out += [text[at : runs[i][0]], " "]
        at = runs[closing][1]
        i = closing + 1
    out.append(text[at:])
    return "".join(out)


# -- quotation marks -----------------------------------------------------------------------------

# Each quotation mark, by name, for the tables below.
LDQ, RDQ, LOW_DQ, REV_DQ = "\u201c", "\u201d", "\u201e", "\u201f"  # “ ” „ ‟
LSQ, RSQ, LOW_SQ = "\u2018", "\u2019", "\u201a"  # left, right and low single
LGUIL, RGUIL, LGUIL1, RGUIL1 = "\u00ab", "\u00bb", "\u2039", "\u203a"  # « » and single
CJK = "\u300c\u300d\u300e\u300f\u301d\u301e\u301f"  # corner brackets, double primes
ORNATE = "\u275d\u275e"  # heavy ornament quotes
# The straight mark, its full-width form and the double prime that often stands in for it.
_STRAIGHT = '"\uff02\u2033'

# Marks that open a quotation, and for each mark the openers it closes. The straight marks
# close what they open, so they open only at the start of a word and close only at the end
# of one (`_opens`, `_ends`); so do the left and low single marks (a left single mark may be a
# misturned apostrophe, as in "the '90s"), the right single mark (the apostrophe: "it's"
# holds no closing mark), and a right double mark where it opens a Swedish quotation rather
# than closing an English one.
_OPENERS = frozenset(
    f"{_STRAIGHT}{LDQ}{RDQ}{LOW_DQ}{REV_DQ}{LGUIL}{RGUIL}{LGUIL1}{RGUIL1}"
    f"{CJK[0]}{CJK[2]}{CJK[4]}{ORNATE[0]}{LSQ}{LOW_SQ}"
)
_CLOSES: dict[str, frozenset[str]] = {
    **{mark: frozenset(_STRAIGHT) for mark in _STRAIGHT},
    RDQ: frozenset(LDQ + LOW_DQ + REV_DQ + RDQ),
    LDQ: frozenset(LOW_DQ),  # German: „…“
    RGUIL: frozenset(LGUIL),
    LGUIL: frozenset(RGUIL),  # German and Danish: »…«
    RGUIL1: frozenset(LGUIL1),
    LGUIL1: frozenset(RGUIL1),
    CJK[1]: frozenset(CJK[0]),
    CJK[3]: frozenset(CJK[2]),
    CJK[5]: frozenset(CJK[4]),
    CJK[6]: frozenset(CJK[4]),
    ORNATE[1]: frozenset(ORNATE[0]),
    RSQ: frozenset(LSQ + LOW_SQ),
    LSQ: frozenset(LOW_SQ),  # German: low single, then left single
}
QUOTATION_MARKS = _OPENERS | frozenset(_CLOSES)
_OPEN_AT_WORD = frozenset(_STRAIGHT + LSQ + LOW_SQ + RDQ)
_CLOSE_AT_WORD = frozenset(_STRAIGHT + RSQ)
_SINGLE = frozenset(LSQ + LOW_SQ)
MARK_RE = re.compile("[" + re.escape("".join(sorted(QUOTATION_MARKS))) + "]")
_NESTING_LOOKS = 8  # open marks a closing mark looks through for its opener


def _opens(text: str, i: int) -> bool:
    """A mark at `i` that starts a word: text follows, and no letter or digit precedes."""
    return i + 1 < len(text) and not text[i + 1].isspace() and (i == 0 or not text[i - 1].isalnum())


def _ends(text: str, i: int) -> bool:
    """A mark at `i` that ends a word: text precedes, and no letter or digit follows."""
    return i > 0 and not text[i - 1].isspace() and (i + 1 == len(text) or not text[i + 1].isalnum())


def quotations(paragraph: str) -> list[str]:
    """The outermost quotations in one paragraph, each the text between its marks.

    Marks are matched like brackets, in one pass: a closing mark pairs with the nearest open
    mark it closes; an open mark never closed is not a quotation, and what it encloses is
    still read. A quotation inside another is part of the outer one. One in single marks
    counts only with two letters or digits inside, so "rock 'n' roll" holds no quotation.
    """
    stack: list[tuple[str, int]] = []
    pairs: list[tuple[int, int]] = []
    for found in MARK_RE.finditer(paragraph):
        mark, i = found.group(), found.start()
        closable = _CLOSES.get(mark, frozenset())
        depth = next(
            (
                d
                for d in range(len(stack) - 1, max(-1, len(stack) - 1 - _NESTING_LOOKS), -1)
                if stack[d][0] in closable
            ),
            None,
        )
        if depth is not None and (mark not in _CLOSE_AT_WORD or _ends(paragraph, i)):
            opener, start = stack[depth]
            del stack[depth:]
            inside = paragraph[start + 1 : i]
            if opener not in _SINGLE or sum(c.isalnum() for c in inside) >= 2:
                pairs.append((start, i))
        elif mark in _OPENERS and (mark not in _OPEN_AT_WORD or _opens(paragraph, i)):
            stack.append((mark, i))
    out: list[str] = []
    end = -1
    for start, stop in sorted(pairs):
        if start > end:
            out.append(paragraph[start + 1 : stop])
            end = stop
    return out


def _unquoted(text: str) -> str:
    """A record's name as a link shows it, without quotation marks of its own: a title that
    quotes someone is not a quotation in the text that links to it."""
    return "".join(" " if c in QUOTATION_MARKS else c for c in text)


# Edges a quotation's own sentence lends it: the comma or full stop that English puts inside
# the closing mark, and the marks of a quotation nested at its start or end.
_EDGES = "".join(sorted(QUOTATION_MARKS)) + ".,;: \t\n"


# One token that is a path, an address, a file name or code ("/etc/passwd", "mkdocs.yml",
# "x=1"): a name for something, which quotation marks set apart, not words from a source.
_CODE_CHARACTERS = re.compile(r"[/\\=<>{}\[\]_@#$%^|~]")
_FILE_NAME = re.compile(r"[\w-]+(?:\.[\w-]+)*\.[a-z0-9]{2,5}")


def quoted_words(quotation: str) -> str | None:
    """The words a quotation claims are a source's, as they are looked up; None when it
    claims none: no letter or digit (a quoted "?" or "..."), or one token that names a file,
    an address or code."""
    words = quotation.strip(_EDGES)
    if not any(c.isalnum() for c in words):
        return None
    if len(words.split()) == 1 and (_CODE_CHARACTERS.search(words) or _FILE_NAME.fullmatch(words)):
        return None
    return words


def shown(text: str, limit: int = 80) -> str:
    """`text` on one line, cut to about `limit` characters for a message, with invisible
    format characters (zero-width spaces and joiners, BOMs) spelt out: they are why words
    that look verbatim are not."""
    text = " ".join(text.split())
    text = text if len(text) <= limit else text[: limit - 3] + "..."
    return "".join(f"<U+{ord(c):04X}>" if unicodedata.category(c) == "Cf" else c for c in text)
