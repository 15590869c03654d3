"""The keyboard alone: Tab to the timeline filter, change it with the arrow keys, reset it;
open search with its shortcut, pick a result with the arrows, follow it with Enter."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from browsing import (
    SEARCH_INPUT,
    Browsing,
    matching,
    open_search,
    timeline_ids,
    timeline_order,
)
from playwright.sync_api import Page, expect

from build_scripts.checker import Case

pytestmark = pytest.mark.browser

MAX_TABS = 80


def active(page: Page) -> str:
    """The focused element: its id, else its tag and class."""
    return page.evaluate(
        "(() => { const e = document.activeElement;"
        " return e.id || (e.tagName.toLowerCase() + '.' + e.className); })()"
    )


def tab_to(page: Page, element_id: str, *, key: str = "Tab") -> int:
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press(key)
        if active(page) == element_id:
            return presses
    raise AssertionError(f"{key} never reached #{element_id} in {MAX_TABS} presses")


def assert_focus_visible(page: Page) -> None:
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth]; })()"
    )
    assert outline[0] != "none" and outline[1] != "0px", f"no focus ring on {active(page)}"


def test_timeline_filter_by_keyboard(browse: Browsing, case: Case) -> None:
    page = browse.page("/timeline/")
    total = len(case.events)
    actor_select = page.locator("#cf-filter-actor")
    first_actor = actor_select.locator("option").nth(1).get_attribute("value") or ""

    tab_to(page, "cf-filter-actor")
    assert_focus_visible(page)
    page.keyboard.press("ArrowDown")
    expect(actor_select).to_have_value(first_actor)
    assert timeline_ids(page, visible_only=True) == matching(case, actor=first_actor)
    assert len(matching(case, actor=first_actor)) < total
    assert parse_qs(urlsplit(page.url).query) == {"actor": [first_actor]}

    tab_to(page, "cf-filter-status")
    status_select = page.locator("#cf-filter-status")
    page.keyboard.press("ArrowDown")
    status = status_select.input_value()
    assert status
    assert timeline_ids(page, visible_only=True) == matching(case, first_actor, status)

    # Back to "any" status with the other arrow, then "Show all" with Enter.
    page.keyboard.press("ArrowUp")
    expect(status_select).to_have_value("")
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "reset":
            break
    else:
        raise AssertionError("Tab never reached the 'Show all' button")
    assert_focus_visible(page)
    page.keyboard.press("Enter")
    expect(actor_select).to_have_value("")
    expect(page.locator(".cf-filter-count")).to_have_text(f"{total} of {total} events shown")
    assert timeline_ids(page, visible_only=True) == timeline_order(case)
    assert urlsplit(page.url).query == ""

    # Shift+Tab goes back to the selects the same way.
    tab_to(page, "cf-filter-tag", key="Shift+Tab")


def test_search_by_keyboard(browse: Browsing, case: Case) -> None:
    quote = sorted(case.of_kind("quote"), key=lambda r: r.id)[0]
    words = quote.data.text.split()
    query = " ".join(words[2:7]) if len(words) > 8 else quote.data.text
    target = f"/quotes/{quote.id}/"

    page = browse.page("/timeline/")
    open_search(page, "/")
    page.keyboard.type(query)
    # Walk down the results with the arrow key until the quote's page has the focus.
    page.wait_for_function(
        "t => [...document.querySelectorAll('.cf-search__results a')]"
        ".some(a => new URL(a.href).pathname === t)",
        arg=target,
    )
    for _ in range(10):
        page.keyboard.press("ArrowDown")
        href = page.evaluate("document.activeElement.href || ''")
        if href and urlsplit(href).path == target:
            break
    else:
        raise AssertionError(f"ArrowDown never focused the result {target}")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{target}*")
    expect(page.locator("blockquote.cf-quote")).to_be_visible()

    # Escape closes the results and leaves the query in the box, focused.
    open_search(page, "/")
    page.keyboard.type(query)
    expect(page.locator(".cf-search__results a").first).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    expect(page.locator(SEARCH_INPUT)).to_be_focused()
    expect(page.locator(".cf-search__results a").first).to_be_hidden()


def test_a_chart_mark_reached_by_tab_has_a_focus_ring(browse: Browsing) -> None:
    """A mark is a few pixels wide: its link gets a ring around it, not only a thicker
    stroke on the mark itself."""
    page = browse.page("/timeline/")
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('#cf-timeline-chart svg a')"):
            break
    else:
        raise AssertionError("Tab never reached a mark of the timeline's chart")
    assert_focus_visible(page)
