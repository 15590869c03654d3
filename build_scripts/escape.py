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

import hashlib
import html
import json
import re
from collections.abc import Callable
from functools import lru_cache
from xml.etree import ElementTree as etree

import markdown
import nh3
from markdown.inlinepatterns import (
    ImageInlineProcessor,
    ImageReferenceInlineProcessor,
    LinkInlineProcessor,
    ReferenceInlineProcessor,
    ShortImageReferenceInlineProcessor,
    ShortReferenceInlineProcessor,
)
from markdown.treeprocessors import Treeprocessor

from .models import WIKILINK

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


# What `attr` changes: the invisible characters it drops and the ones `html.escape` escapes.
_NOT_PLAIN_IN_ATTR = re.compile(_INVISIBLE.pattern[:-1] + "&<>\"']")


def attr(value: str) -> str:
    """`value` for a double-quoted HTML attribute."""
    if _NOT_PLAIN_IN_ATTR.search(value) is None:  # most values (a million at 10k records)
        return value
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


# Record text is Markdown from strangers. Python-Markdown reads a link by scanning from each
# `[` to its `]` and `(` to its `)`, and rebuilds a paragraph's text after each inline match,
# and it parses nested lists by recursion: all fine for prose, quadratic or a crash on runs of
# brackets, thousands of emphasis marks in one paragraph, or lists nested hundreds deep.
# These bound each of those; ordinary text never comes near them.
_MARKDOWN_CHARS = 100_000  # a longer field is shown as plain paragraphs
_NESTING = 16  # container levels (block quotes, list items) a line may open
_BLOCK_CHARS = 8_000  # a longer paragraph is cut into paragraphs of at most this
_DEPTH = 32  # elements deeper than this in the rendered tree keep only their text
_LINK_WINDOW = 4_096  # characters a link's text and address may span together
# Characters each link reader may scan in one field, per character of the field. A link
# costs a reader about its own length, so only crafted text runs out; what is left of it
# is shown as text.
_LINK_WORK_PER_CHAR = 4
_LINK_WORK_FLOOR = 4 * _LINK_WINDOW


class _BoundedReader(LinkInlineProcessor):
    """A Python-Markdown link reader that reads at most _LINK_WINDOW characters past the `[`
    for one link, and stops reading links once it has scanned its `left` for the field."""

    left = 0
    scanned = 0  # in the field being converted: for tests and benchmarks

    def handleMatch(
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element | None, int | None, int | None]:
        if self.scanned >= self.left:
            return None, None, None
        limit = m.end(0) + _LINK_WINDOW
        return super().handleMatch(m, data if limit >= len(data) else data[:limit])

    def getText(self, data: str, index: int) -> tuple[str, int, bool]:
        text, end, handled = super().getText(data, index)
        self.scanned += end - index + 1
        return text, end, handled

    def getLink(self, data: str, index: int) -> tuple[str, str | None, int, bool]:
        href, title, end, handled = super().getLink(data, index)
        self.scanned += end - index + 1
        return href, title, end, handled


class _Reference(_BoundedReader, ReferenceInlineProcessor):
    pass


class _Link(_BoundedReader, LinkInlineProcessor):
    pass


class _Image(_BoundedReader, ImageInlineProcessor):
    pass


class _ImageReference(_BoundedReader, ImageReferenceInlineProcessor):
    pass


class _ShortReference(_BoundedReader, ShortReferenceInlineProcessor):
    pass


class _ShortImageReference(_BoundedReader, ShortImageReferenceInlineProcessor):
    pass


# Python-Markdown's link readers: its name for each, ours, and its priority.
_READERS: tuple[tuple[str, type[_BoundedReader], int], ...] = (
    ("reference", _Reference, 170),
    ("link", _Link, 160),
    ("image_link", _Image, 150),
    ("image_reference", _ImageReference, 140),
    ("short_reference", _ShortReference, 130),
    ("short_image_ref", _ShortImageReference, 125),
)


