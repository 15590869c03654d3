"""Page templates: the markup and the words of a page, which a site can override.

Templates are Jinja2 files in the package's `templates/` folder, found through a
`ChoiceLoader` that looks first in `<theme custom_dir>/casefile/` (the Pelican pattern): a
site changes a page by dropping a file of the same name there, without forking the package.

Escaping is on for every value. Jinja's `finalize` hook sends each `{{ value }}` through
`escape.md_text` (inert literal text in a Markdown page) unless the value is already `Markup`:
only the helpers on `TemplatePage` below produce Markup, each from an escaping function of
`escape.py`, so a template cannot put record text on a page unescaped by accident.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined
from markupsafe import Markup

from .dates import EdtfDate, format_date
from .escape import attr, json_script, md_text

if TYPE_CHECKING:
    from .pages import _Page
    from .records import Record

# The folder inside a theme's custom_dir where a site puts its own versions of our templates.
OVERRIDE_FOLDER = "casefile"
_BLANK_RUNS = re.compile(r"\n{3,}")


def _finalize(value: object) -> Markup:
    if isinstance(value, Markup):  # from a page helper or a macro: escaped already
        return value
    if value is None:
        return Markup("")
    # md_text's numeric character references are inert in HTML as well as in Markdown.
    return Markup(md_text(str(value)))


def environment(custom_dir: Path | None = None) -> Environment:
    """The template environment: a site's overrides first, then the package's templates."""
    loaders: list[FileSystemLoader | PackageLoader] = []
    if custom_dir is not None:
        loaders.append(FileSystemLoader(custom_dir / OVERRIDE_FOLDER))
    loaders.append(PackageLoader("build_scripts", "templates"))
    env = Environment(
        loader=ChoiceLoader(loaders),
        # `_finalize` escapes every printed value for a Markdown page and marks it safe, so
        # autoescape's HTML escaping leaves it alone; what autoescape adds is that macros
        # return Markup, so a macro's output is not escaped a second time.
        autoescape=True,
        finalize=_finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["attr"] = lambda value: Markup(attr(str(value)))
    return env


def tidy(text: str) -> str:
    """A page as blocks separated by one blank line, ending in one newline: templates may
    leave more blank lines where an optional block is left out."""
    return _BLANK_RUNS.sub("\n\n", text).strip("\n") + "\n"


class TemplatePage:
    """What a template may call to link and format: every result is Markup, made safe by
    `escape.py`'s escaping functions through the page builder that knows where the page is."""

    def __init__(self, page: _Page) -> None:
        self._page = page

    def rel(self, target: str, anchor: str = "") -> Markup:
        return Markup(self._page.rel(target, anchor))

    def href(self, target: str, anchor: str = "") -> Markup:
        return Markup(attr(self._page.href(target, anchor)))

    def link(self, record: Record, text: str | None = None, anchor: str = "") -> Markup:
        return Markup(self._page.link(record, text, anchor))

    def link_id(self, record_id: str, text: str | None = None) -> Markup:
        return Markup(self._page.link_id(record_id, text))

    def markdown(self, value: str | None) -> Markup:
        return Markup(self._page.markdown(value))

    def time(self, value: EdtfDate) -> Markup:
        return Markup(time_element(value))

    def json_ld(self, data: dict[str, object]) -> Markup:
        return Markup(json_ld_block(data))


def time_element(value: EdtfDate) -> str:
    """A date as readers see it, in a `<time>` element machines can read: the one place a
    date becomes markup."""
    return f'<time datetime="{attr(value.html_datetime)}">{md_text(format_date(value))}</time>'


def json_ld_block(data: dict[str, object]) -> str:
    """schema.org JSON-LD for a page, without empty values, safe inside `<script>`."""
    pruned = _prune({"@context": "https://schema.org", **data})
    return f'<script type="application/ld+json">{json_script(pruned)}</script>'


def _prune(value: object) -> object:
    if isinstance(value, dict):
        return {k: _prune(v) for k, v in value.items() if v not in (None, [], {})}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value
