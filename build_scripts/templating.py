"""Page templates: the markup and the words of a page, which a site can override.

Templates are Jinja2 files in the package's `templates/` folder, found through a
`ChoiceLoader` that looks first in `<theme custom_dir>/casefile/` (the Pelican pattern): a
site changes a page by dropping a file of the same name there, without forking the package.

Templates write HTML, which the plugin hands to MkDocs as it is (no Markdown pass), and which
`casefile render` turns into Markdown (`portable.py`): one source for both.

Escaping is on for every value. Jinja's `finalize` hook sends each `{{ value }}` through
`escape.attr` (inert text in HTML) unless the value is already `Markup`: only the helpers on
`TemplatePage` below produce Markup, each from an escaping function of `escape.py`, so a
template cannot put record text on a page unescaped by accident.
"""

from __future__ import annotations

import json
import os
import re
import traceback
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
)
from markdown.extensions.toc import slugify
from markupsafe import Markup

from .dates import EdtfDate, format_date
from .escape import attr, json_script
from .tables import events_header

if TYPE_CHECKING:
    from .records import Record
    from .site_paths import _Page

# The folder inside a theme's custom_dir where a site puts its own versions of our templates.
OVERRIDE_FOLDER = "casefile"
TEMPLATES = Path(__file__).parent / "templates"
_BLANK_RUNS = re.compile(r"\n(?:[ \t]*\n)+")
_PRE = re.compile(r"(<pre\b.*?</pre>)", re.DOTALL)


def _finalize(value: object) -> Markup:
    if isinstance(value, Markup):  # from a page helper or a macro: escaped already
        return value
    if value is None:
        return Markup("")
    return Markup(attr(str(value)))


class TemplateOverrideError(Exception):
    """A file in a site's override folder that is not the name of one of our templates, or
    a template that fails (`located`)."""


def located(error: Exception, custom_dir: Path | None) -> TemplateOverrideError | None:
    """An error raised while a template ran, as `file:line: what is wrong`: where Jinja read
    it (a syntax error), else the line of a site's override that was running (Jinja puts the
    templates' lines in the traceback), with the line of ours it called into, if any. None
    when no template line is in it (not a template's error)."""
    if isinstance(error, TemplateSyntaxError) and error.filename:
        return TemplateOverrideError(f"{error.filename}:{error.lineno}: {error.message}")
    lines = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.endswith(".j2")]
    if not lines:
        return None
    if isinstance(error, TemplateNotFound):
        message = f"no template '{error.name}'"
    elif isinstance(error, TemplateError):
        message = error.message or type(error).__name__
    else:  # Python's own error in an expression: `{{ 1 / 0 }}`, a wrong value to a helper
        message = f"{type(error).__name__}: {error}"
    site = str(custom_dir / OVERRIDE_FOLDER) + os.sep if custom_dir is not None else None
    theirs = [f for f in lines if site is not None and f.filename.startswith(site)]
    where = theirs[-1] if theirs else lines[-1]
    inner = lines[-1]
    within = f" (in {inner.filename}:{inner.lineno})" if inner is not where else ""
    return TemplateOverrideError(f"{where.filename}:{where.lineno}: {message}{within}")


def check_overrides(custom_dir: Path) -> None:
    """Refuse an override that would be ignored: a name that is none of our templates (a
    typo, or a Markdown template `*.md.j2` of the format before pages became HTML)."""
    folder = custom_dir / OVERRIDE_FOLDER
    if not folder.is_dir():
        return
    ours = {p.name for p in TEMPLATES.glob("*.j2")}
    for path in sorted(folder.iterdir()):
        if path.name in ours:
            continue
        hint = f"; did you mean {path.name.removesuffix('.md.j2')}.html.j2 (pages are HTML)?"
        raise TemplateOverrideError(
            f"{path}: not a template of the case file's pages"
            + (hint if path.name.endswith(".md.j2") else f" (they are: {', '.join(sorted(ours))})")
        )


def environment(custom_dir: Path | None = None) -> Environment:
    """The template environment: a site's overrides first, then the package's templates.

    One environment is kept for as long as the template files stay as they are (`mkdocs
    serve` renders again after every save, and a new environment compiles every template
    again); it does not look at the files again while it is kept."""
    folders = [TEMPLATES]
    if custom_dir is not None:
        check_overrides(custom_dir)
        folders.insert(0, custom_dir / OVERRIDE_FOLDER)
    return _environment(custom_dir, _files_now(folders))


