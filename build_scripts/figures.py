"""Figures drawn at build time as static SVG and HTML: no script, no third-party code, the
same bytes for the same records.

- `timeline_overview`: events over time, for the top of the timeline page;
- `activity_strip`: one actor's events and quotes over time;
- `source_strip`: the events and quotes citing one source, on the same kind of axis;
- `connections`: an actor and the actors they share events with.

The time figures share one visual language. Each category (an event status, or "quotes")
has a row of its own, labelled in words, so colour is never the only carrier. Dates are
drawn as precisely as they are known (`placement.placement`): a day is a narrow mark, a
month or a year a band as wide as it, an interval a bar with end caps, an approximate or
uncertain date hollow and dashed, an open range ("before X", "after X") a dashed arrow whose
head touches its known end and whose shaft trails off towards the open side: never a point
at that end.

With many items (more than `DENSE_AT`) a time figure bins them: a row's bars count the items
whose whole possible range lies in one period of the axis (a month, year, decade or
century, chosen from the span); wider items keep their exact extent as bands and bars, one
per distinct date, with the count in its title; open ranges become one arrow per period and
direction. Each mark is a link: the overview's to the list section holding its events (the
first, when they span several), a strip's to the record when it stands for one, else to
the list section on the page.

Every figure carries `<title>`, `<desc>`, a legend in HTML, and a table of the same marks in
a `<details>`. Every piece of record text is escaped with `markupsafe.escape`. Styles are in
`FIGURES_CSS`; colours are CSS custom properties with a light and a dark (Material's
`slate`) value, and the SVG scales to its container (`viewBox`, `width="100%"`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from markupsafe import Markup, escape

from .dates import MONTHS, EdtfDate, format_date
from .models import STATUSES
from .placement import Placement, placement

QUOTE = "quote"
CATEGORIES = (*STATUSES, QUOTE)  # row order
DENSE_AT = 60  # more items than this: binned
MAX_BUCKETS = 60  # periods on an axis at most (60 months: 5 years at month scale)
Unit = Literal["month", "year", "decade", "century", "millennium"]
UNITS: tuple[Unit, ...] = ("month", "year", "decade", "century", "millennium")
MarkShape = Literal["day", "band", "bar", "before", "after", "bin"]

# Geometry, in viewBox units. The width suits a 390 px phone and a desktop column alike.
WIDTH = 640
PAD = 28  # left and right of the plot: room for an arrow's shaft at the edges
PLOT = WIDTH - 2 * PAD
ROW_TITLE = 18
LANE = 14  # one lane of marks
MARK_H = 10
BAR_H = 4
HIST_H = 44  # a binned row's bars
MAX_LANES = 10  # per row, individual marks; more overlap
MAX_BIN_LANES = 4  # per row, the bands, bars and arrows of a binned figure
MAX_DATES = 40  # distinct wide dates in a binned row; more are merged by period (_coarsen)
ROW_GAP = 8
AXIS_H = 30
ARROW = 30  # an open range's shaft, head included
HEAD = 7
MIN_DAY = 3  # a day's mark at least this wide, so it can be seen and hit
MIN_QUALIFIED = 6  # a hollow mark needs room for its outline


@dataclass(frozen=True, slots=True)
class Item:
    """A dated record as the time figures need it."""

    id: str
    title: str
    kind: str  # "event" or "quote"
    date: EdtfDate
    href: str  # its page
    status: str | None = None  # events: one of models.STATUSES

    @property
    def category(self) -> str:
        return self.status if self.kind == "event" and self.status else self.kind


@dataclass(frozen=True, slots=True)
class Node:
    """An actor in `connections`."""

    id: str
    name: str
    href: str


# -- the time axis -----------------------------------------------------------------------------


def _year_start(year: int) -> int:
    """The ordinal of 1 January of `year`, for the years an axis can touch (0 to 10000)."""
    if year > date.max.year:
        return date.max.toordinal() + 1
    return date(max(year, 1), 1, 1).toordinal()


def bucket_of(unit: Unit, day: date) -> int:
    if unit == "month":
        return day.year * 12 + day.month - 1
    return day.year // {"year": 1, "decade": 10, "century": 100, "millennium": 1000}[unit]


def bucket_start(unit: Unit, index: int) -> int:
    """The ordinal of the first day of bucket `index`."""
    if unit == "month":
        year, month = divmod(index, 12)
        return _year_start(year) if month == 0 else date(year, month + 1, 1).toordinal()
    return _year_start(index * {"year": 1, "decade": 10, "century": 100, "millennium": 1000}[unit])


def bucket_label(unit: Unit, index: int) -> str:
    if unit == "month":
        year, month = divmod(index, 12)
        return f"{MONTHS[month]} {year}"
    if unit == "year":
        return str(index)
    size = {"decade": 10, "century": 100, "millennium": 1000}[unit]
    return f"{index * size}s"


def _short_label(unit: Unit, index: int) -> str:
    if unit == "month":
        year, month = divmod(index, 12)
        return f"{MONTHS[month][:3]} {year}"
    return bucket_label(unit, index)


@dataclass(frozen=True, slots=True)
class Axis:
    unit: Unit
    first: int  # bucket indexes, inclusive
    last: int

    @property
    def start(self) -> int:
        return bucket_start(self.unit, self.first)

    @property
    def end(self) -> int:
        """The ordinal just past the last day."""
        return bucket_start(self.unit, self.last + 1)

    def x(self, ordinal: int) -> float:
        return PAD + (ordinal - self.start) * PLOT / (self.end - self.start)

    def day_x(self, day: date) -> float:
        return self.x(day.toordinal())

    def after_x(self, day: date) -> float:
        """The right edge of `day`."""
        return self.x(day.toordinal() + 1)

    def bucket(self, day: date) -> int:
        return bucket_of(self.unit, day)

    def bucket_span(self, index: int) -> tuple[date, date]:
        """The first and last day of bucket `index`."""
        first = date.fromordinal(max(bucket_start(self.unit, index), 1))
        end = bucket_start(self.unit, index + 1) - 1
        return first, date.fromordinal(min(end, date.max.toordinal()))


def choose_axis(items: Iterable[Item]) -> Axis | None:
    """The finest unit that shows every known day of `items` in at most MAX_BUCKETS periods."""
    days = [d for item in items for d in _known_days(placement(item.date))]
    if not days:
        return None
    low, high = min(days), max(days)
    for unit in UNITS:
        first, last = bucket_of(unit, low), bucket_of(unit, high)
        if last - first < MAX_BUCKETS or unit == UNITS[-1]:
            return Axis(unit, first, last)
    raise AssertionError("unreachable")  # pragma: no cover


def _known_days(place: Placement) -> list[date]:
    return [d for d in (place.earliest, place.latest) if d is not None]


# -- layout ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Mark:
    """One link in a time figure: what it stands for and where it is drawn (row-relative y)."""

    shape: MarkShape
    x0: float
    x1: float
    y: float
    h: float
    qualified: bool
    items: tuple[Item, ...]
    label: str  # the period or date it stands for, as readers see it
    first: date | None  # the period its items lie in (None: open on that side)
    last: date | None
    tip: float | None = None  # an arrow's head: the known end
    index: int = 0  # in the whole figure, shared with its row in the table


@dataclass(slots=True)
class Row:
    category: str
    count: int
    marks: list[Mark] = field(default_factory=list)
    height: float = 0.0


@dataclass(slots=True)
class TimeLayout:
    axis: Axis
    binned: bool
    rows: list[Row]

    @property
    def marks(self) -> list[Mark]:
        return [m for row in self.rows for m in row.marks]


def _item_key(item: Item) -> tuple[object, ...]:
    return (*item.date.sort_key, item.id)


def _category_key(category: str) -> tuple[int, str]:
    return (CATEGORIES.index(category) if category in CATEGORIES else len(CATEGORIES), category)


def _extent_mark(axis: Axis, place: Placement, items: tuple[Item, ...], label: str) -> Mark:
    """The mark of one date, or of items that share one date, at its exact extent."""
    qualified = place.qualified
    if place.earliest is None:  # "../B": a shaft from the past, its head on B's last day
        assert place.latest is not None
        tip = axis.after_x(place.latest)
        x0 = tip - ARROW
        return Mark("before", x0, tip, 0, MARK_H, qualified, items, label, None, place.latest, tip)
    if place.latest is None:  # "A/..": its head on A's first day, a shaft to the future
        tip = axis.day_x(place.earliest)
        x1 = tip + ARROW
        return Mark("after", tip, x1, 0, MARK_H, qualified, items, label, place.earliest, None, tip)
    x0, x1 = axis.day_x(place.earliest), axis.after_x(place.latest)
    shape: MarkShape = {"day": "day", "interval": "bar"}.get(place.shape, "band")  # type: ignore[assignment]
    if shape == "day":
        width = max(x1 - x0, MIN_QUALIFIED if qualified else MIN_DAY)
        middle = (x0 + x1) / 2
        x0, x1 = middle - width / 2, middle + width / 2
    elif x1 - x0 < (MIN_QUALIFIED if qualified else MIN_DAY):
        middle, width = (x0 + x1) / 2, MIN_QUALIFIED if qualified else MIN_DAY
        x0, x1 = middle - width / 2, middle + width / 2
    return Mark(shape, x0, x1, 0, MARK_H, qualified, items, label, place.earliest, place.latest)


def _pack(marks: list[Mark], *, top: float, max_lanes: int) -> int:
    """Give each mark a lane (its y), first free lane first; past `max_lanes`, the lane that
    frees soonest, overlapping. Returns the lanes used."""
    ends: list[float] = []
    for mark in sorted(marks, key=lambda m: (m.x0, m.x1, m.items[0].id, m.label)):
        lane = next((i for i, end in enumerate(ends) if end + 2 <= mark.x0), None)
        if lane is None and len(ends) < max_lanes:
            lane = len(ends)
            ends.append(mark.x1)
        elif lane is None:
            lane = min(range(len(ends)), key=lambda i: (ends[i], i))
        ends[lane] = max(ends[lane], mark.x1)
        mark.y = top + lane * LANE + (LANE - MARK_H) / 2
    return len(ends)


def _first_group_anchor(items: Iterable[Item]) -> str:
    return min((placement(i.date).group for i in items), key=lambda g: g.order).anchor


def layout_time(items: Sequence[Item], *, binned: bool | None = None) -> TimeLayout | None:
    """Where each mark of a time figure goes; None when there is nothing to draw.
    `binned`: force the dense (True) or the one-mark-per-item (False) form."""
    axis = choose_axis(items)
    if axis is None:
        return None
    if binned is None:
        binned = len(items) > DENSE_AT
    by_category: dict[str, list[Item]] = defaultdict(list)
    for item in sorted(items, key=_item_key):
        by_category[item.category].append(item)
    rows = [Row(c, len(by_category[c])) for c in sorted(by_category, key=_category_key)]
    if binned:
        _layout_binned(axis, rows, by_category)
    else:
        for row in rows:
            row.marks = [
                _extent_mark(axis, placement(i.date), (i,), format_date(i.date))
                for i in by_category[row.category]
            ]
            lanes = _pack(row.marks, top=ROW_TITLE, max_lanes=MAX_LANES)
            row.height = ROW_TITLE + lanes * LANE + ROW_GAP
    for index, mark in enumerate(m for row in rows for m in row.marks):
        mark.index = index
    return TimeLayout(axis, binned, rows)


# Items of a binned row: those inside one period, by (period, qualified); the others, wider
# than a period or open, by ("date", text) or ("open", before, period, qualified).
_Bins = dict[tuple[int, bool], list[Item]]
_Wide = dict[tuple[object, ...], list[Item]]


def _layout_binned(axis: Axis, rows: list[Row], by_category: dict[str, list[Item]]) -> None:
    bins: dict[str, _Bins] = {}
    others: dict[str, _Wide] = {}
    for row in rows:
        bins[row.category], others[row.category] = _split_binned(axis, by_category[row.category])
    tallest = max(
        (
            sum(len(v) for (b, _), v in row_bins.items() if b == bucket)
            for row_bins in bins.values()
            for bucket, _ in row_bins
        ),
        default=1,
    )
    for row in rows:
        marks = _bin_marks(axis, bins[row.category], tallest)
        spread = _wide_marks(axis, others[row.category])
        lanes = _pack(spread, top=ROW_TITLE + HIST_H + 4, max_lanes=MAX_BIN_LANES)
        row.marks = marks + sorted(spread, key=lambda m: (m.y, m.x0, m.label))
        row.height = ROW_TITLE + HIST_H + 4 + lanes * LANE + ROW_GAP


def _split_binned(axis: Axis, items: Iterable[Item]) -> tuple[_Bins, _Wide]:
    """A row's items, counted in the period they lie in, or kept aside when they do not lie
    in one."""
    bins: _Bins = defaultdict(list)
    wide: _Wide = defaultdict(list)
    for item in items:
        place = placement(item.date)
        if place.earliest is not None and place.latest is not None:
            if axis.bucket(place.earliest) == axis.bucket(place.latest):
                bins[(axis.bucket(place.earliest), place.qualified)].append(item)
            else:  # wider than a period: its exact extent, one mark per distinct date
                wide[("date", item.date.text)].append(item)
        else:  # an open range: one arrow per direction, period and qualifier
            known = place.latest if place.earliest is None else place.earliest
            assert known is not None
            wide[("open", place.earliest is None, axis.bucket(known), place.qualified)].append(item)
    return bins, wide


def _bin_marks(axis: Axis, bins: _Bins, tallest: int) -> list[Mark]:
    """A row's histogram: one bar per period and qualifier, stacked within a period."""
    marks: list[Mark] = []
    stacked: dict[int, float] = defaultdict(float)
    for (bucket, qualified), members in sorted(bins.items()):
        first, last = axis.bucket_span(bucket)
        x0, x1 = axis.day_x(first) + 0.5, axis.after_x(last) - 0.5
        if x1 - x0 < 1:
            x0, x1 = (x0 + x1 - 1) / 2, (x0 + x1 + 1) / 2
        h = max(2.0, HIST_H * len(members) / tallest)
        y = ROW_TITLE + HIST_H - stacked[bucket] - h
        stacked[bucket] += h
        label = bucket_label(axis.unit, bucket)
        marks.append(Mark("bin", x0, x1, y, h, qualified, tuple(members), label, first, last))
    return marks


