"""Tests of finding quoted passages in a source's full text: paragraph splitting,
normalisation, elisions, spans in original coordinates, and near-miss hints."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from build_scripts.textmatch import (
    _CHAR_MAP,
    PassageMatch,
    SourceText,
    Span,
    closest_paragraph,
    dropped_negation,
    inside_word,
    normalise,
    normalise_with_map,
    passage_pieces,
    split_paragraphs,
)


def span_texts(source: SourceText, match: PassageMatch) -> list[str]:
    paragraph = source.paragraphs[match.paragraph]
    return [paragraph[span.start : span.end] for span in match.spans]


# --- split_paragraphs ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "paragraphs"),
    [
        ("one\n\ntwo", ["one", "two"]),
        ("one\r\n\r\ntwo", ["one", "two"]),
        ("one\r\rtwo", ["one", "two"]),
        ("one\n   \t \ntwo", ["one", "two"]),
        ("one\r\n \t\r\ntwo", ["one", "two"]),
        ("one\n\n\n\n\ntwo", ["one", "two"]),
        ("\n\n  \n\none\n\ntwo\n\n \n", ["one", "two"]),
        ("   one  \n\n  two   ", ["one", "two"]),
        # A single line break stays inside the paragraph.
        ("one\ntwo\n\nthree", ["one\ntwo", "three"]),
        ("one\r\ntwo", ["one\ntwo"]),
        ("", []),
        ("  \n\n \t \n", []),
        ("only one", ["only one"]),
    ],
)
def test_split_paragraphs(text: str, paragraphs: list[str]) -> None:
    assert split_paragraphs(text) == paragraphs


def test_source_text_paragraphs() -> None:
    source = SourceText("First.\r\n\r\nSecond  line\r\nmore.\n \nThird.")
    assert source.paragraphs == ["First.", "Second  line\nmore.", "Third."]


# --- normalise -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalised"),
    [
        ("\u201cHi\u201d", '"Hi"'),
        ("\u00abHi\u00bb", '"Hi"'),
        ("it\u2019s", "it's"),
        ("\u2018quoted\u2019", "'quoted'"),
        ("1914\u20131918", "1914-1918"),
        ("well\u2014perhaps", "well-perhaps"),
        ("minus\u2212one", "minus-one"),
        ("wait\u2026", "wait..."),
        ("  one \n\t two  ", "one two"),
        ("a\u00a0b", "a b"),
    ],
)
def test_normalise(text: str, normalised: str) -> None:
    assert normalise(text) == normalised


def reference_normalise(text: str) -> tuple[str, list[int]]:
    """The definition, one character at a time: whitespace runs become one space that comes
    from the run's first character, none at either end; typeset characters become plain."""
    out: list[str] = []
    origin: list[int] = []
    space_at = -1
    for index, char in enumerate(text):
        if char.isspace():
            if out and space_at < 0:
                space_at = index
            continue
        if space_at >= 0:
            out.append(" ")
            origin.append(space_at)
            space_at = -1
        plain = _CHAR_MAP.get(char, char)
        out.extend(plain)
        origin.extend([index] * len(plain))
    return "".join(out), origin


TYPESET = st.text(
    alphabet=st.one_of(
        st.sampled_from([*_CHAR_MAP, " ", "\n", "\t", "\u00a0", "\u2028", "\x1c", "a", "."]),
        st.characters(),
    ),
    max_size=60,
)


@given(TYPESET)
def test_normalise_with_map_agrees_with_the_definition(text: str) -> None:
    expected = reference_normalise(text)
    norm, origin = normalise_with_map(text)
    assert (norm, origin.tolist()) == expected
    assert normalise(text) == expected[0]


WORDS_AND_SPACES = st.lists(
    st.text(
        alphabet=st.one_of(st.sampled_from([*_CHAR_MAP, "a", "'", "-"]), st.characters()),
        min_size=1,
        max_size=8,
    ).filter(lambda word: not any(char.isspace() for char in word)),
    min_size=1,
    max_size=8,
).flatmap(
    lambda words: st.lists(
        st.sampled_from([" ", "\n", "\t", "\u00a0", "\u2028", "\x1c"]),
        min_size=len(words) - 1,
        max_size=len(words) - 1,
    ).map(lambda gaps: "".join(w + g for w, g in zip(words, [*gaps, ""], strict=True)))
)


