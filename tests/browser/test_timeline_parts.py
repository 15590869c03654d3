"""A timeline split into parts (the example built with a small page budget): each part
filters its own events, the links between parts carry the filter, and a part without the
chosen actor keeps the filter and shows no event."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from urllib.parse import parse_qs, urlsplit

import pytest
from browsing import ROOT, Browsing, browsing, build_site, serve, timeline_attrs, timeline_ids
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

BUDGET = 6000  # bytes of events a part: the example's timeline in some twenty parts
BUILD = (
    "import sys; from build_scripts import views; views.PAGE_BUDGET = int(sys.argv[1]); "
    "from mkdocs.__main__ import cli; cli(sys.argv[2:])"
)


@pytest.fixture(scope="module")
def parted_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("parted")
    build_site(ROOT, out, python=("-c", BUILD, str(BUDGET)))
    with serve(out) as url:
        yield url


@pytest.fixture
def parted(browser: Browser, parted_url: str) -> Iterator[Browsing]:
    with browsing(browser, parted_url) as session:
        yield session


def part_links(page: Page) -> list[str]:
    """The parts this page's first parts navigation links to, as site paths."""
    hrefs = (
        page.locator("nav.cf-parts")
        .first.locator("a")
        .evaluate_all("links => links.map(a => new URL(a.href).pathname)")
    )
    return list(hrefs)


def actors_by_part(browse: Browsing) -> dict[str, set[str]]:
    """Each part's path -> the actors of its events (from the overview's list of parts)."""
    overview = browse.page("/timeline/")
    parts = part_links(overview)
    assert len(parts) > 3, "the example timeline is not split: lower BUDGET"
    found: dict[str, set[str]] = {}
    page = browse.context().new_page()
    for path in parts:
        page.goto(path)
        found[path] = set().union(*(held for _, held, _ in timeline_attrs(page).values()))
    return found


def test_the_filter_follows_the_links_between_parts(parted: Browsing) -> None:
    found = actors_by_part(parted)
    parts = list(found)
    # An actor in one part and not in the next.
    here, there, actor = next(
        (a, b, min(found[a] - found[b])) for a, b in pairwise(parts) if found[a] - found[b]
    )
    page = parted.page(f"{here}?actor={actor}")
    attrs = timeline_attrs(page)
    expected = [i for i, (_, held, _) in attrs.items() if actor in held]
    assert timeline_ids(page, visible_only=True) == expected
    expect(page.locator(".cf-filter-count")).to_have_text(
        f"{len(expected)} of {len(attrs)} events shown"
    )
    # The part's form offers its own actors only.
    offered = page.locator("#cf-filter-actor option").evaluate_all(
        "options => options.map(o => o.value).filter(v => v)"
    )
    assert set(offered) == found[here]

    link = page.locator("nav.cf-parts").first.locator(f'a[href*="{there.strip("/")}"]').first
    assert parse_qs(urlsplit(link.get_attribute("href") or "").query) == {"actor": [actor]}
    link.click()
    page.wait_for_url(f"**{there}?actor={actor}")
    select = page.locator("#cf-filter-actor")
    expect(select).to_have_value(actor)
    expect(select.locator("option:checked")).to_have_text(f"{actor} (no events on this page)")
    assert timeline_ids(page, visible_only=True) == []
    total = len(timeline_attrs(page))
    expect(page.locator(".cf-filter-count")).to_have_text(f"0 of {total} events shown")

    # Clearing the filter clears it from the links too.
    page.locator("form.cf-filter button[type=reset]").click()
    expect(page.locator(".cf-filter-count")).to_have_text(f"{total} of {total} events shown")
    for href in page.locator("nav.cf-parts a").evaluate_all("links => links.map(a => a.href)"):
        assert urlsplit(href).query == "", href


def test_without_javascript_the_parts_link_plainly(parted: Browsing) -> None:
    page = parted.page("/timeline/", java_script_enabled=False)
    parts = part_links(page)
    second = parted.page(parts[1], java_script_enabled=False)
    expect(second.locator("form.cf-filter")).to_be_hidden()
    assert timeline_ids(second, visible_only=True) == timeline_ids(second, visible_only=False)
    hrefs = second.locator("nav.cf-parts a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert hrefs and not any("?" in h for h in hrefs)
