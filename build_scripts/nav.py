"""The automatic navigation, in the case file's reading order.

MkDocs lists sections alphabetically; a case file reads Home, Timeline, Actors, Quotes,
Sources, Tags, Data, then any hand-written pages. A section that holds only its index page
is shown as that page ("Actors", not "Actors / Actors").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mkdocs.structure.nav import Navigation, Section


def _first_path(item: Any) -> str:
    page = item.children[0] if isinstance(item, Section) and item.children else item
    return str(getattr(getattr(page, "file", None), "src_uri", ""))


def order(nav: Navigation, sections: Sequence[tuple[str, str]]) -> Navigation:
    """Sort the top level by `sections` (path, title), unknown pages after them by title;
    flatten single-page sections; give the section pages their titles."""
    rank = {path: i for i, (path, _) in enumerate(sections)}
    nav.items.sort(key=lambda item: (rank.get(_first_path(item), len(rank)), str(item.title or "")))
    for i, item in enumerate(nav.items):
        if isinstance(item, Section) and len(item.children) == 1:
            child = item.children[0]
            child.parent = None
            nav.items[i] = child
    titles = dict(sections)
    for page in nav.pages:
        if page.file.src_uri in titles:
            page.title = titles[page.file.src_uri]
    return nav
