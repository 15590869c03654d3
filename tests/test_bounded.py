"""Bounded work on hostile record text.

Records arrive as pull requests from strangers, so every algorithm that reads record text has
a bound on its total work. One regression test per reported attack, asserting the result and
the work (counted, not only timed), a sibling attack for each class, and properties where the
input is open-ended. The wall-clock ceilings are generous on purpose: the counts are the
evidence, the clocks only catch a bound that is not where the count says.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from difflib import SequenceMatcher
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_scripts import escape as text_module
from build_scripts.checker import check
from build_scripts.escape import plain_markdown, render_markdown
from build_scripts.models import WIKILINK
from build_scripts.pages import render_site
from build_scripts.textmatch import (
    _DIFF_LIMIT,
    _FIND_WORK_FLOOR,
    EXPLAIN_WORK,
    FIND_WORK_PER_CHAR,
    SourceText,
    WorkBudget,
    _excerpt,
    _tokens,
    explain_mismatch,
    inside_word,
    normalise,
    passage_pieces,
)
from tests.cases import MINIMAL

CEILING = 5.0  # seconds: far above the bounded cost, far below the unbounded one


@contextmanager
def under(seconds: float = CEILING) -> Iterator[None]:
    start = time.perf_counter()
    yield
    elapsed = time.perf_counter() - start
    assert elapsed < seconds, f"took {elapsed:.1f} s"


def no_lookup(record_id: str) -> str:
    raise AssertionError(f"looked up {record_id!r}")


def render(value: str) -> str:
    return render_markdown(value, href=lambda rid: f"/{rid}/", label=str.upper)


def link_work() -> int:
    """Characters Python-Markdown's link readers scanned in the last conversion."""
    return sum(reader.scanned for reader in text_module._EXTENSION.readers)


def link_work_bound(size: int) -> int:
    """What the readers may scan for a field of `size` characters: each its allowance, plus
    the one text and one address it was reading when that ran out."""
    each = text_module._LINK_WORK_PER_CHAR * size + text_module._LINK_WORK_FLOOR
    return len(text_module._EXTENSION.readers) * (each + 2 * (text_module._LINK_WINDOW + 1))