@given(WORDS_AND_SPACES)
def test_a_paragraph_of_single_spaces_maps_as_the_definition_says(text: str) -> None:
    """Words between single whitespace characters: the shortcut where every character stays
    one (taken unless an ellipsis character expands) gives what the definition gives."""
    norm, origin = normalise_with_map(text)
    assert (norm, origin.tolist()) == reference_normalise(text)


# --- find ----------------------------------------------------------------------------------

SOURCE = SourceText(
    "The opening paragraph says nothing in particular.\n"
    "\n"
    "The quick brown fox jumps over the lazy dog.\n"
    "\n"
    "A third paragraph, with other words in it."
)


def test_find_exact() -> None:
    match = SOURCE.find("quick brown fox")
    assert match == PassageMatch(1, (Span(4, 19),))
    assert span_texts(SOURCE, match) == ["quick brown fox"]


def test_find_whole_paragraph() -> None:
    match = SOURCE.find("The quick brown fox jumps over the lazy dog.")
    assert match is not None
    assert match.paragraph == 1
    assert span_texts(SOURCE, match) == ["The quick brown fox jumps over the lazy dog."]


def test_find_first_paragraph_that_has_it() -> None:
    source = SourceText("alpha beta\n\nbeta gamma\n\nbeta")
    match = source.find("beta")
    assert match == PassageMatch(0, (Span(6, 10),))


def test_find_absent() -> None:
    assert SOURCE.find("slow brown fox") is None
    assert SOURCE.find("the lazy dog. A third") is None  # across a paragraph break


@pytest.mark.parametrize(
    ("source_text", "passage", "expected"),
    [
        # Typographic characters in the source, plain ones in the quote.
        ("She said \u201cno\u201d and left.", 'said "no" and', "said \u201cno\u201d and"),
        ("It\u2019s over.", "It's over.", "It\u2019s over."),
        ("the war of 1914\u20131918 ended", "1914-1918", "1914\u20131918"),
        ("well\u2014perhaps not", "well-perhaps", "well\u2014perhaps"),
        ("\u00abBonjour\u00bb, dit-il", '"Bonjour", dit-il', "\u00abBonjour\u00bb, dit-il"),
        # Plain characters in the source, typographic ones in the quote.
        ('She said "no" and left.', "said \u201cno\u201d and", 'said "no" and'),
        ("It's over.", "It\u2019s over.", "It's over."),
        ("the war of 1914-1918 ended", "1914\u20131918", "1914-1918"),
        ("well--perhaps not", "well\u2014-perhaps", "well--perhaps"),
        # Typographic on both sides, different characters.
        ("\u201eGut\u201c, sagte er", "\u201cGut\u201d, sagte", "\u201eGut\u201c, sagte"),
        # Whitespace: a line break or a run of spaces inside the paragraph.
        ("one two\nthree   four five", "two three four", "two\nthree   four"),
        ("one two three", "one\n  two\tthree", "one two three"),
        ("one\u00a0two", "one two", "one\u00a0two"),
        ("  leading and trailing  ", "  and  ", "and"),
    ],
)
def test_find_normalises(source_text: str, passage: str, expected: str) -> None:
    source = SourceText(source_text)
    match = source.find(passage)
    assert match is not None
    assert span_texts(source, match) == [expected]


@pytest.mark.parametrize(
    ("source_text", "passage", "expected"),
    [
        ("one two three four five", "one ... four", ["one", "four"]),
        ("one two three four five", "one\u2026four", ["one", "four"]),
        ("one two three four five", "one [...] four", ["one", "four"]),
        ("one two three four five", "one [\u2026] four", ["one", "four"]),
        ("one two three four five", "one [ ... ] four", ["one", "four"]),
        ("one two three four five", "one ... three ... five", ["one", "three", "five"]),
        ("one two three four five", "... two three ...", ["two three"]),
        ("one two three four five", "two three\u2026", ["two three"]),
        ("one two three four five", "one...", ["one"]),
        # The ellipsis character on either side.
        ("wait\u2026 what", "wait... what", ["wait", "what"]),
        ("wait... what", "wait\u2026 what", ["wait", "what"]),
        ("wait\u2026 what", "wait\u2026 what", ["wait", "what"]),
        # Pieces found in order, each after the previous one.
        ("a b a c", "a ... c", ["a", "c"]),
        ("x y x y", "y ... x", ["y", "x"]),
        # Typographic characters inside elided quotes map back exactly.
        (
            "He said \u201cit\u2019s late\u201d \u2014 and then, after a pause, left.",
            'He said "it\'s late" - and ... left.',
            ["He said \u201cit\u2019s late\u201d \u2014 and", "left."],
        ),
    ],
)
def test_find_with_elisions(source_text: str, passage: str, expected: list[str]) -> None:
    source = SourceText(source_text)
    match = source.find(passage)
    assert match is not None
    assert match.paragraph == 0
    assert span_texts(source, match) == expected


