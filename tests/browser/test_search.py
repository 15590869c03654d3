"""Search: the casefile search box in Material's header, on Pagefind's index built by the
plugin. It finds a quote by its words, an actor by its name or an alias, a source by its title
and a phrase exactly; it filters and sorts with the state in the URL, works by keyboard, passes
axe in both schemes, loads nothing from another host, and works under a sub-path with
`use_directory_urls: false`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from browsing import (
    PHONE,
    RECORDS,
    ROOT,
    SEARCH_INPUT,
    SEARCH_ITEMS,
    SEARCH_STATUS,
    Browsing,
    format_violations,
    result_paths,
    run_axe,
    search,
    serve,
    settled,
)
from playwright.sync_api import Browser, Page, expect

from tests.cases import build

pytestmark = pytest.mark.browser

INPUT, STATUS, RESULTS = SEARCH_INPUT, SEARCH_STATUS, SEARCH_ITEMS
QUOTE_TOP = 1  # a quote's page is the first result for part of its text
ALIAS_TOP = 1  # an actor's page is the first result for its name or one of its aliases


def _yaml(kind: str) -> dict[str, dict[str, object]]:
    return {p.stem: yaml.safe_load(p.read_text()) for p in sorted((RECORDS / kind).glob("*.yml"))}


QUOTES = _yaml("quotes")
ACTORS = _yaml("actors")
SOURCES = _yaml("sources")
NAMES = [
    (actor_id, name)
    for actor_id, data in ACTORS.items()
    for name in [data["name"], *(data.get("aliases") or [])]  # type: ignore[misc]
]


def part_of(text: str) -> str:
    """A few words from inside a quote, as a reader remembers it."""
    words = text.split()
    return " ".join(words[2:7]) if len(words) > 8 else " ".join(words)


# -- helpers -------------------------------------------------------------------------------------
def query_of(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


@pytest.fixture(scope="module")
def search_page(browser: Browser, base_url: str) -> Iterator[Page]:
    """One page with the search box, for the many queries below."""
    browsing = Browsing(browser, base_url)
    with browsing.contexts:
        page = browsing.page("/")
        page.keyboard.press("/")
        expect(page.locator(INPUT)).to_be_focused()
        yield page
    problems = browsing.watch.problems()
    assert not problems, problems


# -- what it finds -------------------------------------------------------------------------------
@pytest.mark.parametrize("quote_id", sorted(QUOTES))
def test_part_of_every_quote_finds_it_first(search_page: Page, quote_id: str) -> None:
    query = part_of(str(QUOTES[quote_id]["text"]))
    results = search(search_page, query)
    assert f"/quotes/{quote_id}/" in results[:QUOTE_TOP], (query, results)


@pytest.mark.parametrize(("actor_id", "name"), NAMES, ids=[f"{a}:{n}" for a, n in NAMES])
def test_a_name_or_alias_finds_its_actor_first(search_page: Page, actor_id: str, name: str) -> None:
    results = search(search_page, name)
    assert f"/actors/{actor_id}/" in results[:ALIAS_TOP], (name, results)


@pytest.mark.parametrize(
    ("word", "actor_id"),
    [
        ("Blinken", "antony-blinken"),
        ("Antony", "antony-blinken"),
        ("Griner", "brittney-griner"),
        ("Lavrov", "sergey-lavrov"),
        ("Putin", "vladimir-putin"),
    ],
)
def test_a_word_of_a_name_finds_its_actor_first(
    search_page: Page, word: str, actor_id: str
) -> None:
    """A surname or a first name alone: the person comes before the quotes and events that
    name them (Blinken's page was fourth, behind three quotes)."""
    assert search(search_page, word)[0] == f"/actors/{actor_id}/"


@pytest.mark.parametrize("source_id", sorted(SOURCES))
def test_a_title_finds_its_source_first(search_page: Page, source_id: str) -> None:
    title = str(SOURCES[source_id]["title"])
    results = search(search_page, title)
    assert results[:1] == [f"/sources/{source_id}/"], (title, results)


def test_a_phrase_in_quotes_matches_exactly(search_page: Page) -> None:
    loose = search(search_page, "plans no")
    exact = search(search_page, '"no plans"')
    assert exact and set(exact) <= set(loose)
    for item in search_page.locator(RESULTS).all():
        expect(item.locator("mark").first).to_be_visible()
    assert search(search_page, '"plans no"') == []
    expect(search_page.locator(STATUS)).to_have_text('No results for "plans no"')


def test_a_result_shows_kind_date_status_and_highlighted_excerpt(browse: Browsing) -> None:
    page = browse.page("/")
    search(page, "Griner convicted")
    first = page.locator(RESULTS).first
    expect(first.locator(".cf-search__title a")).to_have_attribute("href", re.compile("/events/"))
    meta = first.locator(".cf-search__meta")
    expect(meta).to_contain_text("event")
    expect(meta.locator("time[datetime]")).to_have_text(re.compile(r"\d{4}"))
    expect(meta).to_contain_text(re.compile("confirmed|reported|claimed|disputed|denied"))
    expect(first.locator(".cf-search__excerpt mark").first).to_be_visible()


def test_sub_results_link_to_paragraphs_and_quotes(browse: Browsing) -> None:
    page = browse.page("/")
    search(page, "substantive response")
    paragraph = page.locator(".cf-search__subs a[href*='#p-']").first
    href = paragraph.get_attribute("href") or ""
    paragraph.click()
    page.wait_for_url(re.compile(r"/sources/.+#p-\d+$"))
    expect(page.locator(f"[id='{href.rsplit('#', 1)[1]}']")).to_be_attached()
    quote_id, quote = next((i, q) for i, q in QUOTES.items() if q.get("event"))
    page.goto(f"/?q={part_of(str(quote['text']))}")
    link = page.locator(f".cf-search__subs a[href$='#{quote_id}']").first
    expect(link).to_have_attribute("href", re.compile(f"/events/{quote['event']}/#"))


def test_an_editors_note_is_not_shown_as_a_paragraph_of_the_source(browse: Browsing) -> None:
    """Words only in a source's editor's note find the source itself, with no "¶" of its
    text under them (the note came after the last paragraph, and was shown as it)."""
    page = browse.page("/")
    search(page, "Azerbaijani")
    result = page.locator(RESULTS).filter(
        has=page.locator("a[href*='/sources/agency-biden-no-plans-to-call-putin/']")
    )
    expect(result).to_have_count(1)
    expect(result.locator(".cf-search__excerpt mark").first).to_have_text("Azerbaijani")
    expect(result.locator(".cf-search__subs a[href*='#p-']")).to_have_count(0)


def test_show_more_adds_the_next_results_and_moves_the_focus_to_them(browse: Browsing) -> None:
    """Past the first ten results, "Show more" adds the next ten (the reader had no way to
    the eleventh); the focus goes to the first of them; a new query starts at ten again."""
    page = browse.page("/")
    first = search(page, "Kirby")
    total = int((page.locator(STATUS).text_content() or "").split()[0])
    assert len(first) == 10 and total > 20  # the example: three lots of results
    more = page.get_by_role("button", name="Show 10 more")
    more.click()
    expect(page.locator(RESULTS)).to_have_count(20)
    expect(page.locator(STATUS)).to_have_text(f"{total} results for Kirby, the first 20 shown")
    expect(page.locator(RESULTS).nth(10).locator(".cf-search__title a")).to_be_focused()
    shown = settled(page)
    assert shown[:10] == first and len(set(shown)) == 20
    page.get_by_role("button", name=f"Show {total - 20} more").click()
    expect(page.locator(RESULTS)).to_have_count(total)
    expect(page.locator(STATUS)).to_have_text(f"{total} results for Kirby")
    expect(page.locator(".cf-search__more")).to_be_hidden()
    search(page, "Griner")
    expect(page.locator(RESULTS)).to_have_count(10)
    expect(page.locator(".cf-search__more")).to_be_visible()


# -- state in the URL ----------------------------------------------------------------------------
def test_filters_and_sort_live_in_the_url(browse: Browsing) -> None:
    page = browse.page("/")
    search(page, "Kirby")
    page.locator("select[name=kind]").select_option("quote")
    expect(page).to_have_url(re.compile(r"q-kind=quote"))
    paths = settled(page)
    assert paths and all(p.startswith("/quotes/") for p in paths), paths
    page.locator("select[name=sort]").select_option("asc")
    expect(page).to_have_url(re.compile(r"q-sort=asc"))
    settled(page)
    shared = urlsplit(page.url)
    # The same address in a new context shows the same search, filters and sort.
    other = browse.page(f"{shared.path}?{shared.query}")
    expect(other.locator(INPUT)).to_have_value("Kirby")
    expect(other.locator("select[name=kind]")).to_have_value("quote")
    expect(other.locator("select[name=sort]")).to_have_value("asc")
    expect(other.locator(RESULTS).first).to_be_visible()
    assert result_paths(other) == result_paths(page)
    assert query_of(other)["q"] == ["Kirby"]


@pytest.mark.parametrize(
    ("name", "value", "check"),
    [
        ("status", "confirmed", "/events/"),
        ("year", "2022", "/"),
        ("tag", "prisoner-exchange", "/"),
        ("actor", "John Kirby", "/"),
    ],
)
def test_each_filter_from_the_url(browse: Browsing, name: str, value: str, check: str) -> None:
    page = browse.page(f"/?q=offer&q-{name}={value}")
    expect(page.locator(f"select[name={name}]")).to_have_value(value)
    expect(page.locator(RESULTS).first).to_be_visible()
    assert all(p.startswith(check) for p in result_paths(page))
    unfiltered = browse.page("/?q=offer")
    expect(unfiltered.locator(RESULTS).first).to_be_visible()
    filtered_count = int(page.locator(STATUS).inner_text().split()[0])
    all_count = int(unfiltered.locator(STATUS).inner_text().split()[0])
    assert filtered_count <= all_count


# -- keyboard, pointer, no script --------------------------------------------------------------
def test_keyboard_slash_arrows_enter_escape(browse: Browsing) -> None:
    page = browse.page("/actors/")
    page.keyboard.press("/")
    expect(page.locator(INPUT)).to_be_focused()
    page.keyboard.type("Kirby")
    expect(page.locator(STATUS)).to_have_text(re.compile("for Kirby"))
    expect(page.locator(".cf-search__panel")).to_be_visible()
    page.keyboard.press("ArrowDown")
    first = page.locator(f"{RESULTS} .cf-search__title a").first
    expect(first).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator(".cf-search__panel")).to_be_hidden()
    expect(page.locator(INPUT)).to_be_focused()
    page.keyboard.press("ArrowDown")  # the panel opens again on typing
    page.keyboard.type(" ")
    expect(page.locator(".cf-search__panel")).to_be_visible()
    settled(page)
    page.keyboard.press("ArrowDown")
    expect(first).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url("**/actors/john-kirby/")


