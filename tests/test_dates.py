"""Tests of the EDTF-subset date parser: display, bounds, errors, ordering, and properties,
with the `edtf` package as an oracle on the subset both understand."""

from __future__ import annotations

from datetime import date

import edtf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from build_scripts.dates import (
    FORMAT_HINT,
    DateError,
    EdtfDate,
    Precision,
    SimpleDate,
    format_date,
    parse_date,
)

# --- display -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("2022", "2022"),
        ("2022-07", "July 2022"),
        ("2022-07-27", "27 July 2022"),
        ("2022-06~", "c. June 2022"),
        ("2022-06?", "June 2022?"),
        ("2022-06%", "c. June 2022?"),
        ("2022~", "c. 2022"),
        ("2022-07-27?", "27 July 2022?"),
        ("0999", "999"),
        ("../2022-07-27", "on or before 27 July 2022"),
        ("../2022-07~", "on or before c. July 2022"),
        ("2022-08-04/..", "on or after 4 August 2022"),
        ("2022/..", "on or after 2022"),
        ("2022-06/2022-07-27", "June \u2013 27 July 2022"),
        ("2022-07-25/2022-07-27", "25 \u2013 27 July 2022"),
        ("2022-06-30/2022-07-02", "30 June \u2013 2 July 2022"),
        ("2022-06/2022-07", "June \u2013 July 2022"),
        ("2022-06/2022-07~", "June \u2013 c. July 2022"),
        ("2022-06~/2022-07", "c. June 2022 \u2013 July 2022"),
        # Across years every end carries its year.
        ("2021/2022", "2021 \u2013 2022"),
        ("2021-12/2022-01", "December 2021 \u2013 January 2022"),
        ("2021-12-30/2022-01-02", "30 December 2021 \u2013 2 January 2022"),
        ("2021-06/2022-07-27", "June 2021 \u2013 27 July 2022"),
        ("2021~/2022?", "c. 2021 \u2013 2022?"),
        # A year-precision end in the same year still names its year.
        ("2022/2022-07", "2022 \u2013 July 2022"),
    ],
)
def test_format_date(text: str, shown: str) -> None:
    assert format_date(parse_date(text)) == shown


# --- earliest and latest -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "earliest", "latest"),
    [
        ("2022", date(2022, 1, 1), date(2022, 12, 31)),
        ("2022-07", date(2022, 7, 1), date(2022, 7, 31)),
        ("2022-06", date(2022, 6, 1), date(2022, 6, 30)),
        ("2022-07-27", date(2022, 7, 27), date(2022, 7, 27)),
        ("2022-06~", date(2022, 6, 1), date(2022, 6, 30)),
        ("2022-06?", date(2022, 6, 1), date(2022, 6, 30)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2023-02", date(2023, 2, 1), date(2023, 2, 28)),
        ("2000-02", date(2000, 2, 1), date(2000, 2, 29)),
        ("1900-02", date(1900, 2, 1), date(1900, 2, 28)),
        ("2024-02-29", date(2024, 2, 29), date(2024, 2, 29)),
        ("2024", date(2024, 1, 1), date(2024, 12, 31)),
        ("0001", date(1, 1, 1), date(1, 12, 31)),
        ("9999-12", date(9999, 12, 1), date(9999, 12, 31)),
        ("../2022-07-27", date.min, date(2022, 7, 27)),
        ("2022-08-04/..", date(2022, 8, 4), date.max),
        ("2022-06/2022-07-27", date(2022, 6, 1), date(2022, 7, 27)),
        ("2022-07-25/2022-07-27", date(2022, 7, 25), date(2022, 7, 27)),
        ("2021/2022", date(2021, 1, 1), date(2022, 12, 31)),
        ("2021-12-30/2022-01-02", date(2021, 12, 30), date(2022, 1, 2)),
        ("2023-12/2024-02", date(2023, 12, 1), date(2024, 2, 29)),
    ],
)
def test_earliest_latest(text: str, earliest: date, latest: date) -> None:
    value = parse_date(text)
    assert value.earliest == earliest
    assert value.latest == latest


