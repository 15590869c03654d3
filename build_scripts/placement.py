"""Where a date sits: how a figure draws it, and which group of a list holds it.

This is the one definition the timeline list, the figures, actor pages and `casefile.json`
share, so a date is never drawn in one place and filed in another.

Shapes. A single date is a `day`, a `month` or a `year` (its precision); a closed interval
`A/B` is an `interval` (one whose ends are the same date takes that date's shape); `../B`
is `open-start` (on or before B) and `A/..` is `open-end` (on or after A). `earliest` and
`latest` are the first and last possible days, None on an open side.

Groups. A closed date is filed under the month of its earliest possible day, or under its
year alone ("2022, month not known") when only the year of its start is known: what the
timeline has always done. An open range is never filed under the month of its known end, as
if it happened then: it gets a group of its own, labelled with the date as `format_date`
writes it ("Date not known; on or before 4 August 2022"). Two open ranges share a group only when
their known ends are written the same (qualifiers included).

Order of groups (`Group.sort_key`), within each year:

1. open ranges known to end in that year only ("before 2022"), since they may lie anywhere
   up to its last day, they come first, beside the start of the year;
2. "2022, month not known": the site sorts events by their earliest possible day, and a
   year's is 1 January, so it comes before January (as the timeline's first-seen order
   usually put it);
3. then each month: first its "before a day or month of this month" groups (by their known
   end, then qualifier), then the month itself, then its "after ..." groups. An open range
   sits on the side of its known end that it extends towards, next to that end;
4. last, open ranges known to start in that year only ("after 2022").

Anchors are stable across builds and safe as HTML ids: `m2022-07`, `y2022-unknown` (both as
before), `before-2022-08-04`, `after-2022-07`, `before-2022`, with `-approx`, `-uncertain`
or `-approx-uncertain` when the known end is qualified (`../2022-08-04?` is
`before-2022-08-04-uncertain`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal, TypeVar

from .dates import MONTHS, EdtfDate, Precision, SimpleDate, format_date

T = TypeVar("T")

Shape = Literal["day", "month", "year", "interval", "open-start", "open-end"]
GroupKind = Literal["month", "year", "before", "after"]

_SHAPE_OF_PRECISION: dict[Precision, Shape] = {
    Precision.DAY: "day",
    Precision.MONTH: "month",
    Precision.YEAR: "year",
}
_QUALIFIER_SLUG = {"": "", "~": "-approx", "?": "-uncertain", "%": "-approx-uncertain"}
_QUALIFIER_RANK = {"": 0, "~": 1, "?": 2, "%": 3}
# Slots within a year (see the module's docstring): 0 the year itself, 1-12 the months,
# 13 after December. Ranks within a slot: before, the closed group, after.
_END_OF_YEAR = 13
_BEFORE, _CLOSED, _AFTER = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Group:
    """A section of a list of dated records."""

    kind: GroupKind
    year: int  # the year heading it sits under
    month: int | None  # None: a year group, or an open range whose known end is a year
    bound: SimpleDate | None  # the known end of an open range
    label: str  # "July 2022", "2022, month not known", "Date not known; on or before 4 August 2022"
    anchor: str  # an HTML id: "m2022-07", "y2022-unknown", "before-2022-08-04", ...
    sort_key: tuple[int, int, int, int, int]

    @property
    def order(self) -> tuple[tuple[int, int, int, int, int], str]:
        """Sort groups by this. Two may share a sort key ("before August 2022", "before 31
        August 2022"): the anchor breaks the tie, never the order the records came in."""
        return (self.sort_key, self.anchor)


@dataclass(frozen=True, slots=True)
class Placement:
    """How a date is drawn and where it is listed."""

    shape: Shape
    earliest: date | None  # None: open start
    latest: date | None  # None: open end
    approximate: bool
    uncertain: bool
    group: Group

    @property
    def qualified(self) -> bool:
        """Approximate or uncertain: drawn hollow and dashed."""
        return self.approximate or self.uncertain

    @property
    def is_open(self) -> bool:
        return self.earliest is None or self.latest is None

    def as_json(self) -> dict[str, object]:
        """For `casefile.json`: the same facts the pages show."""
        return {
            "shape": self.shape,
            "earliest": self.earliest.isoformat() if self.earliest else None,
            "latest": self.latest.isoformat() if self.latest else None,
            "approximate": self.approximate,
            "uncertain": self.uncertain,
            "group": {"anchor": self.group.anchor, "label": self.group.label},
        }


def month_group(year: int, month: int) -> Group:
    return Group(
        "month",
        year,
        month,
        None,
        f"{MONTHS[month - 1]} {year}",
        f"m{year}-{month:02d}",
        (year, month, _CLOSED, 0, 0),
    )


def year_group(year: int) -> Group:
    return Group(
        "year", year, None, None, f"{year}, month not known", f"y{year}-unknown", (year, 0, 1, 0, 0)
    )


def _open_group(value: EdtfDate, bound: SimpleDate, *, before: bool) -> Group:
    kind: GroupKind = "before" if before else "after"
    month = None if bound.precision is Precision.YEAR else bound.month
    if before:
        slot, rank, day = month or 0, _BEFORE, bound.latest.toordinal()
    else:
        slot, rank, day = month or _END_OF_YEAR, _AFTER, bound.earliest.toordinal()
    return Group(
        kind,
        bound.year,
        month,
        bound,
        f"Date not known; {format_date(value)}",
        f"{kind}-{bound.iso}{_QUALIFIER_SLUG[bound.qualifier]}",
        (bound.year, slot, rank, day, _QUALIFIER_RANK[bound.qualifier]),
    )


@lru_cache(maxsize=65536)  # a case file has far fewer distinct dates than records
def placement(value: EdtfDate) -> Placement:
    """How `value` is drawn, and the group of a list it belongs to."""
    start, end = value.start, value.end
    approximate, uncertain = value.approximate, value.uncertain
    if start is None:
        assert end is not None  # "../.." is rejected by the parser
        group = _open_group(value, end, before=True)
        return Placement("open-start", None, end.latest, approximate, uncertain, group)
    if end is None:
        group = _open_group(value, start, before=False)
        return Placement("open-end", start.earliest, None, approximate, uncertain, group)
    shape = _SHAPE_OF_PRECISION[start.precision] if start == end else "interval"
    if start.precision is Precision.YEAR:
        group = year_group(start.year)
    else:
        first = start.earliest
        group = month_group(first.year, first.month)
    return Placement(shape, start.earliest, end.latest, approximate, uncertain, group)


def grouped(records: Iterable[T], date_of: Callable[[T], EdtfDate]) -> list[tuple[Group, list[T]]]:
    """`records` in their groups, groups in order; within a group, in the order given (pass
    them sorted by `checker.event_sort_key`)."""
    groups: dict[Group, list[T]] = defaultdict(list)
    for record in records:
        groups[placement(date_of(record)).group].append(record)
    return sorted(groups.items(), key=lambda kv: kv[0].order)
