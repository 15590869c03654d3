"""The example site, built by `mkdocs build --strict`, checked in its HTML."""

from __future__ import annotations

import itertools
import json
import posixpath
import re
import shutil
from collections import defaultdict
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from build_scripts.checker import Case, check
from build_scripts.models import wikilinks
from build_scripts.placement import grouped
from build_scripts.site_paths import page_of
from tests.cases import build

ROOT = Path(__file__).resolve().parent.parent


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.ids: set[str] = set()
        self.timeline: list[str] = []
        self._in_timeline = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        if tag == "a" and values.get("href"):
            self.hrefs.append(values["href"] or "")
        if tag == "ol" and "cf-timeline" in (values.get("class") or ""):
            self._in_timeline += 1
        if tag == "li" and self._in_timeline and values.get("data-status"):
            self.timeline.append(values.get("id") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "ol" and self._in_timeline:
            self._in_timeline -= 1


def parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Case]:
    out = tmp_path_factory.mktemp("site")
    result = build(ROOT, out)
    assert result.returncode == 0, result.stderr
    _, case = check(ROOT / "casefile")
    assert case is not None
    return out, case


def html_of(site: Path, md_path: str) -> Path:
    stem = md_path.removesuffix(".md")
    return (
        site
        / (stem.removesuffix("index") if stem.endswith("index") else stem + "/")
        / ("index.html")
    )


def url_of(md_path: str) -> str:
    stem = md_path.removesuffix(".md")
    if stem == "index":
        return "/"
    return "/" + (stem.removesuffix("index") if stem.endswith("/index") else stem + "/")


def test_every_record_has_its_page(example: tuple[Path, Case]) -> None:
    site, case = example
    for record in case.records.values():
        assert html_of(site, page_of(record)).is_file(), record.id
    for path in ("index.md", "timeline.md", "actors/index.md", "quotes/index.md", "data.md"):
        assert html_of(site, path).is_file(), path
    assert (site / "casefile.json").is_file()
    assert (site / "schema" / "event.schema.json").is_file()


def test_every_internal_link_resolves(example: tuple[Path, Case]) -> None:
    site, _ = example
    pages = {p: parse(p) for p in site.rglob("*.html")}
    broken: list[str] = []
    for page, links in pages.items():
        base = "/" + page.parent.relative_to(site).as_posix() + "/"
        for href in links.hrefs:
            if href.startswith(("http://", "https://", "mailto:")):
                continue
            target_url, fragment = urldefrag(href)
            resolved = posixpath.normpath(posixpath.join(base, unquote(target_url) or "."))
            target = site / resolved.lstrip("/")
            if target.is_dir() or not target_url or target_url.endswith("/"):
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(site)}: {href}")
                continue
            if fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else parse(target).ids
                if fragment not in ids:
                    broken.append(f"{page.relative_to(site)}: {href} (no #{fragment})")
    assert not broken, "\n".join(broken[:20])


def test_back_references_are_complete(example: tuple[Path, Case]) -> None:
    """For each reference A -> B, B's page links to A's page."""
    site, case = example
    links: dict[str, set[str]] = {}
    for record in case.records.values():
        path = page_of(record)
        base = url_of(path)
        hrefs = parse(html_of(site, path)).hrefs
        links[record.id] = {
            posixpath.normpath(posixpath.join(base, urldefrag(h)[0])) + "/"
            for h in hrefs
            if not h.startswith(("http", "#"))
        }
    missing = []
    for ref in case.references:
        origin = case.records[ref.origin]
        if url_of(page_of(origin)) not in links[ref.target]:
            missing.append(f"{ref.target} does not link back to {ref.origin} ({ref.relation})")
    assert not missing, "\n".join(missing)


def test_the_records_the_case_summary_links_list_it_where_they_are_mentioned(
    example: tuple[Path, Case],
) -> None:
    """The case's summary is on the home page; every record it links to says so."""
    site, case = example
    linked = set(wikilinks(case.meta.summary))
    assert len(linked) >= 5
    for record in case.records.values():
        html = html_of(site, page_of(record)).read_text()
        mentioned = html.partition('id="mentioned-in"')[2].split("</ul>")[0]
        home = '<a href="../../">The case summary</a>' in mentioned
        assert home == (record.id in linked), record.id


def test_timeline_is_in_date_order(example: tuple[Path, Case]) -> None:
    site, case = example
    order = parse(site / "timeline" / "index.html").timeline
    # By group (placement.grouped: an open range in a group of its own beside its known end),
    # in date order within each group.
    assert order == [
        e.id for _, events in grouped(case.events, lambda e: e.data.date) for e in events
    ]
    assert len(order) == len(case.of_kind("event"))


