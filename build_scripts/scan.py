"""A post-build scan of a built site for anything that could run code it should not.

The page generator escapes every record string (see `escape.py`); this scan checks the result,
the built HTML, so a mistake anywhere (ours, MkDocs', Material's, an extension's) is caught
before the site is published. It reads every page with `html.parser`, as a browser would
tokenise it, and reports:

- any `on*` event-handler attribute on any element;
- any `javascript:`, `data:` or `vbscript:` URL in a URL attribute (`href`, `src`, `action`,
  `formaction`, `xlink:href`, `srcset`, `poster`, ...), read as a browser reads it: character
  references decoded, tabs, newlines, controls and spaces removed, case folded;
- any `<script>` that is not one of: a script whose `src` is one of the site's own scripts
  (Material's bundle, its search worker and lunr files, `assets/casefile/casefile.js` and
  `assets/casefile/search.js`), a
  `type="application/ld+json"` block that parses as JSON, Material's `__config` JSON block,
  or one of the inline scripts of the installed Material theme (read from its templates, so
  the allow-list follows the theme's version exactly);
- `<iframe>`, `<frame>`, `<object>`, `<embed>`, `<applet>`, `<base>`, and
  `<meta http-equiv="refresh">`;
- markup that `html.parser` and browsers could read differently (a `</script` inside a script,
  `--!>` in a comment, a `<` that did not start a tag, `<![CDATA[`), so that what this scan
  sees is what a browser sees.

The HTML of Material's search index (`search/search_index.json`), which the search box
inserts into the page, is scanned the same way. Each finding is a `Finding` with a `scan-*`
code from the catalogue, at the site file and line; `casefile scan SITE_DIR` prints them as
`casefile check` prints its own and exits 1 when there is any.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from collections.abc import Sequence
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from .findings import Finding, Location

# Files read as markup. `.xml.gz` is read after decompression (the sitemap).
MARKUP_SUFFIXES = (".html", ".htm", ".xhtml", ".svg", ".xml")

URL_ATTRIBUTES = frozenset(
    {
        "href",
        "src",
        "action",
        "formaction",
        "xlink:href",
        "srcset",
        "imagesrcset",
        "poster",
        "background",
        "cite",
        "data",
        "codebase",
        "lowsrc",
        "dynsrc",
        "longdesc",
        "manifest",
        "ping",
        "profile",
        "usemap",
        "icon",
    }
)
# SVG animation can set an attribute (an `href`) to a URL given in these.
ANIMATION_ELEMENTS = frozenset({"animate", "set", "animatetransform", "animatemotion"})
ANIMATION_ATTRIBUTES = frozenset({"from", "to", "values", "by"})
SRCSET_ATTRIBUTES = frozenset({"srcset", "imagesrcset"})
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
FORBIDDEN_ELEMENTS = frozenset(
    {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal"}
)

# The site's own scripts, as paths from the site root.
OWN_SCRIPTS = (
    re.compile(r"assets/javascripts/bundle\.[0-9a-f]{8}\.min\.js"),
    re.compile(r"assets/javascripts/workers/search\.[0-9a-f]{8}\.min\.js"),
    re.compile(r"assets/javascripts/lunr/(min/)?[a-z0-9.]+\.js"),
    re.compile(r"assets/casefile/casefile\.js"),
    re.compile(r"assets/casefile/search\.js"),  # loads the Pagefind bundle it ships with
)
SEARCH_WORKER = OWN_SCRIPTS[1]
# Keys Material's `<script id="__config" type="application/json">` holds (Material 9.x).
CONFIG_KEYS = frozenset(
    {"base", "features", "translations", "search", "annotate", "tags", "version"}
)
# The type values that make a `<script>` run: none, empty, a JavaScript MIME type, "module".
_JS_TYPES = frozenset(
    {
        "",
        "module",
        "application/ecmascript",
        "application/javascript",
        "application/x-ecmascript",
        "application/x-javascript",
        "text/ecmascript",
        "text/javascript",
        "text/javascript1.0",
        "text/javascript1.1",
        "text/javascript1.2",
        "text/javascript1.3",
        "text/javascript1.4",
        "text/javascript1.5",
        "text/jscript",
        "text/livescript",
        "text/x-ecmascript",
        "text/x-javascript",
    }
)
# What a browser's URL parser ignores (WHATWG URL): C0 controls and space at either end, and
# tab, LF and CR anywhere. A space or other control inside the scheme ends it: "java script:"
# is a relative URL, not a script.
_URL_EDGE = "".join(map(chr, range(0x21)))
_URL_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
# After a `<`, these start a tag, an end tag, a comment or a declaration in a browser.
_MARKUP_START = re.compile(r"<[A-Za-z/!?]")
_HTML_WHITESPACE = " \t\n\f\r"


# What the scanner reports: (line, code, the fields of its message).
Found = tuple[int, str, dict[str, object]]


def _material_inline_scripts() -> tuple[re.Pattern[str], ...]:
    """The inline scripts the installed Material theme writes, as exact patterns.

    They are read from the theme's own templates (`partials/javascripts/*.html`), where each is
    a minified one-liner; a Jinja `{{ ... }}` inside one (a base URL) may be any URL-like text
    without quotes, backslashes or angle brackets.
    """
    try:
        import material
    except ImportError:  # pragma: no cover - Material is a dependency
        return ()
    folder = Path(material.__file__).parent / "templates" / "partials" / "javascripts"
    patterns = []
    for template in sorted(folder.glob("*.html")):
        source = re.sub(r"\{#.*?#\}", "", template.read_text(encoding="utf-8"), flags=re.S)
        for body in re.findall(r"<script>(.*?)</script>", source, flags=re.S):
            parts = re.split(r"\{\{.*?\}\}", body.strip(), flags=re.S)
            pattern = r"[^\"'\\<>\s]*".join(re.escape(p) for p in parts)
            patterns.append(re.compile(pattern))
    return tuple(patterns)


MATERIAL_INLINE_SCRIPTS = _material_inline_scripts()


def normalise_url(value: str) -> str:
    """A URL attribute's value as a browser judges its scheme (entities already decoded)."""
    return _URL_TAB_OR_NEWLINE.sub("", value.strip(_URL_EDGE)).casefold()


