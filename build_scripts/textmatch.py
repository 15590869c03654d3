"""Finding quoted passages in a source's full text.

A quote is verbatim when, after normalising the things that typesetting changes (runs of
whitespace, typographic quotes and apostrophes, dashes, the ellipsis character), its words
appear in one paragraph of the source in order. An elision (`...`, `…`, `[...]`, `[…]`)
stands for left-out words within that paragraph. A passage starts and ends on word
boundaries: an apostrophe or a hyphen between two letters is part of the word ("don't",
"non-binding"), so "don" is not found in "don't", typeset or not.

Matches are reported in the coordinates of the original paragraph text, so pages can
highlight exactly what was quoted.

Quotes arrive in pull requests from strangers, so every search here has a bound on its total
work that holds on adversarial text, counted in a `WorkBudget`.
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from dataclasses import dataclass
from difflib import Match, SequenceMatcher
from functools import cached_property
from itertools import pairwise

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_ELISION = re.compile(r"\s*(?:\[\s*\.\.\.\s*\]|\.\.\.)\s*")

# Characters typesetting swaps for one another, mapped to their plain spelling.
_CHAR_MAP: dict[str, str] = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    "\u2026": "...",
}
# Between two letters or digits these join one word. Dashes (en, em, figure, minus) separate
# words, so "1914" is found in "1914\u20131918" but "binding" is not found in "non-binding".
APOSTROPHES = "'" + "".join(c for c, plain in _CHAR_MAP.items() if plain == "'")
HYPHENS = "-\u2010\u2011"
_JOINERS = frozenset(APOSTROPHES + HYPHENS)


class WorkBudget:
    """Units of work (tokens compared, characters scanned) an algorithm may still spend.

    One budget can be shared by many calls, so a whole check has one bound; `spent` is there
    for tests and benchmarks to assert on.
    """

    __slots__ = ("left", "spent")

    def __init__(self, units: int) -> None:
        self.left = units
        self.spent = 0

    def spend(self, units: int) -> bool:
        """Take `units` if that many are left. If not, the budget is spent: False, now and
        for every later call, so a search that runs out stops instead of going on cheaply."""
        if units > self.left:
            self.left = 0
            return False
        self.left -= units
        self.spent += units
        return True


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs are separated by blank lines; each is stripped, empty ones dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return [p.strip() for p in _BLANK_LINE.split(text) if p.strip()]


_TYPESET = re.compile("[" + "".join(_CHAR_MAP) + "]")


def _plain(text: str) -> str:
    """`text` with its typeset characters plain. `str.translate` looks every character up in
    its table (63 µs for 1 KB); replacing the few it would change takes a tenth of that."""
    return _TYPESET.sub(_plain_of, text)


def _plain_of(match: re.Match[str]) -> str:
    return _CHAR_MAP[match.group()]


_WORD = re.compile(r"\S+")  # \s is str.isspace(): the same whitespace as str.split()


def normalise(text: str) -> str:
    """Whitespace runs as one space, no space at either end, typeset characters plain."""
    return _plain(" ".join(text.split()))


_SPACE = re.compile(r"\s")
_TWO_SPACES = re.compile(r"\s\s")
_UNEVEN = frozenset(char for char, plain in _CHAR_MAP.items() if len(plain) != 1)


def normalise_with_map(text: str) -> tuple[str, array[int]]:
    """The normalised text, and for each of its characters the index it came from (a space
    comes from the first whitespace character of its run). The map is an array of C ints:
    4 bytes a character, not a list's 8 and an int object's 28 (a source's paragraphs are
    kept prepared for the check; at 100,000 records lists took some 250 MB)."""
    if (
        text
        and not text[0].isspace()
        and not text[-1].isspace()
        and _UNEVEN.isdisjoint(text)
        and _TWO_SPACES.search(text) is None
    ):
        # Most paragraphs: every character stays one character, so the map is the identity
        # (word by word, below, took a quarter of a check's time).
        return _plain(_SPACE.sub(" ", text)), array("i", range(len(text)))
    out: list[str] = []
    origin = array("i")
    previous_end = 0
    for match in _WORD.finditer(text):
        start, end = match.span()
        if out:
            out.append(" ")
            origin.append(previous_end)
        word = match.group()
        plain = _plain(word)
        out.append(plain)
        if len(plain) == len(word):
            origin.extend(range(start, end))
        else:
            for index, char in enumerate(word, start):
                origin.extend([index] * len(_CHAR_MAP.get(char, char)))
        previous_end = end
    return "".join(out), origin


def inside_word(text: str, index: int) -> bool:
    """Whether `index` falls between two characters of one word: letters and digits, with an
    apostrophe or a hyphen counting as a letter when it stands between two of them."""
    if not 0 < index < len(text):
        return False
    before, after = text[index - 1], text[index]
    if before.isalnum():
        return after.isalnum() or (
            after in _JOINERS and index + 1 < len(text) and text[index + 1].isalnum()
        )
    return before in _JOINERS and after.isalnum() and index >= 2 and text[index - 2].isalnum()


def word_around(source: SourceText, passage: str) -> str | None:
    """The word a passage without elisions is found inside, when it is found only as part of
    a longer word ('don' in "don't", 'binding.' in 'non-binding.'); else None. One substring
    search per paragraph: linear in the text."""
    pieces = passage_pieces(passage)
    if len(pieces) != 1 or not pieces[0]:
        return None
    needle = pieces[0]
    for norm in source.normalised:
        at = norm.find(needle)
        if at < 0:
            continue
        start, end = at, at + len(needle)
        while start > 0 and inside_word(norm, start):
            start -= 1
        while end < len(norm) and inside_word(norm, end):
            end += 1
        if (start, end) != (at, at + len(needle)):
            return norm[start:end]
    return None


@dataclass(frozen=True, slots=True)
class Span:
    start: int  # index into the original paragraph
    end: int  # exclusive


@dataclass(frozen=True, slots=True)
class PassageMatch:
    paragraph: int  # 0-based index into SourceText.paragraphs
    spans: tuple[Span, ...]  # one per piece between elisions, in order


def passage_pieces(passage: str) -> list[str]:
    """The normalised runs of a passage between its elisions."""
    return [piece for piece in _ELISION.split(normalise(passage)) if piece.strip()]


# Characters one find() may scan, per character of source text and passage. Ordinary text
# scans each character about once; only a quote that occurs over and over inside words (a
# crafted one) comes near this, and it is then reported as not found.
FIND_WORK_PER_CHAR = 16
_FIND_WORK_FLOOR = 1 << 16


class _Paragraph:
    """One paragraph prepared for word-bounded searches: its normalised text and the map
    back to the original."""

    __slots__ = ("norm", "origin", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.norm, self.origin = normalise_with_map(text)

    def cut(self, at: int) -> bool:
        """Whether a passage starting or ending at `at` (normalised) would cut a word in two,
        or cut through the expansion of one character (the "..." that stands for "…")."""
        if not 0 < at < len(self.norm):
            return False
        before, after = self.origin[at - 1], self.origin[at]
        return before == after or (after == before + 1 and inside_word(self.text, after))

    def find(self, piece: str, start: int, budget: WorkBudget) -> int:
        """Like `norm.find(piece, start)`, but never cutting a word (see `cut`); -1 when not
        found, or when `budget` runs out."""
        norm = self.norm
        size = len(piece)
        while True:
            found = norm.find(piece, start)
            # str.find reads up to the occurrence and compares the piece there; a piece longer
            # than what is left is refused without reading.
            scanned = (len(norm) if found < 0 else found) - start + min(size, len(norm) - start)
            if not budget.spend(scanned + 1):
                return -1
            if found < 0:
                return found
            if self.cut(found):
                # Every later start inside this word cuts it too: go on after the word.
                start = found + 1
                while start < len(norm) and self.cut(start):
                    start += 1
                if not budget.spend(start - found):
                    return -1
            elif self.cut(found + size):
                start = found + 1
            else:
                return found


class SourceText:
    """A source's full text, split into paragraphs, ready to look passages up in."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.paragraphs = split_paragraphs(text)
        self._found: dict[str, PassageMatch | None] = {}  # the text never changes
        self._prepared: dict[int, _Paragraph] = {}

    @cached_property
    def normalised(self) -> list[str]:
        return [normalise(p) for p in self.paragraphs]

    @cached_property
    def _whole(self) -> str:
        return "\n".join(self.normalised)

    @cached_property
    def _tokens(self) -> list[list[str]]:
        return [_tokens(norm)[0] for norm in self.normalised]

    @cached_property
    def _bags(self) -> list[Counter[str]]:
        return [Counter(tokens) for tokens in self._tokens]

    def _paragraph(self, index: int) -> _Paragraph:
        """Paragraph `index` prepared for searching, the first time a passage may be in it
        (most paragraphs are never asked)."""
        prepared = self._prepared.get(index)
        if prepared is None:
            prepared = self._prepared[index] = _Paragraph(self.paragraphs[index])
        return prepared

    def known(self) -> dict[str, PassageMatch | None]:
        """What `find` has answered so far, by passage, including what `learn` took."""
        return dict(self._found)

    def learn(self, known: dict[str, PassageMatch | None]) -> None:
        """Take what `find` answered for this same text elsewhere (`known`): a forked
        process's check, so that the pages do not look the passages up again."""
        self._found.update(known)

    def find(self, passage: str) -> PassageMatch | None:
        """Where `passage` occurs, elisions allowed within one paragraph; None if nowhere.

        The work is bounded by FIND_WORK_PER_CHAR characters scanned per character of text
        and passage; a passage not found within it is reported as not found.
        """
        if passage not in self._found:
            work = FIND_WORK_PER_CHAR * (len(self._whole) + len(passage)) + _FIND_WORK_FLOOR
            self._found[passage] = self.find_within(passage, WorkBudget(work))
        return self._found[passage]

    def find_within(
        self, passage: str, budget: WorkBudget, only: int | None = None
    ) -> PassageMatch | None:
        """`find` without its cache, spending from `budget`; in paragraph `only` alone,
        when given."""
        pieces = passage_pieces(passage)
        if not pieces or not budget.spend(len(self._whole)) or pieces[0] not in self._whole:
            return None
        for index, norm in enumerate(self.normalised):
            if only is not None and index != only:
                continue
            if not budget.spend(len(norm) + 1):
                return None
            if pieces[0] not in norm:
                continue
            paragraph = self._paragraph(index)
            if not budget.spend(len(norm)):
                return None
            spans: list[Span] = []
            at = 0
            for piece in pieces:
                found = paragraph.find(piece, at, budget)
                if found < 0:
                    break
                at = found + len(piece)
                spans.append(Span(paragraph.origin[found], paragraph.origin[at - 1] + 1))
            else:
                return PassageMatch(index, tuple(spans))
        return None

    def quoted_at(self, quote: str, excerpt: str | None) -> PassageMatch | None:
        """Where a quote's words are: in the paragraph of its excerpt (the words that show
        who says them) when they are there too, else where they first occur. The same words
        said earlier by someone else are not the quote."""
        found = self.find(quote)
        around = self.find(excerpt) if excerpt and found is not None else None
        if found is None or around is None or around.paragraph == found.paragraph:
            return found
        work = FIND_WORK_PER_CHAR * (len(self._whole) + len(quote)) + _FIND_WORK_FLOOR
        return self.find_within(quote, WorkBudget(work), only=around.paragraph) or found


