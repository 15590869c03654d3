"""The figures in the built site (issue 15; named apart from tests/test_figures.py, which
tests the figures without a browser): the timeline overview's marks lead to the events
they show, each figure's table lists what the figure draws, open ranges sit in groups of their
own, nothing scrolls sideways on a phone, axe finds nothing serious, in light and dark.

Screenshots of the pages with figures, at 1280 and 390 px, light and dark, go to
tests/browser/screenshots/figures-<page>-<viewport>-<scheme>.png (not committed)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browsing import DESKTOP, PHONE, SCREENSHOTS, Browsing, format_violations, run_axe
from playwright.sync_api import Page

from build_scripts.checker import Case
from build_scripts.placement import placement

pytestmark = pytest.mark.browser

CHART = "#cf-timeline-chart"
VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
SCHEMES = ("light", "dark")
PAGES = ("timeline", "actor-many", "actor-one", "source")


def actor_events(case: Case) -> dict[str, int]:
    counts: dict[str, int] = {}
    for event in case.events:
        for actor in event.data.actors:
            actor_id = actor if isinstance(actor, str) else actor.actor
            counts[actor_id] = counts.get(actor_id, 0) + 1
    return counts


def path_of(case: Case, name: str) -> str:
    counts = actor_events(case)
    most = max(sorted(counts), key=lambda a: counts[a])
    one = sorted(a for a, n in counts.items() if n == 1)[0]
    sources = sorted(case.of_kind("source"), key=lambda s: (-len(case.referrers(s.id)), s.id))
    return {
        "timeline": "/timeline/",
        "actor-many": f"/actors/{most}/",
        "actor-one": f"/actors/{one}/",
        "source": f"/sources/{sources[0].id}/",
    }[name]


def record_id(href: str) -> str:
    """The record a link to its page points to: the last part of the path."""
    return urlsplit(href).path.rstrip("/").split("/")[-1]


def chart_marks(page: Page) -> list[dict[str, str]]:
    """Each mark of the overview: its index, link and title, and its table row's links."""
    return page.evaluate(
        """sel => [...document.querySelectorAll(sel + " svg a[data-mark]")].map(a => {
             const row = document.querySelector(`${sel} tr[data-mark="${a.dataset.mark}"]`);
             return {mark: a.dataset.mark, href: a.getAttribute("href"),
                     title: a.querySelector("title").textContent,
                     rows: row ? [...row.querySelectorAll("a")].map(r => r.href) : [],
                     rowText: row ? row.textContent : ""};
           })""",
        CHART,
    )


def group_of(page: Page, event_id: str) -> str:
    """The id of the heading of the list group holding `event_id`."""
    return page.evaluate(
        """id => {
             const list = document.getElementById(id).closest("ol.cf-timeline");
             let h = list.previousElementSibling;
             while (h && h.tagName !== "H3") h = h.previousElementSibling;
             return h ? h.id : "";
           }""",
        event_id,
    )


def test_each_mark_leads_to_the_group_listing_its_event(browse: Browsing, case: Case) -> None:
    page = browse.page("/timeline/")
    marks = chart_marks(page)
    assert len(marks) == len(case.events)  # the example is small: one mark per event
    for mark in marks:
        assert mark["href"].startswith("#"), mark
        (event_link,) = mark["rows"]
        event_id = record_id(event_link)
        assert group_of(page, event_id) == mark["href"][1:], mark
        assert case.records[event_id].data.title in mark["title"], mark
    # Following a link: the page scrolls to that group, and the event is under it.
    first = page.locator(f'{CHART} svg a[data-mark="{marks[0]["mark"]}"]')
    first.dispatch_event("click")
    page.wait_for_function("h => location.hash === h", arg=marks[0]["href"])
    heading = page.locator(marks[0]["href"])
    assert heading.evaluate("h => h.getBoundingClientRect().top") < DESKTOP["height"]


def test_the_table_lists_the_events_the_chart_draws(browse: Browsing, case: Case) -> None:
    page = browse.page("/timeline/")
    drawn = page.locator(f"{CHART} svg a[data-mark]").evaluate_all(
        "as => as.map(a => a.dataset.mark)"
    )
    rows = page.locator(f"{CHART} table tr[data-mark]").evaluate_all(
        "trs => trs.map(tr => tr.dataset.mark)"
    )
    assert sorted(drawn, key=int) == sorted(rows, key=int)
    listed = page.locator(f"{CHART} table tr[data-mark] a").evaluate_all(
        "as => as.map(a => a.href)"
    )
    assert sorted(record_id(h) for h in listed) == sorted(e.id for e in case.events)
    # The table is there without opening it; opened, it is read like any table.
    page.locator(f"{CHART} details summary").click()
    assert page.locator(f"{CHART} table").is_visible()


def test_open_ranges_sit_in_their_own_group(browse: Browsing, case: Case) -> None:
    page = browse.page("/timeline/")
    open_events = [e for e in case.events if placement(e.data.date).is_open]
    assert open_events, "the example has events dated 'before ...'"
    for event in open_events:
        anchor = group_of(page, event.id)
        assert anchor == placement(event.data.date).group.anchor, event.id
        assert anchor.startswith(("before-", "after-")), event.id
        label = page.locator(f"h3#{anchor}").inner_text()
        assert label.startswith("Date not known; "), label
        members = page.locator(f"h3#{anchor} + ol.cf-timeline > li").evaluate_all(
            "lis => lis.map(li => li.id)"
        )
        assert all(placement(case.records[m].data.date).is_open for m in members), members
    closed = [e for e in case.events if not placement(e.data.date).is_open]
    for event in closed:
        assert group_of(page, event.id).startswith(("m", "y")), event.id


@pytest.mark.parametrize("name", PAGES)
def test_nothing_scrolls_sideways_on_a_phone(browse: Browsing, case: Case, name: str) -> None:
    page = browse.page(path_of(case, name), viewport=PHONE)
    assert page.locator(".cf-fig").count() >= 1
    sideways = page.evaluate(
        "() => { window.scrollTo(10000, 0); const x = window.scrollX; window.scrollTo(0, 0);"
        " return x; }"
    )
    assert sideways == 0, f"{name} scrolls sideways by {sideways}px"
    for figure in page.locator(".cf-fig svg.cf-svg").all():
        box = figure.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_nothing_serious_in_the_figures(
    browse: Browsing, case: Case, axe_js: Path, name: str, scheme: str
) -> None:
    page = browse.page(path_of(case, name), color_scheme=scheme)
    for summary in page.locator(".cf-fig details summary").all():
        summary.click()  # the tables too
    found = [
        {**v, "nodes": nodes}
        for v in run_axe(page, axe_js)
        if (nodes := [n for n in v["nodes"] if not n["bug"]])  # type: ignore[attr-defined]
    ]
    assert not found, format_violations(found)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", PAGES)
def test_screenshot(browse: Browsing, case: Case, name: str, viewport: str, scheme: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browse.page(
        path_of(case, name),
        viewport=VIEWPORTS[viewport],
        color_scheme=scheme,
        device_scale_factor=1,
    )
    expected = "slate" if scheme == "dark" else "default"
    assert page.locator("body").get_attribute("data-md-color-scheme") == expected
    page.screenshot(path=SCREENSHOTS / f"figures-{name}-{viewport}-{scheme}.png", full_page=True)
