"""What is wrong with a URL a contributor wrote, where, and the certain correction if any.

Records accept absolute http(s) URLs only. Real data gets them wrong in a few typical ways:
spaces and other characters that must be percent-encoded (copied from a file name), a missing
scheme (`www.example.org/x`), a scheme from elsewhere (`ftp:`, `javascript:`) or a mangled one
(`https//`, `https:/`). Each gets its own message, the column of the first offending character,
and, where only one reading is possible, the address as it should be written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from .findings import CODES

_SAFE_PART = r'[^\x00-\x20"<>\\^`{|}\x7f]'
_HOST_PART = r'[^\x00-\x20"<>\\^`{|}\x7f/?#@]'
VALID = re.compile(rf"(?i:https?)://{_HOST_PART}+(:\d+)?([/?#]{_SAFE_PART}*)?")

# Characters that may not appear raw in a URL (RFC 3986 section 2, and the WHATWG URL
# standard's "invalid URL unit"s) and have exactly one spelling: their percent-encoding.
# Non-ASCII letters are left alone: browsers and archives accept them (IRIs).
_UNSAFE = re.compile(r'[\x00-\x20"<>\\^`{|}\x7f]')
_MANGLED_SCHEME = re.compile(r"(?i)(https?)(:/?|//|:\\\\|;//)(?=[^/])")
_HOST = re.compile(r"(?i)(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?([/?#]|$)")


@dataclass(frozen=True, slots=True)
class UrlProblem:
    """What is wrong with a URL: a shape of the catalogue's `bad-url` and the fields that fill
    it, where in the text the problem is, and the corrected URL when only one is possible."""

    code: str  # always bad-url
    variant: str | None
    fields: Mapping[str, object]
    offset: int = 0
    fix: str | None = None

    @property
    def message(self) -> str:
        return CODES[self.code].render(self.variant, self.fields)[0]

    @property
    def hint(self) -> str | None:
        return CODES[self.code].render(self.variant, self.fields)[1]


def _problem(
    code: str,
    *,
    variant: str | None = None,
    offset: int = 0,
    fix: str | None = None,
    **fields: object,
) -> UrlProblem:
    return UrlProblem(code, variant, fields, offset, fix)


def encode_unsafe(text: str) -> str:
    """`text` with every character that must be percent-encoded encoded (UTF-8), and nothing
    else touched: an existing `%20` stays as it is."""
    return _UNSAFE.sub(lambda m: quote(m.group(), safe=""), text)


def _unsafe(text: str, bad: re.Match[str]) -> UrlProblem:
    """A character a URL may not hold raw: in the host it has no fix; elsewhere its
    percent-encoding is the one correct spelling."""
    host_end = re.compile(r"[/?#]|$").search(text, text.index("//") + 2).start()
    char = bad.group()
    if bad.start() < host_end:
        return _problem("bad-url", variant="host", offset=bad.start(), url=text, character=char)
    fixed = encode_unsafe(text)
    return _problem(
        "bad-url",
        variant="unencoded",
        offset=bad.start(),
        fix=fixed if check_url(fixed) is None else None,
        what="space" if char == " " else "character" if char.isprintable() else "control",
        character=char,
        codepoint=ord(char),
        encoded=quote(char, safe=""),
        fixed=fixed,
    )


def check_url(text: str) -> UrlProblem | None:
    """None for an acceptable http(s) URL, else what is wrong with it."""
    if VALID.fullmatch(text):
        return None
    scheme, colon, _ = text.partition(":")
    if (
        colon
        and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme)
        and not scheme.lower().startswith("http")
    ):
        return _problem("bad-url", variant="scheme", scheme=scheme)
    mangled = _MANGLED_SCHEME.match(text)
    if mangled and not text.lower().startswith(("http://", "https://")):
        plain = mangled.group(1).lower()
        fixed = f"{plain}://{text[mangled.end() :]}"
        return _problem(
            "bad-url",
            variant="mangled-scheme",
            offset=mangled.start(2),
            fix=fixed if check_url(fixed) is None else None,
            url=text,
            written=mangled.group(),
            scheme=plain,
            fixed=fixed,
        )
    if not colon or not text.lower().startswith(("http://", "https://")):
        return _problem("bad-url", variant="no-scheme" if _HOST.match(text) else None, url=text)
    bad = _UNSAFE.search(text)
    if bad:
        return _unsafe(text, bad)
    authority = text.split("//", 1)[1].split("/", 1)[0]
    if "@" in authority:
        return _problem("bad-url", variant="user", offset=text.index("@"), url=text)
    offset = len(text.split("//", 1)[0]) + 2 if "//" in text else 0
    return _problem("bad-url", variant="no-host", offset=offset, url=text)