def test_timeline_order_with_exact_approximate_and_open_dates(tmp_path: Path) -> None:
    root = tmp_path / "casefile"
    files = {
        "case.yml": "title: Order\n",
        "actors/a.yml": "name: A\nkind: person\n",
    }
    dates = {
        "e-year": "2022",
        "e-before": "../2022-07-27",
        "e-exact": "2022-07-27",
        "e-month": "2022-07",
        "e-approx": "2022-06~",
        "e-after": "2022-08-01/..",
        "e-range": "2022-06/2022-07-27",
    }
    for name, value in dates.items():
        # Each cites a source of its own: seven look-alike titles citing one source would be
        # (rightly) reported as possible duplicates.
        files[f"sources/s-{name}.yml"] = f"title: S {name}\nkind: article\n"
        files[f"events/{name}.yml"] = (
            f"title: {name}\ndate: {value}\nstatus: reported\nactors: [a]\nsources: [s-{name}]\n"
        )
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (tmp_path / "mkdocs.yml").write_text("site_name: Order\ntheme: material\nplugins: [casefile]\n")
    (tmp_path / "docs").mkdir()
    result = build(tmp_path, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    order = parse(tmp_path / "site" / "timeline" / "index.html").timeline
    # Earliest possible day first, then latest; an open start is listed in a group of its
    # own just before its known end's month, never inside that month.
    assert order == [
        "e-year",
        "e-approx",
        "e-range",
        "e-before",
        "e-month",
        "e-exact",
        "e-after",
    ]


def test_minimal_config_builds_the_whole_site_from_an_empty_docs(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "casefile", tmp_path / "casefile")
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Minimal\ntheme: material\nplugins: [casefile]\n"
    )
    result = build(tmp_path, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    home = (tmp_path / "site" / "index.html").read_text()
    assert "Latest events" in home
    assert (tmp_path / "site" / "assets" / "casefile" / "casefile.js").is_file()
    # Record pages are reached through links, not the navigation.
    nav_links = home.count('class="md-nav__link"')
    assert nav_links < 30
    assert not list((tmp_path / "docs").iterdir()), "the build wrote into docs/"


def test_a_broken_record_aborts_the_build_with_located_messages(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "casefile", tmp_path / "casefile")
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Broken\ntheme: material\nplugins: [casefile]\n"
    )
    event = tmp_path / "casefile" / "events" / "griner-testifies.yml"
    event.write_text(event.read_text().replace("status:", "stauts:"))
    result = build(tmp_path, tmp_path / "site")
    assert result.returncode != 0
    assert "griner-testifies.yml:" in result.stderr
    assert "error[unknown-field]: unknown field 'stauts'" in result.stderr
    assert "did you mean 'status'?" in result.stderr
    assert not (tmp_path / "site" / "index.html").exists(), "a partial site was written"


def test_a_warning_fails_a_strict_build(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "casefile", tmp_path / "casefile")
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Warned\ntheme: material\nplugins: [casefile]\n"
    )
    (tmp_path / "casefile" / "actors" / "nobody.yml").write_text("name: Nobody\nkind: person\n")
    result = build(tmp_path, tmp_path / "site")
    assert result.returncode != 0
    assert "warning[unmentioned-actor]: actor 'nobody'" in result.stderr


def test_a_hand_written_page_at_a_generated_path_is_an_error(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "casefile", tmp_path / "casefile")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "timeline.md").write_text("# My timeline\n")
    (tmp_path / "mkdocs.yml").write_text("site_name: Clash\ntheme: material\nplugins: [casefile]\n")
    result = build(tmp_path, tmp_path / "site")
    assert result.returncode != 0
    assert "docs/timeline.md is a hand-written page at the path of a generated one" in (
        result.stderr
    )
    assert (tmp_path / "docs" / "timeline.md").read_text() == "# My timeline\n"


def test_record_pages_have_edit_links_to_their_yaml(example: tuple[Path, Case]) -> None:
    site, case = example
    record = case.records["john-kirby"]
    page = html_of(site, page_of(record)).read_text()
    assert "edit/main/casefile/actors/john-kirby.yml" in page


def test_quotes_appear_on_speaker_event_and_source_pages(example: tuple[Path, Case]) -> None:
    site, case = example
    appears: dict[str, set[str]] = defaultdict(set)
    for quote in case.of_kind("quote"):
        data = quote.data
        source = data.source if isinstance(data.source, str) else data.source.source
        for holder in filter(None, [data.speaker, data.event, source]):
            html = html_of(site, page_of(case.records[holder])).read_text()
            if f'id="{quote.id}"' in html:
                appears[quote.id].add(holder)
            else:
                pytest.fail(f"quote {quote.id} is missing from {holder}'s page")
    assert appears