class _Depth(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = self.deepest = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("br", "hr"):
            self.depth += 1
            self.deepest = max(self.deepest, self.depth)

    def handle_endtag(self, tag: str) -> None:
        self.depth -= 1

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(html: str) -> _Depth:
    parser = _Depth()
    parser.feed(html)
    parser.close()
    return parser


# -- Row 3: the word diff behind not-verbatim hints ---------------------------------------------

REPEATED = SourceText("no, " * 1000)  # one 4 KB paragraph, 2,000 tokens: under the diff limit
ALTERNATING = "no, yes, " * 444  # a 4 KB quote that is not in it


def test_row3_word_diff_of_repetitive_text_is_bounded() -> None:
    """Was 105-150 s per quote: SequenceMatcher is cubic on a repeated word."""
    budget = WorkBudget(10**12)
    with under():
        hint = explain_mismatch(REPEATED, ALTERNATING, budget)
    assert hint == (
        "paragraph 1 comes closest, with 444 of the 888 words quoted "
        "(too different to compare word by word)"
    )
    assert 0 < budget.spent <= EXPLAIN_WORK


def test_row3_the_unbounded_diff_would_cost_far_more_than_the_budget() -> None:
    """Why the bound is needed: the first longest-match search alone visits every pair of
    equal tokens, and a diff makes one search per matching block."""
    paragraph, quote = _tokens(REPEATED.normalised[0])[0], _tokens(ALTERNATING.strip())[0]
    pairs = sum(paragraph.count(token) for token in quote)
    assert len(paragraph) <= _DIFF_LIMIT and len(quote) <= _DIFF_LIMIT
    assert pairs > EXPLAIN_WORK


def test_row3_forty_quotes_share_one_budget() -> None:
    """~40 such quotes took over CI's 90 minutes. One budget across a check bounds them all,
    and every quote still gets a hint."""
    shared = WorkBudget(3 * EXPLAIN_WORK)
    with under():
        hints = [explain_mismatch(REPEATED, f"{ALTERNATING}{n}", shared) for n in range(40)]
    assert shared.spent <= 3 * EXPLAIN_WORK
    assert all(hint and "comes closest" in hint for hint in hints)


def test_row3_sibling_many_paragraphs_each_repetitive() -> None:
    """Work across all paragraphs of a source is bounded too, not per paragraph."""
    source = SourceText("\n\n".join(["no, " * 1000] * 50))
    budget = WorkBudget(10**12)
    with under():
        hint = explain_mismatch(source, ALTERNATING, budget)
    assert hint is not None and hint.startswith("paragraph 1 comes closest")
    assert budget.spent <= EXPLAIN_WORK


def test_an_exhausted_budget_gives_the_cheap_hint_at_once() -> None:
    budget = WorkBudget(0)
    source = SourceText("The vote was postponed until further notice, said the chair.")
    hint = explain_mismatch(source, "The vote was cancelled until further notice", budget)
    assert hint == (
        "paragraph 1 comes closest, with 6 of the 7 words quoted "
        "(too different to compare word by word)"
    )
    assert budget.spent == 0


def reference_explain(source: SourceText, passage: str) -> str | None:
    """The word diff as it was before it was bounded: what ordinary input must still get."""
    wanted_text = " ... ".join(passage_pieces(passage))
    wanted, wanted_spans = _tokens(wanted_text)
    if not wanted or len(wanted) > _DIFF_LIMIT:
        return None
    best: tuple[int, int] | None = None
    for index, norm in enumerate(source.normalised):
        tokens = _tokens(norm)[0]
        if len(tokens) > _DIFF_LIMIT:
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


_VOCABULARY = st.sampled_from(
    ["the", "vote", "was", "not", "postponed", "chair", "said", ",", ".", "...", "no", "deal"]
)
_PROSE = st.lists(_VOCABULARY, max_size=25).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PROSE, min_size=1, max_size=6), _PROSE)
def test_ordinary_hints_are_unchanged_by_the_bound(paragraphs: list[str], passage: str) -> None:
    source = SourceText("\n\n".join(paragraphs))
    budget = WorkBudget(10**12)
    assert explain_mismatch(source, passage, budget) == reference_explain(source, passage)
    assert budget.spent < EXPLAIN_WORK


def pieces(*parts: str, max_size: int = 40) -> st.SearchStrategy[str]:
    """Text made of `parts` (characters or longer runs)."""
    return st.lists(st.sampled_from(parts), max_size=max_size).map("".join)


_SOUP = pieces(*"ab ,.'-\n", "...", "\u2019", "yes", "no")


@settings(max_examples=300, deadline=None)
@given(st.lists(_SOUP, min_size=1, max_size=4), _SOUP, st.integers(0, 5_000))
def test_explain_mismatch_never_spends_more_than_its_budget(
    paragraphs: list[str], passage: str, units: int
) -> None:
    source = SourceText("\n\n".join(paragraphs))
    budget = WorkBudget(units)
    hint = explain_mismatch(source, passage, budget)
    assert hint is None or hint.startswith("paragraph ")
    assert budget.spent <= units


# -- SourceText.find -------------------------------------------------------------------------


def test_find_gives_up_on_a_quote_cut_at_every_word() -> None:
    """'ab ab ... ab a' occurs at every word of 'ab ab ab ...', always ending inside a word:
    unbounded, that is one comparison of the whole quote per word of the source."""
    text, passage = "ab " * 100_000, "ab " * 1300 + "a"
    source = SourceText(text)
    allowed = FIND_WORK_PER_CHAR * (len(source.normalised[0]) + len(passage)) + _FIND_WORK_FLOOR
    budget = WorkBudget(allowed)
    with under():
        assert source.find_within(passage, budget) is None
        assert source.find(passage) is None
    assert budget.spent <= allowed
    unbounded = 100_000 * len(normalise(passage))  # characters the old search compared
    assert allowed * 10 < unbounded