def bad_scheme(value: str) -> str | None:
    """The forbidden scheme `value` uses (`javascript:` ...), or None."""
    url = normalise_url(value)
    return next((scheme for scheme in BAD_SCHEMES if url.startswith(scheme)), None)


def _srcset_urls(value: str) -> list[str]:
    """The URLs of a `srcset`: each candidate is a URL, then optional descriptors."""
    urls = []
    for candidate in value.split(","):
        words = candidate.split()
        if words:
            urls.append(words[0])
    # A `data:` URL holds commas: its first piece still starts with the scheme.
    return urls or [value]


def _own_script(src: str, page: PurePosixPath, site_dir: Path) -> bool:
    """Whether `src`, on the page at `page` (relative to the site root), is an own script."""
    parts = urlsplit(src.strip(_HTML_WHITESPACE))
    if parts.scheme or parts.netloc or src.strip().startswith("//") or "\\" in src:
        return False
    path = unquote(parts.path)
    candidates: list[str] = []
    if path.startswith("/"):
        # An absolute path (the 404 page uses them): the site may live below a prefix.
        segments = path.strip("/").split("/")
        candidates = ["/".join(segments[i:]) for i in range(len(segments))]
    else:
        joined = (page.parent / path).as_posix()
        resolved: list[str] = []
        for segment in joined.split("/"):
            if segment in ("", "."):
                continue
            if segment == "..":
                if not resolved:
                    return False  # above the site root
                resolved.pop()
            else:
                resolved.append(segment)
        candidates = ["/".join(resolved)]
    return any(
        any(p.fullmatch(c) for p in OWN_SCRIPTS) and (site_dir / c).is_file() for c in candidates
    )


