"""The search index: the document Pagefind indexes for each record, the header box, and the
index a build writes (deterministic, escaped, with the example's words in it)."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from build_scripts import search_index
from build_scripts.checker import Case, check
from build_scripts.pages import render_site
from build_scripts.search_index import (
    ANCHOR,
    BUNDLE,
    HEADER_ANCHOR,
    NAME,
    PARTS_FILE,
    QUOTE,
    VOCABULARY_PAGE,
    Block,
    Reindexer,
    SearchDocument,
    build_index,
    built_pages,
    dealt,
    dest_of,
    header_with_search,
    page_document,
    record_documents,
    render_document,
    search_box,
    stage_records,
    staging_folder,
    vocabulary_page,
    words_of,
)
from build_scripts.site_paths import page_of, url_of
from build_scripts.views import SECTIONS
from tests.cases import build, write_case

ROOT = Path(__file__).resolve().parent.parent
MATERIAL_HEADER = (
    Path(__import__("material").__file__).parent / "templates" / "partials" / "header.html"
)


@pytest.fixture(scope="module")
def example() -> Case:
    _, case = check(ROOT / "casefile")
    assert case is not None
    return case


def checked(root: Path, **files: str | None) -> Case:
    report, case = check(write_case(root, **files))
    assert case is not None, report.errors
    return case


def test_an_actor_is_found_by_its_name_and_aliases_most(example: Case) -> None:
    doc = record_documents(example, directory_urls=True)["actors/john-kirby/index.html"]
    assert doc.kind == "actor" and doc.title == "John Kirby"
    assert doc.blocks[:2] == (Block("John Kirby", NAME), Block("Kirby", NAME))
    assert ("names", "John Kirby; Kirby") in doc.meta  # what the search box boosts
    assert all(b.weight < NAME for b in doc.blocks[2:])


def test_a_quote_weighs_its_words_and_barely_its_speaker(example: Case) -> None:
    quote = example.records["kirby-still-hoping"]
    doc = record_documents(example, directory_urls=False)["quotes/kirby-still-hoping.html"]
    assert doc.blocks[0] == Block(quote.data.text, QUOTE)
    assert [b.weight for b in doc.blocks if b.text == "John Kirby"] == [0.5]
    assert ("actor", "John Kirby") in doc.filters
    assert ("date", "28 July 2022?") in doc.meta  # the date as readers see it, precision kept


def test_an_event_has_its_metadata_filters_sort_and_quote_anchors(example: Case) -> None:
    doc = record_documents(example, directory_urls=True)[
        "events/kirby-good-morning-america/index.html"
    ]
    assert dict(doc.meta) == {
        "date": "28 July 2022",
        "datetime": "2022-07-28",
        "sortdate": "2022-07-28",  # the sort key, for merging the sorted answers of parts
        "status": "confirmed",
    }
    assert doc.sort == (("date", "2022-07-28"),)
    assert {("status", "confirmed"), ("actor", "John Kirby"), ("year", "2022")} <= set(doc.filters)
    anchors = [b.anchor for b in doc.blocks if b.anchor]
    assert "kirby-awful-lot-of-discussion" in anchors  # a quote said at the event


def test_a_source_text_that_is_not_public_indexes_only_its_cited_passages(tmp_path: Path) -> None:
    text = "Ann said we will talk.\n\nA secret paragraph.\n"
    case = checked(tmp_path, **{"sources/memo.txt": text})
    doc = record_documents(case, directory_urls=True)["sources/memo/index.html"]
    assert doc.blocks[0] == Block("A memo", NAME)
    assert [(b.anchor, b.text) for b in doc.blocks[1:]] == [("p-1", "we will talk")]
    public = checked(
        tmp_path / "public",
        **{
            "sources/memo.yml": "title: A memo\nkind: document\ntext_public: true\n",
            "sources/memo.txt": text,
        },
    )
    doc = record_documents(public, directory_urls=True)["sources/memo/index.html"]
    assert [(b.anchor, b.heading) for b in doc.blocks[1:]] == [("p-1", "¶ 1"), ("p-2", "¶ 2")]


def test_record_text_is_escaped_in_the_indexed_html(tmp_path: Path) -> None:
    hostile = '<img src=x onerror=alert(1)> & "quoted" </p><script>alert(2)</script>'
    case = checked(
        tmp_path,
        **{"actors/ann.yml": f"name: 'Ann {hostile}'\nkind: person\naliases: ['{hostile}']\n"},
    )
    html = render_document(
        record_documents(case, directory_urls=True)["actors/ann/index.html"], "en"
    )
    assert "<img" not in html and "<script" not in html and "</p><" not in html.split("<p ")[1]
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quoted&quot;" in html


def test_the_document_html_marks_meta_filters_sort_and_anchors() -> None:
    doc = SearchDocument(
        "T",
        "event",
        (Block("words", 2.0, "p-3", "¶ 3"),),
        (("date", "c. 2022"),),
        (("tag", "a"), ("tag", "b")),
        (("date", "2022-01-01"),),
    )
    html = render_document(doc, "en")
    assert '<html lang="en">' in html
    assert '<span data-pagefind-meta="date[data-v]" data-v="c. 2022"></span>' in html
    assert html.count('data-pagefind-filter="tag[data-v]"') == 2
    assert '<span data-pagefind-sort="date[data-v]" data-v="2022-01-01"></span>' in html
    assert f'<h2 id="p-3" data-pagefind-weight="{ANCHOR}">¶ 3</h2>' in html
    assert '<p data-pagefind-weight="2.0">words</p>' in html


def test_an_undated_quote_is_undated_in_search_too(tmp_path: Path) -> None:
    """Its event's date is never lent to a quote (docs/record-format.md): not on its page,
    not in search (where an undated quote said at an event showed the event's date)."""
    case = checked(
        tmp_path,
        **{
            "events/talks.yml": "title: Talks\ndate: 2022-07-13~\nstatus: reported\n"
            "sources: [memo]\n",
            "quotes/q.yml": "text: we will talk\nspeaker: ann\nsource: memo\nevent: talks\n",
        },
    )
    doc = record_documents(case, directory_urls=True)["quotes/q/index.html"]
    assert (doc.meta, doc.sort) == ((("date", "undated"),), ())
    assert not [value for key, value in doc.filters if key == "year"]


def test_no_text_without_a_place_of_its_own_is_filed_under_a_heading(example: Case) -> None:
    """Pagefind files what follows a heading under that heading's sub-result: every block of
    no anchor (an editor's note, a summary) is indexed before the first heading, in every
    record's document, so a note is never shown as a source's last paragraph."""
    found = {}
    for path, doc in record_documents(example, directory_urls=True).items():
        html = render_document(doc, "en")
        body = re.findall(r"<(h2|p) [^>]*>", html)
        after = body[body.index("h2") :] if "h2" in body else []
        assert after[::2] == ["h2"] * len(after[::2]) and after[1::2] == ["p"] * (len(after) // 2)
        found[path] = html
    source = found["sources/agency-biden-no-plans-to-call-putin/index.html"]
    assert 0 < source.index("boilerplate in Azerbaijani") < source.index("<h2 ")


def test_hand_written_pages_are_indexed_from_their_article(tmp_path: Path) -> None:
    page = '<nav>menu</nav><article class="md-content__inner md-typeset"><h1>Hi</h1></article>'
    (tmp_path / "about").mkdir()
    (tmp_path / "about" / "index.html").write_text(page)
    (tmp_path / "actors" / "x").mkdir(parents=True)
    (tmp_path / "actors" / "x" / "index.html").write_text(page)
    (tmp_path / "404.html").write_text(page)
    docs = built_pages(tmp_path, skip=["actors/x/index.html"])
    assert list(docs) == ["about/index.html"]
    assert docs["about/index.html"].html == "<h1>Hi</h1>"
    assert page_document("<html>no article</html>") is None
    assert dest_of("") == "index.html" and dest_of("a/b.html") == "a/b.html"


def test_the_box_goes_where_material_puts_its_search() -> None:
    source = MATERIAL_HEADER.read_text()
    patched = header_with_search(source)
    assert patched.index('{% include "casefile/search-box.html" %}') < patched.index(HEADER_ANCHOR)
    with pytest.raises(ValueError, match="does not contain"):
        header_with_search(source.replace(HEADER_ANCHOR, ""))


def test_without_script_the_box_lists_the_index_pages() -> None:
    box = search_box(SECTIONS[1:], directory_urls=False)
    assert "<a href=\"{{ 'actors/index.html' | url }}\">Actors</a>" in box
    assert re.search(r"<form [^>]*hidden>", box)
    assert 'aria-keyshortcuts="/"' in box


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def two_indexes(example: Case, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The example's index built twice, the second time from the documents in reverse."""
    docs = record_documents(example, directory_urls=True)
    out = tmp_path_factory.mktemp("indexes")
    first = build_index(docs, out / "one" / BUNDLE, language="en")
    second = build_index(dict(reversed(docs.items())), out / "two" / BUNDLE, language="en")
    assert first.pages == second.pages == len(docs)
    return out / "one" / BUNDLE, out / "two" / BUNDLE


def test_the_word_index_and_fragments_are_deterministic(two_indexes: tuple[Path, Path]) -> None:
    one, two = (_digest(folder) for folder in two_indexes)
    words = {k: v for k, v in one.items() if k.startswith(("index/", "fragment/"))}
    assert words and words.items() <= two.items()
    assert "pagefind.js" in one and "pagefind-ui.js" not in one  # only what the box loads


def test_the_whole_index_is_deterministic(two_indexes: tuple[Path, Path]) -> None:
    one, two = (_digest(folder) for folder in two_indexes)
    assert one == two


def test_a_minimal_site_builds_its_index_and_box(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "casefile", tmp_path / "casefile")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "about.md").write_text("# About\n\nA hand-written zebra page.\n")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: Minimal\ntheme: material\nplugins: [casefile]\n"
    )
    result = build(tmp_path, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    site = tmp_path / "site"
    assert (site / BUNDLE / "pagefind.js").is_file()
    assert not (site / "search").exists()  # no lunr index
    home = (site / "index.html").read_text()
    assert 'id="cf-search-input"' in home and "assets/casefile/search.js" in home
    assert re.search(r"search index: \d+ pages", result.stderr)


def test_serving_reindexes_in_the_background_and_swaps_the_index_in(
    example: Case, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    site.mkdir()
    messages: list[str] = []
    reindexer = Reindexer(messages.append)
    docs = record_documents(example, directory_urls=True)
    reindexer.submit(docs, site, "en")
    reindexer.wait()
    assert (site / BUNDLE / "pagefind.js").is_file()
    shutil.rmtree(site / BUNDLE)  # as `mkdocs serve` cleans the site before a rebuild
    reindexer.submit(docs, site, "en")
    assert (site / BUNDLE / "pagefind.js").is_file()  # the last index answers meanwhile
    reindexer.wait()
    assert len(reindexer.lags) == 2, messages
    assert all(re.search(r"in place [0-9.]+ s after the build", m) for m in messages)
    reindexer.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # nothing left behind


@pytest.mark.parametrize("directory_urls", [True, False])
def test_every_record_is_found_under_its_pages_title(example: Case, directory_urls: bool) -> None:
    site = render_site(example, directory_urls=directory_urls)
    docs = record_documents(example, directory_urls=directory_urls)
    assert len(docs) == len(example.records)
    for record in example.records.values():
        path = page_of(record)
        assert docs[dest_of(url_of(path, directory_urls))].title == site.titles[path], path


def test_an_index_built_in_the_background_yields_the_processor(tmp_path: Path) -> None:
    """Under `mkdocs serve` Pagefind runs at a lower priority, so the server answers the
    next save first; the index is the same."""
    from build_scripts import search_index

    assert search_index._nice(False) == []
    if shutil.which("nice") is None:
        pytest.skip("no nice here")
    assert search_index._nice(True)[1:] == ["-n", "10"]
    docs = {"a/index.html": SearchDocument("A", "actor", (Block("Ann Example", NAME),))}
    build_index(docs, tmp_path / "plain" / BUNDLE, language="en")
    build_index(docs, tmp_path / "nice" / BUNDLE, language="en", yielding=True)
    plain, nice = (
        {p.relative_to(d).as_posix(): p.read_bytes() for p in d.rglob("*") if p.is_file()}
        for d in (tmp_path / "plain" / BUNDLE, tmp_path / "nice" / BUNDLE)
    )
    assert plain == nice and plain


# -- an index in parts ---------------------------------------------------------------------------
def test_records_are_dealt_evenly_and_pages_go_to_the_first_part(example: Case) -> None:
    docs = record_documents(example, directory_urls=True)
    page = SearchDocument("", "page", html="<h1>About</h1>")
    shares = dealt({**docs, "about/index.html": page}, 3)
    sizes = [sum(doc.html is None for doc in share.values()) for share in shares]
    assert sum(sizes) == len(docs) and max(sizes) - min(sizes) <= 1
    assert "about/index.html" in shares[0]
    merged = {rel: doc for share in shares for rel, doc in share.items()}
    assert merged == {**docs, "about/index.html": page}
    # Dealt in path order: each part holds every kind that has a record for each part.
    kinds = Counter(doc.kind for doc in docs.values())
    for share in shares:
        held = {doc.kind for doc in share.values() if doc.html is None}
        assert held >= {kind for kind, n in kinds.items() if n >= 3}, (held, kinds)
    assert dealt(docs, 1) == [docs]


def test_a_documents_words_are_its_text_and_metadata_not_its_filters() -> None:
    doc = SearchDocument(
        "Talks end",
        "event",
        (Block("Both sides left.", anchor="q1", heading="Quote: Kirby"),),
        meta=(("status", "confirmed"), ("sortdate", "2022-07-27")),
        filters=(("actor", "Zebra Person"),),
        sort=(("date", "2022-07-27"),),
    )
    assert words_of(doc) == {
        "Talks", "end", "event", "Both", "sides", "left.", "Quote:", "Kirby", "confirmed",
        "2022-07-27",
    }  # fmt: skip


def test_the_vocabulary_page_escapes_its_words_and_holds_the_articles() -> None:
    page = vocabulary_page(
        {"<b>bold</b>", "plain"}, [SearchDocument("", "page", html="<h1>Hi</h1>")], "en"
    )
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>" not in page
    assert "<h1>Hi</h1>" in page
    assert 'data-pagefind-filter="index:vocabulary"' in page


def test_an_index_in_parts_is_the_same_staged_apart_or_not(
    example: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records staged apart (as a build's fork does) or with the pages (as serve does): the
    same bytes. Each part is a bundle, listed in the main one, with the vocabulary page."""
    monkeypatch.setattr(search_index, "PART_RECORDS", 20)
    docs = record_documents(example, directory_urls=True)
    pages = {"about/index.html": SearchDocument("", "page", html="<h1>About zebra</h1>")}
    together = build_index({**docs, **pages}, tmp_path / "one" / BUNDLE, language="en")
    folder = staging_folder()
    stage_records(example, folder, directory_urls=True)
    apart = build_index(pages, tmp_path / "two" / BUNDLE, language="en", staging=folder)
    assert not folder.exists()
    assert together.pages == apart.pages == len(docs) + len(pages)  # the vocabulary pages aside
    one, two = (_digest(tmp_path / name / BUNDLE) for name in ("one", "two"))
    assert one == two
    listed = (tmp_path / "one" / BUNDLE / PARTS_FILE).read_text()
    assert listed == '{"parts": ["part-1/", "part-2/"]}\n'
    assert {"part-1/pagefind.js", "part-2/pagefind-entry.json"} <= one.keys()
    assert not any(VOCABULARY_PAGE in name for name in one)  # indexed, not published


def test_a_whole_index_lists_no_parts(two_indexes: tuple[Path, Path]) -> None:
    assert (two_indexes[0] / PARTS_FILE).read_text() == '{"parts": []}\n'
    assert not (two_indexes[0] / "part-1").exists()