def test_find_skips_whole_words_when_a_quote_starts_inside_one() -> None:
    """Sibling: the quote occurs at every position inside long words. Each word is passed
    over once instead of trying each position in it, so the work is linear in the text."""
    text = ("a" + "b" * 20_000 + " ") * 5 + "b" * 1_000 + "."
    source = SourceText(text)
    budget = WorkBudget(10**12)
    match = source.find_within("b" * 1_000, budget)
    assert match is not None
    assert match.spans[0].start == len(text) - 1_001
    assert budget.spent <= 6 * len(text)  # the old search compared 1,000 characters 95,000 times


def test_find_still_finds_a_quote_after_cut_occurrences() -> None:
    source = SourceText("ha ha hah ha ha hah ha ha ha.")
    match = source.find("ha ha ha.")
    assert match is not None
    assert source.paragraphs[0][match.spans[0].start :] == "ha ha ha."


@settings(max_examples=300, deadline=None)
@given(st.lists(_SOUP, min_size=1, max_size=4), _SOUP, st.integers(0, 3_000))
def test_find_never_spends_more_than_its_budget(
    paragraphs: list[str], passage: str, units: int
) -> None:
    source = SourceText("\n\n".join(paragraphs))
    budget = WorkBudget(units)
    match = source.find_within(passage, budget)
    assert budget.spent <= units
    if match is not None:
        paragraph = source.paragraphs[match.paragraph]
        pieces = passage_pieces(passage)
        for span, piece in zip(match.spans, pieces, strict=True):
            assert normalise(paragraph[span.start : span.end]) == piece
            assert not inside_word(paragraph, span.start)
            assert not inside_word(paragraph, span.end)


# -- Row 4: runs of brackets ------------------------------------------------------------------


def reference_wikilinks(value: str) -> list[tuple[str, str]]:
    """[[id]] and [[id|label]] read by hand, left to right, in one pass."""
    found: list[tuple[str, str]] = []
    at = 0
    while (start := value.find("[[", at)) >= 0:
        end = start + 2
        while end < len(value) and value[end] not in "[]|\n":
            end += 1
        target, label = value[start + 2 : end], ""
        if value.startswith("|", end):
            label_end = end + 1
            while label_end < len(value) and value[label_end] not in "[]\n":
                label_end += 1
            label, end = value[end + 1 : label_end], label_end
        if value.startswith("]]", end):
            found.append((target, label))
            at = end + 2
        else:
            at = start + 1
    return found


@pytest.mark.parametrize("unit", ["[", "[[", "[[a|", "[[a", "[[a|b", "[[|", "[[a]", "]]", "[[\n"])
def test_row4_wikilink_is_linear_on_bracket_runs(unit: str) -> None:
    """30,000 '[' took 1 s at 6,000 and grew with the square: each '[[' read to the end of the
    text, then gave back one character at a time."""
    value = unit * (30_000 // len(unit))
    with under(1.0):
        matches = [(m.group(1), m.group(2) or "") for m in WIKILINK.finditer(value)]
    assert matches == reference_wikilinks(value)


def test_wikilink_quantifiers_cannot_backtrack() -> None:
    """The structure that makes it linear: both repetitions are possessive and stop at any
    bracket, so no attempt reads past the next '[' and none gives characters back."""
    pattern = WIKILINK.pattern
    assert "[^\\[\\]|\\n]*+" in pattern and "[^\\[\\]\\n]*+" in pattern
    assert pattern.count("*") == pattern.count("*+") == 2
    assert "+?" not in pattern and "{" not in pattern


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="[]|a \n", max_size=200))
def test_wikilink_on_bracket_soup_is_the_one_pass_reading(value: str) -> None:
    assert [(m.group(1), m.group(2) or "") for m in WIKILINK.finditer(value)] == (
        reference_wikilinks(value)
    )