def _wide_marks(axis: Axis, wide: _Wide) -> list[Mark]:
    """A row's items wider than a period, and its open ranges: one mark per key."""
    if sum(1 for key in wide if key[0] == "date") > MAX_DATES:
        wide = _coarsen(axis, wide)
    spread: list[Mark] = []
    for key, members in wide.items():
        if key[0] == "periods":
            spread.append(_periods_mark(axis, key, tuple(members)))
            continue
        first_item = members[0] if key[0] == "date" else _loosest(members, before=bool(key[1]))
        place = placement(first_item.date)
        label = format_date(first_item.date)
        spread.append(_extent_mark(axis, place, tuple(members), label))
    return spread


def _loosest(members: Sequence[Item], *, before: bool) -> Item:
    """The loosest true statement for all of them: before the latest known end, after the
    earliest known start."""
    pick = max if before else min
    return pick(
        members,
        key=lambda i: (
            placement(i.date).latest if before else placement(i.date).earliest,
            i.id,
        ),
    )


def _coarsen(axis: Axis, wide: _Wide) -> _Wide:
    """Too many distinct wide dates in a row: one mark per pair of first and last period
    (and qualifier), spanning all its dates. Looser, never wrong: each lies inside it."""
    out: _Wide = defaultdict(list)
    for key, members in wide.items():
        if key[0] != "date":
            out[key].extend(members)
            continue
        for item in members:
            place = placement(item.date)
            assert place.earliest is not None and place.latest is not None
            periods = (axis.bucket(place.earliest), axis.bucket(place.latest))
            out[("periods", *periods, place.qualified)].append(item)
    return out