def test_parsed_structure() -> None:
    value = parse_date("2022-06~/2022-07-27?")
    assert value == EdtfDate(
        "2022-06~/2022-07-27?",
        SimpleDate(2022, 6, approximate=True),
        SimpleDate(2022, 7, 27, uncertain=True),
    )
    assert value.is_interval
    assert value.approximate
    assert value.uncertain
    assert not value.is_exact_day
    assert value.start is not None
    assert value.start.precision is Precision.MONTH
    assert value.start.qualifier == "~"

    single = parse_date("2022-07-27")
    assert single.start is single.end
    assert not single.is_interval
    assert single.is_exact_day
    assert not parse_date("2022-07-27~").is_exact_day
    assert not parse_date("2022-07").is_exact_day

    both = parse_date("2022%")
    assert both.approximate and both.uncertain
    assert both.start is not None
    assert both.start.qualifier == "%"
    assert both.start.precision is Precision.YEAR


@pytest.mark.parametrize(
    ("text", "attribute"),
    [
        ("2022", "2022"),
        ("2022-07~", "2022-07"),
        ("2022-07-27%", "2022-07-27"),
        ("../2022-07-27", "2022-07-27"),
        ("2022-08-04?/..", "2022-08-04"),
        ("2022-06/2022-07-27", "2022-06"),
        ("0999-01-05", "0999-01-05"),
    ],
)
def test_html_datetime(text: str, attribute: str) -> None:
    assert parse_date(text).html_datetime == attribute


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "message", "hint", "offset"),
    [
        (
            "2022-02-30",
            "impossible-date",
            "2022-02-30 is not a real day: February 2022 has 28 days",
            "write a day from 01 to 28, or 2022-02 if the day is not known",
            8,
        ),
        (
            "2023-02-29",
            "impossible-date",
            "2023-02-29 is not a real day: February 2023 has 28 days",
            "write a day from 01 to 28, or 2023-02 if the day is not known",
            8,
        ),
        (
            "2022-07-32",
            "impossible-date",
            "2022-07-32 is not a real day: July 2022 has 31 days",
            "write a day from 01 to 31, or 2022-07 if the day is not known",
            8,
        ),
        (
            "2022-06-00",
            "impossible-date",
            "2022-06-00 is not a real day: June 2022 has 30 days",
            "write a day from 01 to 30, or 2022-06 if the day is not known",
            8,
        ),
        ("2022-13", "impossible-date", "month 13 does not exist", "months run from 01 to 12", 5),
        ("2022-00", "impossible-date", "month 00 does not exist", "months run from 01 to 12", 5),
        ("0000", "impossible-date", "year 0000 is not supported", "use 0001 or later", 0),
        (
            # The offset of a problem in the second end counts from the start of the text.
            "2022-07/2022-02-30",
            "impossible-date",
            "2022-02-30 is not a real day: February 2022 has 28 days",
            "write a day from 01 to 28, or 2022-02 if the day is not known",
            16,
        ),
        (
            "2022-08/2022-07",
            "reversed-interval",
            "the interval '2022-08/2022-07' ends before it starts",
            "write the earlier date first: '2022-07/2022-08'",
            8,
        ),
        (
            "2022-07-28/2022-07-27",
            "reversed-interval",
            "the interval '2022-07-28/2022-07-27' ends before it starts",
            "write the earlier date first: '2022-07-27/2022-07-28'",
            11,
        ),
        (
            "../..",
            "bad-date",
            "an interval needs at least one known end",
            FORMAT_HINT,
            0,
        ),
        (
            "27 July 2022",
            "bad-date",
            "'27 July 2022' is written in words",
            "write '2022-07-27'",
            0,
        ),
        (
            "July 27, 2022",
            "bad-date",
            "'July 27, 2022' is written in words",
            "write '2022-07-27'",
            0,
        ),
        (
            "July 2022",
            "bad-date",
            "'July 2022' is written in words",
            "write '2022-07'",
            0,
        ),
        ("", "bad-date", "the date is empty", FORMAT_HINT, 0),
        (" 2022", "bad-date", "' 2022' has spaces around it", "remove the spaces", 0),
        ("2022\n", "bad-date", "'2022\n' has spaces around it", "remove the spaces", 0),
        (
            "2022/2023/2024",
            "bad-date",
            "'2022/2023/2024' has more than one '/'",
            FORMAT_HINT,
            9,
        ),
        (
            "2022-7-1",
            "bad-date",
            "'2022-7-1': the month and day must be written with two digits",
            "write '2022-07-01'",
            5,
        ),
        (
            "2022/",
            "bad-date",
            "'2022/' has an empty end",
            "write '..' for an open end: ../B means on or before B, A/.. on or after A",
            5,
        ),
        (
            "/2022",
            "bad-date",
            "'/2022' has an empty end",
            "write '..' for an open end: ../B means on or before B, A/.. on or after A",
            0,
        ),
        (
            "2022/2023x",
            "bad-date",
            "'2022/2023x' is not a date in the accepted form",
            FORMAT_HINT,
            5,
        ),
        ("22", "bad-date", "'22' is not a date in the accepted form", FORMAT_HINT, 0),
        ("2022~?", "bad-date", "'2022~?' is not a date in the accepted form", FORMAT_HINT, 0),
    ],
)
def test_errors(text: str, code: str, message: str, hint: str, offset: int) -> None:
    """Each malformed date: its code, message, hint and the offset of the first bad character."""
    with pytest.raises(DateError) as info:
        parse_date(text)
    error = info.value
    assert error.code == code
    assert error.message == message
    assert str(error) == message
    assert error.hint == hint
    assert error.offset == offset