def test_a_quotes_excerpt_is_on_its_page_and_its_sources(example: tuple[Path, Case]) -> None:
    """A quote's excerpt (the words that show who says it) is what a reader checks the
    attribution against: on the quote's page, and on its source's page with the quote's own
    words in the paragraph's cited passages where the text is not published (the browser
    test of the passages checks the quote's words). Every quote of the example that has
    one."""
    site, case = example
    checked = 0
    for quote in case.of_kind("quote"):
        cite = quote.data.source
        if isinstance(cite, str) or not cite.excerpt:
            continue
        shown = escape(cite.excerpt, quote=True)
        assert shown in html_of(site, page_of(quote)).read_text(), quote.id
        source = case.records[cite.source]
        passages = html_of(site, page_of(source)).read_text().split('class="cf-passage"')[1:]
        items = [i for p in passages for i in p.split("<li>") if f"/{quote.id}/" in i]
        lead = escape(" ".join(cite.excerpt.split()[:3]), quote=True)  # the text's own words
        if not source.data.text_public:
            assert items and all(lead in i for i in items), quote.id
        checked += 1
    assert checked >= 5


def test_the_site_has_a_pagefind_index_of_every_record(example: tuple[Path, Case]) -> None:
    """Search is Pagefind's, built by the plugin (Material's lunr index is gone)."""
    site, case = example
    assert not (site / "search" / "search_index.json").exists()
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    pages = sum(index["page_count"] for index in entry["languages"].values())
    assert pages >= len(case.records)


@pytest.mark.parametrize("budget", [10**9, 3000])
def test_the_timeline_chart_links_to_the_groups_wherever_they_are(
    budget: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On one page, or split into part pages (a small page budget), every link of the
    overview chart (marks, zoom, table) leads to a page and an id that exist."""
    from build_scripts import views
    from build_scripts.pages import render_site

    monkeypatch.setattr(views, "PAGE_BUDGET", budget)
    _, case = check(ROOT / "casefile")
    assert case is not None
    files = render_site(case, directory_urls=None).files
    assert (budget < 10**9) == ("timeline/2022.md" in files)
    page = files["timeline.md"]
    figure = page[page.index('<figure class="cf-fig cf-fig-timeline"') : page.index("</figure>")]
    links = re.findall(r'href="([^"]*)"', figure)
    assert links
    for link in links:
        path, _, anchor = link.partition("#")
        target = posixpath.normpath(path) if path else "timeline.md"
        assert target in files, link
        if anchor:
            assert f'id="{anchor}"' in files[target], link


@pytest.mark.parametrize("split", [False, True])
def test_every_link_between_generated_pages_leads_to_one(
    split: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every relative link of every generated page (as `.md` paths) leads to a generated
    file or a hand-written page, on whole lists and on lists split into parts (a tag's, the
    timeline's, the quotes')."""
    from build_scripts import views
    from build_scripts.pages import render_site

    if split:
        monkeypatch.setattr(views, "PAGE_BUDGET", 3000)
        monkeypatch.setattr(views, "LIST_PART", 3)
    _, case = check(ROOT / "casefile")
    assert case is not None
    files = render_site(case, directory_urls=None).files
    hand_written = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")}
    if split:
        assert any(re.fullmatch(r"tags/[^/]+/2\.md", p) for p in files), "no tag in parts"
    for page, text in files.items():
        if not page.endswith(".md"):
            continue
        for link in re.findall(r'href="([^"#:]+)(?:#[^"]*)?"', text):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(page), link))
            assert target in files or target in hand_written, f"{page}: {link}"


