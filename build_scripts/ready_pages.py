"""Generated pages reach MkDocs as ready HTML: no Markdown pass, the table of contents and the
anchors read from the HTML our templates wrote.

MkDocs reads a page's source and converts it in `Page.render`; a generated page's source is
already the HTML of its body, so `ReadyPage.render` takes it as it is. Hand-written pages in
`docs/` are untouched: they go through Markdown as usual.
"""

from __future__ import annotations

import html
import re

from markdown.extensions.toc import nest_toc_tokens
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils import weak_property

# A heading as `templates/_parts.html.j2`'s `h` macro writes it (and Python-Markdown's toc
# extension, with `permalink: true`, would).
_HEADING = re.compile(
    r'<h([1-6]) id="([^"]*)">(.*?)<a class="headerlink" href="#[^"]*" title="Permanent link">'
    r"&para;</a></h\1>"
)
_ID = re.compile(r'\sid="([^"]*)"')
_TAG = re.compile(r"<[^>]*>")


def heading_tokens(body: str) -> list[dict[str, object]]:
    """The page's headings as Python-Markdown's toc tokens (flat, in order): what MkDocs'
    `get_toc` builds the table of contents from."""
    return [
        {"level": int(level), "id": html.unescape(anchor), "name": _TAG.sub("", inner)}
        for level, anchor, inner in _HEADING.findall(body)
    ]


def anchor_ids(body: str) -> set[str]:
    """Every id on the page, which links to `page#id` may point at."""
    return {html.unescape(found) for found in _ID.findall(body)}


class _InFile:
    """Stands for the text of the page's file, where a ready page keeps it."""

    def __repr__(self) -> str:
        return "IN_FILE"


IN_FILE = _InFile()


class ReadyPage(Page):
    """A generated page: its source is its HTML.

    The page does not hold that text for long: `markdown` and `content` read it from the
    page's file when asked, and keep what they read only until `let_go` (which the plugin
    calls when MkDocs is done with the page: after reading it, after writing it). MkDocs
    reads every page before it writes the first, and a one-off build hands MkDocs each page
    as UTF-8 bytes (see `site_files.hand_over`), half the size of a str with one character
    beyond Latin-1. Text a plugin sets other than what was read is kept, as on any page."""

    def _text(self, name: str) -> str | None:
        value = self.__dict__.get(name)
        if value is not IN_FILE:
            return value  # type: ignore[no-any-return]  # what was set
        lent: str | None = self.__dict__.get("_lent")
        if lent is None:
            lent = self.__dict__["_lent"] = self.file.content_string
        return lent

    def _keep(self, name: str, value: str | None) -> None:
        lent = self.__dict__.get("_lent")
        self.__dict__[name] = IN_FILE if value is not None and value is lent else value

    def let_go(self) -> None:
        """Drop the text read last; the next read reads the file again."""
        self.__dict__.pop("_lent", None)

    @property  # type: ignore[override]
    def markdown(self) -> str | None:
        return self._text("markdown")

    @markdown.setter
    def markdown(self, value: str | None) -> None:
        self._keep("markdown", value)

    @property  # type: ignore[override]
    def content(self) -> str | None:
        return self._text("content")

    @content.setter
    def content(self, value: str | None) -> None:
        self._keep("content", value)

    @weak_property
    def title(self) -> str | None:  # type: ignore[override]
        """The title MkDocs' `Page.title` gives, without reading the text when the
        metadata has it (the navigation asks every page's title, often)."""
        if self.__dict__.get("markdown") is not None and "title" in self.meta:
            return str(self.meta["title"])
        return super().title

    def read_source(self, config: MkDocsConfig) -> None:
        """The source as it is, without metadata. MkDocs' `meta.get_data` looks for front
        matter by splitting the whole text into lines and joining them again: a copy of
        every generated page (1.6 GB at 100,000 records). A generated body starts with a
        tag, which no metadata does, so the copy was always equal to the source."""
        source = config.plugins.on_page_read_source(page=self, config=config)
        self.let_go()  # the file may have changed (serve)
        self.__dict__["markdown"] = IN_FILE if source is None else source
        self.meta = {}

    def render(self, config: MkDocsConfig, files: Files) -> None:
        body = self.markdown or ""
        self.content = body  # the text just read stays in the file (see `_keep`)
        self.toc = get_toc(nest_toc_tokens(heading_tokens(body)))
        self.__dict__.pop("_anchors", None)  # read again from the new body when asked
        self.links_to_anchors = {}  # links are final URLs, checked by our own tests

    # Only a hand-written page's link `page#id` asks which ids a page has: read them from the
    # body then, not for every one of thousands of generated pages.
    @property  # type: ignore[override]
    def present_anchor_ids(self) -> set[str] | None:
        found: set[str] | None = self.__dict__.get("_anchors")
        if found is None and self.content is not None:
            found = self.__dict__["_anchors"] = anchor_ids(self.content)
        return found

    @present_anchor_ids.setter
    def present_anchor_ids(self, value: set[str] | None) -> None:
        self.__dict__["_anchors"] = value


def make_ready(page: Page) -> Page:
    """Turn MkDocs' page object for a generated page into a `ReadyPage` in place (the
    navigation holds this very object, so it cannot be replaced by another)."""
    page.__class__ = ReadyPage
    return page
