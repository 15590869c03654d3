"""Citations: every source formats with a CSL processor, BibTeX text is escaped exactly, and
nothing the record does not hold is invented."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.bibtex import BibTeX
from citeproc.source.json import CiteProcJSON

from build_scripts.checker import Case, check
from build_scripts.citations import (
    BIB_PATH,
    CSL_PATH,
    bibtex_entry,
    bibtex_text,
    citation_files,
    csl_item,
    known_part,
    meta_tags,
    source_citation_path,
)
from build_scripts.dates import parse_date
from tests.cases import write_case

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "casefile"
HOSTILE = ROOT / "tests" / "hostile" / "casefile"

# A style that prints every variable the items can carry, dates in full. (citeproc-py's
# bundled Harvard style prints the year of a date range only, which citeproc-py cannot do.)
STYLE = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"
       default-locale="en-GB">
  <info><title>Everything</title><id>everything</id>
    <updated>2024-01-01T00:00:00+00:00</updated></info>
  <citation><layout><text variable="title"/></layout></citation>
  <bibliography>
    <layout>
      <group delimiter=". ">
        <names variable="author"><name/></names>
        <text variable="title"/>
        <text variable="publisher"/>
        <date variable="issued" form="text"/>
        <text variable="URL"/>
        <group delimiter=" "><text value="Accessed"/><date variable="accessed" form="text"/></group>
        <text variable="note"/>
      </group>
    </layout>
  </bibliography>
</style>
"""


def checked(root: Path) -> Case:
    report, case = check(root)
    assert case is not None, [f.message for f in report.findings]
    return case


def sources(case: Case) -> list:
    return sorted(case.of_kind("source"), key=lambda r: r.id)


@pytest.fixture(scope="module")
def style(tmp_path_factory: pytest.TempPathFactory) -> CitationStylesStyle:
    path = tmp_path_factory.mktemp("style") / "everything.csl"
    path.write_text(STYLE, encoding="utf-8")
    return CitationStylesStyle(str(path), validate=False)


def formatted(style: CitationStylesStyle, source: object, ids: list[str]) -> dict[str, str]:
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    for item_id in ids:
        bibliography.register(Citation([CitationItem(item_id)]))
    entries = [str(e) for e in bibliography.bibliography()]
    assert len(entries) == len(ids)
    return dict(zip(sorted(ids), entries, strict=True))


@pytest.mark.parametrize("root", [EXAMPLE, HOSTILE], ids=["example", "hostile"])
def test_every_source_formats_with_citeproc(root: Path, style: CitationStylesStyle) -> None:
    case = checked(root)
    items = json.loads(citation_files(case)[CSL_PATH])
    assert [i["id"] for i in items] == [r.id for r in sources(case)]
    out = formatted(style, CiteProcJSON(items), [i["id"] for i in items])
    for record in sources(case):
        text = out[record.id]
        assert " ".join(record.data.title.split())[:40] in " ".join(text.split())


# citeproc-py reads BibTeX, not biblatex: it warns about `date` (a biblatex field, which we
# write for ranges and uncertain dates) and formats from `year`/`month`.
@pytest.mark.filterwarnings("ignore:Unsupported BibTeX field 'date':UserWarning")
def test_the_example_bibtex_formats_with_citeproc(
    style: CitationStylesStyle, tmp_path: Path
) -> None:
    case = checked(EXAMPLE)
    path = tmp_path / "sources.bib"
    path.write_text(citation_files(case)[BIB_PATH], encoding="utf-8")
    out = formatted(style, BibTeX(str(path), encoding="utf-8"), [r.id for r in sources(case)])
    cnn = out["cnn-officials-frustrated-at-moscow-response"]
    assert cnn.startswith("US officials frustrated at Moscow\u2019s lack of substantive response")
    assert "CNN" in cnn and "2022" in cnn


