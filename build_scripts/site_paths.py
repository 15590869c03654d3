"""Where generated pages go and how they link: the one place that turns a record into its
page path and a page path into a URL, following MkDocs' own rules (`File.url`, relative links).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from mkdocs.structure.files import File

from .escape import attr, render_markdown
from .models import KIND
from .records import Record

if TYPE_CHECKING:
    from .pages import Renderer


@dataclass(slots=True)
class Site:
    """Everything generated: file contents by path, and each page's plain-text title."""

    # (UTF-8 bytes in a one-off build that asks for them: `render_site`'s `encoded`.)
    files: dict[str, str | bytes] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    # Generated page -> the record file it is made from (for edit links).
    sources: dict[str, str] = field(default_factory=dict)
    # Page -> extra <head> markup of its own, escaped (a source's `citation_*` meta tags).
    head: dict[str, str] = field(default_factory=dict)
    # Feed path -> its title, linked from every page's <head> (`head.head_tags`).
    feeds: dict[str, str] = field(default_factory=dict)
    # How pages are addressed (MkDocs' use_directory_urls; None: `.md` links).
    directory_urls: bool | None = True

    @property
    def pages(self) -> dict[str, str]:
        return {p: c for p, c in self.files.items() if p.endswith(".md")}


class PathCollision(Exception):
    """Two generated files at one path. The checker's reserved names keep this from happening;
    this is the last guard before anything is written."""


def _claim(site: Site, path: str, origin: str) -> None:
    if path in site.files:
        raise PathCollision(
            f"{origin} would be generated at {path}, which another page already takes"
        )


def page_of(record: Record) -> str:
    return KIND[record.kind].page(record.id)


def record_file(record: Record) -> str:
    """The record's YAML file in the records folder (`events/x.yml`), for its edit link."""
    return f"{KIND[record.kind].folder}/{record.path.name}"


def quote_label(text: str) -> str:
    """How a quote is called in links: its first twelve words, in quotation marks."""
    words = text.split()
    short = " ".join(words[:12]) + (" …" if len(words) > 12 else "")
    return f"“{short}”"


def quote_title(speaker: str, text: str) -> str:
    """A quote page's title (its search result's too): who said it, and its first words."""
    return f"{speaker}: {quote_label(text)}"


def tag_page(tag: str) -> str:
    return f"tags/{tag}.md"


@lru_cache(maxsize=1 << 17)
def url_of(path: str, directory_urls: bool) -> str:
    """The address MkDocs gives a generated file, relative to the site root: MkDocs' own
    `File.url` (`actors/x/` or `actors/x.html` for a page, the path for anything else)."""
    return File(path, None, None, directory_urls).url


def href(target: str, here: str, directory_urls: bool) -> str:
    """The final address of `target` from the page `here`, for raw HTML, which MkDocs does not
    rewrite: MkDocs' relative URL (`relative_url`) between the two files' URLs."""
    return relative_url(url_of(target, directory_urls), url_of(here, directory_urls))


@lru_cache(maxsize=1 << 17)  # a few folders times every page: keep them all
def _relative(target: str, start_dir: str) -> str:
    """The relative `.md` link from a page in `start_dir` to `target`: the same algorithm as
    `href`, between two source paths."""
    return relative_url(target, start_dir + "/")


def relative_url(url: str, other: str) -> str:
    """`url` relative to `other`: what MkDocs' `get_relative_url(url, other)` gives (a test
    holds them equal), with each path split and normalised once, not at every link (a
    record page links to a few hundred others)."""
    dest = _parts(url)
    start = _start_parts(other)
    common = 0
    for a, b in zip(start, dest, strict=False):
        if a != b:
            break
        common += 1
    relative = "/".join(("..",) * (len(start) - common) + dest[common:]) or "."
    return relative + "/" if url.endswith("/") else relative


@lru_cache(maxsize=1 << 17)
def _parts(path: str) -> tuple[str, ...]:
    """The segments of `path` from the site root, `..` and `.` resolved (never above it)."""
    normal = posixpath.normpath(path if path.startswith("/") else "/" + path)[1:]
    return tuple(normal.split("/")) if normal else ()


@lru_cache(maxsize=1 << 12)
def _start_parts(other: str) -> tuple[str, ...]:
    """The folder a link from `other` starts in: a last segment with a dot is a file."""
    folder, _, last = other.rpartition("/")
    return _parts(folder if "." in last else other)


class _Page:
    """Builds one page: knows where it is, so it can link anywhere relatively."""

    def __init__(self, renderer: Renderer, path: str) -> None:
        self.r = renderer
        self.path = path
        self.dir = posixpath.dirname(path)

    # -- links -------------------------------------------------------------------------------
    def href(self, target: str, anchor: str = "") -> str:
        """The address of `target` from this page: its final URL as MkDocs will serve it, or
        (`directory_urls` None, for `casefile render`) the relative `.md` path."""
        style = self.r.directory_urls
        link = _relative(target, self.dir) if style is None else href(target, self.path, style)
        return link + (f"#{anchor}" if anchor else "")

    def link(self, record: Record, text: str | None = None, anchor: str = "") -> str:
        label = text if text is not None else self.r.name(record)
        return f'<a href="{attr(self.href(page_of(record), anchor))}">{attr(label)}</a>'

    def link_id(self, record_id: str, text: str | None = None) -> str:
        return self.link(self.r.record(record_id), text)

    def markdown(self, value: str | None) -> str:
        if not value:
            return ""
        html = render_markdown(
            value,
            href=lambda rid: self.href(page_of(self.r.record(rid))),
            label=lambda rid: self.r.name(self.r.record(rid)),
        )
        return f'<div class="cf-prose">\n{html}\n</div>'


# A one-off build's record page: its path, text (UTF-8 when asked: `render_site`'s
# `encoded`), title and record file.
RecordPage = tuple[str, str | bytes, str, str]


def encode_texts(files: dict[str, str | bytes]) -> None:
    """Every text of `files` as UTF-8, in place."""
    for path, content in files.items():
        if isinstance(content, str):
            files[path] = content.encode()