def _periods_mark(axis: Axis, key: tuple[object, ...], items: tuple[Item, ...]) -> Mark:
    _, first_bucket, last_bucket, qualified = key
    assert isinstance(first_bucket, int) and isinstance(last_bucket, int)
    places = [placement(i.date) for i in items]
    first = min(p.earliest for p in places if p.earliest)
    last = max(p.latest for p in places if p.latest)
    label = (
        f"between {bucket_label(axis.unit, first_bucket)} and "
        f"{bucket_label(axis.unit, last_bucket)}"
    )
    x0, x1 = axis.day_x(first), axis.after_x(last)
    return Mark("bar", x0, x1, 0, MARK_H, bool(qualified), items, label, first, last)


# -- writing SVG -------------------------------------------------------------------------------


def _n(value: float) -> str:
    """A coordinate, the same text on every machine: one decimal, no trailing zero."""
    text = f"{round(value, 1):.1f}"
    return text[:-2] if text.endswith(".0") else text


def _counted(n: int, nouns: str) -> str:
    """`n` and `nouns` (a regular plural), in the singular when `n` is 1: "1 record"."""
    return f"{n} {nouns.removesuffix('s') if n == 1 else nouns}"


def _category_label(category: str) -> str:
    return "quotes" if category == QUOTE else category