def test_the_example_invents_nothing(style: CitationStylesStyle) -> None:
    """The example's sources have no author, URL, access date or archive: none appears."""
    case = checked(EXAMPLE)
    files = citation_files(case)
    items = json.loads(files[CSL_PATH])
    for item in items:
        assert not {"author", "URL", "accessed", "note"} & set(item), item
    assert items[0]["issued"] == {"literal": "on or after 4 August 2022?"}
    assert items[1]["issued"] == {"date-parts": [[2022, 7, 28], [2022, 7, 31]]}
    assert "publisher" not in items[0] and items[1]["publisher"] == "CNN"
    bib = files[BIB_PATH]
    for name in ("author", "url", "urldate", "note", "institution"):
        assert not re.search(rf"^  {name} =", bib, re.M), name
    for record in sources(case):
        names = {n for n, _ in meta_tags(record)}
        assert not names & {"citation_author", "citation_public_url"}
    rendered = formatted(style, CiteProcJSON(items), [i["id"] for i in items])
    assert not any("http" in t or "Accessed" in t or "Anon" in t for t in rendered.values())


def test_the_example_samples() -> None:
    case = checked(EXAMPLE)
    cnn = case.records["cnn-officials-frustrated-at-moscow-response"]
    assert bibtex_entry(cnn) == (
        "@misc{cnn-officials-frustrated-at-moscow-response,\n"
        "  title = {{US officials frustrated at Moscow\u2019s lack of substantive response to "
        "proposed prisoner swap}},\n"
        "  publisher = {CNN},\n"
        "  date = {2022-07-28/2022-07-31},\n"
        "  year = {2022},\n"
        "  month = jul,\n"
        "}\n"
    )
    assert meta_tags(cnn) == [
        (
            "citation_title",
            "US officials frustrated at Moscow\u2019s lack of substantive response to proposed "
            "prisoner swap",
        ),
        ("citation_publisher", "CNN"),
        ("citation_publication_date", "2022/07"),
        ("citation_language", "en"),
    ]
    agency = case.records["agency-biden-no-plans-to-call-putin"]
    assert [n for n, _ in meta_tags(agency)] == ["citation_title", "citation_language"]
    assert "  date = {2022-08-04?/},\n" in bibtex_entry(agency)


def test_archive_and_access_date_go_in(style: CitationStylesStyle) -> None:
    case = checked(HOSTILE)
    record = case.records["hostile-source"]
    item = csl_item(record)
    archive = record.data.archive_url
    assert item["URL"] == record.data.url
    assert item["accessed"] == {"date-parts": [[2022, 8, 1]]}
    assert item["note"] == f"Archived copy: {archive}"
    assert [a["literal"] for a in item["author"]] == record.data.authors  # type: ignore[union-attr]
    text = formatted(style, CiteProcJSON([item]), [record.id])[record.id]
    assert record.data.url in text and archive in text and "1 August 2022" in text
    entry = bibtex_entry(record)
    assert "  urldate = {2022-08-01},\n" in entry
    assert "  url = {" + record.data.url + "},\n" in entry
    assert ("citation_public_url", record.data.url) in meta_tags(record)
    assert [v for n, v in meta_tags(record) if n == "citation_author"] == record.data.authors


# -- BibTeX escaping ---------------------------------------------------------------------------

_UNESCAPE = {
    r"{\textbackslash}": "\\",
    r"{\textasciicircum}": "^",
    r"{\textasciitilde}": "~",
    r"{\textless}": "<",
    r"{\textgreater}": ">",
    r"{\textbar}": "|",
    **{"\\" + c: c for c in "{}$&#%_"},
}
_ESCAPE_RE = re.compile("|".join(re.escape(k) for k in sorted(_UNESCAPE, key=len, reverse=True)))


def read_bibtex(text: str) -> dict[str, dict[str, str]]:
    """A strict reader for the entries we write: fields `name = {value},` one per line, with
    every brace of a value balanced once escapes are taken out."""
    entries: dict[str, dict[str, str]] = {}
    for block in text.split("\n\n"):
        head, *lines, end = block.strip("\n").split("\n")
        assert end == "}" and head.startswith("@") and head.endswith(",")
        key = head[head.index("{") + 1 : -1]
        fields: dict[str, str] = {}
        for line in lines:
            name, value = re.fullmatch(r"  ([a-z]+) = (.*),", line).groups()  # type: ignore[union-attr]
            bare = _ESCAPE_RE.sub("", value)
            depth = 0
            for char in bare:
                depth += {"{": 1, "}": -1}.get(char, 0)
                assert depth >= 0, line
            assert depth == 0, line
            assert "\\" not in bare and not set("^~$&#%_") & set(bare.replace(value, "")), line
            fields[name] = value
        entries[key] = fields
    return entries


