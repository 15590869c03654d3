"""Generated pages as portable Markdown, for `casefile render`: the same HTML the plugin hands
MkDocs, turned into Markdown, so the two outputs come from one source and cannot drift.

Only the HTML our templates write is expected, and it maps plainly: headings (with their ids
as attribute lists, `{#id}`), paragraphs, lists, block quotes, links, strong and emphasis
become Markdown; anything Markdown cannot say (an element with a class, a form, a figure,
JSON-LD) stays HTML, which every Markdown engine passes through. Text is escaped with
`escape.md_text`, so record text stays inert in Markdown as it is in HTML.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from .escape import md_text
from .site_paths import Site

VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "source", "wbr"})
HEADINGS = {f"h{n}": n for n in range(1, 7)}
INLINE = frozenset(
    {
        "a",
        "abbr",
        "b",
        "br",
        "cite",
        "code",
        "em",
        "i",
        "mark",
        "q",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "output",
        "label",
        "select",
        "option",
        "button",
        "img",
        "wbr",
    }
)
_NEWLINES = re.compile(r"[ \t]*\n[\s]*")


@dataclass
class Node:
    tag: str
    attrs: list[tuple[str, str | None]] = field(default_factory=list)
    children: list[Node | str] = field(default_factory=list)


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, attrs)
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(text: str) -> Node:
    tree = _Tree()
    tree.feed(text)
    tree.close()
    return tree.root


def to_markdown(page_html: str) -> str:
    """A generated page's HTML body as Markdown (Python-Markdown's `attr_list` for ids)."""
    blocks = _blocks(parse(page_html).children)
    return "\n\n".join(b for b in blocks if b.strip()) + "\n"


# -- blocks ----------------------------------------------------------------------------------
def _blocks(children: list[Node | str]) -> list[str]:
    out: list[str] = []
    run: list[Node | str] = []  # inline content between blocks becomes a paragraph

    def flush() -> None:
        text = _inline(run).strip()
        if text:
            out.append(text)
        run.clear()

    for child in children:
        if isinstance(child, str) or child.tag in INLINE:
            run.append(child)
            continue
        flush()
        out.append(_block(child))
    flush()
    return out


def _block(node: Node) -> str:
    tag, attrs = node.tag, dict(node.attrs)
    if tag in HEADINGS and set(attrs) <= {"id"}:
        words = [c for c in node.children if not _is_permalink(c)]
        anchor = f" {{#{attrs['id']}}}" if attrs.get("id") else ""
        return f"{'#' * HEADINGS[tag]} {_inline(words).strip()}{anchor}"
    if tag == "p" and not attrs:
        return _inline(node.children).strip()
    if tag in ("ul", "ol") and not attrs and _plain_items(node):
        return _list(node)
    if tag == "blockquote" and not attrs:
        inner = "\n\n".join(_blocks(node.children))
        return "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
    return _raw(node)


def _is_permalink(child: Node | str) -> bool:
    return isinstance(child, Node) and child.tag == "a" and ("class", "headerlink") in child.attrs


def _plain_items(node: Node) -> bool:
    return all(
        (isinstance(c, Node) and c.tag == "li" and not c.attrs)
        or (isinstance(c, str) and not c.strip())
        for c in node.children
    )


def _list(node: Node) -> str:
    marker = "1." if node.tag == "ol" else "-"
    lines = []
    for item in node.children:
        if not isinstance(item, Node):
            continue
        blocks = _blocks(item.children) or [""]
        indent = " " * (len(marker) + 1)
        first, *rest = blocks
        text = f"{marker} " + first.replace("\n", "\n" + indent)
        for block in rest:
            text += "\n\n" + indent + block.replace("\n", "\n" + indent)
        lines.append(text)
    loose = any("\n\n" in line for line in lines)
    return ("\n\n" if loose else "\n").join(lines)


# -- inline ----------------------------------------------------------------------------------
def _inline(children: list[Node | str]) -> str:
    return "".join(_inline_one(c) for c in children)


def _inline_one(child: Node | str) -> str:
    if isinstance(child, str):
        return _text(child)
    tag, attrs = child.tag, dict(child.attrs)
    if tag == "a" and set(attrs) == {"href"} and attrs["href"]:
        return f"[{_inline(child.children).strip()}]({_url(attrs['href'])})"
    if tag in ("strong", "b") and not attrs:
        return f"**{_inline(child.children)}**"
    if tag in ("em", "i") and not attrs:
        return f"*{_inline(child.children)}*"
    # Inline HTML: Markdown still reads the text between its tags, so the text stays escaped
    # for Markdown (numeric character references, which HTML reads the same).
    if tag in VOID:
        return _open(child)
    return f"{_open(child)}{_inline(child.children)}</{tag}>"


def _text(value: str) -> str:
    if not value.strip():
        return " " if value else ""
    lead = " " if value[0].isspace() else ""
    tail = " " if value[-1].isspace() else ""
    return lead + md_text(value) + tail


def _url(value: str) -> str:
    """A link target for Markdown: parentheses and spaces would end it early."""
    return value.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


# -- raw HTML --------------------------------------------------------------------------------
def _open(node: Node) -> str:
    parts = [node.tag]
    for name, value in node.attrs:
        parts.append(name if value is None else f'{name}="{html.escape(value, quote=True)}"')
    return f"<{' '.join(parts)}>"


def _raw(node: Node, pre: bool = False) -> str:
    """An element as HTML on lines without blank ones (a blank line would end an HTML block
    in CommonMark); inside `<pre>`, line breaks are kept as character references."""
    if node.tag in VOID:
        return _open(node)
    inside = pre or node.tag == "pre"
    out = [_open(node)]
    for child in node.children:
        if isinstance(child, Node):
            out.append(_raw(child, inside))
        elif node.tag in ("script", "style"):
            out.append(child)
        elif inside:
            out.append(html.escape(child, quote=False).replace("\n", "&#10;"))
        else:
            out.append(_NEWLINES.sub("\n", html.escape(child, quote=False)))
    out.append(f"</{node.tag}>")
    return "".join(out)


def portable_files(site: Site) -> dict[str, str]:
    """The site's files with every page as portable Markdown (`casefile render`); render the
    site with `directory_urls=None` first, so that links are relative `.md` paths."""
    texts = {p: t if isinstance(t, str) else t.decode() for p, t in site.files.items()}
    return {
        path: to_markdown(text) if path.endswith(".md") else text for path, text in texts.items()
    }
