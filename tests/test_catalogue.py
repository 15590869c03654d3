"""The error catalogue: every code's text lives in `findings.CODES`, every call site passes
fields (never sentences) that match its template, the Record format page's table of codes is
generated from it, and each formatter prints a finding the same way every time. Also
`Case.citations`, from which the checker's reference and verbatim rules read citations."""

from __future__ import annotations

import ast
import json
import re
import string
from pathlib import Path

import pytest

from build_scripts.checker import Citation, Passage, check
from build_scripts.dates import DateError, parse_date
from build_scripts.findings import (
    CODES,
    FRAMES,
    Finding,
    Location,
    Report,
    Severity,
    codes_table,
    format_github,
    format_json,
    format_text,
    summary_markdown,
)
from build_scripts.urls import check_url

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "build_scripts"
REGENERATE = 'python -c "from build_scripts.findings import codes_table; print(codes_table())"'
# Keywords of the call sites that place or fix a finding, or pick its shape: not fields.
NOT_FIELDS = frozenset({"variant", "related_at", "fix", "offset", "line"})
# Codes in the catalogue that no call site in build_scripts makes (yet), and why.
NOT_MADE = {
    "path-collision": "pages.PathCollision stops the build before any page is written",
    "elided-negation": "its rule (a dropped negation next to a '...') is still to come",
}


def test_the_record_format_page_holds_the_generated_table() -> None:
    page = (ROOT / "docs" / "record-format.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- codes:start -->\n(.*?)\n<!-- codes:end -->", page, flags=re.S)
    assert match, "docs/record-format.md has no <!-- codes:start --> ... <!-- codes:end -->"
    assert match.group(1) == codes_table(), (
        f"the table of codes in docs/record-format.md is out of date; regenerate it with\n"
        f"  {REGENERATE}\nand paste it between the two markers"
    )


def test_the_table_lists_errors_then_warnings_by_code() -> None:
    rows = codes_table().splitlines()[2:]
    assert len(rows) == len(CODES)
    keys = [(CODES[row.split("`")[1]].severity, row.split("`")[1]) for row in rows]
    assert keys == sorted(keys)
    assert rows[0] == "| `bad-date` | error | date not in the accepted format |"


def _templates() -> list[tuple[str, str | None, str]]:
    """(code, variant, template) for every template of the catalogue."""
    out = []
    for code, row in CODES.items():
        for variant in (None, *row.variants):
            message, hint = row.templates(variant)
            out += [(code, variant, t) for t in (message, hint) if t is not None]
        out += [(code, None, t) for t in (row.note,) if t is not None]
        for phrases in row.phrases.values():
            out += [(code, None, t) for t in phrases.values()]
    return out


@pytest.mark.parametrize("code", CODES)
def test_every_code_has_a_title_a_message_and_a_hint_or_none(code: str) -> None:
    row = CODES[code]
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", code)
    assert isinstance(row.severity, Severity)
    assert row.title.strip() and row.title == row.title.strip()
    assert not re.search(r"[<>|]", row.title), "titles are table cells of the Record format page"
    for variant in (None, *row.variants):
        message, hint = row.templates(variant)
        assert message.strip(), (code, variant)
        assert hint is None or hint.strip(), (code, variant)


@pytest.mark.parametrize(("code", "variant", "template"), _templates())
def test_every_template_reads_named_fields(code: str, variant: str | None, template: str) -> None:
    for _, name, _, _ in string.Formatter().parse(template):
        if name is not None:
            assert name.isidentifier(), f"{code}: {template!r} reads {name!r}"
            assert name not in NOT_FIELDS, f"{code}: {name!r} is a keyword of Finding.make"


def _calls() -> list[tuple[str, ast.Call]]:
    """(where, call) for every call in build_scripts whose first argument names a code:
    Finding.make, and the value-level faults (dates, URLs, the record format's validators,
    the scan) that become findings later."""
    found = []
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and node.args[0].value in CODES
            ):
                found.append((f"{path.name}:{node.lineno}", node))
    return found


CALLS = _calls()


