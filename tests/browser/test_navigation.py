"""Following the links a reader follows: home -> an actor -> one of their quotes (permalink)
-> the source passage that holds it -> back to the quote through the source's back-reference
-> the speaker through the quote's attribution."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import pytest
from browsing import RECORDS, Browsing
from playwright.sync_api import Browser, Page, expect

from build_scripts.checker import Case
from build_scripts.records import Record

pytestmark = pytest.mark.browser

ACTOR = "john-kirby"  # the example case file's most quoted actor


def path_of(page: Page) -> str:
    return urlsplit(page.url).path


def words(text: str) -> str:
    """Text compared loosely: words only, typographic quotes and brackets aside."""
    return " ".join(re.findall(r"\w+", text.replace("\u2019", "'"))).casefold()


def test_actor_quote_source_and_back(browse: Browsing, case: Case) -> None:
    actor = case.records[ACTOR]
    page = browse.page("/")

    # Home -> the actor, from the "Key actors" list.
    page.locator("article").get_by_role("link", name=actor.data.name, exact=True).first.click()
    page.wait_for_url(f"**/actors/{ACTOR}/")
    expect(page.locator("article h1")).to_contain_text(actor.data.name)

    # Actor -> the first of their quotes, by its permalink.
    first_quote = page.locator("article blockquote.cf-quote").first
    quote_id = first_quote.get_attribute("id") or ""
    quote = case.records[quote_id]
    assert quote.data.speaker == ACTOR
    permalink = page.locator(f"article a[href$='quotes/{quote_id}/']", has_text="permalink")
    permalink.first.click()
    page.wait_for_url(f"**/quotes/{quote_id}/")
    quote_path = path_of(page)
    expect(page.locator(f"blockquote.cf-quote#{quote_id}")).to_be_visible()
    assert words(quote.data.text) in words(page.locator("blockquote.cf-quote").inner_text())

    # Quote -> the passage of the source that contains it.
    to_passage = page.locator("#source + ul a[href*='#p-']").first
    expect(to_passage).to_be_visible()
    to_passage.click()
    page.wait_for_url(re.compile(r"/sources/[^/]+/#p-\d+$"))
    fragment = urlsplit(page.url).fragment
    passage = page.locator(f"[id='{fragment}']")
    expect(passage).to_have_count(1)
    expect(passage).to_be_in_viewport()
    assert page.evaluate("document.querySelector(':target')?.id") == fragment

    # Source -> back to the quote, through the passage's back-reference.
    back = passage.locator(f"a[href$='quotes/{quote_id}/']")
    expect(back).to_have_count(1)
    back.click()
    page.wait_for_url(f"**{quote_path}")

    # Quote -> its speaker, through the attribution under the quote.
    attribution = page.locator("blockquote.cf-quote + p")
    speaker = attribution.get_by_role("link", name=actor.data.name, exact=True)
    expect(speaker).to_be_visible()
    speaker.click()
    page.wait_for_url(f"**/actors/{ACTOR}/")

    # History keeps the trail.
    page.go_back()
    page.wait_for_url(f"**{quote_path}")
    page.go_back()
    page.wait_for_url(re.compile(rf"#{fragment}$"))


@pytest.fixture(scope="module")
def reader(browser: Browser, base_url: str) -> Iterator[Page]:
    """One page for the many quotes below (the journey above does the clicking)."""
    browsing = Browsing(browser, base_url)
    with browsing.contexts:
        yield browsing.page("/")
    problems = browsing.watch.problems()
    assert not problems, problems


def quote_ids() -> list[str]:
    return sorted(p.stem for p in (RECORDS / "quotes").glob("*.yml"))


@pytest.mark.parametrize("quote_id", quote_ids())
def test_the_passage_a_quote_links_to_shows_it(reader: Page, case: Case, quote_id: str) -> None:
    quote: Record = case.records[quote_id]
    reader.goto(f"/quotes/{quote_id}/", wait_until="domcontentloaded")
    href = reader.locator("#source + ul a").first.get_attribute("href") or ""
    if "#p-" not in href:
        pytest.skip(f"{quote_id}: its source has no text to point into")
    reader.goto(urljoin(reader.url, href), wait_until="domcontentloaded")
    passage = reader.locator(f"[id='{urlsplit(href).fragment}']")
    expect(passage.locator(f"a[href$='quotes/{quote_id}/']")).to_have_count(1)
    assert words(quote.data.text) in words(passage.inner_text()), passage.inner_text()