def _count(n: int, category: str) -> str:
    noun = (
        ("quote" if n == 1 else "quotes") if category == QUOTE else "event" if n == 1 else "events"
    )
    if category == QUOTE:
        return f"{n} {noun}"
    return f"{n} {category} {noun}"


def _describe(mark: Mark, category: str) -> str:
    """A mark in words: its tooltip and its row in the table."""
    qualifier = ", approximate or uncertain dates" if mark.qualified and mark.shape == "bin" else ""
    if len(mark.items) == 1 and mark.shape != "bin":
        item = mark.items[0]
        what = "Quote" if item.kind == QUOTE else f"Event ({item.status})"
        return f"{mark.label}: {item.title}. {what}"
    if mark.shape in ("before", "after"):
        return f"{_count(len(mark.items), category)}, date not known; {mark.label}"
    return f"{mark.label}: {_count(len(mark.items), category)}{qualifier}"


def _hit(x0: float, x1: float, y: float, h: float) -> str:
    """An invisible target over a thin mark, so it can be hovered and clicked."""
    return f'<rect class="cf-hit" x="{_n(x0)}" y="{_n(y)}" width="{_n(x1 - x0)}" height="{_n(h)}"/>'


def _mark_svg(mark: Mark, href: str, category: str) -> str:
    q = " cf-q" if mark.qualified else ""
    x0, x1, y, h = mark.x0, mark.x1, mark.y, mark.h
    middle = y + h / 2
    parts: list[str] = []
    if mark.shape in ("before", "after"):
        assert mark.tip is not None
        tip = mark.tip
        back = tip - HEAD if mark.shape == "before" else tip + HEAD
        tail = x0 if mark.shape == "before" else x1
        parts.append(_hit(x0, x1, y, h))
        parts.append(f'<path class="cf-shaft" d="M{_n(tail)} {_n(middle)}H{_n(back)}"/>')
        parts.append(
            f'<path class="cf-mark cf-head{q}" d="M{_n(tip)} {_n(middle)}'
            f'L{_n(back)} {_n(y)}L{_n(back)} {_n(y + h)}Z"/>'
        )
    elif mark.shape == "bar":
        parts.append(_hit(x0, x1, y, h))
        parts.append(
            f'<rect class="cf-mark cf-bar{q}" x="{_n(x0)}" y="{_n(middle - BAR_H / 2)}" '
            f'width="{_n(x1 - x0)}" height="{_n(BAR_H)}"/>'
        )
        parts.append(
            f'<path class="cf-cap" d="M{_n(x0)} {_n(y)}V{_n(y + h)}M{_n(x1)} {_n(y)}V{_n(y + h)}"/>'
        )
    else:
        kind = {"day": "cf-day", "band": "cf-band", "bin": "cf-bin"}[mark.shape]
        parts.append(
            f'<rect class="cf-mark {kind}{q}" x="{_n(x0)}" y="{_n(y)}" '
            f'width="{_n(x1 - x0)}" height="{_n(h)}"/>'
        )
    title = escape(_describe(mark, category))
    return (
        f'<a href="{escape(href)}" data-mark="{mark.index}"><title>{title}</title>'
        + "".join(parts)
        + "</a>"
    )


