"""Dates of record format v1: a subset of EDTF (ISO 8601-2), parsed, checked and displayed.

Accepted: `YYYY`, `YYYY-MM`, `YYYY-MM-DD`, each optionally followed by `~` (approximate),
`?` (uncertain) or `%` (both); an interval `A/B`; an open interval `../B` (on or before B)
or `A/..` (on or after A).

Every date has an earliest and a latest possible day. Display goes through `format_date`
only, so a date reads the same on every page.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import IntEnum

from .findings import CODES, DATE_FORMAT_HINT

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

FORMAT_HINT = DATE_FORMAT_HINT  # the hint most date errors give (its text is the catalogue's)

_SIMPLE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?([~?%])?")
_OPEN = ".."
DASH = "\u2013"  # en dash between the ends of a range


class DateError(ValueError):
    """A date that is not in the accepted form, names no real day, or runs backwards.

    `code` is the finding code (`bad-date`, `impossible-date`, `reversed-interval`); `variant`
    and `fields` fill its templates in the catalogue (`findings.CODES`), which `message` and
    `hint` read. `offset` is where in the text the problem starts.
    """

    def __init__(
        self,
        code: str,
        *,
        variant: str | None = None,
        offset: int = 0,
        fix: str | None = None,
        **fields: object,
    ) -> None:
        self.code = code
        self.variant = variant
        self.fields = fields
        self.offset = offset
        self.fix = fix  # the date as it must be written, when only one reading is possible
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return CODES[self.code].render(self.variant, self.fields)[0]

    @property
    def hint(self) -> str | None:
        return CODES[self.code].render(self.variant, self.fields)[1]


class Precision(IntEnum):
    YEAR = 1
    MONTH = 2
    DAY = 3


@dataclass(frozen=True, slots=True)
class SimpleDate:
    """One calendar date at year, month or day precision."""

    year: int
    month: int | None = None
    day: int | None = None
    approximate: bool = False
    uncertain: bool = False

    @property
    def precision(self) -> Precision:
        if self.day is not None:
            return Precision.DAY
        if self.month is not None:
            return Precision.MONTH
        return Precision.YEAR

    @property
    def earliest(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    @property
    def latest(self) -> date:
        if self.day is not None:
            return date(self.year, self.month or 1, self.day)
        month = self.month or 12
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    @property
    def iso(self) -> str:
        """The date without qualifiers, as HTML's `<time datetime>` accepts it."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    @property
    def qualifier(self) -> str:
        if self.approximate and self.uncertain:
            return "%"
        if self.approximate:
            return "~"
        if self.uncertain:
            return "?"
        return ""


@dataclass(frozen=True, slots=True)
class EdtfDate:
    """A parsed date: one day, month or year, or an interval whose ends may be open."""

    text: str
    start: SimpleDate | None  # None: open start ("../B")
    end: SimpleDate | None  # None: open end ("A/.."); same as start for a single date

    @property
    def is_interval(self) -> bool:
        return "/" in self.text

    @property
    def earliest(self) -> date:
        return self.start.earliest if self.start else date.min

    @property
    def latest(self) -> date:
        return self.end.latest if self.end else date.max

    @property
    def sort_key(self) -> tuple[date, date]:
        """Order by the earliest possible day, then the latest; an open end sorts at the
        known one, so "before 27 July" sits beside 27 July rather than at the dawn of time."""
        first = self.start.earliest if self.start else self.latest
        last = self.end.latest if self.end else first
        return (first, last)

    @property
    def html_datetime(self) -> str:
        """A valid `datetime` attribute value: the known start, else the known end."""
        known = self.start or self.end
        assert known is not None  # "../.." is rejected by the parser
        return known.iso

    @property
    def approximate(self) -> bool:
        return any(d.approximate for d in (self.start, self.end) if d)

    @property
    def uncertain(self) -> bool:
        return any(d.uncertain for d in (self.start, self.end) if d)

    @property
    def is_exact_day(self) -> bool:
        return (
            not self.is_interval
            and self.start is not None
            and self.start.precision is Precision.DAY
            and not self.start.qualifier
        )