class _OutOfWork(Exception):
    pass


class _BoundedMatcher(SequenceMatcher):
    """A SequenceMatcher that pays for each longest-match search before making it.

    The search for the longest match of a[alo:ahi] in b[blo:bhi] visits, for each element of
    a, every position of b holding the same element: on repetitive text that is len(a) *
    len(b) per search, and a diff makes up to min(len(a), len(b)) searches. Each search's
    visits are counted before it starts (at most, from a prefix sum over a) and taken from
    the budget; the search is not made when they cannot be paid.
    """

    def __init__(self, b: list[str], budget: WorkBudget) -> None:
        super().__init__(None, [], b, autojunk=False)
        self.budget = budget
        self._cost = [0]
        self._pay(len(b))

    def _pay(self, units: int) -> None:
        if not self.budget.spend(units):
            raise _OutOfWork

    def compare(self, a: list[str]) -> None:
        self.set_seq1(a)
        self._pay(len(a))
        b2j = self.b2j
        cost = [0] * (len(a) + 1)
        total = 0
        for i, element in enumerate(a, 1):
            total += len(b2j.get(element, ())) + 1
            cost[i] = total
        self._cost = cost

    def find_longest_match(
        self, alo: int = 0, ahi: int | None = None, blo: int = 0, bhi: int | None = None
    ) -> Match:
        ahi = len(self.a) if ahi is None else ahi
        bhi = len(self.b) if bhi is None else bhi
        self._pay(self._cost[ahi] - self._cost[alo] + (bhi - blo) + 1)
        return super().find_longest_match(alo, ahi, blo, bhi)