def _shapes(call: ast.Call) -> list[str | None] | None:
    """The shapes a call may pick: literal variants (None: the code's own); None if unknown."""
    chosen = next((k.value for k in call.keywords if k.arg == "variant"), None)
    if chosen is None:
        return [None]
    if isinstance(chosen, ast.Constant):
        return [chosen.value]
    if isinstance(chosen, ast.IfExp) and all(
        isinstance(branch, ast.Constant) for branch in (chosen.body, chosen.orelse)
    ):
        return [chosen.body.value, chosen.orelse.value]  # type: ignore[attr-defined]
    return None


def test_call_sites_were_found() -> None:
    assert len(CALLS) > 100
    assert {"checker.py", "records.py", "dates.py", "urls.py", "scan.py", "models.py"} <= {
        where.split(":")[0] for where, _ in CALLS
    }


@pytest.mark.parametrize("where, call", CALLS, ids=[where for where, _ in CALLS])
def test_call_sites_pass_the_fields_their_templates_read(where: str, call: ast.Call) -> None:
    code = call.args[0].value  # type: ignore[attr-defined]
    row = CODES[code]
    shapes = _shapes(call)
    for shape in shapes or ():
        assert shape is None or shape in row.variants, f"{where}: {code} has no shape {shape!r}"
    related = any(k.arg == "related_at" for k in call.keywords)
    if related:
        assert row.note is not None, f"{where}: {code} has no note for its related location"
    if any(k.arg is None for k in call.keywords):  # **fields: checked where they are built
        return
    passed = {k.arg for k in call.keywords} - NOT_FIELDS
    every = frozenset().union(*(row.field_names(v, note=True) for v in (None, *row.variants)))
    assert passed <= every, f"{where}: {code} reads no {sorted(passed - every)}"
    if shapes is not None:
        needed = frozenset().union(*(row.field_names(v, note=related) for v in shapes))
        assert passed == needed, f"{where}: {code} reads {sorted(needed)}, gets {sorted(passed)}"


# Literal text of two words or more: a sentence, or part of one.
_WORDS = re.compile(r"[A-Za-z]+ [A-Za-z]+")


@pytest.mark.parametrize("where, call", CALLS, ids=[where for where, _ in CALLS])
def test_call_sites_pass_no_sentences(where: str, call: ast.Call) -> None:
    for keyword in call.keywords:
        if keyword.arg in NOT_FIELDS:
            continue
        for node in ast.walk(keyword.value):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                assert not _WORDS.search(node.value), f"{where}: {keyword.arg}={node.value!r}"


def test_findings_are_made_from_the_catalogue_only() -> None:
    """No module builds a Finding from a message of its own."""
    for path in sorted(PACKAGE.glob("*.py")):
        if path.name == "findings.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        direct = [
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("Finding", "PydanticCustomError", "Template", "Code")
        ]
        # models.py raises its errors through one helper, `_fault`, which carries fields only.
        allowed = 1 if path.name == "models.py" else 0
        assert len(direct) == allowed, f"{path.name}:{direct}"


def test_every_code_is_made_somewhere() -> None:
    made = {call.args[0].value for _, call in CALLS}  # type: ignore[attr-defined]
    assert set(CODES) - made <= set(NOT_MADE)
    assert set(NOT_MADE) <= set(CODES)


def test_every_shape_and_phrase_is_used_somewhere() -> None:
    """Each variant and phrase key is named by some module other than the catalogue's."""
    names: set[str] = set()
    for path in sorted(PACKAGE.glob("*.py")):
        if path.name != "findings.py":
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    names.add(node.value)
    for code, row in CODES.items():
        assert set(row.variants) <= names, (code, set(row.variants) - names)
        for phrase, choices in row.phrases.items():
            assert set(choices) <= names, (code, phrase, set(choices) - names)


# -- filling the templates -------------------------------------------------------------------

HERE = Location(Path("casefile/events/a.yml"), 3, 7)


def test_make_fills_the_message_and_hint_from_fields() -> None:
    finding = Finding.make("bad-enum", HERE, field="status", value="done", allowed="a, b")
    assert finding == Finding(
        "bad-enum",
        HERE,
        "'status' is 'done', which is not an allowed value",
        "allowed: a, b",
    )