def unescape(value: str) -> str:
    return _ESCAPE_RE.sub(lambda m: _UNESCAPE[m.group()], value)


@pytest.mark.parametrize("root", [EXAMPLE, HOSTILE], ids=["example", "hostile"])
def test_bibtex_escapes_exactly(root: Path) -> None:
    case = checked(root)
    entries = read_bibtex(citation_files(case)[BIB_PATH])
    for record in sources(case):
        fields = entries[record.id]
        data = record.data
        assert unescape(fields["title"][2:-2]) == " ".join(data.title.split())
        if data.authors:
            names = re.findall(r"\{((?:\\[{}]|\{\\[a-z]+\}|[^{}])*)\}", fields["author"][1:-1])
            assert [unescape(n) for n in names] == [" ".join(a.split()) for a in data.authors]
        if data.publisher:
            assert unescape(fields["publisher"][1:-1]) == " ".join(data.publisher.split())


@pytest.mark.parametrize(
    "text",
    [
        "} @misc{evil, title={x}",
        "50% of $5 & #1 under_score",
        "back\\slash {braces} ^caret ~tilde <a|b>",
        "\\end{document}",
        "line\n\nbreak",
    ],
)
def test_special_characters_cannot_end_a_field(text: str) -> None:
    escaped = bibtex_text(text)
    assert unescape(escaped) == " ".join(text.split())
    bare = _ESCAPE_RE.sub("", escaped)
    assert not set("{}\\%$&#_^~") & set(bare)


def test_a_record_with_latex_in_every_field(tmp_path: Path) -> None:
    root = write_case(
        tmp_path,
        **{
            "sources/memo.yml": "title: 'Tom & Jerry: 100% {real} \\emph{x}'\nkind: report\n"
            "publisher: 'A_B #1'\nauthors: ['Smith and Jones', 'O~Brien, Ann']\n"
            "published: 2022-07~\naccessed: 2022-08-01\n"
            "url: https://example.org/a_b?x=1%202#frag\n"
            "archive_url: https://web.archive.org/web/2022/https://example.org/a_b\n",
        },
    )
    case = checked(root)
    record = case.records["memo"]
    entry = read_bibtex(bibtex_entry(record))["memo"]
    assert entry["title"] == r"{{Tom \& Jerry: 100\% \{real\} {\textbackslash}emph\{x\}}}"
    assert entry["institution"] == r"{A\_B \#1}"
    assert entry["author"] == r"{{Smith and Jones} and {O{\textasciitilde}Brien, Ann}}"
    assert entry["date"] == "{2022-07~}"
    assert "year" not in entry and "month" not in entry  # approximate: not known
    assert entry["url"] == "{https://example.org/a_b?x=1%202#frag}"
    assert (
        entry["note"]
        == r"{Archived copy: https://web.archive.org/web/2022/https://example.org/a\_b}"
    )
    assert bibtex_entry(record).startswith("@techreport{memo,\n")
    item = csl_item(record)
    assert item["type"] == "report"
    assert item["issued"] == {"date-parts": [[2022, 7]], "circa": True}
    assert [n for n, _ in meta_tags(record)] == [
        "citation_title",
        "citation_author",
        "citation_author",
        "citation_publisher",
        "citation_technical_report_institution",
        "citation_public_url",
    ]


@pytest.mark.parametrize(
    ("text", "known"),
    [
        ("2022-07-28", (2022, 7, 28)),
        ("2022-07", (2022, 7)),
        ("2022", (2022,)),
        ("2022-07-28/2022-07-31", (2022, 7)),
        ("2022-07-28/2022-08-02", (2022,)),
        ("2021-12/2022-01", None),
        ("2022-07-28?", None),
        ("2022-07~", None),
        ("2022-08-04/..", None),
        ("../2022-08-04", None),
    ],
)
def test_the_part_of_a_date_every_day_shares(text: str, known: tuple[int, ...] | None) -> None:
    assert known_part(parse_date(text)) == known


def test_per_source_files() -> None:
    case = checked(EXAMPLE)
    files = citation_files(case)
    for record in sources(case):
        one = json.loads(files[source_citation_path(record.id, "csl.json")])
        assert one == [csl_item(record)]
        assert files[source_citation_path(record.id, "bib")] == bibtex_entry(record)
    assert citation_files(case) == citation_files(checked(EXAMPLE))