# Token pairs one explanation may visit: about 0.08 s where each visit costs most (a word
# repeated throughout paragraph and quote), and 200 times what a one-word change in a
# 100-paragraph source needs.
EXPLAIN_WORK = 500_000


def closest_paragraph(
    source: SourceText, passage: str, budget: WorkBudget | None = None
) -> tuple[int, str] | None:
    """The paragraph sharing the longest run of text with `passage`, and that run.

    Used for hints when a quote is not found: it usually points at the one word that was
    changed. None when nothing of substance (fewer than 12 characters) is shared. When the
    budget (by default EXPLAIN_WORK) runs out, the best run found so far.
    """
    wanted = " ".join(passage_pieces(passage))
    best: tuple[int, str] | None = None
    best_size = 11
    try:
        matcher = _BoundedMatcher(list(wanted), budget or WorkBudget(EXPLAIN_WORK))
        for index, norm in enumerate(source.normalised):
            matcher.compare(list(norm))
            match = matcher.find_longest_match(0, len(norm), 0, len(wanted))
            if match.size > best_size:
                best_size = match.size
                best = (index, norm[match.a : match.a + match.size].strip())
    except _OutOfWork:
        pass
    return best


_TOKEN = re.compile(r"\w+|\.\.\.|[^\w\s]")
_WORD_TOKEN = re.compile(r"\w")


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