def test_search_box_on_a_phone(browse: Browsing) -> None:
    page = browse.page("/actors/", viewport=PHONE)
    page.locator(INPUT).click()
    search(page, "Kirby")
    expect(page.locator(".cf-search__panel")).to_be_in_viewport()


def test_without_javascript_the_box_links_to_the_index_pages(browse: Browsing) -> None:
    page = browse.page("/", java_script_enabled=False)
    expect(page.locator(INPUT)).to_be_hidden()
    browse_menu = page.locator(".cf-search__browse")
    browse_menu.locator("summary").click()
    links = browse_menu.locator("a")
    expect(links.filter(has_text="Actors")).to_have_attribute("href", "actors/")
    expect(links.filter(has_text="Timeline")).to_be_visible()


# -- accessibility and privacy ------------------------------------------------------------------
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_clean_with_results_open(browse: Browsing, axe_js: Path, scheme: str) -> None:
    page = browse.page("/", color_scheme=scheme)
    search(page, "Kirby")
    expected = "slate" if scheme == "dark" else "default"
    expect(page.locator("body")).to_have_attribute("data-md-color-scheme", expected)
    violations = run_axe(page, axe_js)
    assert not violations, format_violations(violations)


def test_every_search_request_stays_on_the_site(browse: Browsing) -> None:
    page = browse.page("/")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    search(page, "Kirby")
    search(page, '"no plans"')
    assert any("/pagefind/" in u for u in requests), requests
    base = browse.base_url
    assert all(u.startswith(base) for u in requests), [
        u for u in requests if not u.startswith(base)
    ]
    # The fixture fails the test on any request leaving 127.0.0.1 or any console error.