def _axis_svg(axis: Axis, y: float) -> str:
    count = axis.last - axis.first + 1
    step = max(1, math.ceil(count / 7))
    if axis.unit == "month" and count > 12:  # label Januaries, or every few of them
        step = 12 * max(1, math.ceil(count / 12 / 7))
    parts = [f'<g class="cf-axis"><path class="cf-rule" d="M{PAD} {_n(y)}H{WIDTH - PAD}"/>']
    ticks: list[str] = []
    for index in range(axis.first, axis.last + 2):
        x = axis.x(bucket_start(axis.unit, index))
        ticks.append(f"M{_n(x)} {_n(y)}v4")
    parts.append(f'<path class="cf-tick" d="{"".join(ticks)}"/>')
    for index in range(axis.first, axis.last + 1):
        aligned = index % step == 0 if step > 1 else True
        if not aligned:
            continue
        x0 = axis.x(bucket_start(axis.unit, index))
        x1 = axis.x(bucket_start(axis.unit, index + 1))
        label = escape(_short_label(axis.unit, index))
        parts.append(
            f'<text x="{_n((x0 + x1) / 2)}" y="{_n(y + 18)}" text-anchor="middle">{label}</text>'
        )
    parts.append("</g>")
    return "".join(parts)


_UNIT_WORDS = {
    "month": "by month",
    "year": "by year",
    "decade": "by decade",
    "century": "by century",
    "millennium": "by millennium",
}


def _time_svg(
    layout: TimeLayout, link: Callable[[Mark], str], *, fig_id: str, title: str, desc: str
) -> str:
    y = 0.0
    body: list[str] = []
    for row in layout.rows:
        label = escape(f"{_category_label(row.category)} · {row.count}")
        body.append(
            f'<g class="cf-row cf-c-{escape(row.category)}" transform="translate(0 {_n(y)})">'
            f'<text class="cf-row-label" x="{PAD}" y="13">{label}</text>'
        )
        body.extend(_mark_svg(m, link(m), row.category) for m in row.marks)
        body.append("</g>")
        y += row.height
    body.append(_axis_svg(layout.axis, y + 2))
    height = y + AXIS_H
    return _svg_open(fig_id, height, title, desc) + "".join(body) + "</svg>"


def _svg_open(fig_id: str, height: float, title: str, desc: str) -> str:
    """An SVG as wide as its container, named by its `<title>`, described by its `<desc>`.
    A group, not an image: its marks are links, and an image's children are not."""
    fid = escape(fig_id)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="cf-svg" '
        f'viewBox="0 0 {WIDTH} {_n(height)}" width="100%" role="group" '
        f'aria-labelledby="{fid}-title" aria-describedby="{fid}-desc">'
        f'<title id="{fid}-title">{escape(title)}</title>'
        f'<desc id="{fid}-desc">{escape(desc)}</desc>'
    )


# -- HTML around the SVG -----------------------------------------------------------------------

_KEY = '<svg class="cf-key" viewBox="0 0 24 12" width="24" height="12" aria-hidden="true">{}</svg>'


# The legend's keys: the mark drawn small, and its meaning, in the order they are listed.
_LEGEND: tuple[tuple[str, str, str], ...] = (
    ("bin", '<rect class="cf-mark cf-bin" x="2" y="1" width="8" height="10"/>', "number of "
     "records in the period (height)"),
    ("day", '<rect class="cf-mark cf-day" x="10" y="1" width="3" height="10"/>', "a day"),
    ("band", '<rect class="cf-mark cf-band" x="2" y="1" width="20" height="10"/>', "a month or "
     "a year"),
    ("bar", '<rect class="cf-mark cf-bar" x="2" y="4" width="20" height="4"/>'
     '<path class="cf-cap" d="M2 1V11M22 1V11"/>', "an interval"),
    ("qualified", '<rect class="cf-mark cf-band cf-q" x="2" y="1" width="20" height="10"/>',
     "approximate or uncertain (hollow, dashed)"),
    ("before", '<path class="cf-shaft" d="M1 6H15"/>'
     '<path class="cf-mark cf-head" d="M22 6L15 1L15 11Z"/>', "on or before the date the "
     "arrow points to"),
    ("after", '<path class="cf-shaft" d="M9 6H23"/>'
     '<path class="cf-mark cf-head" d="M2 6L9 1L9 11Z"/>', "on or after the date the arrow "
     "points to"),
)  # fmt: skip


def _legend(layout: TimeLayout) -> str:
    present = {m.shape for m in layout.marks}
    if any(m.qualified for m in layout.marks):
        present.add("qualified")  # type: ignore[arg-type]
    items = [
        f"<li>{_KEY.format(svg)} {escape(text)}</li>"
        for shape, svg, text in _LEGEND
        if shape in present
    ]
    swatch = _KEY.format('<rect class="cf-mark cf-band" x="2" y="1" width="20" height="10"/>')
    items.extend(
        f'<li class="cf-c-{escape(row.category)}">{swatch} '
        f"{escape(_category_label(row.category))}</li>"
        for row in layout.rows
    )
    return f'<ul class="cf-legend">{"".join(items)}</ul>'


