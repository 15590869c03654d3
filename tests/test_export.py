"""casefile.json: a version field, and a shape its own JSON Schema states and checks."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
from markupsafe import escape

from build_scripts import models
from build_scripts.checker import Case, check
from build_scripts.export import FORMAT_VERSION, VERSION, casefile_schema, export_json
from build_scripts.pages import render_site
from tests.cases import write_case

ROOT = Path(__file__).resolve().parent.parent
CASES = {
    "example": ROOT / "casefile",
    "hostile": ROOT / "tests" / "hostile" / "casefile",
    "golden": ROOT / "tests" / "golden_pages" / "casefile",
}


def checked(root: Path) -> Case:
    report, case = check(root)
    assert case is not None, [f.message for f in report.findings]
    return case


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(casefile_schema())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def errors(validator: jsonschema.Draft202012Validator, data: object) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in validator.iter_errors(data)]


@pytest.mark.parametrize("name", sorted(CASES))
def test_casefile_json_matches_its_schema(
    name: str, validator: jsonschema.Draft202012Validator
) -> None:
    data = json.loads(export_json(checked(CASES[name])))
    assert errors(validator, data) == []
    assert data["version"] == VERSION == "1.1"
    assert data["format"] == FORMAT_VERSION == 1


def test_every_field_set(tmp_path: Path, validator: jsonschema.Draft202012Validator) -> None:
    root = write_case(
        tmp_path,
        **{
            "case.yml": "title: A case\nsummary: About [[ann]].\nlicense: CC-BY-4.0\n"
            "publisher: Us\n",
            "actors/ann.yml": "name: Ann\nkind: person\naliases: [A.]\ndescription: Ann.\n"
            "roles:\n  - title: Minister\n    organization: gov\n    start: 2021-03\n"
            "    end: 2022-07-27/..\n  - title: Other\n"
            "links:\n  website: https://example.org/\n  wikidata: Q42\ntags: [a]\nnotes: N.\n",
            "actors/gov.yml": "name: Gov\nkind: government\n",
            "sources/memo.yml": "title: A memo\nkind: document\npublisher: P\nauthors: [X]\n"
            "url: https://example.org/m\narchive_url: https://web.archive.org/m\n"
            "published: 2022-07\naccessed: 2022-08-01\nlanguage: en\ntext_public: true\n",
            "events/meeting.yml": "title: Meeting\ndate: ../2022-07-27\ndate_note: N\n"
            "status: reported\nsummary: S\nlocation: L\n"
            "sources: [memo, {source: memo, locator: p1, excerpt: we will talk}]\n"
            "actors: [ann, {actor: gov, role: host}]\nrelated: [other]\n",
            "events/other.yml": "title: Other\ndate: 2022~\nstatus: claimed\nsources: [memo]\n",
            "quotes/ann-talk.yml": "text: we will talk\nspeaker: ann\n"
            "source: {source: memo, locator: p1}\ndate: 2022-07-27?\nevent: meeting\n"
            "context: C\nlanguage: en\ntranslation: T\nabout: [gov]\n",
        },
    )
    data = json.loads(export_json(checked(root)))
    assert errors(validator, data) == []
    ann = data["actors"][0]
    assert ann["roles"][1]["start"] is None and ann["roles"][1]["end"] is None
    assert ann["roles"][0]["end"] == {
        "display": "on or after 27 July 2022",
        "earliest": "2022-07-27",
        "edtf": "2022-07-27/..",
        "latest": "",
    }


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d.pop("version"), "no version"),
        (lambda d: d.update(version="2.0"), "another major version"),
        (lambda d: d["events"][0].update(location=None), "a null for a field left out"),
        (lambda d: d["events"][0].update(colour="red"), "a field the format does not have"),
        (lambda d: d["events"][0].pop("tags"), "a list field missing"),
        (lambda d: d["events"][0].update(date="2022-07-27"), "a date as bare text"),
        (lambda d: d["events"][0]["date"].pop("display"), "a date without its display"),
        (lambda d: d["events"][0]["date"].update(earliest="July"), "a day that is not ISO"),
        (lambda d: d["events"][0].pop("file"), "a record without its file"),
        (lambda d: d["events"][0].update(status="rumoured"), "a status not in the format"),
        (lambda d: d["actors"][0]["roles"].append({"title": "T"}), "a role without start/end"),
        (lambda d: d["events"][0]["date"].pop("placement"), "an event date without placement"),
        (
            lambda d: d["events"][0]["date"]["placement"].update(shape="point"),
            "a shape placement.py does not draw",
        ),
        (
            lambda d: d["events"][0]["date"]["placement"]["group"].pop("anchor"),
            "a placement without its group's anchor",
        ),
    ],
)
def test_the_schema_is_strict(
    change: object, where: str, validator: jsonschema.Draft202012Validator
) -> None:
    data = json.loads(export_json(checked(CASES["example"])))
    assert errors(validator, data) == []
    broken = copy.deepcopy(data)
    change(broken)  # type: ignore[operator]
    assert errors(validator, broken), where


def test_the_schema_has_every_field_of_the_format() -> None:
    schema = json.loads(casefile_schema())
    for kind in models.KIND_LIST:
        properties = schema["$defs"][kind.model.__name__]["properties"]
        assert set(properties) == {"id", "file", *kind.model.model_fields}
    assert set(schema["properties"]["case"]["properties"]) == set(models.Case.model_fields)
    assert set(schema["properties"]) == {"version", "format", "case"} | {
        k.folder for k in models.KIND_LIST
    }


def test_schema_and_export_are_deterministic() -> None:
    assert casefile_schema() == casefile_schema()
    first = export_json(checked(CASES["example"]))
    assert first == export_json(checked(CASES["example"]))
    assert first.index('"version": "1.1"') > first.index('"sources": [')  # sorted keys


def test_an_event_date_is_placed_as_the_timeline_lists_it() -> None:
    """casefile.json files each event under the group the timeline shows it in: an open
    range in its own group, never under its known end's month."""
    case = checked(CASES["example"])
    data = json.loads(export_json(case))
    timeline = render_site(case).files["timeline.md"]
    by_id = {e["id"]: e["date"] for e in data["events"]}
    whelan = by_id["whelan-convicted"]
    assert whelan["edtf"] == "../2022-08-04?"
    assert whelan["placement"] == {
        "shape": "open-start",
        "earliest": None,
        "latest": "2022-08-04",
        "approximate": False,
        "uncertain": True,
        "group": {
            "anchor": "before-2022-08-04-uncertain",
            "label": "Date not known; on or before 4 August 2022?",
        },
    }
    for event_id, value in by_id.items():
        group = value["placement"]["group"]
        heading = f'<h3 id="{group["anchor"]}">{escape(group["label"])}<a'
        assert heading in timeline, event_id
        # The event is listed under that heading: the next h3 comes after it.
        start = timeline.index(heading)
        end = timeline.find("<h3 ", start + 1)
        assert f'<li id="{event_id}"' in timeline[start : end if end > 0 else None], event_id