@pytest.mark.parametrize("budget", [10**9, 6000])
def test_each_timeline_page_offers_the_filter_values_of_its_own_events(
    budget: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The filter form of the timeline, or of each of its parts, lists the actors, tags and
    statuses its events have, no other (every actor on every part was 600 KB a part at
    100,000 records), actors by name; the overview of a split timeline has no form."""
    from build_scripts import views
    from build_scripts.pages import render_site

    monkeypatch.setattr(views, "PAGE_BUDGET", budget)
    _, case = check(ROOT / "casefile")
    assert case is not None
    files = render_site(case, directory_urls=None).files
    pages = [p for p in files if re.fullmatch(r"timeline(/[^/]+)?\.md", p)]
    assert (len(pages) > 3) == (budget < 10**9), pages
    names = {r.id: r.data.name for r in case.of_kind("actor")}
    offered_anywhere = set()
    for path in pages:
        text = files[path]
        if path == "timeline.md" and len(pages) > 1:
            assert "cf-filter" not in text
            continue
        items = re.findall(
            r'<li id="[^"]+" data-status="([^"]*)" data-actors="([^"]*)" '
            r'data-tags="([^"]*)"',
            text,
        )
        assert items, path
        form = text[text.index('<form class="cf-filter"') : text.index("</form>")]
        options = {
            name: re.findall(r'<option value="([^"]+)">', select)
            for name, select in re.findall(
                r'<select id="cf-filter-\w+" name="(\w+)">(.*?)</select>', form, re.S
            )
        }
        actors = {a for _, held, _ in items for a in held.split()}
        assert options["actor"] == sorted(actors, key=lambda a: (names[a].casefold(), a)), path
        assert options["tag"] == sorted({t for *_, tags in items for t in tags.split()}), path
        assert set(options["status"]) == {status for status, *_ in items}, path
        offered_anywhere |= actors
    assert offered_anywhere == {
        a if isinstance(a, str) else a.actor for e in case.events for a in e.data.actors
    }


def test_a_timeline_in_many_parts_links_each_to_its_neighbours_and_years() -> None:
    """Up to `NAV_PARTS` parts, each links every other; beyond, each links the first part
    of every year and the parts next to it (the overview lists them all), so the links
    grow with the parts, not with their square."""
    from build_scripts import views

    def listing(years: int, per_year: int) -> list[dict[str, object]]:
        labels = [
            f"{2000 + y}" if n == 1 else f"{2000 + y}{views.PART_OF_YEAR}{n}"
            for y in range(years)
            for n in range(1, per_year + 1)
        ]
        return [{"path": f"p{i}.md", "label": label, "count": 1} for i, label in enumerate(labels)]

    few = listing(4, 25)
    assert all(len(views._parts_near(few, i)) == len(few) for i in range(len(few)))
    many = listing(9, 160)
    for index in (0, 1, 700, len(many) - 1):
        near = views._parts_near(many, index)
        paths = [p["path"] for p in near]
        assert len(near) <= 9 + 2 * views.NAV_NEAR + 1
        assert [p["path"] for p in near if p["current"]] == [f"p{index}.md"]
        assert {f"p{y * 160}.md" for y in range(9)} <= set(paths)  # every year
        for step in (-1, 1):
            if 0 <= index + step < len(many):
                assert f"p{index + step}.md" in paths  # the next and the previous part
        assert paths == sorted(paths, key=lambda p: int(p[1:-3]))  # in order


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(
            st.tuples(st.integers(0, 40), st.integers(0, 12)).map(lambda t: (t[0], t[0] + t[1])),
            min_size=1,
            max_size=4,
        ).map(lambda spans: sorted(spans)),
        max_size=3,
    ),
    st.integers(0, 2),
)
def test_passages_that_share_a_paragraph_are_joined_in_order_without_overlap(
    groups: list[list[tuple[int, int]]], paragraph: int
) -> None:
    """A quote and its excerpt in one paragraph are shown as one run of the text's words:
    the same characters, in order, each once."""
    from build_scripts.textmatch import PassageMatch, Span
    from build_scripts.views import _cited_words, _joined

    matches = [PassageMatch(paragraph, tuple(Span(a, b) for a, b in g)) for g in groups]
    joined = _joined([*matches, None])
    covered = {i for g in groups for a, b in g for i in range(a, b)}
    if not covered and not groups:
        assert joined == []
        return
    [one] = joined
    spans = [(s.start, s.end) for s in one.spans]
    assert spans == sorted(spans) and all(a[1] < b[0] for a, b in itertools.pairwise(spans))
    assert {i for a, b in spans for i in range(a, b)} == covered
    text = "".join(chr(ord("a") + i % 26) for i in range(60))
    words = _cited_words(text, one.spans)
    assert words.replace(" … ", "") == "".join(text[a:b] for a, b in spans)


def test_a_quote_is_where_its_excerpt_is_not_where_its_words_first_occur(
    tmp_path: Path,
) -> None:
    """The same words said earlier by someone else are not the quote: its page links to the
    paragraph of its excerpt, the source's page lists it there alone, and its speaker is
    looked for there (no warning: Ann is named in her paragraph)."""
    from build_scripts.pages import render_site
    from tests.cases import write_case

    text = "The ministry called it a serious proposal.\n\nAnn said: “We made a serious proposal.”\n"
    quote = (
        "text: serious proposal\nspeaker: ann\n"
        "source: {source: memo, excerpt: 'Ann said: “We made a serious proposal'}\n"
    )
    root = write_case(
        tmp_path / "casefile", **{"sources/memo.txt": text, "quotes/ann-talk.yml": quote}
    )
    report, case = check(root)
    assert case is not None and report.findings == [], report.findings
    files = render_site(case, directory_urls=True).files
    page = files["quotes/ann-talk.md"]
    assert "memo/#p-2" in page and "#p-1" not in page
    source = files["sources/memo.md"]
    assert 'id="p-1"' not in source  # nobody cites the ministry's words
    assert "“Ann said: “We made a serious proposal” (quote:" in source.split('id="p-2"')[1]