def _table(layout: TimeLayout, link: Callable[[Mark], str], summary: str) -> str:
    head = '<tr><th scope="col">When</th><th scope="col">What</th><th scope="col">Status</th>'
    head += '<th scope="col">Records</th></tr>' if layout.binned else "</tr>"
    rows: list[str] = []
    for row in layout.rows:
        for mark in row.marks:
            status = escape(_category_label(row.category) if row.category != QUOTE else "quote")
            if len(mark.items) == 1 and mark.shape != "bin":
                item = mark.items[0]
                what = f'<a href="{escape(item.href)}">{escape(item.title)}</a>'
                count = "<td>1</td>" if layout.binned else ""
            else:
                what = f'<a href="{escape(link(mark))}">{escape(_describe(mark, row.category))}</a>'
                count = f"<td>{len(mark.items)}</td>"
            when = escape(
                mark.label
                if mark.shape != "bin" or not mark.qualified
                else f"{mark.label} (approximate or uncertain)"
            )
            cells = f"<td>{when}</td><td>{what}</td><td>{status}</td>{count}"
            rows.append(f'<tr data-mark="{mark.index}">{cells}</tr>')
    return (
        f'<details class="cf-alt"><summary>{escape(summary)}</summary>'
        f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table></details>"
    )


def _time_figure(
    items: Sequence[Item],
    link: Callable[[Mark], str],
    *,
    fig_id: str,
    css_class: str,
    title: str,
    noun: str,
    binned: bool | None,
    after_legend: str = "",
) -> Markup:
    layout = layout_time(items, binned=binned)
    if layout is None:
        return Markup("")
    axis = layout.axis
    span = (
        bucket_label(axis.unit, axis.first)
        if axis.first == axis.last
        else f"{bucket_label(axis.unit, axis.first)} to {bucket_label(axis.unit, axis.last)}"
    )
    rows = ", ".join(f"{_category_label(r.category)} {r.count}" for r in layout.rows)
    how = (
        f"Counted {_UNIT_WORDS[axis.unit]}; dates wider than a period and open ranges are drawn "
        "below each row's bars."
        if layout.binned
        else "Each record is one mark, as precise as its date."
    )
    desc = f"{_counted(len(items), noun)}, {span}, one row per status ({rows}). {how}"
    svg = _time_svg(layout, link, fig_id=fig_id, title=title, desc=desc)
    table = _table(layout, link, f"The same {noun} as a table")
    return Markup(
        f'<figure class="cf-fig {css_class}" id="{escape(fig_id)}">'
        f"{svg}{_legend(layout)}{after_legend}{table}</figure>"
    )


