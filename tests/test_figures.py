"""The figures: golden SVG for a small case, every date form drawn where its date allows,
the same bytes every time, record text inert, and a text alternative with the same marks.

Set UPDATE_GOLDEN=1 to rewrite tests/golden_figures/ after a deliberate change."""

from __future__ import annotations

import os
import random
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from build_scripts.dates import EdtfDate, parse_date
from build_scripts.figures import (
    COLOURS,
    DENSE_AT,
    FIGURES_CSS,
    WIDTH,
    Item,
    Node,
    activity_strip,
    connections,
    layout_time,
    source_strip,
    timeline_overview,
)
from build_scripts.models import STATUSES
from build_scripts.placement import placement
from tests.test_placement import any_date

GOLDEN = Path(__file__).parent / "golden_figures"
HOSTILE = Path(__file__).parent / "hostile" / "casefile"
SVG = "{http://www.w3.org/2000/svg}"

# The example case file's dates, and a few more forms.
SMALL = [
    ("whelan-convicted", "../2022-08-04?", "confirmed"),
    ("bout-imprisoned", "../2022-07-27", "confirmed"),
    ("talks-begin", "../2022-07-13~", "reported"),
    ("blinken-call", "2022-07-27", "confirmed"),
    ("offer-reported", "2022-07-27/2022-08-04?", "reported"),
    ("lavrov-responds", "2022-07-28", "claimed"),
    ("kremlin-denies", "2022-07-28?", "denied"),
    ("griner-sentenced", "2022-08-04", "confirmed"),
    ("summer-talks", "2022-07~", "disputed"),
    ("after-verdict", "2022-08-04/..", "reported"),
    ("year-only", "2022", "retracted"),
]


def event(record_id: str, text: str, status: str, title: str | None = None) -> Item:
    return Item(
        record_id,
        title or record_id.replace("-", " ").capitalize(),
        "event",
        parse_date(text),
        f"../{record_id}/",
        status,
    )


def small_items() -> list[Item]:
    items = [event(*row) for row in SMALL]
    items.append(Item("bout-quote", "We are ready", "quote", parse_date("2022-07-29"), "../q/"))
    return items


def big_items(n: int = 400, seed: int = 7) -> list[Item]:
    rng = random.Random(seed)
    items = []
    for i in range(n):
        y, m, d = rng.randint(2014, 2024), rng.randint(1, 12), rng.randint(1, 28)
        form = rng.choice(["{y}-{m:02d}-{d:02d}", "{y}-{m:02d}", "{y}", "{y}-{m:02d}~",
                           "{y}-{m:02d}-{d:02d}/{y2}-01-01", "../{y}-{m:02d}-{d:02d}",
                           "{y}-{m:02d}/.."])  # fmt: skip
        text = form.format(y=y, m=m, d=d, y2=y + 1)
        status = rng.choice(STATUSES)
        items.append(event(f"e{i:04d}", text, status))
    return items


def parse(fragment: str) -> ET.Element:
    """Every figure is well-formed XML: nothing in it escaped its element."""
    return ET.fromstring(str(fragment))


def href_of_group(anchor: str) -> str:
    return f"#{anchor}"


def figures_of_small_case() -> dict[str, str]:
    items = small_items()
    actors = [(Node(f"a{i}", f"Actor {i}", f"../a{i}/"), 15 - i) for i in range(14)]
    return {
        "timeline.html": timeline_overview(items, href_of_group=href_of_group),
        "timeline-binned.html": timeline_overview(items, href_of_group=href_of_group, binned=True),
        "strip.html": activity_strip(items[:5], name="Antony Blinken"),
        "source-strip.html": source_strip(items[3:8], name="CNN, 27 July 2022"),
        "connections.html": connections(Node("blinken", "Antony Blinken", "../b/"), actors),
    }


@pytest.mark.parametrize("name", sorted(figures_of_small_case()))
def test_golden(name: str) -> None:
    actual = figures_of_small_case()[name] + "\n"
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


# -- every date form where its date allows -------------------------------------------------------


def mark_of(layout, item_id: str):
    (mark,) = [m for m in layout.marks if any(i.id == item_id for i in m.items)]
    return mark