class _Flatten(Treeprocessor):
    """Elements deeper than _DEPTH keep their text and lose their markup, so nothing after
    (the serialiser, the sanitiser, a browser) meets a tree of unbounded depth."""

    def run(self, root: etree.Element) -> None:
        stack = [(root, 0)]
        while stack:
            element, depth = stack.pop()
            if depth < _DEPTH:
                stack.extend((child, depth + 1) for child in element)
            elif len(element):
                element.text = _text_of(element)
                for child in list(element):
                    element.remove(child)


def _text_of(element: etree.Element) -> str:
    """All the text inside `element`, in order, without recursion."""
    parts: list[str] = []
    stack: list[etree.Element | str] = [element]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            parts.append(node)
            continue
        parts.append(node.text or "")
        if node is not element:
            stack.append(node.tail or "")
        stack.extend(reversed(node))
    return "".join(parts)


class _Bounded(markdown.Extension):
    """A record's Markdown may hold no raw HTML (Python-Markdown passes it through), and its
    link readers and tree depth are bounded."""

    def __init__(self) -> None:
        super().__init__()
        self.readers: list[_BoundedReader] = []

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        for name, reader, priority in _READERS:
            bounded = reader(md.inlinePatterns[name].pattern, md)
            md.inlinePatterns.register(bounded, name, priority)
            self.readers.append(bounded)
        md.treeprocessors.register(_Flatten(md), "cf_flatten", 5)  # after "inline" (20)

    def reset(self, size: int) -> None:
        """Ready the readers for a field of `size` characters."""
        for reader in self.readers:
            reader.left = _LINK_WORK_PER_CHAR * size + _LINK_WORK_FLOOR
            reader.scanned = 0


_EXTENSION = _Bounded()
_MD = markdown.Markdown(extensions=[_EXTENSION], output_format="html")

# A line's leading run of indentation and container marks: `>`, and list marks followed by
# a space.
_PREFIX_TOKEN = re.compile(r"[ \t]+|>|(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$)")
_PARAGRAPH_BREAK = re.compile(r"(\n[ \t]*\n)")


def _cap_nesting(line: str) -> str:
    """`line` opening at most _NESTING containers: past that, indentation is dropped and the
    next mark escaped, so the rest of the line is text in the deepest container."""
    columns = marks = at = 0
    while (token := _PREFIX_TOKEN.match(line, at)) is not None:
        text = token.group()
        if text[0] in " \t":
            # Four columns of indentation nest one level; the space after a mark is its own.
            width = len(text.expandtabs(4)) - (1 if at else 0)
            if (columns + width) // 4 + marks > _NESTING:
                return line[:at] + " " + _escape_mark(line[token.end() :])
            columns += width
        elif columns // 4 + marks + 1 > _NESTING:
            return line[:at] + _escape_mark(line[at:])
        else:
            marks += 1
        at = token.end()
    return line


def _escape_mark(text: str) -> str:
    token = _PREFIX_TOKEN.match(text)
    if token is None or token.group()[0] in " \t":
        return text
    mark = token.group()
    return f"{mark[:-1]}\\{mark[-1]}{text[len(mark) :]}"  # "\>", "\-", "12\."


def _split_blocks(text: str) -> str:
    """`text` with no paragraph longer than _BLOCK_CHARS: a longer one is cut at a line
    break, else at a space, else anywhere."""
    if len(text) <= _BLOCK_CHARS:
        return text
    out: list[str] = []
    for block in _PARAGRAPH_BREAK.split(text):
        while len(block) > _BLOCK_CHARS:
            cut = block.rfind("\n", 0, _BLOCK_CHARS)
            if cut <= 0:
                cut = block.rfind(" ", 0, _BLOCK_CHARS)
            skip = 1 if cut > 0 else 0
            cut = cut if cut > 0 else _BLOCK_CHARS
            out += [block[:cut], "\n\n"]
            block = block[cut + skip :]
        out.append(block)
    return "".join(out)


