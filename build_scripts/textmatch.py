"""Finding quoted passages in a source's full text.

A quote is verbatim when, after normalising the things that typesetting changes (runs of
whitespace, typographic quotes and apostrophes, dashes, the ellipsis character), its words
appear in one paragraph of the source in order. An elision (`...`, `…`, `[...]`, `[…]`)
stands for left-out words within that paragraph.

Matches are reported in the coordinates of the original paragraph text, so pages can
highlight exactly what was quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cached_property

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_ELISION = re.compile(r"\s*(?:\[\s*\.\.\.\s*\]|\.\.\.)\s*")

# Characters typesetting swaps for one another, mapped to their plain spelling.
_CHAR_MAP: dict[str, str] = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    "\u2026": "...",
}


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs are separated by blank lines; each is stripped, empty ones dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [p.strip() for p in _BLANK_LINE.split(text) if p.strip()]


_TRANSLATE = str.maketrans(_CHAR_MAP)
_WORD = re.compile(r"\S+")  # \s is str.isspace(): the same whitespace as str.split()


def normalise(text: str) -> str:
    """Whitespace runs as one space, no space at either end, typeset characters plain."""
    return " ".join(text.split()).translate(_TRANSLATE)


def normalise_with_map(text: str) -> tuple[str, list[int]]:
    """The normalised text, and for each of its characters the index it came from (a space
    comes from the first whitespace character of its run)."""
    out: list[str] = []
    origin: list[int] = []
    previous_end = 0
    for match in _WORD.finditer(text):
        start, end = match.span()
        if out:
            out.append(" ")
            origin.append(previous_end)
        word = match.group()
        plain = word.translate(_TRANSLATE)
        out.append(plain)
        if len(plain) == len(word):
            origin.extend(range(start, end))
        else:
            for index, char in enumerate(word, start):
                origin.extend([index] * len(_CHAR_MAP.get(char, char)))
        previous_end = end
    return "".join(out), origin


@dataclass(frozen=True, slots=True)
class Span:
    start: int  # index into the original paragraph
    end: int  # exclusive


@dataclass(frozen=True, slots=True)
class PassageMatch:
    paragraph: int  # 0-based index into SourceText.paragraphs
    spans: tuple[Span, ...]


def passage_pieces(passage: str) -> list[str]:
    """The normalised runs of a passage between its elisions."""
    return [piece for piece in _ELISION.split(normalise(passage)) if piece.strip()]


def _find_words(text: str, origin: list[int], piece: str, start: int) -> int:
    """Like `text.find(piece, start)`, but a piece never starts or ends inside a word, nor
    inside the expansion of one original character (the "..." that stands for "…")."""
    while True:
        found = text.find(piece, start)
        if found < 0:
            return found
        end = found + len(piece)
        cut_start = found > 0 and (
            (piece[0].isalnum() and text[found - 1].isalnum()) or origin[found - 1] == origin[found]
        )
        cut_end = end < len(text) and (
            (piece[-1].isalnum() and text[end].isalnum()) or origin[end - 1] == origin[end]
        )
        if not (cut_start or cut_end):
            return found
        start = found + 1


class SourceText:
    """A source's full text, split into paragraphs, ready to look passages up in."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.paragraphs = split_paragraphs(text)
        self._found: dict[str, PassageMatch | None] = {}  # the text never changes

    @cached_property
    def normalised(self) -> list[str]:
        return [normalise(p) for p in self.paragraphs]

    @cached_property
    def _whole(self) -> str:
        return "\n".join(self.normalised)

    def _origin(self, index: int) -> list[int]:
        """Paragraph `index`'s map from normalised to original positions, built the first
        time a passage may be in it (most paragraphs are never asked)."""
        origins = self._origins
        if index not in origins:
            origins[index] = normalise_with_map(self.paragraphs[index])[1]
        return origins[index]

    @cached_property
    def _origins(self) -> dict[int, list[int]]:
        return {}

    def find(self, passage: str) -> PassageMatch | None:
        """Where `passage` occurs, elisions allowed within one paragraph; None if nowhere."""
        if passage not in self._found:
            self._found[passage] = self._find(passage)
        return self._found[passage]

    def _find(self, passage: str) -> PassageMatch | None:
        pieces = passage_pieces(passage)
        if not pieces or any(piece not in self._whole for piece in pieces):
            return None
        for index, norm in enumerate(self.normalised):
            if pieces[0] not in norm:
                continue
            origin = self._origin(index)
            spans: list[Span] = []
            at = 0
            for piece in pieces:
                found = _find_words(norm, origin, piece, at)
                if found < 0:
                    break
                at = found + len(piece)
                spans.append(Span(origin[found], origin[at - 1] + 1))
            else:
                return PassageMatch(index, tuple(spans))
        return None