def test_date_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="the date is empty"):
        parse_date("")


@pytest.mark.parametrize(
    "text",
    [
        "\u0662\u0660\u0662\u0662",  # 2022 in Arabic-Indic digits
        "\u0662\u0660\u0662\u0662-\u0660\u0667-\u0662\u0667",  # 2022-07-27
        "\uff12\uff10\uff12\uff12-07",  # fullwidth 2022, then -07
    ],
)
def test_non_ascii_digits_are_rejected(text: str) -> None:
    with pytest.raises(DateError) as info:
        parse_date(text)
    assert info.value.code == "bad-date"


# --- ordering ------------------------------------------------------------------------------


def test_sort_key_orders_mixed_dates() -> None:
    """Earliest possible day first, then latest; an open end sorts at its known end."""
    texts = [
        "2022-08-04/..",
        "2022-07-27",
        "2022",
        "2022-07-25/2022-07-27",
        "../2022-07-27",
        "2021/2023",
        "2022-07",
        "2022-07-27~",
        "../2022-01-15",
        "2022-06/2022-07-27",
        "2023",
    ]
    ordered = [d.text for d in sorted(map(parse_date, texts), key=lambda d: d.sort_key)]
    assert ordered == [
        "2021/2023",  # (2021-01-01, 2023-12-31)
        "2022",  # (2022-01-01, 2022-12-31)
        "../2022-01-15",  # (2022-01-15, 2022-01-15): at its known end, not at date.min
        "2022-06/2022-07-27",  # (2022-06-01, 2022-07-27)
        "2022-07",  # (2022-07-01, 2022-07-31)
        "2022-07-25/2022-07-27",  # (2022-07-25, 2022-07-27)
        # Equal keys keep their input order (sorted() is stable).
        "2022-07-27",
        "../2022-07-27",
        "2022-07-27~",
        "2022-08-04/..",  # (2022-08-04, 2022-08-04): at its known start, not at date.max
        "2023",
    ]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("../2022-07-27", (date(2022, 7, 27), date(2022, 7, 27))),
        ("../2022-07", (date(2022, 7, 31), date(2022, 7, 31))),
        ("2022-08-04/..", (date(2022, 8, 4), date(2022, 8, 4))),
        ("2022-08/..", (date(2022, 8, 1), date(2022, 8, 1))),
        ("2022-06/2022-07-27", (date(2022, 6, 1), date(2022, 7, 27))),
        ("2024-02", (date(2024, 2, 1), date(2024, 2, 29))),
    ],
)
def test_sort_key(text: str, key: tuple[date, date]) -> None:
    assert parse_date(text).sort_key == key


