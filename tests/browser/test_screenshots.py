"""Screenshots of each kind of page at a desktop and a phone width, for people to look at:
tests/browser/screenshots/<page>-<width>.png (not committed). The test checks only what a
machine can: the page fills the width without sideways scrolling, and the picture is taken."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from browsing import DESKTOP, PHONE, SCREENSHOTS, Browsing, open_search, search
from playwright.sync_api import Browser, Page

from build_scripts.checker import Case

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": DESKTOP, "phone": PHONE}
PAGES = (
    "home",
    "timeline",
    "timeline-filtered",
    "actors",
    "actor",
    "event",
    "quotes",
    "quote",
    "sources",
    "source",
    "tags",
    "tag",
    "data",
    "search",
)


def path_of(case: Case, name: str) -> str:
    quote = sorted(case.of_kind("quote"), key=lambda r: r.id)[0]
    source = quote.data.source if isinstance(quote.data.source, str) else quote.data.source.source
    event = quote.data.event or case.events[0].id
    tag = sorted({t for r in case.records.values() for t in r.data.tags})[0]
    return {
        "home": "/",
        "timeline": "/timeline/",
        "timeline-filtered": f"/timeline/?actor={quote.data.speaker}",
        "actors": "/actors/",
        "actor": f"/actors/{quote.data.speaker}/",
        "event": f"/events/{event}/",
        "quotes": "/quotes/",
        "quote": f"/quotes/{quote.id}/",
        "sources": "/sources/",
        "source": f"/sources/{source}/",
        "tags": "/tags/",
        "tag": f"/tags/{tag}/",
        "data": "/data/",
        "search": "/",
    }[name]


@pytest.fixture(scope="module")
def pages(browser: Browser, base_url: str) -> Iterator[dict[str, Page]]:
    """One page per viewport, reused by every screenshot."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browsing = Browsing(browser, base_url)
    with browsing.contexts:
        yield {
            name: browsing.context(viewport=size, device_scale_factor=1).new_page()
            for name, size in VIEWPORTS.items()
        }
    problems = browsing.watch.problems()
    assert not problems, problems


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("name", PAGES)
def test_screenshot(pages: dict[str, Page], case: Case, name: str, viewport: str) -> None:
    page = pages[viewport]
    page.goto(path_of(case, name))
    if name == "search":
        open_search(page)
        search(page, "prisoner exchange")
    width = VIEWPORTS[viewport]["width"]
    sideways = page.evaluate(
        "() => { window.scrollTo(10000, 0); const x = window.scrollX; window.scrollTo(0, 0);"
        " return x; }"
    )
    page.screenshot(path=SCREENSHOTS / f"{name}-{viewport}.png", full_page=name != "search")
    assert sideways == 0, f"{name} scrolls sideways by {sideways}px at {width}px"
    if name == "search":
        page.keyboard.press("Escape")
