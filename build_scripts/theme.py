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

The header differs between such pages only by the page's title: `cache_header` renders the
rest of it once per depth and the title for each page.

A page's table of contents in the sidebar depends on its headings alone (their titles and
anchors, not the page's own title): `cache_toc` renders each distinct one once, and record
pages of a kind share a few.

Every page also imports Material's `partials/language.html` several times "with context", so
Jinja runs it again each time, and each translation it looks up builds the language's whole
table first. `cache_translations` puts a module in its place whose `t` is a Python function
that asks the original once per key.

A test builds sites with and without these caches and compares every byte.
"""

from __future__ import annotations

import posixpath
import re
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
LANGUAGE = "partials/language.html"
ORIGINAL_LANGUAGE = "casefile/material-language.html"
THEME = Path(material.__file__).parent / "templates"
BASE = THEME / "base.html"
# Blocks of Material's base.html that read only the configuration and, through the `url`
# filter, the page's folder; and the footer, which reads the page only for its previous and
# next links.
HEADER = "partials/header.html"
TOC = "partials/toc.html"
_PARTS = ("header-start", "header-end")
# Where Material's header prints the page's title (the only part of it that differs between
# pages outside the navigation at one depth).
HEADER_TITLE = re.compile(
    r"\{%\s*if page\.meta and page\.meta\.title\s*%\}\s*\{\{\s*page\.meta\.title\s*\}\}\s*"
    r"\{%\s*else\s*%\}\s*\{\{\s*page\.title\s*\}\}\s*\{%\s*endif\s*%\}"
)
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
    """What the cached parts link to, besides the theme's assets: the site's extra CSS and
    JavaScript, polyfills, language versions, its favicon and logo."""
    scripts = [getattr(s, "path", s) for s in config.extra_javascript]
    polyfills = [getattr(s, "path", s) for s in (config.extra.get("polyfills") or [])]
    alternate = [a.get("link", "") for a in (config.extra.get("alternate") or [])]
    theme = [config.theme.get("favicon") or "", config.theme.get("logo") or ""]
    found = [*config.extra_css, *scripts, *polyfills, *alternate, *theme]
    return [str(p) for p in found if p]


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
    roots = _roots(linked)

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


def _folders_holding(targets: Iterable[str]) -> set[str]:
    """Every folder that holds one of `targets` (site-root addresses), at any depth."""
    held: set[str] = set()
    for target in targets:
        if "://" in target or target.startswith("/"):
            continue
        folder = target.split("#", 1)[0].rstrip("/")
        while folder and folder not in held:
            held.add(folder)
            folder = posixpath.dirname(folder)
    return held


def _roots(linked: Iterable[str]) -> set[str]:
    """The top folders of the site that cached parts link into: a page inside one of them
    links them differently from other pages at its depth."""
    return {"assets"} | {p.split("/", 1)[0] for p in linked if "://" not in p}


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


def cache_translations(env: Environment, config: MkDocsConfig) -> bool:
    """Replace Material's `partials/language.html` (imported with context, so run again on
    every import) by one whose `t(key)` asks the original once per key and remembers the
    answer for this build; False when the site's `language.html` is not Material's own."""
    loader, source = env.loader, _material_source(env, LANGUAGE)
    if loader is None or source is None:
        return False
    own = DictLoader({ORIGINAL_LANGUAGE: source, LANGUAGE: "{% set t = casefile_translate %}"})
    env.loader = ChoiceLoader([own, loader])
    original = env.get_template(ORIGINAL_LANGUAGE).make_module({"config": config})
    known: dict[str, str] = {}

    def translate(key: str) -> str:
        found = known.get(key)
        if found is None:
            found = known[key] = str(original.t(key))
        return found

    env.globals["casefile_translate"] = translate
    return True


def cache_header(
    env: Environment,
    cache: dict[tuple[str, str], str],
    cacheable: Callable[[Page], bool],
    targets: Iterable[str],
) -> bool:
    """Render the header (the site's, search box included) once per folder for the pages
    `cacheable` accepts, all but the page's title; False when the header does not print the
    title as Material's does. `targets` are the addresses the header links to (from the site
    root: the navigation's pages, the search box's, the theme's assets, `linked_paths`): a
    page with one of them inside its own folder links it differently from its neighbours,
    and is rendered as usual."""
    loader = env.loader
    if loader is None:
        return False
    try:
        source, _, _ = loader.get_source(env, HEADER)
    except Exception:
        return False
    found = list(HEADER_TITLE.finditer(source))
    if len(found) != 1:
        return False
    before, title, after = (
        source[: found[0].start()],
        found[0].group(0),
        source[found[0].end() :].removesuffix("\n"),
    )
    holding = _folders_holding(targets)

    def cached(page: Page | None, part: str, caller: Callable[[], str]) -> str:
        if page is None or not cacheable(page) or page.url.rstrip("/") in holding:
            return caller()
        # Pages in one folder link everything outside their own folders alike.
        key = (part, posixpath.dirname(page.url.rstrip("/")))
        found = cache.get(key)
        if found is None:
            found = cache[key] = caller()
        return Markup(found) if isinstance(found, Markup) else found

    env.globals["casefile_cached_part"] = cached
    start, end = (f'{{% call casefile_cached_part(page, "{p}") %}}' for p in _PARTS)
    wrapped = start + before + "{% endcall %}" + title + end + after + "{% endcall %}"
    env.loader = ChoiceLoader([DictLoader({HEADER: wrapped}), loader])
    return True


def cache_toc(env: Environment, cache: dict[object, str]) -> bool:
    """Render Material's `partials/toc.html` once per distinct table of contents; False
    when the site's `toc.html` is not Material's own."""
    loader, source = env.loader, _material_source(env, TOC)
    if loader is None or source is None:
        return False

    def cached(page: Page | None, caller: Callable[[], str]) -> str:
        if page is None:
            return caller()
        items = list(page.toc)
        # Material leaves out a first heading of level 1 (the page's title) and shows its
        # children: the title is not part of what the partial prints.
        if items and items[0].level == 1:
            key: object = ("children of h1", _toc_key(items[0].children))
        else:
            key = _toc_key(items)
        found = cache.get(key)
        if found is None:
            found = cache[key] = caller()
        return Markup(found) if isinstance(found, Markup) else found

    env.globals["casefile_cached_toc"] = cached
    wrapped = "{% call casefile_cached_toc(page) %}" + source.removesuffix("\n") + "{% endcall %}"
    env.loader = ChoiceLoader([DictLoader({TOC: wrapped}), loader])
    return True


def _toc_key(items: Iterable[Any]) -> tuple[object, ...]:
    """What the partial prints of these entries: anchors, titles, levels, children."""
    return tuple(
        (
            item.url,
            item.title,
            item.level,
            repr(getattr(item, "typeset", None)),
            _toc_key(item.children),
        )
        for item in items
    )


def _material_source(env: Environment, name: str) -> str | None:
    """The source of the template `name` if the site uses Material's own, else None."""
    if env.loader is None:
        return None
    try:
        source, filename, _ = env.loader.get_source(env, name)
    except Exception:  # no such template
        return None
    if filename is None or Path(filename).resolve() != (THEME / name).resolve():
        return None
    return source