def test_wikilinks_still_read() -> None:
    value = "See [[ann]], [[ann-lee|Ann Lee]] and [[ meeting | the meeting ]]."
    assert [(m.group(1), m.group(2)) for m in WIKILINK.finditer(value)] == [
        ("ann", None),
        ("ann-lee", "Ann Lee"),
        (" meeting ", " the meeting "),
    ]


HOSTILE_MARKDOWN = {
    "brackets": "[" * 30_000,
    "wikilink soup": "[[a|" * 7_500,
    "image brackets": "![" * 15_000,
    "link then parens": "[a](" * 7_500,
    "nested brackets": "[a" * 10_000 + "]" * 10_000,
    "code spans and brackets": "`[" * 15_000,
    "references": "[a][" * 7_500,
    "escaped brackets": "\\[" * 15_000,
}


@pytest.mark.parametrize("value", HOSTILE_MARKDOWN.values(), ids=HOSTILE_MARKDOWN)
def test_row4_rendering_bracket_runs_is_linear(value: str) -> None:
    """30,000 '[' took 10.5 s to check and 97.6 s to build: Python-Markdown's link readers
    scan from every '[' to the end."""
    with under():
        html = render(value)
    assert link_work() <= link_work_bound(len(value))
    assert "<a" not in html
    if "`" not in value and "\\" not in value:  # code spans and escapes change what is shown
        assert "".join(parsed(html).text).replace("\n", "") == value


def test_links_still_work_around_a_bracket_run() -> None:
    value = (
        "Read [the report](https://example.org/a_(b)) and [[ann]] and [[ann|her]] and "
        "[ref][1]. " + "[" * 20_000 + "\n\n[1]: https://example.org/ref\n"
    )
    html = render(value)
    assert '<a href="https://example.org/a_(b)" rel="noopener noreferrer nofollow">' in html
    assert '<a href="/ann/" class="cf-ref">ANN</a>' in html
    assert '<a href="/ann/" class="cf-ref">her</a>' in html
    assert '<a href="https://example.org/ref" rel="noopener noreferrer nofollow">ref</a>' in html


def test_rendered_html_holds_no_bracket_for_the_page_markdown() -> None:
    """The page around record HTML is Markdown too (MkDocs reads it again): brackets reach it
    as character references, which its link reader does not scan."""
    html = render("[a](https://example.org/x[1]) ![b](c) " + "[" * 30_000)
    assert "[" not in html and "]" not in html
    assert 'href="https://example.org/x&#91;1&#93;"' in html
    page_markdown = markdown.Markdown(extensions=["admonition", "toc"])
    with under():
        # Even outside the raw HTML block the page puts it in.
        page_markdown.convert(f'<div class="cf-prose" markdown="0">\n{html}\n</div>\n\n- {html}')


def test_row4_sibling_many_inline_elements_in_one_paragraph() -> None:
    """Python-Markdown rebuilds a paragraph's text after each inline match: quadratic in one
    long paragraph. Paragraphs are cut to _BLOCK_CHARS, which makes it linear."""
    value = "*a* " * 25_000
    cut = text_module._split_blocks(value)
    assert max(len(block) for block in cut.split("\n\n")) <= text_module._BLOCK_CHARS
    assert text_module._split_blocks("short\n\ntext") == "short\n\ntext"
    with under():
        html = render(value)
    assert html.count("<em>a</em>") == 25_000


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces(*"[]()!`*_\\<>|: a\n-", "[[", "](", "http://x", max_size=300))
def test_rendering_markdown_soup_is_bounded_and_never_raises(value: str) -> None:
    html = render(value)
    assert link_work() <= link_work_bound(len(value))
    assert "[" not in html
    plain_markdown(value, label=lambda rid: rid)


