"""Fixtures of the browser tests: the example site, built once and served on 127.0.0.1, and
Debian's chromium driven by Playwright (never a browser Playwright downloads).

Without chromium or axe-core the tests skip, except under CI (CI=true), where they fail:
`make test` installs both (`make browser`, and `.venv/axe/axe.min.js` from the npm registry).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import (
    RECORDS,
    ROOT,
    Browsing,
    Crawl,
    Tour,
    Watch,
    browsing,
    build_site,
    built_pages,
    crawl,
    open_search,
    page_key,
    search,
    serve,
    watched_context,
)
from playwright.sync_api import Browser, Playwright, sync_playwright

from benchmarks.bench import CHROMIUM, CHROMIUM_ARGS  # the one list of the required flags
from build_scripts.checker import Case, check

AXE_JS = Path(os.environ.get("AXE_JS") or ROOT / ".venv" / "axe" / "axe.min.js")


def missing(what: str) -> None:
    """Skip, or fail under CI, where everything the tests need must have been installed."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} (CI=true: `make test` must install it)", pytrace=False)
    pytest.skip(what)


# -- the site ----------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def case() -> Case:
    report, checked = check(RECORDS)
    assert checked is not None, report.errors
    return checked


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build_site(ROOT, out)
    return out


@pytest.fixture(scope="session")
def base_url(site_dir: Path) -> Iterator[str]:
    with serve(site_dir) as url:
        yield url


@pytest.fixture(scope="session")
def site_pages(site_dir: Path) -> list[str]:
    """Every built HTML page, as a path from the site root ("" for the home page)."""
    return built_pages(site_dir)


@pytest.fixture(scope="session")
def site_crawl(base_url: str) -> Crawl:
    return crawl(base_url)


# -- the browser -------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        missing(f"{CHROMIUM} not found (Debian's chromium: `make browser`)")
    launched = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield launched
    launched.close()


@pytest.fixture(scope="session")
def axe_js() -> Path:
    if not AXE_JS.is_file():
        missing(f"axe-core not found at {AXE_JS} (`make .venv/axe/axe.min.js`, or set AXE_JS)")
    return AXE_JS


@pytest.fixture
def browse(browser: Browser, base_url: str) -> Iterator[Browsing]:
    with browsing(browser, base_url) as session:
        yield session


# -- one visit of the whole site, shared by the privacy, console and crawl tests ---------------
def tour_pages(site_pages: list[str]) -> list[str]:
    """Pages outside the record folders, and the first of each record folder."""
    chosen: list[str] = []
    folders: set[str] = set()
    for path in site_pages:
        parts = path.strip("/").split("/")
        if len(parts) < 2:
            chosen.append(path)
        elif parts[0] not in folders:
            folders.add(parts[0])
            chosen.append(path)
    return chosen


@pytest.fixture(scope="session")
def tour(browser: Browser, base_url: str, site_pages: list[str], case: Case) -> Tour:
    """Every section page and one record page of each kind (an actor, event, quote, source
    and tag), in one browser context as one visitor would (so Material's first-page fetches
    happen once); then a search and a filtered timeline."""
    watch = Watch()
    links: dict[str, list[str]] = {}
    ids: dict[str, set[str]] = {}
    states: list[str] = []
    with watched_context(browser, base_url, watch) as context:
        page = context.new_page()

        def record(state: str) -> None:
            states.append(state)
            url = page_key(page.url)
            links[url] = page.locator("a[href]").evaluate_all(
                # An SVG link's href is an SVGAnimatedString: resolve its text as HTML does.
                "as => as.map(a => typeof a.href === 'string' ? a.href"
                " : new URL(a.href.baseVal, document.baseURI).href)"
            )
            ids[url] = set(page.locator("[id]").evaluate_all("es => es.map(e => e.id)"))

        for path in tour_pages(site_pages):
            page.goto(path or "/")
            record(path or "/")
        page.goto("/")
        open_search(page)
        quote = sorted(case.of_kind("quote"), key=lambda r: r.id)[0]
        search(page, " ".join(quote.data.text.split()[:5]))
        record("search results")
        event = case.events[0]
        actor = event.data.actors[0]
        actor_id = actor if isinstance(actor, str) else actor.actor
        page.goto(f"timeline/?actor={actor_id}&status={event.data.status}")
        record("filtered timeline")
    return Tour(watch, links, ids, states)
