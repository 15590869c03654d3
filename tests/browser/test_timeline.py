"""The timeline: filtering by actor and status (in the URL, restored on reload), checked
against the rendered data attributes and against the records; and the whole timeline, in
order, without JavaScript."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from browsing import (
    DESKTOP,
    PHONE,
    Browsing,
    actors_of,
    matching,
    timeline_attrs,
    timeline_ids,
    timeline_order,
)
from playwright.sync_api import Page, expect

from build_scripts.checker import Case
from build_scripts.placement import grouped
from build_scripts.records import Record

pytestmark = pytest.mark.browser


def discriminating_filter(case: Case) -> tuple[str, str]:
    """An (actor, status) pair where each half narrows what the other leaves on its own."""
    actors = sorted({a for e in case.events for a in actors_of(e)})
    statuses = sorted({e.data.status for e in case.events})
    for actor in actors:
        for status in statuses:
            both = len(matching(case, actor, status))
            if 0 < both < min(len(matching(case, actor)), len(matching(case, status=status))):
                return actor, status
    raise AssertionError("the example case file has no actor/status pair that narrows both ways")


def assert_filtered(page: Page, case: Case, actor: str, status: str) -> None:
    expected = matching(case, actor, status)
    visible = timeline_ids(page, visible_only=True)
    assert visible == expected, "visible events differ from the records' matching events"
    attrs = timeline_attrs(page)
    for event_id, (data_status, data_actors, _) in attrs.items():
        fits = (not actor or actor in data_actors) and (not status or data_status == status)
        assert fits == (event_id in visible), f"{event_id}: data-* attributes vs visibility"
    total = len(case.events)
    expect(page.locator(".cf-filter-count")).to_have_text(
        f"{len(expected)} of {total} events shown"
    )
    # No month or year heading is left standing over an empty list.
    for heading in page.locator(".md-content h2[id^='y'], .md-content h3[id^='m']").all():
        if heading.is_visible():
            following = heading.evaluate(
                """h => {
                  const stop = h.tagName === "H2" ? ["H2"] : ["H2", "H3"];
                  for (let n = h.nextElementSibling; n && !stop.includes(n.tagName);
                       n = n.nextElementSibling) {
                    if (n.matches("ol.cf-timeline") && n.checkVisibility()) return true;
                  }
                  return false;
                }"""
            )
            assert following, f"heading {heading.get_attribute('id')} shown over no event"


def test_rendered_attributes_match_the_records(browse: Browsing, case: Case) -> None:
    page = browse.page("/timeline/")
    attrs = timeline_attrs(page)
    assert sorted(attrs) == sorted(e.id for e in case.events)
    for event in case.events:
        status, actors, tags = attrs[event.id]
        assert status == event.data.status, event.id
        assert actors == set(actors_of(event)), event.id
        assert tags == set(event.data.tags), event.id


def test_filter_by_actor_and_status_lives_in_the_url(browse: Browsing, case: Case) -> None:
    actor, status = discriminating_filter(case)
    page = browse.page("/timeline/")
    form = page.locator("form.cf-filter")
    expect(form).to_be_visible()
    assert timeline_ids(page, visible_only=True) == timeline_order(case)

    form.locator("select[name=actor]").select_option(actor)
    assert_filtered(page, case, actor, "")
    form.locator("select[name=status]").select_option(status)
    assert_filtered(page, case, actor, status)
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"actor": [actor], "status": [status]}, page.url

    page.reload()
    expect(form.locator("select[name=actor]")).to_have_value(actor)
    expect(form.locator("select[name=status]")).to_have_value(status)
    expect(form.locator("select[name=tag]")).to_have_value("")
    assert_filtered(page, case, actor, status)

    # A link with the filter in it opens the same view.
    fresh = browse.page(f"/timeline/?actor={actor}&status={status}")
    assert_filtered(fresh, case, actor, status)

    form.locator("button[type=reset]").click()
    expect(page.locator(".cf-filter-count")).to_have_text(
        f"{len(case.events)} of {len(case.events)} events shown"
    )
    assert timeline_ids(page, visible_only=True) == timeline_order(case)
    assert urlsplit(page.url).query == ""


def test_a_filter_value_the_page_does_not_offer_is_kept_and_shows_no_event(
    browse: Browsing, case: Case
) -> None:
    """A value in the URL no event on the page has (a part of a long timeline without that
    actor, or an actor no event has) stays as asked and leaves no event, and says so: the
    filter is never dropped without a word."""
    page = browse.page("/timeline/?actor=nobody-at-all&status=confirmed")
    select = page.locator("form.cf-filter select[name=actor]")
    expect(select).to_have_value("nobody-at-all")
    expect(select.locator("option:checked")).to_have_text("nobody-at-all (no events on this page)")
    assert timeline_ids(page, visible_only=True) == []
    total = len(case.events)
    expect(page.locator(".cf-filter-count")).to_have_text(f"0 of {total} events shown")
    expect(page.locator(".md-content h2[id^='y']:visible")).to_have_count(0)

    select.select_option("")
    assert_filtered(page, case, "", "confirmed")
    assert parse_qs(urlsplit(page.url).query) == {"status": ["confirmed"]}


def test_a_hostile_filter_value_in_the_url_stays_text(browse: Browsing) -> None:
    """The value a page does not offer is shown as an option's text, never as markup, and
    goes into the links between parts only URL-encoded."""
    hostile = '"><img src=x id=cf-injected onerror="document.title=1">'
    page = browse.page("/timeline/?" + urlencode({"actor": hostile}))
    select = page.locator("form.cf-filter select[name=actor]")
    expect(select).to_have_value(hostile)
    expect(select.locator("option:checked")).to_have_text(f"{hostile} (no events on this page)")
    expect(page.locator("#cf-injected")).to_have_count(0)
    assert page.title() != "1"


def test_without_javascript_the_whole_timeline_in_order(browse: Browsing, case: Case) -> None:
    page = browse.page("/timeline/", java_script_enabled=False)
    expect(page.locator("form.cf-filter")).to_be_hidden()
    expected = timeline_order(case)
    assert timeline_ids(page, visible_only=False) == expected
    assert timeline_ids(page, visible_only=True) == expected

    # The records' order, worked out here: by group (an open range has a group of its own,
    # beside its known end), then earliest possible day, then latest, then id; an open end
    # counts as the known one.
    def key(event: Record) -> tuple[object, ...]:
        value = event.data.date
        first = value.start.earliest if value.start else value.end.latest
        last = value.end.latest if value.end else first
        return (first, last, event.id)

    in_order = sorted(case.of_kind("event"), key=key)
    assert expected == [
        e.id for _, group in grouped(in_order, lambda e: e.data.date) for e in group
    ]
    # And the dates shown are in order too, but for open ranges ("on or before 4 August
    # 2022" says when it was not, and sits in its own group).
    stamps = page.locator("ol.cf-timeline > li time").evaluate_all(
        "ts => ts.map(t => [t.getAttribute('datetime'), t.textContent])"
    )
    closed = [
        stamp for stamp, text in stamps if not text.startswith(("on or before", "on or after"))
    ]
    assert len(closed) < len(stamps)
    assert closed == sorted(closed)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_filter_labels_stay_beside_their_selects(browse: Browsing, viewport: str) -> None:
    page = browse.page("/timeline/", viewport=DESKTOP if viewport == "desktop" else PHONE)
    apart = []
    for label in page.locator("form.cf-filter label").all():
        control = page.locator(f"#{label.get_attribute('for')}")
        lbox, cbox = label.bounding_box(), control.bounding_box()
        assert lbox and cbox
        same_line = abs((lbox["y"] + lbox["height"] / 2) - (cbox["y"] + cbox["height"] / 2)) < 8
        before = lbox["x"] + lbox["width"] <= cbox["x"] + 1
        above = lbox["y"] + lbox["height"] <= cbox["y"] + 1 and abs(lbox["x"] - cbox["x"]) < 8
        if not ((same_line and before) or above):
            apart.append(f"{label.inner_text()}: label {lbox}, select {cbox}")
    assert not apart, "\n".join(apart)