def test_find_elision_spans() -> None:
    source = SourceText("intro\n\none two three four five")
    assert source.find("one [...] four") == PassageMatch(1, (Span(0, 3), Span(14, 18)))


def test_elision_across_paragraphs_does_not_match() -> None:
    source = SourceText("one two three\n\nfour five six")
    assert source.find("two three") is not None
    assert source.find("four five") is not None
    assert source.find("two ... five") is None
    assert source.find("two three [...] four five") is None
    assert source.find("three \u2026 four") is None


def test_out_of_order_pieces_do_not_match() -> None:
    source = SourceText("one two three four five")
    assert source.find("four ... one") is None
    assert source.find("three [...] two") is None
    # A piece may not overlap the previous one.
    assert source.find("two three ... three") is None


@pytest.mark.parametrize(
    "passage",
    ["", "   ", "\n\n", "...", "\u2026", "[...]", "[\u2026]", " ... \u2026 [...] ", "......"],
)
def test_empty_passages_are_not_found(passage: str) -> None:
    assert SOURCE.find(passage) is None


def test_empty_source() -> None:
    source = SourceText("")
    assert source.paragraphs == []
    assert source.find("anything") is None
    assert closest_paragraph(source, "anything at all, really") is None


@pytest.mark.parametrize(
    ("source_text", "passage"),
    [
        ("He waited\u2026 Then he left.", "He waited."),
        ("x\u2026 x.", "x."),
        ("wait\u2026but", ".but"),
    ],
)
def test_span_does_not_cut_through_an_ellipsis_character(source_text: str, passage: str) -> None:
    source = SourceText(source_text)
    match = source.find(passage)
    assert match is None or [normalise(t) for t in span_texts(source, match)] == [
        normalise(passage)
    ]


# --- word boundaries -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source_text", "passage"),
    [
        # An apostrophe between letters is inside the word, typeset or not.
        ("I don\u2019t know.", "I don"),
        ("I don't know.", "I don"),
        ("I don\u02bct know.", "I don"),
        ("I don\u2018t know.", "I don"),
        ("I don\u2019t know.", "t know."),
        ("I don\u2019t know.", "\u2019t know."),
        ("I don\u2019t know.", "I don\u2019"),
        # So is a hyphen, and the typeset hyphens.
        ("It is non-binding.", "binding."),
        ("It is non-binding.", "It is non"),
        ("It is non\u2010binding.", "binding."),
        ("It is non\u2011binding.", "binding."),
        ("the long-term plan", "term plan"),
    ],
)
def test_a_passage_does_not_start_or_end_inside_a_word(source_text: str, passage: str) -> None:
    assert SourceText(source_text).find(passage) is None


@pytest.mark.parametrize(
    ("source_text", "passage", "expected"),
    [
        ("I don\u2019t know.", "I don't know", "I don\u2019t know"),
        ("It is non-binding.", "non-binding.", "non-binding."),
        # Dashes separate words: only hyphens and apostrophes join them.
        ("the war of 1914\u20131918 ended", "1914", "1914"),
        ("well\u2014perhaps not", "perhaps not", "perhaps not"),
        ("well--perhaps not", "perhaps not", "perhaps not"),
        # Quotation marks around a word are not apostrophes inside it.
        ("He said \u2018stop\u2019 and left.", "stop", "stop"),
        ("He said 'stop' and left.", "said 'stop'", "said 'stop'"),
        ("the workers' rights", "the workers'", "the workers'"),
        ("\u2019Tis the season", "Tis the season", "Tis the season"),
        # A word that occurs inside longer words first is found where it stands alone.
        ("don\u2019t, don, done", "don", "don"),
        ("non-binding, binding", "binding", "binding"),
    ],
)
def test_a_passage_on_word_boundaries_is_found(
    source_text: str, passage: str, expected: str
) -> None:
    source = SourceText(source_text)
    match = source.find(passage)
    assert match is not None
    assert span_texts(source, match) == [expected]