@settings(max_examples=300, deadline=None)
@given(
    value=any_date(),
    context=st.lists(any_date(), max_size=4),
    binned=st.booleans(),
)
def test_mark_in_the_bucket_its_date_allows(
    value: EdtfDate, context: list[EdtfDate], binned: bool
) -> None:
    items = [Item("x", "X", "event", value, "../x/", "confirmed")]
    items += [Item(f"c{i}", "C", "event", d, f"c{i}", "reported") for i, d in enumerate(context)]
    layout = layout_time(items, binned=binned)
    assert layout is not None
    axis, place, mark = layout.axis, placement(value), mark_of(layout, "x")
    if place.earliest is None:  # on or before: the head on the last possible day
        assert mark.shape == "before"
        assert mark.tip == pytest.approx(axis.after_x(value.latest))
        assert mark.x1 == mark.tip and mark.x0 < mark.tip  # the shaft trails into the past
        assert mark.first is None and mark.last is not None and mark.last >= value.latest
        # aggregated arrows end at the latest known end of their period, never later
        assert axis.bucket(mark.last) == axis.bucket(value.latest)
    elif place.latest is None:
        assert mark.shape == "after"
        assert mark.tip == pytest.approx(axis.day_x(value.earliest))
        assert mark.x0 == mark.tip and mark.x1 > mark.tip
        assert mark.last is None and mark.first is not None and mark.first <= value.earliest
        assert axis.bucket(mark.first) == axis.bucket(value.earliest)
    else:
        # the period the mark stands for holds every possible day of the date
        assert mark.first <= value.earliest and value.latest <= mark.last
        left, right = axis.day_x(value.earliest), axis.after_x(value.latest)
        if mark.shape == "bin":
            assert axis.bucket(value.earliest) == axis.bucket(value.latest)
            assert (mark.first, mark.last) == axis.bucket_span(axis.bucket(value.earliest))
            assert axis.day_x(mark.first) <= mark.x0 and mark.x1 <= axis.after_x(mark.last)
        else:
            assert (mark.first, mark.last) == (value.earliest, value.latest)
            expected = {"day": "day", "interval": "bar"}.get(place.shape, "band")
            assert mark.shape == expected
            middle = (left + right) / 2
            assert mark.x0 <= middle <= mark.x1
            assert mark.x0 >= min(left, middle - 3) - 1e-6  # widened only to be visible
            assert mark.x1 <= max(right, middle + 3) + 1e-6
    assert mark.qualified == place.qualified
    # and the SVG draws that mark, linked to the list group holding the event
    svg = parse(timeline_overview(items, href_of_group=href_of_group, binned=binned))
    links = {a.get("data-mark"): a for a in svg.iter(f"{SVG}a")}
    drawn = links[str(mark.index)]
    anchors = {placement(i.date).group.order: placement(i.date).group.anchor for i in mark.items}
    assert drawn.get("href") == "#" + anchors[min(anchors)]


@pytest.mark.parametrize(
    "text",
    ["2022", "2022-07", "2022-07-27", "2022~", "2022-07?", "2022-07-27%", "2022-07/2022-09",
     "2022-07-27/2022-08-04?", "../2022-08-04", "../2022-08?", "2022-07-27/..", "2022~/.."],
)  # fmt: skip
def test_every_form_draws(text: str) -> None:
    for binned in (False, True):
        items = [event("x", text, "confirmed"), event("y", "2021-01-01", "reported")]
        figure = str(timeline_overview(items, href_of_group=href_of_group, binned=binned))
        parse(figure)
        assert 'data-mark="0"' in figure


# -- determinism, safety, text alternative ---------------------------------------------------------


def test_same_bytes_whatever_the_input_order() -> None:
    items = big_items()
    shuffled = items[:]
    random.Random(1).shuffle(shuffled)
    for figure in (timeline_overview, activity_strip, source_strip):
        kwargs = {"href_of_group": href_of_group}
        if figure is not timeline_overview:
            kwargs["name"] = "N"
        assert figure(items, **kwargs) == figure(shuffled, **kwargs)
    others = [(Node(f"a{i}", f"A{i % 5}", f"../a{i}/"), i % 4 + 1) for i in range(30)]
    center = Node("c", "C", "../c/")
    assert connections(center, others) == connections(center, reversed(others))


