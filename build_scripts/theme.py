"""Cheaper theme rendering for thousands of generated pages, without changing a byte.

Material renders the whole navigation into every page. For a page outside the navigation
(every record page, tag page and part of a long list) nothing in it is active, so its
navigation is the same for every such page in the same folder (its links are relative to the
page): `cache_nav` renders it once per folder and reuses it. The partial is wrapped as the
theme (or a site's override of it) wrote it, so it reads the same; a test builds a site both
ways and compares every byte.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable

from jinja2 import BaseLoader, ChoiceLoader, DictLoader, Environment
from markupsafe import Markup
from mkdocs.structure.pages import Page

NAV = "partials/nav.html"


def cache_nav(env: Environment, cache: dict[str, str], cacheable: Callable[[Page], bool]) -> None:
    """Render `partials/nav.html` once per folder for the pages `cacheable` accepts."""
    loader = env.loader
    if loader is None:
        return
    try:
        source, _, _ = loader.get_source(env, NAV)
    except Exception:  # a theme without this partial: nothing to cache
        return

    def cached(page: Page | None, caller: Callable[[], str]) -> str:
        if page is None or not cacheable(page):
            return caller()
        # Links are relative to the page: pages in one folder share them.
        key = posixpath.dirname(page.url.rstrip("/"))
        found = cache.get(key)
        if found is None:
            found = cache[key] = caller()
        return Markup(found) if isinstance(found, Markup) else found

    env.globals["casefile_cached_nav"] = cached
    # Jinja drops one trailing newline of a template; inside the call block it would stay.
    source = source.removesuffix("\n")
    wrapped = "{% call casefile_cached_nav(page) %}" + source + "{% endcall %}"
    overrides: list[BaseLoader] = [DictLoader({NAV: wrapped}), loader]
    env.loader = ChoiceLoader(overrides)