@pytest.mark.parametrize(
    ("text", "index", "inside"),
    [
        ("don\u2019t", 3, True),
        ("don\u2019t", 4, True),
        ("non-binding", 3, True),
        ("non-binding", 4, True),
        ("1914\u20131918", 4, False),
        ("a 'b'", 2, False),
        ("a 'b'", 3, False),
        ("ab", 0, False),
        ("ab", 2, False),
        ("ab", 1, True),
        ("a--b", 1, False),
        ("a--b", 2, False),
    ],
)
def test_inside_word(text: str, index: int, inside: bool) -> None:
    assert inside_word(text, index) is inside


# --- dropped negations ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source_text", "passage", "language", "dropped"),
    [
        # The example that prompted it: the elision takes the negation out.
        (
            "I don\u2019t have any calls to announce",
            "I ... have any calls to announce",
            None,
            "don\u2019t",
        ),
        ("I don't have any calls", "I [...] have any calls", "en", "don't"),
        ("I do not have any calls", "I do ... have any calls", "en", "not"),
        ("I do not, he said, have calls", "I ... have calls", "en", None),  # not next to a gap
        ("We will never agree to it", "We will ... agree to it", "en-GB", "never"),
        ("There is no agreement on this", "There is \u2026 agreement", None, "no"),
        ("Nobody said anything at all", "... said anything", None, "Nobody"),
        ("He left without a word", "He left ...", None, "without"),
        ("It is neither here nor there", "It is neither here ... there", None, "nor"),
        ("We cannot accept that", "We ... accept that", None, "cannot"),
        ("Nothing was agreed", "... was agreed", None, "Nothing"),
        # Russian, and a language not listed (English words are looked for).
        ("Мы не будем ничего объявлять", "Мы ... будем ничего объявлять", "ru", "не"),
        ("Соглашения нет, сказал он", "Соглашения ..., сказал он", "ru", "нет"),
        ("Мы никогда не согласимся", "Мы ... не согласимся", "ru", "никогда"),
        ("Мы не будем объявлять", "Мы ... будем объявлять", "en", None),
        ("We will not agree", "We will ... agree", "xx", "not"),
        # French and German.
        ("Il n'a pas dit cela", "Il ... dit cela", "fr", "n'a"),
        ("Wir werden nicht zustimmen", "Wir werden ... zustimmen", "de", "nicht"),
        # Nothing negating was left out, or nothing was left out.
        ("I do have any calls to announce", "I ... have any calls", None, None),
        ("I do not have any calls", "I do not have any calls", None, None),
        ("I do not have any calls", "I do not ... calls", None, None),
        # Not verbatim: nothing to say.
        ("I do not have any calls", "I ... had any calls", None, None),
    ],
)
def test_dropped_negation(
    source_text: str, passage: str, language: str | None, dropped: str | None
) -> None:
    assert dropped_negation(source_text, passage, language) == dropped
    assert dropped_negation(SourceText(source_text), passage, language) == dropped


def test_dropped_negation_uses_the_match_already_found() -> None:
    source = SourceText("intro\n\nI don't have any calls to announce")
    match = source.find("I ... have any calls")
    assert match is not None and match.paragraph == 1
    source._found["I ... have any calls"] = None  # a cached answer is the answer
    assert dropped_negation(source, "I ... have any calls", None) is None


def test_dropped_negation_checks_every_gap() -> None:
    source = "We will talk. We will not sign. We will leave."
    assert dropped_negation(source, "We will talk. ... We will leave.", None) is None
    assert dropped_negation(source, "We ... talk. We will ... sign. ... leave.", None) == "not"
    assert dropped_negation(source, "We will talk. ... sign. ... leave.", None) == "not"


# --- closest_paragraph ---------------------------------------------------------------------


def test_closest_paragraph_one_word_changed() -> None:
    source = SourceText(
        "An introduction that shares nothing.\n"
        "\n"
        "The committee decided to postpone the vote until further notice, said the chair.\n"
        "\n"
        "A closing remark."
    )
    passage = "The committee decided to cancel the vote until further notice, said the chair."
    assert source.find(passage) is None
    assert closest_paragraph(source, passage) == (
        1,
        "the vote until further notice, said the chair.",
    )