def hostile_texts() -> list[str]:
    texts: list[str] = []
    for path in sorted(HOSTILE.rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts += [data[k] for k in ("title", "name") if isinstance(data.get(k), str)]
    return texts


@pytest.mark.parametrize("binned", [False, True])
def test_hostile_text_is_inert(binned: bool) -> None:
    titles = ["</title><script>alert(1)</script>", *hostile_texts()]
    items = [
        Item(f"h{i}", t, "event", parse_date("2022-07-27"), f'../h"{i}/', "disputed")
        for i, t in enumerate(titles)
    ]
    items.append(Item("h-open", titles[0], "quote", parse_date("../2022-08"), "javascript:x"))
    figures = [
        timeline_overview(
            items, href_of_group=lambda a: f"#{a}\"'><", fig_id='x"><script>', binned=binned
        ),
        activity_strip(items, name=titles[0], binned=binned),
        connections(Node("c", titles[0], "../c/"), [(Node("o", titles[1], "../o/"), 1)]),
    ]
    for figure in figures:
        root = parse(figure)
        assert not [e for e in root.iter() if e.tag.rsplit("}", 1)[-1] in ("script", "img")]
        for element in root.iter():
            assert not [a for a in element.attrib if a.startswith("on")]
        assert "<script" not in figure and "<img" not in figure
        # the text is shown, as text
        texts = "".join(root.itertext())
        assert "</title><script>alert(1)</script>" in texts


@pytest.mark.parametrize("binned", [False, True])
def test_text_alternative_has_the_same_marks(binned: bool) -> None:
    items = big_items(120) + small_items()
    root = parse(timeline_overview(items, href_of_group=href_of_group, binned=binned))
    marks = {a.get("data-mark"): a for a in root.iter(f"{SVG}a")}
    rows = {tr.get("data-mark"): tr for tr in root.iter("tr") if tr.get("data-mark")}
    assert marks.keys() == rows.keys()
    layout = layout_time(items, binned=binned)
    assert sum(len(m.items) for m in layout.marks) == len(items)
    for mark in layout.marks:
        a, row = marks[str(mark.index)], rows[str(mark.index)]
        cells = row.findall("td")
        (link,) = row.iter("a")
        title = a.find(f"{SVG}title").text
        if len(mark.items) == 1 and mark.shape != "bin":  # the record itself, by its title
            assert link.get("href") == mark.items[0].href
            assert link.text in title and mark.label in title
        else:  # the same words, the same place in the list
            assert link.get("href") == a.get("href")
            assert link.text == title
        if binned:
            assert int(cells[3].text) == len(mark.items)
    listed = sorted(i.id for m in layout.marks for i in m.items)
    assert listed == sorted(i.id for i in items)
    if binned:
        total = sum(int(tr.findall("td")[3].text) for tr in rows.values())
        assert total == len(items)
    else:  # one row per event, linking to it
        linked = sorted(tr.find("td/a").get("href") for tr in rows.values())
        assert linked == sorted(i.href for i in items)


def test_dense_figures_bin() -> None:
    assert not layout_time(big_items(DENSE_AT)).binned
    layout = layout_time(big_items(500))
    assert layout.binned
    assert len(layout.marks) < 500 * 0.8  # aggregated
    assert layout.axis.unit == "year"


def test_scale_from_span() -> None:
    def unit(*texts: str) -> str:
        items = [event(f"e{i}", t, "confirmed") for i, t in enumerate(texts)]
        return layout_time(items).axis.unit

    assert unit("2022-07-27", "2022-08-04") == "month"
    assert unit("2020-01", "2024-12") == "month"
    assert unit("2020-01", "2025-01") == "year"
    assert unit("1900", "1990") == "decade"
    assert unit("0800", "2020") == "century"
    assert unit("0001", "9999") == "millennium"


def test_open_ranges_are_not_points_at_their_end() -> None:
    root = parse(timeline_overview([event("b", "../2022-08-04", "confirmed")],
                                   href_of_group=href_of_group))  # fmt: skip
    (a,) = root.iter(f"{SVG}a")
    assert a.get("href") == "#before-2022-08-04"
    assert [c.get("class") for c in a if c.tag != f"{SVG}title"] == [
        "cf-hit",
        "cf-shaft",
        "cf-mark cf-head",
    ]


def test_zoom_links_for_long_spans() -> None:
    figure = timeline_overview(
        big_items(), href_of_group=href_of_group, href_of_zoom=lambda a, b: f"?from={a}&to={b}"
    )
    assert 'href="?from=2014&amp;to=2014"' in figure
    assert 'href="?from=2024&amp;to=2024"' in figure
    short = timeline_overview(
        small_items(), href_of_group=href_of_group, href_of_zoom=lambda a, b: "?zoom"
    )
    assert "?zoom" not in short  # already by month


def test_empty_figures() -> None:
    assert timeline_overview([], href_of_group=href_of_group) == ""
    assert connections(Node("c", "C", "../c/"), []) == ""


def test_phone_width() -> None:
    """Nothing scrolls sideways: every SVG scales to its container."""
    for figure in figures_of_small_case().values():
        root = parse(figure)
        for svg in root.iter(f"{SVG}svg"):
            if "cf-key" in (svg.get("class") or ""):
                continue
            assert svg.get("width") == "100%"
            assert svg.get("viewBox").startswith(f"0 0 {WIDTH} ")
    assert "width:100%;height:auto" in FIGURES_CSS


def test_accessible_names() -> None:
    for figure in figures_of_small_case().values():
        root = parse(figure)
        svg = root.find(f"{SVG}svg")
        fid = root.get("id")
        assert svg.get("role") == "group"
        assert svg.find(f"{SVG}title").get("id") == svg.get("aria-labelledby") == f"{fid}-title"
        assert svg.find(f"{SVG}desc").get("id") == svg.get("aria-describedby") == f"{fid}-desc"
        for a in svg.iter(f"{SVG}a"):
            assert a.find(f"{SVG}title").text.strip()  # every link has a name
        assert root.find("details/summary") is not None


def test_connections() -> None:
    others = [(Node(f"a{i:02d}", f"Actor {i:02d}", f"../a{i}/"), i % 7 + 1) for i in range(20)]
    others.append((Node("zero", "Zero", "../z/"), 0))
    root = parse(connections(Node("c", "Center", "../c/"), others))
    drawn = [a.get("data-node") for a in root.iter(f"{SVG}a")]
    assert drawn[0] == "c" and len(drawn) == 13
    weights = dict((n.id, w) for n, w in others)
    shown = drawn[1:]
    assert [weights[i] for i in shown] == sorted((weights[i] for i in shown), reverse=True)
    assert shown[:3] == ["a06", "a13", "a05"]  # weight 7, 7, then 6 (by name)
    widths = [float(p.get("stroke-width")) for p in root.iter(f"{SVG}path")]
    assert widths == sorted(widths, reverse=True) and widths[0] == 8
    text = "".join(root.itertext())
    assert "8 more actors share fewer events" in text
    assert "Actor 06 (7)" in text  # the weight as text, not only as width
    assert [tr.get("data-node") for tr in root.iter("tr") if tr.get("data-node")] == shown


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("category", sorted(COLOURS))
def test_contrast(category: str) -> None:
    """Marks pass 3:1 (WCAG 1.4.11) on white and on Material's slate background."""
    light, dark = COLOURS[category]
    assert _contrast(light, "#ffffff") >= 3
    assert _contrast(dark, "#1e2029") >= 3
    assert f"--cf-{category}:{light};" in FIGURES_CSS
    assert f"--cf-{category}:{dark};" in FIGURES_CSS
    assert set(COLOURS) == {*STATUSES, "quote"}


def test_css_has_no_remote_resources() -> None:
    assert not re.search(r"url\(|@import|https?:", FIGURES_CSS)


@pytest.mark.parametrize(("n", "binned"), [(50, False), (400, True), (3500, True)])
def test_every_mark_holds_its_items(n: int, binned: bool) -> None:
    """Whatever the aggregation (bins, merged wide dates, arrows per period), a mark never
    claims more than its items' dates allow."""
    layout = layout_time(big_items(n), binned=binned)
    assert layout.binned is binned
    axis = layout.axis
    for mark in layout.marks:
        for item in mark.items:
            place = placement(item.date)
            assert mark.qualified == place.qualified
            if place.earliest is None:
                assert mark.shape == "before" and mark.last >= place.latest
                assert mark.tip == pytest.approx(axis.after_x(mark.last))
            elif place.latest is None:
                assert mark.shape == "after" and mark.first <= place.earliest
                assert mark.tip == pytest.approx(axis.day_x(mark.first))
            else:
                assert mark.first <= place.earliest and place.latest <= mark.last
                assert mark.x0 <= axis.day_x(place.earliest) + 3
                assert mark.x1 >= axis.after_x(place.latest) - 3
    if n == 3500:
        assert len(layout.marks) < 400  # merged: the page stays light


def test_the_shipped_stylesheet_is_the_constant() -> None:
    """The plugin ships build_scripts/assets/figures.css; it is FIGURES_CSS, written out."""
    asset = Path(__file__).parent.parent / "build_scripts" / "assets" / "figures.css"
    if os.environ.get("UPDATE_GOLDEN"):  # the asset is the reviewed copy: its diff shows
        asset.write_text(FIGURES_CSS, encoding="utf-8")
    assert asset.read_text(encoding="utf-8") == FIGURES_CSS, (
        'run: python -c "from build_scripts.figures import FIGURES_CSS; '
        "open('build_scripts/assets/figures.css', 'w').write(FIGURES_CSS)\""
    )