# -- Row 9: the internal scheme and deep nesting ----------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "[x](casefile-record:missing)",
        "[x](CaseFile-Record:missing)",
        "[x](casefile-record&#58;missing)",
        "[x](casefile-record:ann)",
        "[x][r]\n\n[r]: casefile-record:missing",
        "<casefile-record:missing>",
    ],
)
def test_row9_an_author_written_record_link_is_never_looked_up(value: str) -> None:
    html = render_markdown(value, href=no_lookup, label=no_lookup)
    assert "casefile-record:" not in html.replace("&#58;", ":").lower() or "href" not in html
    assert "cf-ref" not in html


def test_row9_a_record_link_cannot_be_forged_from_another_field() -> None:
    honest = render_markdown("[[ann]] and `[[ann]]`", href=lambda rid: "/ann/", label=str)
    forged_href = re.search(r"\(#(cf-[0-9a-f]+-[0-9]+)\)", honest)
    assert forged_href is not None  # shown as text inside the code span
    html = render_markdown(f"[x](#{forged_href.group(1)})", href=no_lookup, label=no_lookup)
    assert "cf-ref" not in html


def test_row9_the_build_does_not_crash_on_an_author_written_record_link() -> None:
    """Check passed, then the build raised KeyError looking up 'missing'."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        notes = 'notes: "[x](casefile-record:missing) and [[meeting]]"\n'
        files = {**MINIMAL, "actors/ann.yml": MINIMAL["actors/ann.yml"] + notes}
        for name, content in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(content)
        report, case = check(root)
        assert case is not None, [f.message for f in report.findings]
        page = render_site(case).files["actors/ann.md"]
    assert '<a rel="noopener noreferrer nofollow">x</a>' in page
    assert 'class="cf-ref">Meeting</a>' in page


def deep_list(levels: int) -> str:
    return "\n".join("    " * level + "- item" for level in range(levels))


DEEP_MARKDOWN = {
    "list by indentation": deep_list(350),
    "list by indentation, under the size limit": deep_list(98),
    "list on one line": "- " * 9_750,
    "ordered list on one line": "1. " * 6_500,
    "block quotes": ">" * 30_000 + " x",
    "block quotes with spaces": "> " * 15_000 + "x",
    "quotes and lists": "> - " * 5_000 + "x",
    "strong emphasis": "**" * 5_000 + "a" + "**" * 5_000,
    "alternating emphasis": "*a _b " * 2_000 + "c_ d* " * 2_000,
}


@pytest.mark.parametrize("value", DEEP_MARKDOWN.values(), ids=DEEP_MARKDOWN)
def test_row9_deep_nesting_is_capped_and_never_raises(value: str) -> None:
    """350 nested list levels raised RecursionError; thousands of '- ' on one line too."""
    with under():
        html = render(value)
    assert parsed(html).deepest <= text_module._DEPTH


def test_nesting_up_to_the_cap_is_kept() -> None:
    html = render(deep_list(30))
    assert html.count("<ul>") == text_module._NESTING
    assert text_module._cap_nesting("> " * 20 + "x") == "> " * 16 + "\\> > > > x"
    assert text_module._cap_nesting("> " * 16 + "x") == "> " * 16 + "x"
    assert text_module._cap_nesting("    " * 20 + "12. x") == " 12\\. x"


def test_a_recursion_error_falls_back_to_plain_text() -> None:
    """Whatever the caps miss, rendering shows the text instead of raising."""
    before = render("- a\n\n    - b\n\n> c")
    limit = sys.getrecursionlimit()
    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    sys.setrecursionlimit(depth + 40)
    try:
        html = render(deep_list(16) + "\n\n[[ann]]")
    finally:
        sys.setrecursionlimit(limit)
    assert html.startswith("<p>- item\n    - item")
    assert html.endswith("<p>&#91;&#91;ann&#93;&#93;</p>")  # as written, no token in sight
    assert render("- a\n\n    - b\n\n> c") == before  # and the next field is unaffected


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pieces("- ", "* ", "+ ", "1. ", "> ", ">", "    ", "\n", "a", max_size=300))
def test_nesting_soup_is_capped(value: str) -> None:
    html = render_markdown(value, href=no_lookup, label=no_lookup)
    assert parsed(html).deepest <= text_module._DEPTH
