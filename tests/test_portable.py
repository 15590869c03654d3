"""The two outputs of one source: the HTML the plugin hands MkDocs, and the portable Markdown
`casefile render` writes from it. They must read the same, page for page."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import markdown
from hypothesis import given
from hypothesis import strategies as st

from build_scripts import cli
from build_scripts.portable import to_markdown
from tests.cases import build

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = Path(__file__).resolve().parent / "hostile" / "casefile"


class _ArticleText(HTMLParser):
    """The words a reader sees in a page's article: no scripts, no edit button."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0  # inside <article> (nested element count), 0 outside
        self.skip = 0
        self.words: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = dict(attrs).get("class") or ""
        if self.depth == 0:
            if tag == "article" and "md-content__inner" in classes:
                self.depth = 1
            return
        if tag in ("br", "img", "input", "meta", "link", "hr", "wbr"):
            return
        self.depth += 1
        if self.skip or tag in ("script", "style") or "md-content__button" in classes:
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if self.depth == 0 or tag in ("br", "img", "input", "meta", "link", "hr", "wbr"):
            return
        self.depth -= 1
        if self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip:
            self.words.append(data)


def visible_text(page: Path) -> str:
    parser = _ArticleText()
    parser.feed(page.read_text(encoding="utf-8"))
    return " ".join(" ".join(parser.words).split())


def _pages(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): visible_text(p)
        for p in sorted(site.rglob("index.html"))
        if p.relative_to(site).parts[0] not in ("assets", "search")
    }


def _both(case: Path, tmp_path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """The site the plugin builds from `case`, and the site MkDocs builds (no plugin) from
    what `casefile render` writes for the same case: visible text by page."""
    plugin_project = tmp_path / "with-plugin"
    (plugin_project / "docs").mkdir(parents=True)
    shutil.copytree(case, plugin_project / "casefile")
    (plugin_project / "mkdocs.yml").write_text(
        "site_name: Same words\ntheme:\n  name: material\n  font: false\nplugins: [casefile]\n"
        "markdown_extensions:\n  - toc:\n      permalink: true\n",
        encoding="utf-8",
    )
    result = build(plugin_project, tmp_path / "site-plugin")
    assert result.returncode == 0, result.stderr
    portable = tmp_path / "portable"
    # The same copy as the build's (no git history there either: no "Recent changes").
    records = str(plugin_project / "casefile")
    assert cli.main(["render", records, "--out", str(portable / "docs")]) == 0
    (portable / "mkdocs.yml").write_text(
        "site_name: Same words\ntheme:\n  name: material\n  font: false\nplugins: []\n"
        "markdown_extensions:\n  - attr_list\n  - toc:\n      permalink: true\n",
        encoding="utf-8",
    )
    result = build(portable, tmp_path / "site-portable", "--no-strict")
    assert result.returncode == 0, result.stderr
    return _pages(tmp_path / "site-plugin"), _pages(tmp_path / "site-portable")


def test_the_example_reads_the_same_as_html_and_as_portable_markdown(tmp_path: Path) -> None:
    html_site, markdown_site = _both(ROOT / "casefile", tmp_path)
    generated = {p for p in html_site if p.split("/")[0] != "contributing"}
    assert generated <= set(markdown_site)
    assert len(generated) > 40
    for page in sorted(generated):
        assert html_site[page] == markdown_site[page], page


def test_the_hostile_case_reads_the_same_both_ways(tmp_path: Path) -> None:
    html_site, markdown_site = _both(HOSTILE, tmp_path)
    assert set(html_site) <= set(markdown_site)
    for page in sorted(html_site):
        assert html_site[page] == markdown_site[page], page


def _words(html: str) -> str:
    parser = _ArticleText()
    parser.feed(f'<article class="md-content__inner">{html}</article>')
    return " ".join(" ".join(parser.words).split())


# Text a record could hold: Markdown and HTML syntax, entities, odd spaces.
TOKENS = [*"ab <>&\"'*_`[]()!#:-+=|\\~{}.\n\t", "&amp;", "http://x", "1.", "<b>"]
TEXT = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=30).map("".join)


@given(TEXT)
def test_any_text_survives_the_round_trip_as_the_same_words(text: str) -> None:
    """Text escaped into a page's HTML, turned into Markdown, and read by Python-Markdown
    shows the same words, and never becomes markup (no link, no emphasis, no element)."""
    from markupsafe import escape

    page = f"<p>{escape(text)}</p>\n<ul>\n<li>{escape(text)}</li>\n</ul>"
    rendered = markdown.markdown(to_markdown(page))
    assert _words(rendered) == _words(page)
    assert not re.search(r"<(?!/?(p|ul|li)>)", rendered), rendered


def test_headings_lists_links_and_raw_blocks() -> None:
    page = (
        '<h2 id="x">A &amp; B<a class="headerlink" href="#x" title="Permanent link">&para;</a>'
        "</h2>\n"
        '<ul>\n<li><a href="a.md#p-1">one</a> (<strong>two</strong>)</li>\n</ul>\n'
        '<div class="cf-prose">\n<pre><code>a\n\nb</code></pre>\n</div>'
    )
    out = to_markdown(page)
    assert out.startswith("## A &#38; B {#x}\n\n- [one](a.md#p-1) &#40;**two**&#41;\n\n")
    # A raw block keeps no empty line (it would end the block), even inside <pre>.
    assert '<div class="cf-prose">\n<pre><code>a&#10;&#10;b</code></pre>\n</div>' in out
