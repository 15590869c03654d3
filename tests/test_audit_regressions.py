"""The fact-check of the example against its seeds found slips the checker can catch. Put
each back into a copy of the example case file, and the checker reports it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from build_scripts.checker import check
from build_scripts.findings import format_text
from build_scripts.pages import render_site

ROOT = Path(__file__).resolve().parent.parent / "casefile"


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return Path(shutil.copytree(ROOT, tmp_path / "casefile"))


def edit(root: Path, name: str, old: str, new: str) -> None:
    path = root / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{name} no longer holds {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def codes(root: Path) -> list[str]:
    report, _ = check(root)
    return [format_text(f, cwd=root).splitlines()[0] for f in report.findings]


def test_the_example_is_clean(example: Path) -> None:
    assert codes(example) == []


def test_kirbys_american_turned_into_president_biden_in_quotation_marks(example: Path) -> None:
    edit(
        example,
        "events/kirby-good-morning-america.yml",
        'seriously America takes that responsibility (CNN prints "how seriously American takes").',
        'seriously America takes that responsibility ("how seriously President Biden takes '
        'that responsibility").',
    )
    found = codes(example)
    assert len(found) == 1
    assert "events/kirby-good-morning-america.yml" in found[0]
    assert "warning[unverified-quotation]" in found[0]


def test_a_day_stated_as_fact_for_an_event_dated_uncertain(example: Path) -> None:
    edit(
        example,
        "events/russians-start-talking-publicly.yml",
        "  At a later briefing,",
        "  On Thursday 28 July 2022 the Russians started talking. At a later briefing,",
    )
    found = codes(example)
    assert len(found) == 1
    assert "events/russians-start-talking-publicly.yml" in found[0]
    assert "warning[inherited-precision]" in found[0]


def test_a_quote_lent_its_events_date_is_shown_undated(example: Path) -> None:
    """quotes/officials-substantial-proposal.yml has no date; said at an event (as it once
    was, before the fact-check found the text does not say where the words were used), its
    page never shows the event's date as the date it was said."""
    name = "quotes/officials-substantial-proposal.yml"
    edit(example, name, "about:\n", "event: us-offers-prisoner-swap-proposal\nabout:\n")
    _, case = check(example)
    assert case is not None
    page = render_site(case).files["quotes/officials-substantial-proposal.md"]
    assert "· undated · at <a href=" in page
    assert '"dateCreated"' not in page