def _guess(text: str) -> str | None:
    """The EDTF spelling of a date written the way people write dates, if we can tell."""
    for pattern in ("%d %B %Y", "%B %d, %Y", "%B %d %Y", "%d %b %Y", "%b %d, %Y"):
        try:
            return datetime.strptime(text.strip(), pattern).date().isoformat()
        except ValueError:
            continue
    for pattern in ("%B %Y", "%b %Y"):
        try:
            return datetime.strptime(text.strip(), pattern).strftime("%Y-%m")
        except ValueError:
            continue
    return None


_YMD = re.compile(r"([0-9]{4})([-/.])([0-9]{1,2})([-/.])([0-9]{1,2})")
_DMY = re.compile(r"([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})")
_BASIC = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})")
_WITH_TIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[T ][0-9]{1,2}:[0-9]{2}.*")
_CIRCA = re.compile(r"(?i)(?:c\.|ca\.|circa|about|around|approx(?:\.|imately)?)\s*(.+)")
_VAGUE = re.compile(
    r"(?i)(early|mid|middle of|late|end of|beginning of|spring|summer|autumn|fall|winter)\b"
)


def _real_day(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _year_last(text: str, first: int, second: int, year: int) -> DateError:
    """`07/04/2022`: one reading (a part over 12 is the day), two, or none."""
    readings = [
        r
        for r in dict.fromkeys((_real_day(year, first, second), _real_day(year, second, first)))
        if r
    ]
    if len(readings) == 1:
        (fixed,) = readings
        return DateError("bad-date", variant="year-last", fix=fixed, text=text, fixed=fixed)
    if readings:
        month_first, day_first = readings
        return DateError(
            "bad-date", variant="two-readings", text=text, first=month_first, second=day_first
        )
    return DateError("bad-date", variant="no-reading", text=text)


def _circa(text: str, inner: str) -> DateError | None:
    """`c. 2022`, `circa July 2022`: the date with `~`, when the words hold one."""
    if _SIMPLE.fullmatch(inner):
        plain: str | None = inner
    else:
        known = diagnose(inner)
        plain = known.fix if known else None
    plain = plain or _guess(inner)
    if not plain or plain.endswith(("~", "?", "%")):
        return None
    fixed = f"{plain}~"
    return DateError("bad-date", variant="circa", fix=fixed, text=text, fixed=fixed)


def diagnose(text: str) -> DateError | None:
    """A precise error for the ways people commonly write a date that the format does not take,
    with the corrected date when only one reading is possible."""
    if m := _YMD.fullmatch(text):
        return _year_month_day(text, *m.groups())
    if m := _DMY.fullmatch(text):
        return _year_last(text, *(int(g) for g in m.groups()))
    if m := _BASIC.fullmatch(text):
        fixed = _real_day(*(int(g) for g in m.groups()))
        if fixed:
            return DateError(
                "bad-date", variant="no-dashes", offset=4, fix=fixed, text=text, fixed=fixed
            )
    if m := _WITH_TIME.fullmatch(text):
        day = m.group(1)
        return DateError("bad-date", variant="time", offset=len(day), fix=day, text=text, fixed=day)
    if (m := _CIRCA.fullmatch(text)) and (circa := _circa(text, m.group(1).strip())):
        return circa
    if m := _VAGUE.match(text):
        guess = _guess(text[m.end() :].strip(" ,of"))
        return DateError(
            "bad-date",
            variant="part-of-period",
            text=text,
            part=m.group(1).lower(),
            guess="known" if guess else None,
            period=guess,
        )
    guess = _guess(text)
    if guess:
        return DateError("bad-date", variant="words", fix=guess, text=text, fixed=guess)
    return None


def _year_month_day(text: str, year: str, sep1: str, month: str, sep2: str, day: str) -> DateError:
    """What is wrong with a date that has a year, a month and a day, but not as YYYY-MM-DD."""
    fixed = _real_day(int(year), int(month), int(day))
    if sep1 != "-" or sep2 != "-":
        return DateError(
            "bad-date",
            variant="separator" if fixed else "separator-no-day",
            offset=4 if sep1 != "-" else 5 + len(month),
            fix=fixed,
            text=text,
            separator=sep1 if sep1 != "-" else sep2,
            fixed=fixed,
        )
    short = [n for n, v in (("month", month), ("day", day)) if len(v) == 1]
    return DateError(
        "bad-date",
        variant="digits" if fixed else "digits-no-day",
        offset=5 if len(month) == 1 else 6 + len(month),
        fix=fixed,
        text=text,
        parts="both" if len(short) == 2 else short[0],
        fixed=fixed,
    )


def _parse_simple(part: str, offset: int, whole: str) -> SimpleDate:
    match = _SIMPLE.fullmatch(part)
    if not match:
        known = diagnose(part)
        if known is not None:
            if known.fix is not None:  # one end of a range: fix that end in the whole
                known.fix = whole[:offset] + known.fix + whole[offset + len(part) :]
            known.offset += offset
            raise known
        raise DateError("bad-date", offset=offset, text=whole)
    year_s, month_s, day_s, qual = match.groups()
    year = int(year_s)
    if year == 0:
        raise DateError("impossible-date", variant="year-zero", offset=offset)
    month = int(month_s) if month_s else None
    if month is not None and not 1 <= month <= 12:
        raise DateError("impossible-date", variant="month", offset=offset + 5, month=month_s)
    day = int(day_s) if day_s else None
    if day is not None:
        assert month is not None
        last = calendar.monthrange(year, month)[1]
        if not 1 <= day <= last:
            raise DateError(
                "impossible-date",
                offset=offset + 8,
                year=year_s,
                month=month_s,
                day=day_s,
                month_name=MONTHS[month - 1],
                year_number=year,
                last=last,
            )
    return SimpleDate(
        year,
        month,
        day,
        approximate=qual in ("~", "%"),
        uncertain=qual in ("?", "%"),
    )


def parse_date(text: str) -> EdtfDate:
    """Parse `text` or raise `DateError` saying what is wrong and where."""
    if text != text.strip():
        raise DateError("bad-date", variant="spaces", text=text)
    if not text:
        raise DateError("bad-date", variant="empty")
    if text.count("/") > 1:
        known = diagnose(text)
        if known is not None:
            raise known
        second = text.index("/", text.index("/") + 1)
        raise DateError("bad-date", variant="slashes", offset=second, text=text)
    if "/" not in text:
        single = _parse_simple(text, 0, text)
        return EdtfDate(text, single, single)
    left, right = text.split("/")
    if left == _OPEN and right == _OPEN:
        raise DateError("bad-date", variant="open")
    if not left or not right:
        offset = 0 if not left else len(left) + 1
        raise DateError("bad-date", variant="empty-end", offset=offset, text=text)
    start = None if left == _OPEN else _parse_simple(left, 0, text)
    end = None if right == _OPEN else _parse_simple(right, len(left) + 1, text)
    if start is not None and end is not None and start.earliest > end.latest:
        raise DateError(
            "reversed-interval",
            variant="date",
            offset=len(left) + 1,
            text=text,
            start=left,
            end=right,
        )
    return EdtfDate(text, start, end)


def _day(d: SimpleDate, *, year: bool = True, month: bool = True) -> str:
    parts: list[str] = []
    if d.day is not None:
        parts.append(str(d.day))
    if d.month is not None and month:
        parts.append(MONTHS[d.month - 1])
    if year or d.month is None:
        parts.append(str(d.year))
    return " ".join(parts)


def _qualified(d: SimpleDate, body: str) -> str:
    if d.approximate:
        body = "c. " + body
    if d.uncertain:
        body += "?"
    return body


def format_date(value: EdtfDate) -> str:
    """The date as readers see it: "27 July 2022", "c. June 2022", "on or before 27 July
    2022" (an open end includes its known day, as the figures' legends say)."""
    start, end = value.start, value.end
    if start is None:
        assert end is not None
        return "on or before " + _qualified(end, _day(end))
    if end is None:
        return "on or after " + _qualified(start, _day(start))
    if not value.is_interval:
        return _qualified(start, _day(start))
    end_text = _qualified(end, _day(end))
    if start == end:
        return end_text
    plain = not start.qualifier
    same_year = start.year == end.year and start.month is not None and end.month is not None
    if plain and same_year and start.day is not None and end.day is not None:
        if start.month == end.month:
            return f"{start.day} {DASH} {end_text}"
        return f"{_day(start, year=False)} {DASH} {end_text}"
    if plain and same_year:
        return f"{_day(start, year=False)} {DASH} {end_text}"
    return f"{_qualified(start, _day(start))} {DASH} {end_text}"
