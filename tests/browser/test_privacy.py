"""Privacy: reading the site sends nothing to any host but the one serving it: no web fonts
(mkdocs.yml sets theme.font: false), no CDN, no API. Requests to other hosts are blocked by
the tests, never sent, and recorded with the page that made them."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from browsing import KNOWN_LEAK_HOSTS, LOCAL_HOST, Browsing, Tour

pytestmark = pytest.mark.browser


def describe(requests: list[tuple[str, str]]) -> str:
    return "\n".join(f"{page} -> {url}" for page, url in requests)


def test_no_request_leaves_localhost(tour: Tour) -> None:
    assert tour.watch.outside == [], f"requests leaving {LOCAL_HOST}:\n" + describe(
        tour.watch.outside
    )


def test_nothing_leaves_localhost_but_the_known_leak(tour: Tour) -> None:
    """Until the repository facts stop being fetched, at least nothing else may leave."""
    leaks = tour.watch.unknown_leaks()
    assert not leaks, describe(leaks)
    hosts = {urlsplit(url).hostname for _, url in tour.watch.outside}
    assert hosts <= KNOWN_LEAK_HOSTS


def test_fonts_are_the_readers_own(browse: Browsing) -> None:
    """theme.font: false: no @font-face, no font request, the system's fonts."""
    page = browse.page("/")
    fonts: list[str] = []
    page.on("request", lambda r: fonts.append(r.url) if r.resource_type == "font" else None)
    page.goto("/timeline/")
    page.wait_for_load_state("load")
    assert fonts == []
    faces = page.evaluate(
        """() => [...document.styleSheets].flatMap(sheet => {
             try { return [...sheet.cssRules]; } catch (e) { return []; }
           }).filter(rule => rule instanceof CSSFontFaceRule).map(rule => rule.cssText)"""
    )
    assert faces == []
    assert page.evaluate("document.fonts.size") == 0


def test_no_request_leaves_localhost_without_javascript(browse: Browsing) -> None:
    page = browse.page("/", java_script_enabled=False)
    for path in ("/timeline/", "/actors/john-kirby/", "/sources/"):
        page.goto(path)
    assert browse.watch.outside == []