class _Scanner(HTMLParser):
    """Collects findings for one document (or one fragment of HTML)."""

    def __init__(
        self,
        *,
        page: PurePosixPath,
        site_dir: Path,
        fragment: bool = False,
    ) -> None:
        # Character references are decoded by hand, so raw text can be checked for markup.
        super().__init__(convert_charrefs=False)
        self.page = page
        self.site_dir = site_dir
        self.fragment = fragment
        self.found: list[Found] = []
        self._script: tuple[dict[str, str | None], int] | None = None
        self._raw: list[str] = []  # the text of the open <script> or <style>

    def report(self, code: str, *, line: int | None = None, **fields: object) -> None:
        self.found.append((line if line is not None else self.getpos()[0], code, fields))

    # -- tags ---------------------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check_tag(tag, attrs)
        if tag == "script":
            self._script = (dict(attrs), self.getpos()[0])
        if tag in ("script", "style"):
            self._raw = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._check_tag(tag, attrs)
        if tag in ("script", "style"):
            # `<script/>` is not self-closing in HTML: the browser reads on as its text.
            self.report("scan-self-closing", tag=tag)

    def handle_endtag(self, tag: str) -> None:
        # html.parser calls this before it leaves the script's raw text.
        if tag in ("script", "style"):
            text = "".join(self._raw)
            self._raw = []
            if tag == "script" and self._script is not None:
                attrs, line = self._script
                self._script = None
                self._check_script(attrs, text, line)

    def _check_tag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in FORBIDDEN_ELEMENTS:
            self.report("scan-forbidden-element", tag=tag)
        if tag == "meta":
            equiv = next((v for k, v in attrs if k == "http-equiv"), None)
            if equiv is not None and equiv.strip(_HTML_WHITESPACE).casefold() == "refresh":
                self.report("scan-meta-refresh")
        for name, value in attrs:
            name = name.lstrip("/")
            if name.startswith("on"):
                self.report("scan-event-handler", attribute=name, tag=tag)
                continue
            if value is None:
                continue
            if name in URL_ATTRIBUTES or (
                tag in ANIMATION_ELEMENTS and name in ANIMATION_ATTRIBUTES
            ):
                urls = _srcset_urls(value) if name in SRCSET_ATTRIBUTES else [value]
                urls.append(value)
                for url in urls:
                    scheme = bad_scheme(url)
                    if scheme:
                        self.report(
                            "scan-script-url",
                            scheme=scheme,
                            attribute=name,
                            tag=tag,
                            value=value[:60],
                        )
                        break

    # -- scripts ------------------------------------------------------------------------------
    def _check_script(self, attrs: dict[str, str | None], text: str, line: int) -> None:
        kind = (attrs.get("type") or "").strip(_HTML_WHITESPACE).casefold()
        src = attrs.get("src")
        lowered = text.casefold()
        if "</script" in lowered or "<!--" in lowered:
            self.report("scan-script-breakout", line=line)
            return
        if self.fragment:
            self.report("scan-fragment-script", line=line)
            return
        if src is not None:
            if text.strip(_HTML_WHITESPACE):
                self.report("scan-script-with-text", line=line)
            elif not _own_script(src, self.page, self.site_dir):
                self.report("scan-foreign-script", line=line, src=src[:80])
            return
        if kind == "application/ld+json":
            try:
                json.loads(text)
            except ValueError:
                self.report("scan-json-ld", line=line)
            return
        if kind == "application/json" and attrs.get("id") == "__config":
            self._check_config(text, line)
            return
        if kind in _JS_TYPES:
            body = text.strip(_HTML_WHITESPACE)
            if not any(p.fullmatch(body) for p in MATERIAL_INLINE_SCRIPTS):
                self.report("scan-inline-script", line=line, text=body[:60])
            return
        self.report("scan-script-type", line=line, type=kind)

    def _check_config(self, text: str, line: int) -> None:
        try:
            config = json.loads(text)
        except ValueError:
            self.report("scan-config-json", line=line)
            return
        if not isinstance(config, dict) or not {"base", "search"} <= set(config) <= CONFIG_KEYS:
            self.report("scan-config", line=line)
            return
        search = config["search"]
        if not isinstance(search, str) or not _own_script(search, self.page, self.site_dir):
            self.report("scan-foreign-worker", line=line, src=search)
        elif not SEARCH_WORKER.search(search):
            self.report("scan-worker", line=line, src=search)

    # -- text ---------------------------------------------------------------------------------
    def handle_data(self, data: str) -> None:
        if self.cdata_elem is not None:
            self._raw.append(data)
            return
        if _MARKUP_START.search(data):
            self.report("scan-stray-markup", text=data.strip()[:60])

    def handle_comment(self, data: str) -> None:
        # Browsers end a comment at `--!>`, and `<!-->` / `<!--->` are whole comments.
        if "--!>" in data or data.startswith((">", "->")):
            self.report("scan-comment")

    def unknown_decl(self, data: str) -> None:
        self.report("scan-marked-section", text=data[:20])

    def close(self) -> None:
        super().close()
        if self.cdata_elem is not None or self._script is not None:
            self.report("scan-unclosed")