def test_a_variant_shares_what_it_leaves_out() -> None:
    finding = Finding.make(
        "bad-enum", HERE, variant="close", field="kind", value="Report", close="report", allowed="x"
    )
    assert finding.message == "'kind' is 'Report', which is not an allowed value"
    assert finding.hint == "did you mean 'report'? allowed: x"
    # An empty hint in a variant means none.
    assert Finding.make("yaml-feature", HERE, variant="key", found="list").hint is None


def test_phrases_fill_a_part_of_a_message() -> None:
    finding = Finding.make(
        "possible-duplicate",
        HERE,
        related_at=Location(Path("casefile/events/b.yml"), 1, 8),
        id="a",
        other="b",
        other_file="events/b.yml",
        when="same-day",
        date="2022-07-27",
        likeness="same-sources",
        percent=64,
        cited="one",
        sources="memo",
    )
    assert finding.message == (
        "event 'a' may be the same as 'b' (events/b.yml): same day 2022-07-27, both cite exactly "
        "source memo and titles 64% alike"
    )
    assert finding.related == (("the other event", Location(Path("casefile/events/b.yml"), 1, 8)),)
    advice = dict(problem="x", context=None, started="this")
    assert Finding.make("yaml-syntax", HERE, advice=None, **advice).hint is None
    assert Finding.make("yaml-syntax", HERE, advice="tab", **advice).hint == (
        "indent with spaces, not tabs"
    )


def test_a_missing_field_or_an_unknown_code_fails_loudly() -> None:
    with pytest.raises(KeyError):
        Finding.make("unused-source", HERE)
    with pytest.raises(KeyError):
        Finding.make("no-such-code", HERE)
    with pytest.raises(KeyError):
        Finding.make("bad-date", HERE, variant="no-such-shape", text="x")


def test_frames_put_a_finding_inside_what_its_location_cannot_point_into() -> None:
    finding = Finding.make("bad-url", HERE, url="x").inside("field", field="url")
    assert finding.message == "'url': 'x' is not an http(s) URL"
    assert set(FRAMES) == {"field", "search-index"}


def test_value_faults_carry_a_code_and_fields_that_the_catalogue_turns_into_text() -> None:
    with pytest.raises(DateError) as info:
        parse_date("2022/07/04")
    error = info.value
    assert (error.code, error.variant, error.fix) == ("bad-date", "separator", "2022-07-04")
    assert error.fields == {"text": "2022/07/04", "separator": "/", "fixed": "2022-07-04"}
    assert error.message == CODES["bad-date"].render(error.variant, error.fields)[0]
    problem = check_url("https://example.org/a b")
    assert problem is not None
    assert (problem.code, problem.variant, problem.fix) == (
        "bad-url",
        "unencoded",
        "https://example.org/a%20b",
    )
    assert problem.message == "URL holds a space, which must be percent-encoded (%20)"


# -- one golden output per formatter ------------------------------------------------------------


@pytest.fixture
def report(tmp_path: Path) -> Report:
    first = Location(tmp_path / "casefile/events/a.yml", 1, 1)
    return Report(
        [
            Finding.make(
                "duplicate-id",
                Location(tmp_path / "casefile/events/b.yml"),
                related_at=first,
                id="a",
                other="a",
                kind="event",
                file="a.yml",
            ),
            Finding.make("self-reference", Location(first.path, 6, 5), kind="event", id="a"),
            Finding.make("unused-source", Location(tmp_path / "casefile/sources/m.yml"), id="m"),
        ]
    )


