"""The evidence rules (build_scripts/evidence.py): the parts they are made of, and hostile
records that try to satisfy them without the evidence: text split across paragraphs,
invisible characters, look-alike letters, other quotation marks, and sheer volume."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from build_scripts import evidence
from build_scripts.checker import check
from build_scripts.findings import format_text
from build_scripts.prose import prose, quotations, quoted_words

ZERO_WIDTH = ["\u200b", "\u200d", "\u2060", "\ufeff"]
CYRILLIC_A = "\u0430"  # looks like the Latin "a"

SOURCE_TEXT = (
    "Reporters gathered on Thursday.\n\n"
    "Dmitry Peskov answered questions.\n\n"
    "“So far there is no agreement on this issue.”\n"
)


def write(root: Path, files: dict[str, str]) -> Path:
    for name, content in {"case.yml": "title: Case\n", **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return root


def findings(root: Path, code: str) -> list[str]:
    report, _ = check(root)
    return [format_text(f, cwd=root) for f in report.findings if f.code == code]


def event_files(summary: str, text: str = SOURCE_TEXT) -> dict[str, str]:
    """A case whose one event cites one source with `text`, its summary as given."""
    indented = "".join(f"  {line}\n" for line in summary.splitlines())
    return {
        "sources/report.yml": "title: A report\nkind: article\n",
        "sources/report.txt": text,
        "events/talks.yml": "title: Talks\ndate: 2022-07-28\nstatus: reported\n"
        f"sources: [report]\nsummary: |\n{indented}",
    }


def unverified(tmp_path: Path, summary: str, text: str = SOURCE_TEXT) -> list[str]:
    return findings(write(tmp_path, event_files(summary, text)), "unverified-quotation")


def speaker_files(name: str, text: str = SOURCE_TEXT, kind: str = "person") -> dict[str, str]:
    """A case with one quote of the last paragraph of `text`, said by an actor `name`."""
    quoted = text.strip().split("\n\n")[-1].strip("“”„")
    return {
        "actors/speaker.yml": f"name: {name}\nkind: {kind}\n",
        "sources/report.yml": "title: A report\nkind: article\n",
        "sources/report.txt": text,
        "quotes/said.yml": f"text: {quoted}\nspeaker: speaker\nsource: report\n",
    }


def speaker_findings(tmp_path: Path, name: str, text: str = SOURCE_TEXT, kind: str = "person"):
    return findings(
        write(tmp_path, speaker_files(name, text, kind)), "quote-speaker-not-in-passage"
    )


# -- the parts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        ('He said "no deal" today', ["no deal"]),
        (
            "“Outer \u2018inner\u2019 text”",
            ["Outer \u2018inner\u2019 text"],
        ),  # nested: one quotation
        ('"He said “no” today"', ["He said “no” today"]),
        (
            "the \u201890s and rock \u2018n\u2019 roll, it\u2019s true",
            [],
        ),  # apostrophes, not quotations
        ("\u2018maybe so\u2019 and the officials\u2019 view", ["maybe so"]),
        ("„Nein“ und »ja« und «oui» et « non »", ["Nein", "ja", "oui", " non "]),
        ("”Swedish” marks", ["Swedish"]),
        ("a stray “ “then a quotation”", ["then a quotation"]),
        ('a stray " mark and "a real one"', ["a real one"]),
        ('a 12″ record and "one"', ["one"]),
        ("full-width \uff02marks\uff02 too", ["marks"]),
        ("「日本語」", ["日本語"]),
        ("never closed “ here", []),
    ],
)
def test_quotations(paragraph: str, expected: list[str]) -> None:
    assert quotations(paragraph) == expected


@pytest.mark.parametrize(
    ("quotation", "words"),
    [
        ("so far there is no agreement,", "so far there is no agreement"),
        ("“Good Morning America.”", "Good Morning America"),
        ("...so far", "so far"),
        ("?", None),
        ("…", None),
        ("/etc/passwd", None),
        ("mkdocs.yml", None),
        ("x=1", None),
        ("U.S.", "U.S"),
        ("two words", "two words"),
    ],
)
def test_quoted_words(quotation: str, words: str | None) -> None:
    assert quoted_words(quotation) == words


def label(record_id: str) -> str:
    return {"talks": 'Kirby says the offer is "serious"'}.get(record_id, record_id)


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ('`"code"` and ``a `"b"` c`` stay out', []),
        ('[a link](https://example.org/ "its title") ![an image](x.png "a title")', []),
        ('[a "quoted" label](https://example.org/)', ["quoted"]),  # readers see the label
        ('[ref][1]\n\n[1]: https://example.org/ "a title"', []),
        ("[[talks]]: its title's quotation marks are the title's", []),
        ('[[talks|the "label" words]]', ["label"]),
        ('<b title="x">bold</b> <https://example.org/"x">', []),
        ("&ldquo;entities&rdquo; and &quot;these&quot;", ["entities", "these"]),
        ('so "*far* there _is_ no" agreement', ["far there is no"]),
        ('"a\n\nb"', []),  # never across paragraphs
        ('- "one item\n- and the next"', []),  # nor across list items
        ('```\n"fenced"\n```\nafter "the fence"', ["the fence"]),
    ],
)
def test_prose_leaves_out_what_is_not_prose(markdown: str, expected: list[str]) -> None:
    assert [q for p in prose(markdown, label) for q in quotations(p)] == expected


def test_prose_reads_a_run_of_backticks_and_brackets_in_linear_time() -> None:
    hostile = "`" * 20_000 + "[" * 20_000 + "_" * 20_000 + "<a" * 10_000 + '"' * 20_000
    start = time.perf_counter()
    paragraphs = prose(hostile, label)
    for paragraph in paragraphs:
        quotations(paragraph)
    assert time.perf_counter() - start < 2


# -- unverified-quotation: hostile -------------------------------------------------------------


def test_a_verbatim_quotation_passes(tmp_path: Path) -> None:
    assert unverified(tmp_path, 'Peskov said "so far there is no agreement on this issue."') == []


@pytest.mark.parametrize(
    "summary",
    [
        'Peskov answered "questions. So far there is no agreement"',
        'Peskov answered "questions ... so far there is no agreement"',
    ],
)
def test_a_quotation_split_across_two_paragraphs_fails(tmp_path: Path, summary: str) -> None:
    # Each half is verbatim in its own paragraph of the source; together they are in none.
    (finding,) = unverified(tmp_path, summary)
    assert "is not found verbatim in the text of any source the event cites" in finding


@pytest.mark.parametrize("invisible", ZERO_WIDTH)
def test_an_invisible_character_in_a_quotation_is_not_verbatim(
    tmp_path: Path, invisible: str
) -> None:
    # The record loader lets these through (it refuses only NUL and bidirectional controls),
    # so they reach the rule, which must not count the words as the source's.
    (finding,) = unverified(tmp_path, f'"so far there is no agr{invisible}eement"')
    assert f"no agr<U+{ord(invisible):04X}>eement" in finding


@pytest.mark.parametrize("invisible", ZERO_WIDTH)
def test_invisible_characters_around_the_marks_do_not_hide_a_quotation(
    tmp_path: Path, invisible: str
) -> None:
    summary = f'Peskov said {invisible}"{invisible}there is a deal{invisible}"{invisible}.'
    assert len(unverified(tmp_path, summary)) == 1


def test_a_look_alike_letter_is_not_verbatim(tmp_path: Path) -> None:
    assert unverified(tmp_path, '"so far there is no agreement"') == []
    (finding,) = unverified(tmp_path, f'"so far there is no {CYRILLIC_A}greement"')
    assert f"no {CYRILLIC_A}greement" in finding


@pytest.mark.parametrize(
    "marks",
    [
        ("«", "»"),
        ("»", "«"),
        ("„", "“"),
        ("\uff02", "\uff02"),
        ("\u2039", "\u203a"),
        ("&ldquo;", "&rdquo;"),
    ],
)
def test_other_quotation_marks_are_quotation_marks_too(
    tmp_path: Path, marks: tuple[str, str]
) -> None:
    opening, closing = marks
    assert len(unverified(tmp_path, f"Peskov said {opening}there is a deal{closing}.")) == 1


def test_the_first_letter_may_follow_the_sentence(tmp_path: Path) -> None:
    assert unverified(tmp_path, 'Peskov said "so far there is no agreement".') == []
    assert unverified(tmp_path, 'He "Answered questions".') == []
    assert len(unverified(tmp_path, 'Peskov said "so Far there is no agreement".')) == 1


def test_a_scare_quote_passes_only_when_verbatim(tmp_path: Path) -> None:
    assert unverified(tmp_path, 'Peskov "answered" them.') == []
    (finding, hint) = unverified(tmp_path, 'Peskov "dodged" them.')[0].split("\n")
    assert '"dodged" is in quotation marks' in finding
    assert "drop the quotation marks" in hint


def test_the_hint_points_to_the_closest_passage(tmp_path: Path) -> None:
    (finding,) = unverified(tmp_path, '"so far there is no deal on this issue"')
    assert (
        'hint: source \'report\': paragraph 3 reads "no agreement on" where this has "no deal on"'
    ) in finding


def test_without_a_word_diff_the_hint_shows_the_closest_run(tmp_path: Path) -> None:
    # Too few words in common for a word diff; a long enough run of characters in common.
    (finding,) = unverified(tmp_path, '"xx answered questionsX yy"')
    assert "the closest is source 'report', paragraph 2: \"answered questions\"" in finding


def test_the_work_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    many = " ".join(f'"{n} words quoted"' for n in range(900))  # within the field's limit
    root = write(tmp_path, event_files(many, SOURCE_TEXT * 200))
    monkeypatch.setattr(evidence, "QUOTATION_WORK", 2_000_000)
    start = time.perf_counter()
    found = findings(root, "unverified-quotation")
    assert time.perf_counter() - start < 10
    stopped = [f for f in found if "were not checked: the check reached its limit" in f]
    assert len(stopped) == 1
    assert len(found) < 900


def test_an_actor_quotation_may_be_from_any_source(tmp_path: Path) -> None:
    files = {
        "actors/peskov.yml": "name: Dmitry Peskov\nkind: person\n"
        'description: He said "so far there is no agreement", not "there is a deal".\n',
        "sources/report.yml": "title: A report\nkind: article\n",
        "sources/report.txt": SOURCE_TEXT,
        "quotes/no-agreement.yml": "text: So far there is no agreement on this issue.\n"
        "speaker: peskov\nsource: report\n",
    }
    (finding,) = findings(write(tmp_path, files), "unverified-quotation")
    assert '"there is a deal" is in quotation marks' in finding
    assert "in the text of any source" in finding


# -- quote-speaker-not-in-passage: hostile ---------------------------------------------------


def test_a_speaker_named_two_paragraphs_up_passes(tmp_path: Path) -> None:
    assert speaker_findings(tmp_path, "Dmitry Peskov") == []


def test_a_speaker_named_three_paragraphs_up_fails(tmp_path: Path) -> None:
    text = "Dmitry Peskov answered.\n\nOne.\n\nTwo.\n\n“So far there is no agreement.”\n"
    (finding,) = speaker_findings(tmp_path, "Dmitry Peskov", text)
    assert "speaker 'speaker' is not named in paragraph 4 of source 'report'" in finding


@pytest.mark.parametrize("invisible", ZERO_WIDTH)
def test_an_invisible_character_in_the_speakers_name_does_not_match(
    tmp_path: Path, invisible: str
) -> None:
    assert len(speaker_findings(tmp_path, f"Dmitry Pes{invisible}kov")) == 1


@pytest.mark.parametrize("invisible", ZERO_WIDTH)
def test_an_alias_of_invisible_characters_is_found_nowhere(tmp_path: Path, invisible: str) -> None:
    files = speaker_files("Somebody Else")
    files["actors/speaker.yml"] += f'aliases: ["{invisible}", "{invisible * 3}"]\n'
    assert len(findings(write(tmp_path, files), "quote-speaker-not-in-passage")) == 1


@pytest.mark.parametrize("invisible", ZERO_WIDTH)
def test_an_invisible_character_in_the_source_breaks_the_name(
    tmp_path: Path, invisible: str
) -> None:
    text = SOURCE_TEXT.replace("Peskov", f"Pes{invisible}kov")
    assert len(speaker_findings(tmp_path, "Dmitry Peskov", text)) == 1


def test_a_look_alike_letter_in_the_speakers_name_does_not_match(tmp_path: Path) -> None:
    assert len(speaker_findings(tmp_path, f"Dmitry Peskov{CYRILLIC_A}")) == 1
    assert len(speaker_findings(tmp_path, f"Dmitry Pesk{chr(0x43E)}v")) == 1  # Cyrillic o


def test_a_name_split_across_paragraphs_is_not_found(tmp_path: Path) -> None:
    # An organisation has no surname to fall back on: only the whole name counts.
    text = "Reporters met the Dmitry\n\nPeskov office.\n\n“So far there is no agreement.”\n"
    assert len(speaker_findings(tmp_path, "Dmitry Peskov", text, kind="organization")) == 1


def test_a_surname_counts_for_a_person_only(tmp_path: Path) -> None:
    text = "Peskov answered.\n\n“So far there is no agreement.”\n"
    assert speaker_findings(tmp_path, "Dmitry Peskov", text) == []
    assert len(speaker_findings(tmp_path, "Dmitry Peskov", text, kind="organization")) == 1


def test_a_word_that_refers_to_a_speaker_counts_in_the_quotes_paragraph_only(
    tmp_path: Path,
) -> None:
    text = "He spoke.\n\n“So far there is no agreement,” she said.\n"
    assert speaker_findings(tmp_path, "Somebody Else", text) == []
    text = "He spoke.\n\n“So far there is no agreement.”\n"
    assert len(speaker_findings(tmp_path, "Somebody Else", text)) == 1


def test_a_source_in_another_language_is_not_checked(tmp_path: Path) -> None:
    files = speaker_files("Somebody Else", "„Kein Kommentar.“\n")
    files["sources/report.yml"] += "language: de\n"
    files["quotes/said.yml"] += "language: de\ntranslation: No comment.\n"
    assert findings(write(tmp_path, files), "quote-speaker-not-in-passage") == []


# -- inherited-precision ---------------------------------------------------------------------


def precision(tmp_path: Path, date: str, summary: str) -> list[str]:
    files = {
        "sources/memo.yml": "title: A memo\nkind: document\n",
        "events/talks.yml": f"title: Talks\ndate: {date}\nstatus: reported\n"
        f"sources: [memo]\nsummary: {summary}\n",
    }
    return [
        f.split("summary says ")[1].split(",")[0]
        for f in findings(write(tmp_path, files), "inherited-precision")
    ]


@pytest.mark.parametrize(
    ("date", "summary", "phrases"),
    [
        ("2022-07", "Announced on Wednesday 27 July 2022.", ['"Wednesday 27 July 2022"']),
        ("2022-07", "Announced on July 27th.", ['"July 27th"']),
        ("2022-07", "Announced on 2022-07-27.", ['"2022-07-27"']),
        ("2022-07", "Announced on Wednesday.", []),  # a month holds many Wednesdays
        ("2022-07-27", "Announced on Wednesday 27 July 2022.", []),  # the date is that day
        ("2022-07-27~", "Announced on 27 July.", ['"27 July"']),
        ("2022-07-28?", "It came on Thursday.", ['"Thursday"']),
        ("2022-07-28?", "It came on a Thursday.", []),
        ("2022-07-28?", "If it is 28 July, it came then.", []),
        ("2022-07-28/2022-07-31", "After the announcement on 27 July.", []),  # context
        ("2022-07-27/2022-08-04", "Between 27 July and 4 August.", []),
        ("2022-07-27/2022-08-04", "Around 1 August.", []),
        ("2022-07-27/2022-08-04", "Probably on 1 August.", []),
        ("../2022-07-13~", "Presented on 1 July 2022.", ['"1 July 2022"']),
        ("../2022-07-13~", "Presented on 1 July 2021.", ['"1 July 2021"']),
        ("2022-07", "The interval `2022-07-01/2022-07-31` in code.", []),
        ("2022-07", "Written 2022-07-01/2022-07-31 or 2022-07-28? as dates.", []),
        ("2022-07", "Announced on 31 June.", []),  # not a day
    ],
)
def test_inherited_precision(tmp_path: Path, date: str, summary: str, phrases: list[str]) -> None:
    assert precision(tmp_path, date, summary) == phrases


# -- the example case files stay clean -------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def test_the_hostile_case_file_is_clean_of_evidence_findings() -> None:
    report, _ = check(ROOT / "tests" / "hostile" / "casefile")
    codes = {"unverified-quotation", "quote-speaker-not-in-passage", "inherited-precision"}
    assert [format_text(f) for f in report.findings if f.code in codes] == []


@pytest.mark.parametrize("forked", [False, True], ids=["alone", "forked"])
def test_a_full_text_with_errors_is_one_error_not_a_cascade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forked: bool
) -> None:
    """A source's text that cannot be read is its own error; the quote citing it and the
    quotations an event and the case's summary may take from it wait until it is fixed
    (one bad byte gave 66 warnings on the example: `unverified-quotation`, and
    `unchecked-quote` saying the source had no text)."""
    from build_scripts import parallel
    from tests.cases import write_case

    if forked:
        monkeypatch.setattr(parallel, "FORK_FROM", 1)  # the lookups in a forked process
    root = write_case(
        tmp_path / "casefile",
        **{
            "case.yml": 'title: A case\nsummary: Ann said "we will talk".\n',
            "events/meeting.yml": "title: Meeting\ndate: 2022-07-27\nstatus: reported\n"
            'sources: [memo]\nactors: [ann]\nsummary: Ann said "we will talk".\n',
        },
    )
    good = (root / "sources" / "memo.txt").read_bytes()
    (root / "sources" / "memo.txt").write_bytes(good + b"\xff\xfe\n")
    report, case = check(root)
    assert [f.code for f in report.findings] == ["file-encoding"], [
        format_text(f) for f in report.findings
    ]
    assert case is None
    (root / "sources" / "memo.txt").write_bytes(good)
    report, case = check(root)
    assert report.findings == [] and case is not None
