"""Where a date is drawn and listed: one definition for the list, the figures and the JSON."""

from __future__ import annotations

import random
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from build_scripts.dates import EdtfDate, format_date, parse_date
from build_scripts.placement import grouped, placement


@pytest.mark.parametrize(
    ("text", "shape", "earliest", "latest", "anchor", "label"),
    [
        ("2022-07-27", "day", "2022-07-27", "2022-07-27", "m2022-07", "July 2022"),
        ("2022-07", "month", "2022-07-01", "2022-07-31", "m2022-07", "July 2022"),
        ("2022", "year", "2022-01-01", "2022-12-31", "y2022-unknown", "2022, month not known"),
        ("2022-07-28?", "day", "2022-07-28", "2022-07-28", "m2022-07", "July 2022"),
        ("2022-07/2022-07", "month", "2022-07-01", "2022-07-31", "m2022-07", "July 2022"),
        (
            "2022-07-27/2022-08-04?",
            "interval",
            "2022-07-27",
            "2022-08-04",
            "m2022-07",
            "July 2022",
        ),
        ("2021/2022-03", "interval", "2021-01-01", "2022-03-31", "y2021-unknown", None),
        # The examples: never filed under the month of their known end.
        (
            "../2022-08-04?",
            "open-start",
            None,
            "2022-08-04",
            "before-2022-08-04-uncertain",
            "Date not known; on or before 4 August 2022?",
        ),
        (
            "../2022-07-27",
            "open-start",
            None,
            "2022-07-27",
            "before-2022-07-27",
            "Date not known; on or before 27 July 2022",
        ),
        (
            "../2022-07-13~",
            "open-start",
            None,
            "2022-07-13",
            "before-2022-07-13-approx",
            "Date not known; on or before c. 13 July 2022",
        ),
        (
            "2022-07/..",
            "open-end",
            "2022-07-01",
            None,
            "after-2022-07",
            "Date not known; on or after July 2022",
        ),
        ("../2022%", "open-start", None, "2022-12-31", "before-2022-approx-uncertain", None),
    ],
)
def test_placement(
    text: str,
    shape: str,
    earliest: str | None,
    latest: str | None,
    anchor: str,
    label: str | None,
) -> None:
    place = placement(parse_date(text))
    assert place.shape == shape
    assert place.earliest == (date.fromisoformat(earliest) if earliest else None)
    assert place.latest == (date.fromisoformat(latest) if latest else None)
    assert place.group.anchor == anchor
    if label is not None:
        assert place.group.label == label


def test_flags_and_json() -> None:
    place = placement(parse_date("../2022-08-04?"))
    assert (place.approximate, place.uncertain, place.qualified, place.is_open) == (
        False,
        True,
        True,
        True,
    )
    assert place.as_json() == {
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


ORDERED = [
    "../2021-12-31",  # before a day of December 2021: just before December 2021
    "2021-12-05",
    "2021-12-20/..",  # after a day of December 2021: just after it
    "2021/..",  # after 2021: after the whole year
    "../2022",  # before 2022: at the start of 2022
    "2022",  # 2022, month not known
    "2022-01-10",
    "../2022-07-13~",
    "../2022-07-27",
    "../2022-07-31",
    "2022-07-27",
    "2022-07/..",
    "../2022-08-04",
    "../2022-08-04?",
    "2022-08-01",
    "2022-08-04/..",
]


def test_group_order() -> None:
    """Open ranges sit next to their known end, on the side they extend towards."""
    dates = [parse_date(t) for t in ORDERED]
    shuffled = dates[:]
    random.Random(4).shuffle(shuffled)
    anchors = [g.anchor for g, _ in grouped(shuffled, lambda d: d)]
    assert anchors == [
        "before-2021-12-31",
        "m2021-12",
        "after-2021-12-20",
        "after-2021",
        "before-2022",
        "y2022-unknown",
        "m2022-01",
        "before-2022-07-13-approx",
        "before-2022-07-27",
        "before-2022-07-31",
        "m2022-07",
        "after-2022-07",
        "before-2022-08-04",
        "before-2022-08-04-uncertain",
        "m2022-08",
        "after-2022-08-04",
    ]


def test_grouped_keeps_order_within_a_group() -> None:
    dates = [parse_date(t) for t in ("2022-07-28", "2022-07-01", "2022-07")]
    ((group, members),) = grouped(dates, lambda d: d)
    assert group.label == "July 2022"
    assert members == dates


def test_groups_with_the_same_sort_key_are_ordered_by_anchor() -> None:
    a, b = parse_date("../2022-08"), parse_date("../2022-08-31")
    assert [g.anchor for g, _ in grouped([a, b], lambda d: d)] == [
        g.anchor for g, _ in grouped([b, a], lambda d: d)
    ]


# -- every date form -----------------------------------------------------------------------------

QUALIFIERS = st.sampled_from(["", "~", "?", "%"])


@st.composite
def simple(draw: st.DrawFn) -> str:
    year = draw(st.integers(1, 9999))
    month = draw(st.none() | st.integers(1, 12))
    text = f"{year:04d}"
    if month is not None:
        text += f"-{month:02d}"
        if draw(st.booleans()):
            text += f"-{draw(st.integers(1, 28)):02d}"
    return text + draw(QUALIFIERS)


@st.composite
def any_date(draw: st.DrawFn) -> EdtfDate:
    form = draw(st.sampled_from(["single", "interval", "before", "after"]))
    if form == "single":
        return parse_date(draw(simple()))
    if form == "before":
        return parse_date(f"../{draw(simple())}")
    if form == "after":
        return parse_date(f"{draw(simple())}/..")
    a, b = parse_date(draw(simple())), parse_date(draw(simple()))
    first, second = sorted([a, b], key=lambda d: (d.earliest, d.latest))
    if first.latest > second.latest:  # one inside the other: not a valid interval end order
        first, second = second, first
    text = f"{first.text}/{second.text}"
    try:
        return parse_date(text)
    except ValueError:
        return parse_date(first.text)


@settings(max_examples=300, deadline=None)
@given(any_date())
def test_placement_is_honest(value: EdtfDate) -> None:
    place = placement(value)
    group = place.group
    if value.start is None:
        assert place.shape == "open-start" and place.earliest is None
        assert place.latest == value.latest and group.kind == "before"
        assert group.label == f"Date not known; {format_date(value)}"
    elif value.end is None:
        assert place.shape == "open-end" and place.latest is None
        assert place.earliest == value.earliest and group.kind == "after"
        assert group.label == f"Date not known; {format_date(value)}"
    else:
        assert (place.earliest, place.latest) == (value.earliest, value.latest)
        # filed under the period holding its earliest possible day
        assert group.year == value.earliest.year
        assert group.month in (None, value.earliest.month)
        assert group.kind in ("month", "year")
    assert (place.approximate, place.uncertain) == (value.approximate, value.uncertain)
    assert group.anchor.replace("-", "").isalnum()  # a plain HTML id