# -- a site under a sub-path, without directory URLs ---------------------------------------------
@pytest.fixture(scope="module")
def sub_path_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    work = tmp_path_factory.mktemp("subpath")
    config = work / "mkdocs.yml"
    config.write_text(
        f"INHERIT: {ROOT / 'mkdocs.yml'}\n"
        f"docs_dir: {ROOT / 'docs'}\n"
        "site_url: http://127.0.0.1/deep/case/\n"
        "use_directory_urls: false\n"
        "plugins:\n"
        f"  - casefile:\n      records: {RECORDS}\n",
        encoding="utf-8",
    )
    out = work / "served" / "deep" / "case"
    done = build(ROOT, out, "-f", str(config))
    assert done.returncode == 0, done.stdout + done.stderr
    with serve(work / "served") as url:
        yield url + "deep/case/"


def test_search_under_a_sub_path_without_directory_urls(
    browser: Browser, sub_path_url: str
) -> None:
    browsing = Browsing(browser, sub_path_url)
    with browsing.contexts:
        page = browsing.page(sub_path_url + "actors/index.html")
        results = search(page, "Kirby")
        assert results[0] == "/deep/case/actors/john-kirby.html", results
        page.locator(f"{RESULTS} .cf-search__title a").first.click()
        page.wait_for_url("**/deep/case/actors/john-kirby.html")
        expect(page.locator("h1")).to_contain_text("John Kirby")
        page.goto(sub_path_url + "index.html?q=%22no+plans%22")
        expect(page.locator(RESULTS).first).to_be_visible()
        hrefs = page.locator(f"{RESULTS} a").evaluate_all("as => as.map(a => a.href)")
        assert all(h.startswith(sub_path_url) for h in hrefs), hrefs
    assert not browsing.watch.problems(), browsing.watch.problems()


@pytest.mark.parametrize("width", [PHONE["width"], 375, 1280])
def test_the_search_label_is_for_screen_readers_only(browse: Browsing, width: int) -> None:
    """The box's label names it for a screen reader and takes no room: shown, it pushed
    the site's title out of a phone's header (one letter of it was left at 375 px)."""
    page = browse.page("/actors/", viewport={"width": width, "height": 800})
    expect(page.get_by_role("searchbox", name="Search the case file")).to_be_visible()
    label = page.locator(".cf-search__label span").bounding_box()
    assert label is not None and label["width"] <= 1 and label["height"] <= 1
    title = page.locator(".md-header__title").bounding_box()
    assert title is not None and title["width"] >= 0.25 * width