def _files_now(folders: list[Path]) -> tuple[tuple[str, bytes], ...]:
    """Each file in `folders` with what it holds (a few small files: reading them is quick,
    and a file's time may not change when it is written twice in a moment)."""
    found = []
    for folder in folders:
        if folder.is_dir():
            for entry in os.scandir(folder):
                if entry.is_file():
                    found.append((entry.path, Path(entry.path).read_bytes()))
    return tuple(sorted(found))


@lru_cache(maxsize=4)
def _environment(custom_dir: Path | None, files: tuple[tuple[str, bytes], ...]) -> Environment:
    """The environment for `custom_dir` while its templates and ours are `files`."""
    loaders: list[FileSystemLoader | PackageLoader] = []
    if custom_dir is not None:
        loaders.append(FileSystemLoader(custom_dir / OVERRIDE_FOLDER))
    loaders.append(PackageLoader("build_scripts", "templates"))
    env = Environment(
        loader=ChoiceLoader(loaders),
        # `_finalize` escapes every printed value and marks it safe, so autoescape leaves it
        # alone; what autoescape adds is that macros return Markup, not escaped a second time.
        autoescape=True,
        finalize=_finalize,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # `_files_now` says when the files change
    )
    env.filters["attr"] = lambda value: Markup(attr(str(value)))
    # The columns of data/events.csv, for the timeline's "download these events" (JSON).
    env.globals["events_csv_header"] = json.dumps(events_header())
    return env


def tidy(text: str) -> str:
    """A page ending in one newline, without the empty lines optional blocks leave (never
    inside an element whose whitespace counts: record Markdown's `<pre>` keeps its own)."""
    pieces = _PRE.split(text)  # odd pieces are <pre> elements, kept as they are
    for index in range(0, len(pieces), 2):
        pieces[index] = _BLANK_RUNS.sub("\n", pieces[index])
    return "".join(pieces).strip("\n") + "\n"


class TemplatePage:
    """What a template may call to link and format: every result is Markup, made safe by
    `escape.py`'s escaping functions through the page builder that knows where the page is."""

    def __init__(self, page: _Page) -> None:
        self._page = page

    def href(self, target: str, anchor: str = "") -> Markup:
        return Markup(attr(self._page.href(target, anchor)))

    def link(self, record: Record, text: str | None = None, anchor: str = "") -> Markup:
        return Markup(self._page.link(record, text, anchor))

    def link_id(self, record_id: str, text: str | None = None) -> Markup:
        return Markup(self._page.link_id(record_id, text))

    def slug(self, text: str) -> str:
        """An id for a heading, as Python-Markdown's toc extension would make it."""
        return heading_id(text)

    def markdown(self, value: str | None) -> Markup:
        return Markup(self._page.markdown(value))

    def time(self, value: EdtfDate) -> Markup:
        return Markup(time_element(value))

    def json_ld(self, data: dict[str, object]) -> Markup:
        return Markup(json_ld_block(data))


def time_element(value: EdtfDate) -> str:
    """A date as readers see it, in a `<time>` element machines can read: the one place a
    date becomes markup."""
    return f'<time datetime="{attr(value.html_datetime)}">{attr(format_date(value))}</time>'


# Ids the templates give fixed headings: a title's id never takes one of them.
FIXED_IDS = frozenset(
    [
        "about",
        "actors",
        "by-date",
        "by-speaker",
        "data",
        "events",
        "full-text",
        "cited-passages",
        "cite-this-source",
        "key-actors",
        "latest-events",
        "mentioned-in",
        "quotes",
        "quotes-about-them",
        "quotes-from-it",
        "related-events",
        "roles",
        "source",
        "sources",
        "sources-that-cite-them",
        "timeline",
        "tags",
        "appears-most-with",
        "events-that-cite-it",
        "how-to-contribute",
        "people-in-roles-here",
    ]
)


@lru_cache(maxsize=1 << 16)
def heading_id(text: str) -> str:
    """The id Python-Markdown's toc extension gives a heading, kept clear of `FIXED_IDS`."""
    found = slugify(text, "-") or "section"
    return f"{found}-1" if found in FIXED_IDS else found


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