def test_format_text(report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    assert "\n".join(format_text(f, cwd=tmp_path) for f in report.findings) == (
        "casefile/events/a.yml:6:5: error[self-reference]: event 'a' refers to itself\n"
        "casefile/events/b.yml:1:1: error[duplicate-id]: id 'a' is already used by the event "
        "a.yml\n"
        "  note: first defined here: casefile/events/a.yml:1:1\n"
        "  hint: ids are unique across actors, sources, events and quotes: rename one file\n"
        "casefile/sources/m.yml:1:1: warning[unused-source]: source 'm' is not cited by any "
        "event or quote\n"
        "  hint: cite it from an event's sources or a quote's source, or remove it"
    )


def test_format_json(report: Report, tmp_path: Path) -> None:
    data = json.loads(format_json(report, cwd=tmp_path))
    assert (data["errors"], data["warnings"]) == (2, 1)
    assert data["findings"][1] == {
        "severity": "error",
        "code": "duplicate-id",
        "file": "casefile/events/b.yml",
        "line": 1,
        "column": 1,
        "message": "id 'a' is already used by the event a.yml",
        "hint": "ids are unique across actors, sources, events and quotes: rename one file",
        "related": [
            {"label": "first defined here", "file": "casefile/events/a.yml", "line": 1, "column": 1}
        ],
    }


def test_format_github(report: Report, tmp_path: Path) -> None:
    assert [format_github(f, cwd=tmp_path) for f in report.findings] == [
        "::error file=casefile/events/a.yml,line=6,col=5,title=casefile self-reference::"
        "event 'a' refers to itself",
        "::error file=casefile/events/b.yml,line=1,col=1,title=casefile duplicate-id::"
        "id 'a' is already used by the event a.yml%0A"
        "ids are unique across actors, sources, events and quotes: rename one file",
        "::warning file=casefile/sources/m.yml,line=1,col=1,title=casefile unused-source::"
        "source 'm' is not cited by any event or quote%0A"
        "cite it from an event's sources or a quote's source, or remove it",
    ]


def test_summary_markdown(report: Report, tmp_path: Path) -> None:
    assert summary_markdown(report, cwd=tmp_path, command="casefile scan").splitlines() == [
        "### casefile scan: 2 errors, 1 warning",
        "",
        "| | file | line | problem | hint |",
        "|---|---|---|---|---|",
        "| ❌ | casefile/events/a.yml | 6 | self-reference: event 'a' refers to itself |  |",
        "| ❌ | casefile/events/b.yml | 1 | duplicate-id: id 'a' is already used by the event "
        "a.yml | ids are unique across actors, sources, events and quotes: rename one file |",
        "| ⚠️ | casefile/sources/m.yml | 1 | unused-source: source 'm' is not cited by any "
        "event or quote | cite it from an event's sources or a quote's source, or remove it |",
    ]


# -- citations, derived once ----------------------------------------------------------------------


def test_case_citations_derive_each_citation_shape_once(tmp_path: Path) -> None:
    files = {
        "case.yml": "title: A case\n",
        "actors/ann.yml": "name: Ann\nkind: person\n",
        "sources/memo.yml": "title: A memo\nkind: document\n",
        "sources/memo.txt": "Ann said we will talk.\n",
        "events/talks.yml": "title: Talks\ndate: 2022\nstatus: reported\nactors: [ann]\n"
        "sources:\n  - memo\n  - source: memo\n    locator: p. 1\n    excerpt: we will talk\n",
        "quotes/plain.yml": "text: we will talk\nspeaker: ann\nsource: memo\n",
        "quotes/detailed.yml": "text: we will talk\nspeaker: ann\n"
        "source:\n  source: memo\n  excerpt: Ann said\n",
    }
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content, encoding="utf-8")
    report, case = check(tmp_path)
    assert case is not None, [format_text(f) for f in report.findings]
    records = case.records
    assert case.citations(records["ann"]) == []
    assert case.citations(records["talks"]) == [
        Citation("memo", ("sources", 0)),
        Citation(
            "memo",
            ("sources", 1, "source"),
            "p. 1",
            (Passage("excerpt", "we will talk", ("sources", 1, "excerpt")),),
        ),
    ]
    assert case.citations(records["plain"]) == [
        Citation("memo", ("source",), None, (Passage("quote", "we will talk", ("text",)),))
    ]
    (detailed,) = case.citations(records["detailed"])
    assert (detailed.loc, detailed.passage) == (("source", "source"), "we will talk")
    assert [p.what for p in detailed.passages] == ["quote", "excerpt"]
    assert case.citations(records["talks"]) is case.citations(records["talks"])