def _convert(value: str) -> str | None:
    """A Markdown field as HTML, in time linear in its length; None, never an exception, for
    a field too long or too deep to render as Markdown."""
    if len(value) > _MARKDOWN_CHARS:
        return None
    source = "\n".join(_cap_nesting(line) for line in _split_blocks(value).split("\n"))
    _MD.reset()
    _MD.parser.state.clear()  # the parser's stack of open blocks, left behind by an exception
    _EXTENSION.reset(len(source))
    try:
        return _MD.convert(source)
    except RecursionError:  # a structure the caps above did not foresee
        return None


def _plain_paragraphs(value: str) -> str:
    """A field shown as its text, when it cannot be rendered as Markdown."""
    paragraphs = _PARAGRAPH_BREAK.split(value)[::2]
    return "\n".join(f"<p>{html.escape(p.strip())}</p>" for p in paragraphs if p.strip())


# A record link's address after sanitising, compiled once: the field's token is compared in
# the replacement, not built into the pattern (a pattern per field would be compiled per field).
_RECORD_HREF = re.compile(r'href="#(cf-[0-9a-f]{24})-([0-9]+)"(?: rel="[^"]*")?')
_HEADING = re.compile(r"<(/?)h[12]\b")


def render_markdown(
    value: str,
    href: Callable[[str], str],
    label: Callable[[str], str],
) -> str:
    """A record's Markdown field as sanitised HTML.

    `[[id]]` and `[[id|label]]` become links: `href(id)` gives the address, `label(id)` the
    text when none is written; they are asked only about ids in `[[...]]`, which the checker
    has checked. A link the author writes is never taken for a record link, whatever its
    address. Headings are demoted to h3 and below so record text cannot outrank the page's own.
    A field too long or too deeply nested to render as Markdown is shown as plain text.
    """
    # Record links carry a fragment no author can write: it depends on the whole field.
    token = "cf-" + hashlib.sha256(value.encode()).hexdigest()[:24]
    targets: list[str] = []

    def wikilink(match: re.Match[str]) -> str:
        target = match.group(1).strip()
        text = (match.group(2) or "").strip() or label(target)
        targets.append(target)
        return f"[{_md_link_text(text)}](#{token}-{len(targets) - 1})"

    rendered = _convert(WIKILINK.sub(wikilink, value))
    if rendered is None:
        rendered = _plain_paragraphs(value)
    rendered = _HEADING.sub(r"<\1h3", rendered)
    clean = nh3.clean(
        rendered,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )

    def record_href(match: re.Match[str]) -> str:
        if match.group(1) != token:  # an author's link that only looks like ours
            return match.group()
        return f'href="{attr(href(targets[int(match.group(2))]))}" class="cf-ref"'

    clean = _RECORD_HREF.sub(record_href, clean)
    # The page around this is Markdown too: a bracket left as a character would be read
    # again by its link reader, so none is.
    return clean.replace("[", "&#91;").replace("]", "&#93;")


def _md_link_text(text: str) -> str:
    """Link text for the minimal Markdown instance: brackets and backslashes escaped."""
    return re.sub(r"([\\\[\]])", r"\\\1", text)


def plain_markdown(value: str, label: Callable[[str], str]) -> str:
    """The words of a Markdown field without markup, for descriptions and JSON-LD."""
    text = WIKILINK.sub(lambda m: (m.group(2) or "").strip() or label(m.group(1).strip()), value)
    return _words(text)


# An event's summary is in its page's JSON-LD and in the feed, so the cache keeps every
# summary of the case. At 16,384 (its size before), the 31,500 summaries of 100,000 records
# did not fit: a render in one process converted 65,873 fields against 3,855 at 10,000,
# measured, about 5.7 s more than ten times 10,000's.
@lru_cache(maxsize=1 << 17)
def _words(text: str) -> str:
    """The words of Markdown `text` (record links already written as their labels)."""
    rendered = _convert(text)
    words = html.unescape(nh3.clean(rendered, tags=set())) if rendered is not None else text
    return " ".join(words.split())
