"""A post-build scan of a built site for anything that could run code it should not.

The page generator escapes every record string (see `text.py`); this scan checks the result,
the built HTML, so a mistake anywhere (ours, MkDocs', Material's, an extension's) is caught
before the site is published. It reads every page with `html.parser`, as a browser would
tokenise it, and reports:

- any `on*` event-handler attribute on any element;
- any `javascript:`, `data:` or `vbscript:` URL in a URL attribute (`href`, `src`, `action`,
  `formaction`, `xlink:href`, `srcset`, `poster`, ...), read as a browser reads it: character
  references decoded, tabs, newlines, controls and spaces removed, case folded;
- any `<script>` that is not one of: a script whose `src` is one of the site's own scripts
  (Material's bundle, its search worker and lunr files, `assets/casefile/casefile.js`), a
  `type="application/ld+json"` block that parses as JSON, Material's `__config` JSON block,
  or one of the inline scripts of the installed Material theme (read from its templates, so
  the allow-list follows the theme's version exactly);
- `<iframe>`, `<frame>`, `<object>`, `<embed>`, `<applet>`, `<base>`, and
  `<meta http-equiv="refresh">`;
- markup that `html.parser` and browsers could read differently (a `</script` inside a script,
  `--!>` in a comment, a `<` that did not start a tag, `<![CDATA[`), so that what this scan
  sees is what a browser sees.

The HTML of Material's search index (`search/search_index.json`), which the search box
inserts into the page, is scanned the same way. `casefile scan SITE_DIR` prints one
`path:line: what` per finding and exits 1 when there is any.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from .findings import for_ci, one_line

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


@dataclass(frozen=True, slots=True)
class ScanFinding:
    file: Path
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.what}"


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
        self.found: list[tuple[int, str]] = []
        self._script: tuple[dict[str, str | None], int] | None = None
        self._raw: list[str] = []  # the text of the open <script> or <style>

    def report(self, what: str, line: int | None = None) -> None:
        self.found.append((line if line is not None else self.getpos()[0], what))

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
            self.report(f"self-closing <{tag}/>: browsers read what follows as its content")

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
            self.report(f"<{tag}> element")
        if tag == "meta":
            equiv = next((v for k, v in attrs if k == "http-equiv"), None)
            if equiv is not None and equiv.strip(_HTML_WHITESPACE).casefold() == "refresh":
                self.report('<meta http-equiv="refresh">')
        for name, value in attrs:
            name = name.lstrip("/")
            if name.startswith("on"):
                self.report(f"event-handler attribute {name}= on <{tag}>")
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
                        self.report(f"{scheme} URL in {name}= on <{tag}>: {value[:60]!r}")
                        break

    # -- scripts ------------------------------------------------------------------------------
    def _check_script(self, attrs: dict[str, str | None], text: str, line: int) -> None:
        kind = (attrs.get("type") or "").strip(_HTML_WHITESPACE).casefold()
        src = attrs.get("src")
        lowered = text.casefold()
        if "</script" in lowered or "<!--" in lowered:
            self.report("script text holds '</script' or '<!--'", line)
            return
        if self.fragment:
            self.report("<script> in an HTML fragment", line)
            return
        if src is not None:
            if text.strip(_HTML_WHITESPACE):
                self.report("script with src= also has text", line)
            elif not _own_script(src, self.page, self.site_dir):
                self.report(f"script from outside the site's own assets: {src[:80]!r}", line)
            return
        if kind == "application/ld+json":
            try:
                json.loads(text)
            except ValueError:
                self.report("application/ld+json script is not valid JSON", line)
            return
        if kind == "application/json" and attrs.get("id") == "__config":
            self._check_config(text, line)
            return
        if kind in _JS_TYPES:
            body = text.strip(_HTML_WHITESPACE)
            if not any(p.fullmatch(body) for p in MATERIAL_INLINE_SCRIPTS):
                self.report(f"inline script that is not Material's own: {body[:60]!r}", line)
            return
        self.report(f"script of type {kind!r} is not allowed", line)

    def _check_config(self, text: str, line: int) -> None:
        try:
            config = json.loads(text)
        except ValueError:
            self.report("Material's __config script is not valid JSON", line)
            return
        if not isinstance(config, dict) or not {"base", "search"} <= set(config) <= CONFIG_KEYS:
            self.report("__config script does not look like Material's", line)
            return
        search = config["search"]
        if not isinstance(search, str) or not _own_script(search, self.page, self.site_dir):
            self.report(f"__config names a search worker outside the site: {search!r}", line)
        elif not SEARCH_WORKER.search(search):
            self.report(f"__config's search worker is not Material's: {search!r}", line)

    # -- text ---------------------------------------------------------------------------------
    def handle_data(self, data: str) -> None:
        if self.cdata_elem is not None:
            self._raw.append(data)
            return
        if _MARKUP_START.search(data):
            self.report(f"markup the parser did not read as a tag: {data.strip()[:60]!r}")

    def handle_comment(self, data: str) -> None:
        # Browsers end a comment at `--!>`, and `<!-->` / `<!--->` are whole comments.
        if "--!>" in data or data.startswith((">", "->")):
            self.report("comment that browsers end earlier than this scan")

    def unknown_decl(self, data: str) -> None:
        self.report(f"<![{data[:20]}...]> section (a browser reads it differently)")

    def close(self) -> None:
        super().close()
        if self.cdata_elem is not None or self._script is not None:
            self.report("<script> or <style> that is never closed")


def _scan_markup(
    text: str, relative: PurePosixPath, site_dir: Path, *, fragment: bool = False
) -> list[tuple[int, str]]:
    scanner = _Scanner(page=relative, site_dir=site_dir, fragment=fragment)
    scanner.feed(text)
    scanner.close()
    return scanner.found


def _scan_search_index(data: object, relative: PurePosixPath, site_dir: Path) -> list[str]:
    """Problems in the HTML a search index holds (the search box renders it)."""
    if not isinstance(data, dict) or not isinstance(data.get("docs"), list):
        return []
    problems = []
    for doc in data["docs"]:
        if not isinstance(doc, dict):
            continue
        where = doc.get("location", "?")
        for key in ("title", "text"):
            value = doc.get(key)
            if isinstance(value, str):
                for _, what in _scan_markup(value, relative, site_dir, fragment=True):
                    problems.append(f"search index entry {where!r}, {key}: {what}")
    return problems


def scan_file(path: Path, site_dir: Path) -> list[ScanFinding]:
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
            return [ScanFinding(path, 1, w) for w in _scan_search_index(data, relative, site_dir)]
        else:
            return []
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        return [ScanFinding(path, 1, f"cannot read: {exc}")]
    return [ScanFinding(path, line, what) for line, what in _scan_markup(text, relative, site_dir)]


def scan_site(site_dir: Path) -> list[ScanFinding]:
    """Every finding in every file of the built site in `site_dir`, by file and line."""
    site_dir = Path(site_dir)
    findings: list[ScanFinding] = []
    for path in sorted(p for p in site_dir.rglob("*") if p.is_file()):
        findings.extend(scan_file(path, site_dir))
    return findings


def main(argv: Sequence[str] | None = None) -> int:
    """`casefile scan SITE_DIR`: 0 when the built site is clean, 1 on findings, 2 on misuse."""
    parser = argparse.ArgumentParser(
        prog="casefile scan",
        description="Scan a built site for event handlers, script URLs, foreign scripts, "
        "frames and redirects. Prints path:line: what for each finding; exits 1 if any.",
    )
    parser.add_argument("site_dir", metavar="SITE_DIR", help="the built site (e.g. site/)")
    args = parser.parse_args(argv)
    site_dir = Path(args.site_dir)
    if not site_dir.is_dir():
        print(for_ci(f"casefile scan: {one_line(str(site_dir))} is not a folder"), file=sys.stderr)
        return 2
    findings = scan_site(site_dir)
    for finding in findings:
        print(for_ci(one_line(str(finding))))
    count = len(findings)
    print(f"{count} finding{'s' * (count != 1)}", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