def test_closest_paragraph_normalises_the_quote() -> None:
    source = SourceText("intro\n\nIt\u2019s a \u201cvery\u201d long sentence, isn\u2019t it")
    result = closest_paragraph(source, "It's a \u201cvery\u201d short sentence, isn't it")
    # The run crosses the source's typographic apostrophe; it is given normalised.
    assert result == (1, "sentence, isn't it")


def test_closest_paragraph_unrelated() -> None:
    assert closest_paragraph(SOURCE, "Bananas are yellow and curved.") is None
    assert closest_paragraph(SOURCE, "") is None


def test_closest_paragraph_needs_twelve_characters() -> None:
    source = SourceText("abcdefghijkl mnop")
    assert closest_paragraph(source, "abcdefghijk") is None
    assert closest_paragraph(source, "abcdefghijkl") == (0, "abcdefghijkl")


# --- properties ----------------------------------------------------------------------------

# Text rich in what normalisation and elision touch. The ellipsis character is left out
# here: see test_span_does_not_cut_through_an_ellipsis_character.
_RICH = st.text(
    alphabet=st.sampled_from(
        [
            *"ab .,[]'\"-\n\t\r",
            *("\u00a0", "\u2018", "\u2019", "\u201c", "\u201d", "\u2013", "\u2014", "\u00ab"),
        ]
    ),
    max_size=40,
)


@st.composite
def paragraph_and_substring(
    draw: st.DrawFn, text: st.SearchStrategy[str]
) -> tuple[SourceText, int, str]:
    source = SourceText("\n\n".join(draw(st.lists(text, min_size=1, max_size=5))))
    assume(source.paragraphs)
    index = draw(st.integers(0, len(source.paragraphs) - 1))
    paragraph = source.paragraphs[index]
    start = draw(st.integers(0, len(paragraph)))
    end = draw(st.integers(start, len(paragraph)))
    # Quotes start and end at word boundaries: find() refuses to cut a word in two.
    assume(start == end or not (inside_word(paragraph, start) or inside_word(paragraph, end)))
    assume(
        "\u2026" not in paragraph[max(start - 1, 0) : end + 1] or "\u2026" in paragraph[start:end]
    )
    return source, index, paragraph[start:end]


@settings(max_examples=300, deadline=None)
@given(paragraph_and_substring(_RICH))
def test_find_locates_any_substring_exactly(case: tuple[SourceText, int, str]) -> None:
    source, index, substring = case
    pieces = passage_pieces(substring)
    match = source.find(substring)
    if not pieces:
        assert match is None
        return
    assert match is not None
    assert match.paragraph <= index
    assert len(match.spans) == len(pieces)
    paragraph = source.paragraphs[match.paragraph]
    for span, piece in zip(match.spans, pieces, strict=True):
        assert 0 <= span.start < span.end <= len(paragraph)
        assert normalise(paragraph[span.start : span.end]) == piece
    for before, after in zip(match.spans, match.spans[1:], strict=False):
        assert before.end <= after.start
    if len(pieces) == 1 and pieces[0] == normalise(substring):  # no elision at an edge
        text = paragraph[match.spans[0].start : match.spans[0].end]
        assert normalise(text) == normalise(substring)


@settings(max_examples=300, deadline=None)
@given(paragraph_and_substring(st.text()))
def test_find_locates_any_substring(case: tuple[SourceText, int, str]) -> None:
    source, index, substring = case
    match = source.find(substring)
    if not passage_pieces(substring):
        assert match is None
        return
    assert match is not None
    assert match.paragraph <= index
    paragraph = source.paragraphs[match.paragraph]
    for span in match.spans:
        assert 0 <= span.start < span.end <= len(paragraph)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), _RICH), st.one_of(st.text(), _RICH))
def test_find_never_raises(source_text: str, passage: str) -> None:
    source = SourceText(source_text)
    match = source.find(passage)
    if match is not None:
        assert 0 <= match.paragraph < len(source.paragraphs)
    closest = closest_paragraph(source, passage)
    if closest is not None:
        assert 0 <= closest[0] < len(source.paragraphs)


@given(st.text())
def test_split_paragraphs_properties(text: str) -> None:
    paragraphs = split_paragraphs(text)
    for paragraph in paragraphs:
        assert paragraph
        assert paragraph == paragraph.strip()
        assert "\r" not in paragraph
    assert split_paragraphs("\n\n".join(paragraphs)) == paragraphs
