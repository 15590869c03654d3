"""Record text into pages, safely: the only place that escapes anything.

Every string in a record is untrusted (it arrives in a pull request). Each output context has
one function here, and page code uses nothing else:

- `md_text`: plain text inside the generated Markdown (and so inside the HTML it becomes);
- `attr`: an HTML attribute value;
- `json_script`: JSON inside `<script type="application/ld+json">`;
- `render_markdown`: a record's Markdown field, rendered by a minimal Markdown instance (no
  raw HTML, no attribute lists, no snippets) and then cleaned by an allow-list sanitiser.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from functools import lru_cache

import markdown
import nh3

# Characters Markdown, its extensions, or HTML could give a meaning to. Everything else in
# ASCII (letters, digits, space) and all non-ASCII text passes through unchanged.
_ACTIVE = frozenset("\\`*_{}[]()<>#+!|~^=:&\"'$@")
_ENTITY = {ord(c): f"&#{ord(c)};" for c in _ACTIVE}
# At the start of a line these begin a list or a rule: "1984. A year", "- a", "+ b".
_LINE_START = re.compile(r"^(\d*)([.)-])")
# Controls and bidi overrides cannot reach a record (the loader rejects them), but text from
# elsewhere (a source's full text) goes through here too.
_INVISIBLE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


@lru_cache(maxsize=65536)  # the same names and titles are written thousands of times
def md_text(value: str) -> str:
    """`value` as literal text in a Markdown page: one line, nothing in it active.

    Every character Markdown or HTML could act on becomes a numeric character reference,
    which Python-Markdown passes through and the browser shows as the character itself.
    """
    value = _INVISIBLE.sub("", value)
    text = " ".join(value.split()).translate(_ENTITY)
    return _LINE_START.sub(lambda m: f"{m.group(1)}&#{ord(m.group(2))};", text)


def with_article(word: str) -> str:
    """'an actor', 'a source': for messages and labels that name a kind of record."""
    return ("an " if word[0] in "aeiou" else "a ") + word


def attr(value: str) -> str:
    """`value` for a double-quoted HTML attribute."""
    return html.escape(_INVISIBLE.sub("", value), quote=True)


def json_script(data: object) -> str:
    """JSON that is safe inside a `<script>` element: no `<`, `>` or `&` can close it."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


_ALLOWED_TAGS = {
    "p",
    "br",
    "em",
    "strong",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "del",
    "sub",
    "sup",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
_SCHEMES = {"http", "https", "mailto"}
RECORD_SCHEME = "casefile-record"

# [[id]] or [[id|label]] in a Markdown field: the checker validates them, pages link them.
WIKILINK = re.compile(r"\[\[([^\]|\n]*)(?:\|([^\]\n]*))?\]\]")
_RECORD_HREF = re.compile(r'href="' + RECORD_SCHEME + r':([a-z0-9-]+)"(?: rel="[^"]*")?')


class _NoRawHtml(markdown.Extension):
    """Python-Markdown passes raw HTML through; a record's Markdown may hold none of it."""

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")


_MD = markdown.Markdown(extensions=[_NoRawHtml()], output_format="html")


def render_markdown(
    value: str,
    href: Callable[[str], str],
    label: Callable[[str], str],
) -> str:
    """A record's Markdown field as sanitised HTML.

    `[[id]]` and `[[id|label]]` become links: `href(id)` gives the address, `label(id)` the
    text when none is written. Ids were checked by the checker; an unknown one is left as text.
    Headings are demoted to h3 and below so record text cannot outrank the page's own.
    """

    def wikilink(match: re.Match[str]) -> str:
        target = match.group(1).strip()
        text = (match.group(2) or "").strip() or label(target)
        return f"[{_md_link_text(text)}]({RECORD_SCHEME}:{target})"

    source = WIKILINK.sub(wikilink, value)
    _MD.reset()
    rendered = _MD.convert(source)
    rendered = re.sub(r"<(/?)h[12]\b", r"<\1h3", rendered)
    # Record links are allowed through the sanitiser under their own scheme, then resolved.
    clean = nh3.clean(
        rendered,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_SCHEMES | {RECORD_SCHEME},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return _RECORD_HREF.sub(lambda m: f'href="{attr(href(m.group(1)))}" class="cf-ref"', clean)


def _md_link_text(text: str) -> str:
    """Link text for the minimal Markdown instance: brackets and backslashes escaped."""
    return re.sub(r"([\\\[\]])", r"\\\1", text)


def plain_markdown(value: str, label: Callable[[str], str]) -> str:
    """The words of a Markdown field without markup, for descriptions and JSON-LD."""
    text = WIKILINK.sub(lambda m: (m.group(2) or "").strip() or label(m.group(1).strip()), value)
    _MD.reset()
    rendered = _MD.convert(text)
    return " ".join(html.unescape(nh3.clean(rendered, tags=set())).split())