# --- properties ----------------------------------------------------------------------------

_PRECISIONS = st.sampled_from([Precision.YEAR, Precision.MONTH, Precision.DAY])
_QUALIFIERS = st.sampled_from(["", "~", "?", "%"])


def _spell(day: date, precision: Precision) -> str:
    text = f"{day.year:04d}"
    if precision >= Precision.MONTH:
        text += f"-{day.month:02d}"
    if precision >= Precision.DAY:
        text += f"-{day.day:02d}"
    return text


@st.composite
def simple_dates(draw: st.DrawFn, *, qualified: bool = True) -> str:
    text = _spell(draw(st.dates()), draw(_PRECISIONS))
    return text + (draw(_QUALIFIERS) if qualified else "")


@st.composite
def closed_intervals(draw: st.DrawFn, *, qualified: bool = True) -> str:
    first, second = sorted([draw(st.dates()), draw(st.dates())])
    start = _spell(first, draw(_PRECISIONS)) + (draw(_QUALIFIERS) if qualified else "")
    end = _spell(second, draw(_PRECISIONS)) + (draw(_QUALIFIERS) if qualified else "")
    return f"{start}/{end}"


def closed_dates(*, qualified: bool = True) -> st.SearchStrategy[str]:
    return st.one_of(simple_dates(qualified=qualified), closed_intervals(qualified=qualified))


valid_dates = st.one_of(
    closed_dates(),
    simple_dates().map(lambda d: f"../{d}"),
    simple_dates().map(lambda d: f"{d}/.."),
)

# Strings close to the accepted form, so that the interesting branches are reached often.
_near_misses = st.one_of(
    st.text(alphabet="0123456789-/.~?% ", max_size=25),
    st.text(alphabet="0123456789-/.~?%x\u0660\u0661\u0662\u0667\uff10\uff12", max_size=25),
    st.from_regex(
        r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?[~?%]?(/[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?[~?%]?)?",
        fullmatch=True,
    ),
)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(), _near_misses, valid_dates))
def test_parse_returns_a_date_or_raises_date_error(text: str) -> None:
    try:
        value = parse_date(text)
    except DateError as error:
        assert error.code in {"bad-date", "impossible-date", "reversed-interval"}
        assert error.message
        assert error.hint
        assert 0 <= error.offset <= len(text)
    else:
        assert isinstance(value, EdtfDate)
        assert value.text == text


@settings(max_examples=300, deadline=None)
@given(valid_dates)
def test_valid_dates_parse(text: str) -> None:
    value = parse_date(text)
    assert value.earliest <= value.latest
    first, last = value.sort_key
    assert first <= last
    assert parse_date(value.text).text == value.text
    assert parse_date(value.text) == value
    assert format_date(value).strip()
    assert value.html_datetime in text
    assert value.is_interval == ("/" in text)


def _edtf_bounds(text: str) -> tuple[date, date]:
    parsed = edtf.parse_edtf(text)
    return (
        edtf.struct_time_to_date(parsed.lower_strict()),
        edtf.struct_time_to_date(parsed.upper_strict()),
    )