def closest_paragraph(source: SourceText, passage: str) -> tuple[int, str] | None:
    """The paragraph sharing the longest run of text with `passage`, and that run.

    Used for hints when a quote is not found: it usually points at the one word that was
    changed. None when nothing of substance (fewer than 12 characters) is shared.
    """
    wanted = " ".join(passage_pieces(passage))
    best: tuple[int, str] | None = None
    best_size = 11
    for index, norm in enumerate(source.normalised):
        matcher = SequenceMatcher(None, norm, wanted, autojunk=False)
        match = matcher.find_longest_match(0, len(norm), 0, len(wanted))
        if match.size > best_size:
            best_size = match.size
            best = (index, norm[match.a : match.a + match.size].strip())
    return best


_TOKEN = re.compile(r"\w+|\.\.\.|[^\w\s]")


def _tokens(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    spans = [m.span() for m in _TOKEN.finditer(text)]
    return [text[a:b] for a, b in spans], spans


def _excerpt(text: str, spans: list[tuple[int, int]], first: int, last: int) -> str:
    """The text covering tokens first..last-1, quoted and kept short."""
    first, last = max(first, 0), min(last, len(spans))
    if first >= last:
        return '""'
    piece = text[spans[first][0] : spans[last - 1][1]]
    return f'"{piece}"' if len(piece) <= 80 else f'"{piece[:77]}..."'


_DIFF_LIMIT = 2000  # tokens in a passage or paragraph beyond which no word diff is tried


def explain_mismatch(source: SourceText, passage: str) -> str | None:
    """Say where a passage departs from the paragraph it most resembles, word by word:
    'paragraph 2 reads "no agreement on" where this has "no deal on"'.

    None when no paragraph shares enough words for the comparison to mean anything.
    """
    wanted_text = " ... ".join(passage_pieces(passage))
    wanted, wanted_spans = _tokens(wanted_text)
    if not wanted or len(wanted) > _DIFF_LIMIT:
        return None
    best: tuple[int, int] | None = None
    for index, norm in enumerate(source.normalised):
        tokens = _tokens(norm)[0]
        if len(tokens) > _DIFF_LIMIT:  # word diffs are quadratic: no hint beats a stall
            continue
        matcher = SequenceMatcher(None, tokens, wanted, autojunk=False)
        shared = sum(block.size for block in matcher.get_matching_blocks())
        if shared and (best is None or shared > best[0]):
            best = (shared, index)
    if best is None or best[0] < min(3, len(wanted)):
        return None
    index = best[1]
    norm = source.normalised[index]
    words, spans = _tokens(norm)
    ops = SequenceMatcher(None, words, wanted, autojunk=False).get_opcodes()
    # Paragraph words before and after the quoted part are not differences.
    while ops and ops[0][0] == "delete":
        ops = ops[1:]
    while ops and ops[-1][0] == "delete":
        ops = ops[:-1]
    for op, a1, a2, b1, b2 in ops:
        if op == "equal" or wanted[b1:b2] == ["..."]:
            continue
        theirs = _excerpt(norm, spans, a1 - 1, a2 + 1)
        ours = _excerpt(wanted_text, wanted_spans, b1 - 1, b2 + 1)
        message = f"paragraph {index + 1} reads {theirs} where this has {ours}"
        if op == "delete":
            message += "; mark left-out words with ..."
        return message
    return None
