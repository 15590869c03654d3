"""A search index built in parts (a large case file's: search_index.PART_RECORDS), here the
example's in three: the search box asks every part and answers as the whole index does. The
same queries, filters and sorts give the same counts, the same first result, the same results
where all are shown, the same dates in the same order when sorted, and the same filter values
as on the example built whole. Words one part lacks are the hard case: Pagefind reads a word
its index does not hold as another word, and each part's page of every word prevents that."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from browsing import (
    ROOT,
    SEARCH_ITEMS,
    SEARCH_STATUS,
    browsing,
    build_site,
    result_paths,
    serve,
    settled,
)
from playwright.sync_api import Browser, Page, expect
from test_search import NAMES

pytestmark = pytest.mark.browser

PART_RECORDS = 20  # the example's 53 records in three parts
BUILD = (
    "import sys; from build_scripts import search_index; "
    "search_index.PART_RECORDS = int(sys.argv[1]); "
    "from mkdocs.__main__ import cli; cli(sys.argv[2:])"
)
SHOWN = 10  # results the box shows (search.js)

# Words some part lacks: "prisoner" is in one part only; "Washington" in one, where another
# part alone would read it as "was"; "nothing" in the whole only in a hand-written page.
WORDS = [
    "prisoner exchange",
    "russia talks",
    "griner whelan",
    "blinken lavrov call",
    "kirby",
    "offer",
    '"no plans"',
    "quiet diplomacy",
    "viktor bout trade",
    "nothing-matches-this",
    "washington talks",
    "zzyzx",
]
NAME_QUERIES = sorted({name for _, name in NAMES})
FILTERED = [
    {"q": "offer", "q-kind": "event"},
    {"q": "offer", "q-status": "confirmed"},
    {"q": "griner", "q-actor": "John Kirby"},
    {"q": "russia", "q-year": "2022"},
    {"q": "offer", "q-tag": "prisoner-exchange"},
]
SORTED = [
    {"q": q, "q-sort": order}
    for q in ("griner", "russia", "kirby", "the")
    for order in ("asc", "desc")
]


@pytest.fixture(scope="module")
def parts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("search-parts")
    build_site(ROOT, out, python=("-c", BUILD, str(PART_RECORDS)))
    return out


@pytest.fixture(scope="module")
def parts_url(parts_dir: Path) -> Iterator[str]:
    with serve(parts_dir) as url:
        yield url


@pytest.fixture(scope="module")
def both(browser: Browser, base_url: str, parts_url: str) -> Iterator[tuple[Page, Page]]:
    """A page of the example built whole and one of it with its index in parts, each moved
    from search to search (the watch of both fails the module at its end)."""
    with browsing(browser, base_url) as whole, browsing(browser, parts_url) as parted:
        yield whole.page("/"), parted.page("/")


def answer(page: Page, params: dict[str, str]) -> tuple[str, list[str], list[str]]:
    """What the box shows for a search given in the URL: its status line, the result paths
    and the results' dates."""
    page.goto("/?" + urlencode(params))
    expect(page.locator(SEARCH_STATUS)).not_to_be_empty()
    settled(page)
    dates = page.locator(f"{SEARCH_ITEMS} time").evaluate_all("times => times.map(t => t.dateTime)")
    return page.locator(SEARCH_STATUS).inner_text(), result_paths(page), dates


def test_the_index_is_in_three_parts(parts_dir: Path, site_dir: Path) -> None:
    listed = json.loads((parts_dir / "pagefind" / "casefile-parts.json").read_text())
    assert listed == {"parts": ["part-1/", "part-2/"]}
    whole = json.loads((site_dir / "pagefind" / "casefile-parts.json").read_text())
    assert whole == {"parts": []}

    def pages(bundle: Path) -> int:
        entry = json.loads((bundle / "pagefind-entry.json").read_text())
        return sum(lang["page_count"] for lang in entry["languages"].values())

    bundles = [parts_dir / "pagefind" / p for p in ["", *listed["parts"]]]
    counts = [pages(b) - 1 for b in bundles]  # each part's vocabulary page aside
    assert sum(counts) == pages(site_dir / "pagefind")
    # The records dealt evenly (53 in three), the hand-written pages in the first part.
    assert counts[1:] == [17, 17] and counts[0] > 17, counts


QUERIES = [{"q": query} for query in WORDS + NAME_QUERIES] + FILTERED


@pytest.mark.parametrize("params", QUERIES, ids=lambda p: "&".join(p.values()))
def test_a_search_finds_what_the_whole_index_finds(
    both: tuple[Page, Page], params: dict[str, str]
) -> None:
    whole, parted = (answer(page, params) for page in both)
    assert parted[0] == whole[0]  # "N results for ...": the same count
    if len(whole[1]) < SHOWN:
        assert sorted(parted[1]) == sorted(whole[1])
    # Ranks may differ: a part's word statistics are its own (with 17 records, far from the
    # whole's; with the 20,000 of a real part, close). A name still finds its actor first.
    if params == {"q": params["q"]} and params["q"] in NAME_QUERIES:
        assert parted[1][:1] == whole[1][:1]


@pytest.mark.parametrize("params", SORTED, ids=lambda p: "&".join(p.values()))
def test_a_sorted_search_shows_the_same_dates_in_order(
    both: tuple[Page, Page], params: dict[str, str]
) -> None:
    whole, parted = (answer(page, params) for page in both)
    assert parted[0] == whole[0]
    assert parted[2] == whole[2]
    assert len(whole[2]) == min(SHOWN, int(whole[0].split()[0]))  # every result is dated
    ordered = sorted(whole[2], reverse=params["q-sort"] == "desc")
    assert whole[2] == ordered


def filter_values(page: Page) -> dict[str, list[str]]:
    page.locator(".cf-search__filters").hover()
    expect(page.locator("select[name=actor] option").nth(1)).to_be_attached()
    return page.locator("select:not([data-cf-sort])").evaluate_all(
        "selects => Object.fromEntries(selects.map(s => "
        "[s.name, Array.from(s.options, o => o.value).filter(Boolean)]))"
    )


def test_the_filters_offer_the_values_of_every_part(both: tuple[Page, Page]) -> None:
    for page in both:
        answer(page, {"q": "offer"})
    whole, parted = both
    values = filter_values(whole)
    assert values["actor"] and values["year"]
    assert filter_values(parted) == values


@pytest.mark.parametrize("query", ["kirby", "griner", "the"])
def test_show_more_reaches_every_result_of_every_part(both: tuple[Page, Page], query: str) -> None:
    """Past the first results, "Show more" loads the next from all the parts: shown to the
    end, the parted index lists the records the whole one does, each once."""
    found = []
    for page in both:
        status, _, _ = answer(page, {"q": query})
        total = int(status.split()[0])
        more = page.locator(".cf-search__more")
        while more.is_visible():
            shown = page.locator(SEARCH_ITEMS).count()
            more.click()
            expect(page.locator(SEARCH_ITEMS)).to_have_count(min(shown + SHOWN, total))
        paths = settled(page)
        assert len(paths) == len(set(paths)) == total
        found.append(sorted(paths))
    assert found[0] == found[1] and len(found[0]) > SHOWN