def _zoom_nav(items: Sequence[Item], axis: Axis, href_of_zoom: Callable[[int, int], str]) -> str:
    if axis.unit == "month":
        return ""
    years = sorted({d.year for i in items for d in _known_days(placement(i.date))})
    if axis.unit == "year":
        ranges = [(y, y, str(y)) for y in years]
    else:
        decades = sorted({y // 10 for y in years})
        ranges = [(d * 10, d * 10 + 9, f"{d * 10}s") for d in decades]
    links = "".join(
        f'<li><a href="{escape(href_of_zoom(a, b))}">{escape(text)}</a></li>'
        for a, b, text in ranges
    )
    return (
        '<nav class="cf-zoom" aria-label="Zoom to a period">'
        f"<span>Zoom to</span><ul>{links}</ul></nav>"
    )


# -- the figures -------------------------------------------------------------------------------


def timeline_overview(
    items: Sequence[Item],
    *,
    href_of_group: Callable[[str], str],
    href_of_zoom: Callable[[int, int], str] | None = None,
    fig_id: str = "cf-timeline-chart",
    title: str = "Events over time",
    binned: bool | None = None,
) -> Markup:
    """Events over time. Every mark links to `href_of_group(anchor)`, the anchor of the list
    group (`placement.Group.anchor`) holding its events (the first of them, in list order).
    When the axis counts years or longer periods, `href_of_zoom(first_year, last_year)` gives
    a link for each year (or decade) with events. Empty Markup when there is nothing dated."""

    def link(mark: Mark) -> str:
        return href_of_group(_first_group_anchor(mark.items))

    zoom = ""
    if href_of_zoom is not None and (axis := choose_axis(items)) is not None:
        zoom = _zoom_nav(items, axis, href_of_zoom)
    return _time_figure(
        items,
        link,
        fig_id=fig_id,
        css_class="cf-fig-timeline",
        title=title,
        noun="events",
        binned=binned,
        after_legend=zoom,
    )


def _strip_link(href_of_group: Callable[[str], str] | None) -> Callable[[Mark], str]:
    def link(mark: Mark) -> str:
        if len(mark.items) == 1 or href_of_group is None:
            return min(mark.items, key=_item_key).href
        return href_of_group(_first_group_anchor(mark.items))

    return link


def activity_strip(
    items: Sequence[Item],
    *,
    name: str,
    href_of_group: Callable[[str], str] | None = None,
    fig_id: str = "cf-activity",
    binned: bool | None = None,
) -> Markup:
    """One actor's events and quotes over time. A mark standing for one record links to it;
    one standing for several (binned, past DENSE_AT records) to `href_of_group(anchor)` when
    given (the page's list section for that group), else to the earliest of them."""
    return _time_figure(
        items,
        _strip_link(href_of_group),
        fig_id=fig_id,
        css_class="cf-fig-strip",
        title=f"Events and quotes of {name} over time",
        noun="records",
        binned=binned,
    )


def source_strip(
    items: Sequence[Item],
    *,
    name: str,
    href_of_group: Callable[[str], str] | None = None,
    fig_id: str = "cf-source-strip",
    binned: bool | None = None,
) -> Markup:
    """The events and quotes citing one source (`name`: its title), like `activity_strip`."""
    return _time_figure(
        items,
        _strip_link(href_of_group),
        fig_id=fig_id,
        css_class="cf-fig-strip",
        title=f"Events and quotes citing {name}, over time",
        noun="records",
        binned=binned,
    )


# -- connections -------------------------------------------------------------------------------

CONNECTIONS_SHOWN = 12
_CX, _CY, _RADIUS, _HEIGHT = WIDTH / 2, 180.0, 120.0, 360
_NAME_CHARS = 20


def _short(name: str) -> str:
    name = " ".join(name.split())
    return name if len(name) <= _NAME_CHARS else name[: _NAME_CHARS - 1].rstrip() + "…"


def ranked(others: Iterable[tuple[Node, int]]) -> list[tuple[Node, int]]:
    """Most shared events first; then by name, then id: the same order on every build."""
    return sorted(others, key=lambda nw: (-nw[1], nw[0].name.casefold(), nw[0].id))


def connections(
    center: Node,
    others: Iterable[tuple[Node, int]],
    *,
    limit: int = CONNECTIONS_SHOWN,
    fig_id: str = "cf-connections",
) -> Markup:
    """`center` and the actors it shares events with, each with the number of shared events
    (its line's width, and the number in its label). The `limit` with the most are drawn,
    evenly around a circle, clockwise from the top in `ranked` order; the figure says how
    many more there are. Empty Markup when there are none."""
    everyone = [(n, w) for n, w in ranked(others) if w > 0]
    if not everyone:
        return Markup("")
    shown, hidden = everyone[:limit], len(everyone) - min(limit, len(everyone))
    heaviest = shown[0][1]
    edges: list[str] = []
    nodes: list[str] = []
    rows: list[str] = []
    for i, (node, weight) in enumerate(shown):
        edge, drawn, row = _spoke(node, weight, i, len(shown), heaviest)
        edges.append(edge)
        nodes.append(drawn)
        rows.append(row)
    more = (
        f"{_counted(hidden, 'more actors')} share{'s' if hidden == 1 else ''} fewer events, "
        "not drawn."
        if hidden
        else ""
    )
    fid = escape(fig_id)
    title = f"Actors who share events with {center.name}"
    desc = (
        f"{center.name} in the centre; around them the {_counted(len(shown), 'actors')} they "
        "share the most events with, clockwise from the top, most first. A line's width and the "
        f"number by each name are the number of shared events. {more}"
    ).strip()
    svg = (
        _svg_open(fig_id, _HEIGHT, title, desc)
        + f'<g class="cf-edges">{"".join(edges)}</g>{_center_svg(center)}{"".join(nodes)}</svg>'
    )
    note = f'<p class="cf-more">{escape(more)}</p>' if more else ""
    table = _connections_table(rows)
    return Markup(
        f'<figure class="cf-fig cf-fig-connections" id="{fid}">{svg}{note}{table}</figure>'
    )


def _connections_table(rows: list[str]) -> str:
    return (
        f'<details class="cf-alt"><summary>The same actors as a table</summary><table><thead>'
        f'<tr><th scope="col">Actor</th><th scope="col">Shared events</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></details>"
    )


def _spoke(node: Node, weight: int, i: int, count: int, heaviest: int) -> tuple[str, str, str]:
    """The `i`th of `count` actors around the circle, clockwise from the top: its line, its
    node with its label, and its row in the table."""
    angle = -math.pi / 2 + 2 * math.pi * i / count
    cos, sin = math.cos(angle), math.sin(angle)
    x, y = _CX + _RADIUS * cos, _CY + _RADIUS * sin
    width = 1.5 + 6.5 * weight / heaviest
    edge = (
        f'<path class="cf-edge" stroke-width="{_n(width)}" '
        f'd="M{_n(_CX)} {_n(_CY)}L{_n(x)} {_n(y)}"/>'
    )
    lx, ly = _CX + (_RADIUS + 14) * cos, _CY + (_RADIUS + 14) * sin + 4
    anchor = "start" if cos > 0.3 else "end" if cos < -0.3 else "middle"
    if anchor == "middle":
        ly += 10 if sin > 0 else -6
    shared = f"{weight} shared event" + ("" if weight == 1 else "s")
    drawn = (
        f'<a href="{escape(node.href)}" data-node="{escape(node.id)}">'
        f"<title>{escape(node.name)}: {shared}</title>"
        f'<circle class="cf-node" cx="{_n(x)}" cy="{_n(y)}" r="7"/>'
        f'<text class="cf-halo" x="{_n(lx)}" y="{_n(ly)}" text-anchor="{anchor}">'
        f"{escape(_short(node.name))} ({weight})</text></a>"
    )
    row = (
        f'<tr data-node="{escape(node.id)}"><td><a href="{escape(node.href)}">'
        f"{escape(node.name)}</a></td><td>{weight}</td></tr>"
    )
    return edge, drawn, row


def _center_svg(center: Node) -> str:
    return (
        f'<a href="{escape(center.href)}" data-node="{escape(center.id)}">'
        f"<title>{escape(center.name)}</title>"
        f'<circle class="cf-node cf-center" cx="{_n(_CX)}" cy="{_n(_CY)}" r="11"/>'
        f'<text class="cf-halo cf-center-label" x="{_n(_CX)}" y="{_n(_CY + 27)}" '
        f'text-anchor="middle">{escape(_short(center.name))}</text></a>'
    )


# -- styles ------------------------------------------------------------------------------------

# Light values pass 3:1 (WCAG 1.4.11, graphics) against white, dark ones against Material's
# slate background (#1e2029); tests/test_figures.py checks both. Text is currentColor: the
# page's own text colour, whatever the scheme.
COLOURS: dict[str, tuple[str, str]] = {
    "confirmed": ("#1b6e2f", "#7bd88f"),
    "reported": ("#1a5a96", "#8cc4ff"),
    "claimed": ("#8a4b00", "#ffb86b"),
    "disputed": ("#8a2be2", "#d4a5ff"),
    "denied": ("#b00020", "#ff8a80"),
    "retracted": ("#555555", "#bbbbbb"),
    QUOTE: ("#00677a", "#5ed3ea"),
}


def _css() -> str:
    light = "".join(f"--cf-{c}:{v[0]};" for c, v in COLOURS.items())
    dark = "".join(f"--cf-{c}:{v[1]};" for c, v in COLOURS.items())
    categories = "\n".join(f".cf-c-{c}{{--cf-colour:var(--cf-{c})}}" for c in COLOURS)
    return f"""\
/* Figures (build_scripts/figures.py). */
.cf-fig{{{light}--cf-colour:currentColor;--cf-bg:var(--md-default-bg-color,#fff);
  margin:1em 0;max-width:100%}}
[data-md-color-scheme="slate"] .cf-fig{{{dark}}}
/* Material centres a figure and shrinks it to its content; a figure here is as wide as text. */
.md-typeset .cf-fig{{display:block;width:auto;margin:1em 0}}
{categories}
.cf-fig .cf-svg{{display:block;width:100%;height:auto;max-width:100%;overflow:visible}}
.cf-fig text{{fill:currentColor;font-size:12px;font-family:inherit}}
.cf-fig .cf-row-label{{font-weight:700}}
.cf-fig .cf-mark{{fill:var(--cf-colour);stroke:var(--cf-colour);stroke-width:1}}
.cf-fig .cf-band{{fill-opacity:.45}}
.cf-fig .cf-q{{fill:var(--cf-bg);fill-opacity:1;stroke-dasharray:3 2;stroke-width:1.5}}
.cf-fig .cf-cap,.cf-fig .cf-shaft{{fill:none;stroke:var(--cf-colour);stroke-width:1.5}}
.cf-fig .cf-shaft{{stroke-dasharray:3 3}}
.cf-fig .cf-hit{{fill:transparent}}
.cf-fig .cf-axis{{fill:none;stroke:currentColor}}
.cf-fig .cf-axis text{{stroke:none}}
.cf-fig .cf-rule,.cf-fig .cf-tick{{stroke:currentColor;stroke-opacity:.6}}
.cf-fig .cf-edge{{stroke:currentColor;stroke-opacity:.55;fill:none}}
.cf-fig .cf-node{{fill:var(--cf-bg);stroke:currentColor;stroke-width:2}}
.cf-fig .cf-center{{fill:currentColor}}
.cf-fig .cf-center-label{{font-weight:700}}
.cf-fig .cf-halo{{paint-order:stroke;stroke:var(--cf-bg);stroke-width:3px;stroke-linejoin:round}}
.cf-fig a:hover .cf-mark,.cf-fig a:focus .cf-mark,.cf-fig a:hover .cf-node,
.cf-fig a:focus .cf-node{{stroke:var(--md-accent-fg-color,currentColor);stroke-width:3}}
.cf-fig a:focus{{outline:none}}
.cf-fig a:focus-visible{{outline:2px solid var(--md-accent-fg-color,currentColor);
  outline-offset:2px}}
.cf-fig a:focus-visible text{{text-decoration:underline}}
.cf-legend,.md-typeset .cf-legend{{display:flex;flex-wrap:wrap;gap:.2em 1.2em;list-style:none;
  margin:.4em 0;padding:0;font-size:.8em}}
.md-typeset .cf-legend li{{margin:0;display:flex;align-items:center;gap:.3em}}
.cf-key{{flex:none;overflow:visible}}
.cf-zoom{{font-size:.8em;display:flex;flex-wrap:wrap;gap:.3em .8em;align-items:baseline}}
.cf-zoom ul,.md-typeset .cf-zoom ul{{display:flex;flex-wrap:wrap;gap:.3em .8em;list-style:none;
  margin:0;padding:0}}
.md-typeset .cf-zoom li{{margin:0}}
.cf-fig .cf-more{{font-size:.8em;margin:.3em 0}}
.cf-fig-connections .cf-svg{{max-width:40rem;margin:0 auto}}
/* On a phone the SVG is drawn at about half size: its words grow to stay readable. */
@media (max-width:40em){{.cf-fig text{{font-size:19px}}.cf-fig-connections text{{font-size:16px}}}}
.cf-alt table{{width:100%;font-size:.8em}}
.cf-alt td,.cf-alt th{{overflow-wrap:anywhere}}
"""


FIGURES_CSS = _css()