def _scan_markup(
    text: str, relative: PurePosixPath, site_dir: Path, *, fragment: bool = False
) -> list[Found]:
    scanner = _Scanner(page=relative, site_dir=site_dir, fragment=fragment)
    scanner.feed(text)
    scanner.close()
    return scanner.found


def _scan_search_index(data: object, path: Path, site_dir: Path) -> list[Finding]:
    """Problems in the HTML a search index holds (the search box renders it)."""
    if not isinstance(data, dict) or not isinstance(data.get("docs"), list):
        return []
    relative = PurePosixPath(path.relative_to(site_dir).as_posix())
    problems = []
    for doc in data["docs"]:
        if not isinstance(doc, dict):
            continue
        entry = doc.get("location", "?")
        for key in ("title", "text"):
            value = doc.get(key)
            if isinstance(value, str):
                for _, code, fields in _scan_markup(value, relative, site_dir, fragment=True):
                    found = Finding.make(code, Location(path), **fields)
                    problems.append(found.inside("search-index", entry=entry, key=key))
    return problems


def scan_file(path: Path, site_dir: Path) -> list[Finding]:
    """Findings for one file of the site (nothing for files that hold no markup)."""
    relative = PurePosixPath(path.relative_to(site_dir).as_posix())
    name = path.name.lower()
    try:
        if name.endswith(MARKUP_SUFFIXES):
            text = path.read_bytes().decode("utf-8", errors="replace")
        elif name.endswith(".xml.gz"):
            text = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        elif name.endswith(".json"):
            text = path.read_bytes().decode("utf-8", errors="replace")
            try:
                data = json.loads(text)
            except ValueError:
                return []
            return _scan_search_index(data, path, site_dir)
        else:
            return []
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        return [Finding.make("scan-unreadable", Location(path), reason=exc)]
    return [
        Finding.make(code, Location(path, line), **fields)
        for line, code, fields in _scan_markup(text, relative, site_dir)
    ]


def scan_site(site_dir: Path) -> list[Finding]:
    """Every finding in every file of the built site in `site_dir`, by file and line."""
    site_dir = Path(site_dir)
    findings: list[Finding] = []
    for path in sorted(p for p in site_dir.rglob("*") if p.is_file()):
        findings.extend(scan_file(path, site_dir))
    return findings


def main(argv: Sequence[str] | None = None) -> int:
    """`casefile scan SITE_DIR`, which the command line runs (see `cli.cmd_scan`)."""
    from .cli import main as cli_main

    return cli_main(["scan", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
