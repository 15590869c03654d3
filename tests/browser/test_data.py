"""Taking the data away: every download the Data page links returns its file, the timeline's
"download these events" gives exactly the events the filter shows (as the matching rows of
data/events.csv), and the feeds and a source's citation are discoverable in each page's head."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from browsing import Browsing, matching
from playwright.sync_api import Page, expect
from test_timeline import discriminating_filter

from build_scripts.checker import Case
from build_scripts.feeds import CHANGES_FEED, EVENTS_FEED
from build_scripts.pages import render_site

pytestmark = pytest.mark.browser
BOM = "\ufeff"


def downloads(case: Case, site_dir: Path) -> set[str]:
    """What the Data page must link: every generated file that is not a page (one source's
    citation files are linked from its own page), the changes feed when there is a history."""
    files = render_site(case).files
    expected = {p for p in files if not p.endswith(".md") and not p.startswith("data/cite/")}
    if (site_dir / CHANGES_FEED).is_file():
        expected.add(CHANGES_FEED)
    return expected


def test_every_download_on_the_data_page_returns_its_file(
    browse: Browsing, case: Case, site_dir: Path, base_url: str
) -> None:
    page = browse.page("/data/")
    hrefs = page.locator("article a[href]").evaluate_all("links => links.map(a => a.href)")
    linked: dict[str, str] = {}
    for href in hrefs:
        parts = urlsplit(href)
        path = parts.path.lstrip("/")
        if parts.netloc == urlsplit(base_url).netloc and not path.endswith("/") and "#" not in href:
            linked[path] = href
    assert set(linked) == downloads(case, site_dir)
    for path, href in sorted(linked.items()):
        response = page.request.get(href)
        assert response.status == 200, path
        assert response.body() == (site_dir / path).read_bytes(), path


def events_csv_subset(site_dir: Path, ids: list[str]) -> str:
    """The header and the rows of the published events.csv for `ids`, in the file's order,
    written as that file is (RFC 4180, CRLF)."""
    text = (site_dir / "data" / "events.csv").read_bytes().decode("utf-8")
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(row for row in rows if row[0] in ids)
    whole = io.StringIO()
    csv.writer(whole, lineterminator="\r\n").writerows([header, *rows])
    assert whole.getvalue() == text  # so a subset written this way is byte for byte the file's
    return out.getvalue()


def download_events(page: Page, tmp_path: Path) -> str:
    button = page.get_by_role("button", name="Download these events (CSV)")
    expect(button).to_be_visible()
    with page.expect_download() as info:
        button.click()
    download = info.value
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    data = target.read_bytes()
    assert data.startswith(BOM.encode("utf-8"))
    return data.decode("utf-8")


def test_download_these_events_gives_exactly_the_filtered_events(
    browse: Browsing, case: Case, site_dir: Path, tmp_path: Path
) -> None:
    actor, status = discriminating_filter(case)
    page = browse.page(f"/timeline/?actor={actor}&status={status}")
    expected = sorted(matching(case, actor, status))
    assert 0 < len(expected) < len(case.events)
    text = download_events(page, tmp_path)
    assert text == BOM + events_csv_subset(site_dir, expected)

    page.locator("form.cf-filter select[name=status]").select_option("")
    assert download_events(page, tmp_path) == BOM + events_csv_subset(
        site_dir, sorted(matching(case, actor))
    )
    page.get_by_role("button", name="Show all").click()
    total = len(case.events)
    expect(page.locator(".cf-filter-count")).to_have_text(f"{total} of {total} events shown")
    whole = (site_dir / "data" / "events.csv").read_bytes().decode("utf-8")
    assert download_events(page, tmp_path) == BOM + whole


def test_the_download_is_named_after_the_filter(
    browse: Browsing, case: Case, tmp_path: Path
) -> None:
    actor, status = discriminating_filter(case)
    page = browse.page(f"/timeline/?actor={actor}&status={status}")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download these events (CSV)").click()
    assert info.value.suggested_filename == f"events-actor-{actor}-status-{status}.csv"


def test_feeds_and_citations_are_discoverable(browse: Browsing, case: Case, site_dir: Path) -> None:
    source = sorted(case.of_kind("source"), key=lambda r: r.id)[0]
    feeds = [EVENTS_FEED] + ([CHANGES_FEED] if (site_dir / CHANGES_FEED).is_file() else [])
    for path in ("/", "/timeline/", f"/sources/{source.id}/", "/data/"):
        page = browse.page(path)
        links = page.locator('head link[rel~="alternate"][type="application/atom+xml"]')
        hrefs = links.evaluate_all("links => links.map(l => l.href)")
        assert [urlsplit(h).path.lstrip("/") for h in hrefs] == feeds, path
        for href in hrefs:
            response = page.request.get(href)
            assert response.status == 200, href
            assert b'<feed xmlns="http://www.w3.org/2005/Atom"' in response.body(), href
    page = browse.page(f"/sources/{source.id}/")
    title = page.locator('head meta[name="citation_title"]')
    expect(title).to_have_attribute("content", source.data.title)
