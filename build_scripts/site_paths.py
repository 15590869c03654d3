"""Where generated pages go and how they link: the one place that turns a record into its
page path and a page path into a URL, following MkDocs' own rules (`File.url`, relative links).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from .models import KIND
from .records import Record


@dataclass(slots=True)
class Site:
    """Everything generated: file contents by path, and each page's plain-text title."""

    files: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    # Generated page -> the record file it is made from (for edit links).
    sources: dict[str, str] = field(default_factory=dict)

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


def tag_page(tag: str) -> str:
    return f"tags/{tag}.md"


def _url_of(page: str, directory_urls: bool) -> str:
    """The address MkDocs gives a page, relative to the site root."""
    stem = page.removesuffix(".md")
    if not directory_urls:
        return stem + ".html"
    if stem == "index":
        return ""
    if stem.endswith("/index"):
        return stem.removesuffix("index")
    return stem + "/"


@lru_cache(maxsize=1 << 17)  # a few folders times every page: keep them all
def _relative(target: str, start_dir: str) -> str:
    """`posixpath.relpath` for two site-relative paths, without its getcwd() calls."""
    t, s = target.split("/"), start_dir.split("/") if start_dir else []
    common = 0
    while common < min(len(t) - 1, len(s)) and t[common] == s[common]:
        common += 1
    return "/".join([".."] * (len(s) - common) + t[common:])
