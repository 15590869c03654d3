"""Every internal link resolves: crawled by plain HTTP from the home page, then checked again
against the links the browser's DOM holds on the pages the tour loaded."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest
from browsing import Crawl, Tour, fetch, page_key

pytestmark = pytest.mark.browser


def test_every_internal_link_resolves(site_crawl: Crawl) -> None:
    broken = site_crawl.broken(site_crawl.links)
    assert not broken, f"{len(broken)} broken internal links:\n" + "\n".join(broken)


def test_every_page_is_reachable_from_home(
    site_crawl: Crawl, site_pages: list[str], base_url: str
) -> None:
    reached = {urlsplit(url).path for url in site_crawl.ids}
    orphans = [p for p in site_pages if "/" + p not in reached]
    assert not orphans, f"pages no link leads to: {orphans}"


def test_no_page_repeats_an_id(site_crawl: Crawl) -> None:
    """A repeated id makes a #fragment ambiguous (and breaks label/aria references)."""
    assert not site_crawl.repeated, site_crawl.repeated


def test_links_in_the_browser_resolve(tour: Tour, site_crawl: Crawl, base_url: str) -> None:
    kinds = {urlsplit(url).path.split("/")[1] for url in tour.links}
    for expected in ("", "timeline", "actors", "events", "quotes", "sources", "tags", "data"):
        assert expected in kinds, f"the tour loaded no page under /{expected}"
    # Targets the HTTP crawl did not meet (say, added by scripts) are fetched now.
    for hrefs in tour.links.values():
        for href in hrefs:
            target = page_key(href)
            if target.startswith(base_url) and target not in site_crawl.status:
                code, _, _ = fetch(target)
                site_crawl.status[target] = code
    known_ids = {**site_crawl.ids, **tour.ids}
    check = Crawl(status=site_crawl.status, ids=known_ids)
    broken = check.broken(tour.links)
    assert not broken, f"{len(broken)} broken links in the browser:\n" + "\n".join(broken)
    assert urljoin(base_url, "timeline/") in tour.links