@settings(max_examples=200, deadline=None)
@given(closed_dates(qualified=False))
def test_bounds_agree_with_edtf(text: str) -> None:
    value = parse_date(text)
    assert (value.earliest, value.latest) == _edtf_bounds(text)


@settings(max_examples=200, deadline=None)
@given(closed_dates(qualified=True))
def test_edtf_accepts_qualified_dates(text: str) -> None:
    # Qualifiers do not move the strict bounds in `edtf` either.
    value = parse_date(text)
    assert (value.earliest, value.latest) == _edtf_bounds(text)


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.text(alphabet="0123456789-/~?%", max_size=25),
        st.from_regex(
            r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?[~?%]?(/[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?[~?%]?)?",
            fullmatch=True,
        ),
    )
)
def test_what_we_accept_edtf_accepts(text: str) -> None:
    # Only ASCII digits here: non-ASCII ones are a known bug, see
    # test_non_ascii_digits_are_rejected. The alphabet has no '.', so no open ends.
    try:
        parse_date(text)
    except DateError:
        return
    assert edtf.parse_edtf(text) is not None


# Dates as real data writes them: the message names the fault, the offset points at it, and
# `fix` holds the corrected date only where one reading is possible.
@pytest.mark.parametrize(
    ("text", "message", "offset", "fix"),
    [
        (
            "2022-7-4",
            "'2022-7-4': the month and day must be written with two digits",
            5,
            "2022-07-04",
        ),
        ("2022-07-4", "'2022-07-4': the day must be written with two digits", 8, "2022-07-04"),
        ("2022/07/04", "'2022/07/04' separates year, month and day with '/'", 4, "2022-07-04"),
        ("2022.07.04", "'2022.07.04' separates year, month and day with '.'", 4, "2022-07-04"),
        ("20220704", "'20220704' has no '-' between its parts", 4, "2022-07-04"),
        (
            "2022-07-04T10:00",
            "'2022-07-04T10:00' holds a time of day; records give days",
            10,
            "2022-07-04",
        ),
        ("13/04/2022", "'13/04/2022' puts the year last", 0, "2022-04-13"),
        ("07/04/2022", "'07/04/2022' puts the year last, and could be read two ways", 0, None),
        ("July 2022", "'July 2022' is written in words", 0, "2022-07"),
        ("c. 2022", "'c. 2022' says 'approximately' in words", 0, "2022~"),
        ("circa July 2022", "'circa July 2022' says 'approximately' in words", 0, "2022-07~"),
        (
            "early August 2022",
            "'early August 2022' names a part of a period, which the format cannot say",
            0,
            None,
        ),
        ("2022-02-31/2022-03", "2022-02-31 is not a real day: February 2022 has 28 days", 8, None),
        (
            "2022-07-01/2022-7-10",
            "'2022-7-10': the month must be written with two digits",
            16,
            "2022-07-01/2022-07-10",
        ),
        ("2022/07/31/2022/08/04", "'2022/07/31/2022/08/04' has more than one '/'", 7, None),
    ],
)
def test_real_world_date_spellings(text: str, message: str, offset: int, fix: str | None) -> None:
    with pytest.raises(DateError) as info:
        parse_date(text)
    error = info.value
    assert (error.message, error.offset, error.fix) == (message, offset, fix)
    if fix is not None:
        assert parse_date(fix).text == fix  # a fix is always a valid date


@given(st.dates(min_value=date(1, 1, 1)), st.sampled_from(["/", ".", ""]), st.booleans())
def test_every_certain_fix_names_the_same_day(day: date, sep: str, pad: bool) -> None:
    """A separator or padding fix never changes which day is meant."""
    month = f"{day.month:02d}" if pad else str(day.month)
    text = f"{day.year:04d}{sep}{month}{sep}{day.day:02d}"
    try:
        parse_date(text)
    except DateError as error:
        if error.fix is not None:
            assert parse_date(error.fix).start.earliest == day  # type: ignore[union-attr]
