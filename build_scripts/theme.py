"""Cheaper theme rendering for thousands of generated pages, without changing a byte.

Material renders the whole navigation into every page. For a page outside the navigation
(every record page, tag page and part of a long list) nothing in it is active, so its
navigation is the same for every such page in the same folder (its links are relative to the
page): `cache_nav` renders it once per folder and reuses it. The partial is wrapped as the
theme (or a site's override of it) wrote it, so it reads the same.

Other parts of Material's `base.html` depend on nothing but the configuration and where the
page is: the `__config` JSON (ten translations looked up per page), the scripts, the styles,
the fonts, the analytics, and the footer of a page without previous and next links.
`cache_blocks` renders each once per depth (pages outside the folders those blocks link into
link them as `base_url` and the path). It wraps the blocks of Material's own
`base.html` only (read for this version; a site that replaces `base.html` keeps it as it is),
and a site's `main.html` that overrides one of them still runs its own, with `super()`
cached.

A test builds sites with and without both caches and compares every byte.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import material
from jinja2 import BaseLoader, ChoiceLoader, DictLoader, Environment
from jinja2.runtime import Context
from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page

NAV = "partials/nav.html"
BASE = Path(material.__file__).parent / "templates" / "base.html"
# Blocks of Material's base.html that read only the configuration and, through the `url`
# filter, the page's folder; and the footer, which reads the page only for its previous and
# next links.
FOLDER_BLOCKS = ("config", "scripts", "styles", "libs", "fonts", "analytics")
FOOTER = "footer"


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


def linked_paths(config: MkDocsConfig) -> list[str]:
    """What the cached blocks link to, besides the theme's assets: the site's extra CSS and
    JavaScript, its favicon, polyfills."""
    scripts = [getattr(s, "path", s) for s in config.extra_javascript]
    polyfills = [getattr(s, "path", s) for s in (config.extra.get("polyfills") or [])]
    found = [*config.extra_css, *scripts, *polyfills, config.theme.get("favicon") or ""]
    return [str(p) for p in found]


def cache_blocks(
    env: Environment, cache: dict[tuple[str, str], str], linked: Iterable[str]
) -> bool:
    """Render the blocks of Material's `base.html` that depend only on where the page is
    once per depth (`FOLDER_BLOCKS`, and the footer of pages without previous and next
    links); False when the site's `base.html` is not Material's own. `linked` are the paths
    those blocks link to (the theme's assets, `extra_css`, ...): a page inside one of their
    top folders is rendered as usual, since its links into that folder are its own."""
    try:
        template = env.get_template("base.html")
    except Exception:  # not Material: nothing to cache
        return False
    if template.filename is None or Path(template.filename).resolve() != BASE.resolve():
        return False
    roots = {"assets"} | {p.split("/", 1)[0] for p in linked if "://" not in p}

    def in_folder(page: Page) -> bool:
        return page.url.split("/", 1)[0] not in roots

    def without_neighbours(page: Page) -> bool:
        return in_folder(page) and page.previous_page is None and page.next_page is None

    blocks = template.blocks
    for name in FOLDER_BLOCKS:
        if name in blocks:
            blocks[name] = _cached_block(name, blocks[name], cache, in_folder)
    if FOOTER in blocks:
        blocks[FOOTER] = _cached_block(FOOTER, blocks[FOOTER], cache, without_neighbours)
    return True


def _cached_block(
    name: str,
    render: Callable[..., Iterator[str]],
    cache: dict[tuple[str, str], str],
    cacheable: Callable[[Page], bool],
) -> Callable[..., Iterator[str]]:
    def block(context: Context, *args: Any, **kwargs: Any) -> Iterator[str]:
        page = context.get("page")
        if not isinstance(page, Page) or not cacheable(page):
            yield from render(context, *args, **kwargs)
            return
        # Outside the linked folders a link is `base_url` (as many `..` as the page is
        # deep) and the path: pages at one depth share the block.
        key = (name, str(context.get("base_url")))
        found = cache.get(key)
        if found is None:
            found = cache[key] = "".join(render(context, *args, **kwargs))
        yield found

    return block
