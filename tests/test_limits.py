"""Limits, reserved names and anchored patterns: what a hostile record cannot do."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from build_scripts import models
from build_scripts.checker import check
from build_scripts.findings import format_text
from build_scripts.site_paths import PathCollision, Site, _claim
from tests.cases import MINIMAL


def findings(tmp_path: Path, **files: str) -> list[str]:
    root = tmp_path / "casefile"
    for name, text in {**MINIMAL, **files}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    report, _ = check(root)
    return [format_text(f, cwd=root).splitlines()[0] for f in report.findings]


# Each value is valid without the trailing newline; with it, it must be refused.
TRAILING = [
    ("quotes/ann-talk.yml", "speaker", "ann"),
    ("events/meeting.yml", "tags", "[talks]"),
    ("quotes/ann-talk.yml", "language", "en"),
    ("sources/memo.yml", "url", "https://example.org/memo"),
    ("actors/ann.yml", "links", "{wikidata: Q42}"),
    ("events/meeting.yml", "date", "2022-07-27"),
]


@pytest.mark.parametrize(("file", "field", "value"), TRAILING)
def test_no_pattern_accepts_a_trailing_newline(
    tmp_path: Path, file: str, field: str, value: str
) -> None:
    def with_value(v: str) -> str:
        kept = [ln for ln in MINIMAL[file].splitlines() if not ln.startswith(f"{field}:")]
        return "\n".join([*kept, f"{field}: {v}"]) + "\n"

    assert findings(tmp_path / "ok", **{file: with_value(value)}) == []
    # Inside a flow collection or mapping, put the newline on the scalar itself.
    if value.startswith("["):
        bad = f'["{value[1:-1]}\\n"]'
    elif value.startswith("{"):
        key, _, inner = value[1:-1].partition(": ")
        bad = f'{{{key}: "{inner}\\n"}}'
    else:
        bad = f'"{value}\\n"'
    assert findings(tmp_path / "bad", **{file: with_value(bad)}) != []


def test_every_compiled_pattern_in_the_models_is_used_with_fullmatch() -> None:
    source = Path(models.__file__).read_text()
    assert ".match(" not in source and ".search(" not in source


def test_a_second_joe_biden_with_a_newline_is_not_a_new_id(tmp_path: Path) -> None:
    found = findings(
        tmp_path, **{"quotes/ann-talk.yml": 'text: we will talk\nspeaker: "ann\\n"\nsource: memo\n'}
    )
    assert found == [
        "quotes/ann-talk.yml:2:10: error[bad-id]: 'speaker': 'ann\\n' is not a valid id"
    ]


@pytest.mark.parametrize("folder", ["actors", "sources", "events", "quotes"])
def test_an_id_may_not_take_a_section_page(tmp_path: Path, folder: str) -> None:
    assert (
        f"{folder}/index.yml:1:1: error[reserved-id]: the id 'index' is reserved: its page would "
        f"replace the site's {folder} page"
    ) in findings(tmp_path, **{f"{folder}/index.yml": "title: x\n"})


def test_a_tag_may_not_take_the_tags_page(tmp_path: Path) -> None:
    event = MINIMAL["events/meeting.yml"] + "tags: [talks, index]\n"
    assert findings(tmp_path, **{"events/meeting.yml": event}) == [
        "events/meeting.yml:6:15: error[reserved-id]: 'tags[1]': tag 'index' is reserved: its page "
        "would replace the site's list of tags"
    ]


def test_the_renderer_refuses_two_pages_at_one_path() -> None:
    site = Site(files={"tags/index.md": "the Tags page"})
    message = "the tag 'index' would be generated at tags/index.md"
    with pytest.raises(PathCollision, match=re.escape(message)):
        _claim(site, "tags/index.md", "the tag 'index'")


def test_lists_and_texts_have_limits(tmp_path: Path) -> None:
    tags = ", ".join(f"t{i}" for i in range(models.MAX_ITEMS + 1))
    long = "x" * (models.MAX_TEXT + 1)
    huge = "y" * (models.MAX_MARKDOWN + 1)
    event = MINIMAL["events/meeting.yml"] + f"tags: [{tags}]\nlocation: {long}\nnotes: {huge}\n"
    assert findings(tmp_path, **{"events/meeting.yml": event}) == [
        f"events/meeting.yml:6:7: error[too-long]: 'tags': the list has {models.MAX_ITEMS + 1:,} "
        f"entries; the limit is {models.MAX_ITEMS:,}",
        f"events/meeting.yml:7:11: error[too-long]: 'location': the text has "
        f"{models.MAX_TEXT + 1:,} characters; the limit is {models.MAX_TEXT:,}",
        f"events/meeting.yml:8:8: error[too-long]: 'notes': the value has "
        f"{models.MAX_MARKDOWN + 1:,} characters; the limit is {models.MAX_MARKDOWN:,}",
    ]


def test_the_limits_are_documented() -> None:
    page = (Path(__file__).resolve().parent.parent / "docs" / "record-format.md").read_text()
    for number in (models.MAX_TEXT, models.MAX_MARKDOWN, models.MAX_ITEMS):
        assert f"{number:,}" in page
    assert "`index`" in page