def explain_mismatch(
    source: SourceText, passage: str, budget: WorkBudget | None = None
) -> str | None:
    """Say where a passage departs from the paragraph it most resembles, word by word:
    'paragraph 2 reads "no agreement on" where this has "no deal on"'.

    The word diff spends at most EXPLAIN_WORK token comparisons, and no more than is left in
    `budget` (one budget may be shared by every quote of a check). When that is not enough,
    a cheaper hint says which paragraph has most of the passage's words. None when no
    paragraph shares enough words for the comparison to mean anything.
    """
    wanted_text = " ... ".join(passage_pieces(passage))
    wanted, wanted_spans = _tokens(wanted_text)
    if not wanted or len(wanted) > _DIFF_LIMIT:
        return None
    own = WorkBudget(EXPLAIN_WORK if budget is None else min(EXPLAIN_WORK, budget.left))
    try:
        return _word_diff(source, wanted_text, wanted, wanted_spans, own)
    except _OutOfWork:
        return _shared_words(source, wanted)
    finally:
        if budget is not None:
            budget.spend(own.spent)


def _overlap(one: Counter[str], other: Counter[str]) -> int:
    """How many tokens two bags share, in time linear in the smaller bag."""
    if len(one) > len(other):
        one, other = other, one
    return sum(min(n, other[token]) for token, n in one.items())


def _candidates(source: SourceText, wanted: list[str]) -> list[tuple[int, int]]:
    """(tokens shared in any order, index) for each paragraph a diff may be tried on, most
    shared first. A diff shares no more tokens than that, which lets the search stop early.
    Linear in the source and the passage."""
    bag = Counter(wanted)
    out = []
    for index, (tokens, counts) in enumerate(zip(source._tokens, source._bags, strict=True)):
        if len(tokens) > _DIFF_LIMIT:  # word diffs are quadratic: no hint beats a stall
            continue
        shared = _overlap(bag, counts)
        if shared:
            out.append((shared, index))
    out.sort(key=lambda item: (-item[0], item[1]))
    return out


def _word_diff(
    source: SourceText,
    wanted_text: str,
    wanted: list[str],
    wanted_spans: list[tuple[int, int]],
    budget: WorkBudget,
) -> str | None:
    matcher = _BoundedMatcher(wanted, budget)
    best: tuple[int, int] | None = None  # (tokens the diff shares, paragraph index)
    best_ops: list[tuple[str, int, int, int, int]] = []
    for bound, index in _candidates(source, wanted):
        # The first paragraph with the most shared tokens wins, as in a scan in order.
        if best is not None and (bound < best[0] or (bound == best[0] and index > best[1])):
            break
        matcher.compare(source._tokens[index])
        shared = sum(block.size for block in matcher.get_matching_blocks())
        if shared and (best is None or (shared, -index) > (best[0], -best[1])):
            best = (shared, index)
            best_ops = matcher.get_opcodes()
    if best is None or best[0] < min(3, len(wanted)):
        return None
    index = best[1]
    norm = source.normalised[index]
    spans = _tokens(norm)[1]
    ops = best_ops
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


def _shared_words(source: SourceText, wanted: list[str]) -> str | None:
    """The hint when a word diff would cost too much: which paragraph has most of the words,
    in any order. Linear in the source and the passage."""
    words = [token for token in wanted if _WORD_TOKEN.match(token)]
    bag = Counter(words)
    best: tuple[int, int] | None = None
    for index, counts in enumerate(source._bags):
        shared = _overlap(bag, counts)
        if shared and (best is None or shared > best[0]):
            best = (shared, index)
    if best is None or best[0] < min(3, len(words)):
        return None
    return (
        f"paragraph {best[1] + 1} comes closest, with {best[0]} of the {len(words)} words "
        "quoted (too different to compare word by word)"
    )


# Words that negate, by language (the primary subtag of a language tag). English for any
# language not listed: a warning in the wrong language is better than none.
NEGATIONS: dict[str, frozenset[str]] = {
    language: frozenset(words.split())
    for language, words in {
        "en": "not no never nobody nothing neither nor none nowhere without cannot",
        "ru": "не нет никогда ни никто ничего нигде без",
        "uk": "не ні ніколи ніхто нічого ніде немає без",
        "de": "nicht kein keine keinen keinem keiner keines nie niemals niemand nichts ohne weder",
        "fr": "ne pas jamais rien aucun aucune sans ni",
        "es": "no nunca jamás nadie nada ni sin tampoco ningún ninguno ninguna",
        "it": "non mai nessuno nessuna niente nulla senza né",
        "pt": "não nunca jamais ninguém nada sem nem nenhum nenhuma",
    }.items()
}
# Negations that are part of a word: English "don't", "isn't"; French "n'est", "n'a".
_NEGATING_ENDS: dict[str, tuple[str, ...]] = {"en": ("n't",)}
_NEGATING_STARTS: dict[str, tuple[str, ...]] = {"fr": ("n'",)}
_APOSTROPHE = str.maketrans(dict.fromkeys(APOSTROPHES, "'"))
_FULL_WORD = re.compile(r"[^\W_]+(?:[" + re.escape("".join(sorted(_JOINERS))) + r"][^\W_]+)*")
_NEAR = 200  # characters looked back from a gap for the word before it


def dropped_negation(text: SourceText | str, passage: str, language: str | None) -> str | None:
    """The negation an elision leaves out next to a gap, as the source spells it; or None.

    `text` is a source's full text or one paragraph, `passage` a quote or excerpt that is
    found in it verbatim with `...` for left-out words. The words checked are the ones the
    quote now runs on from: the first and the last word each elision skipped (only the last
    before a leading elision, only the first after a trailing one). "I don't have any calls"
    quoted as "I ... have any calls" gives "don't". Negations are listed per language in
    NEGATIONS (English when `language` is None or not listed).
    """
    source = text if isinstance(text, SourceText) else SourceText(text)
    match = source.find(passage)
    if match is None:
        return None
    parts = _ELISION.split(normalise(passage))
    paragraph = source.paragraphs[match.paragraph]
    spans = match.spans
    words: list[str | None] = []
    if not parts[0].strip():
        words.append(_last_word(paragraph, 0, spans[0].start))
    for before, after in pairwise(spans):
        words.append(_first_word(paragraph, before.end, after.start))
        words.append(_last_word(paragraph, before.end, after.start))
    if len(parts) > 1 and not parts[-1].strip():
        words.append(_first_word(paragraph, spans[-1].end, len(paragraph)))
    code = (language or "en").split("-")[0].lower()
    code = code if code in NEGATIONS else "en"
    for word in words:
        if word is not None and _negates(word, code):
            return word
    return None


def _first_word(text: str, start: int, end: int) -> str | None:
    found = _FULL_WORD.search(text, start, end)
    return found.group() if found else None


def _last_word(text: str, start: int, end: int) -> str | None:
    last = None
    for last in _FULL_WORD.finditer(text, max(start, end - _NEAR), end):  # noqa: B007
        pass
    return last.group() if last else None


def _negates(word: str, language: str) -> bool:
    plain = word.translate(_APOSTROPHE).casefold()
    return (
        plain in NEGATIONS[language]
        or plain.endswith(_NEGATING_ENDS.get(language, ()))
        or plain.startswith(_NEGATING_STARTS.get(language, ()))
    )
