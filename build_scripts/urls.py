"""What is wrong with a URL a contributor wrote, where, and the certain correction if any.

Records accept absolute http(s) URLs only. Real data gets them wrong in a few typical ways:
spaces and other characters that must be percent-encoded (copied from a file name), a missing
scheme (`www.example.org/x`), a scheme from elsewhere (`ftp:`, `javascript:`) or a mangled one
(`https//`, `https:/`). Each gets its own message, the column of the first offending character,
and, where only one reading is possible, the address as it should be written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

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
    message: str
    hint: str
    offset: int = 0  # where in the text the problem is
    fix: str | None = None  # the corrected URL, when only one is possible


def encode_unsafe(text: str) -> str:
    """`text` with every character that must be percent-encoded encoded (UTF-8), and nothing
    else touched: an existing `%20` stays as it is."""
    return _UNSAFE.sub(lambda m: quote(m.group(), safe=""), text)


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
        return UrlProblem(
            f"URL scheme '{scheme}' is not allowed",
            "only http:// and https:// addresses can be cited; link to a web copy of the source",
        )
    mangled = _MANGLED_SCHEME.match(text)
    if mangled and not text.lower().startswith(("http://", "https://")):
        fixed = f"{mangled.group(1).lower()}://{text[mangled.end() :]}"
        return UrlProblem(
            f"'{text}' has a malformed scheme '{mangled.group()}'",
            f"write the scheme as {mangled.group(1).lower()}://, i.e. '{fixed}'",
            mangled.start(2),
            fixed if check_url(fixed) is None else None,
        )
    if not colon or not text.lower().startswith(("http://", "https://")):
        if _HOST.match(text):
            return UrlProblem(
                f"'{text}' has no scheme",
                f"write the full address, e.g. 'https://{text}' (check that the site serves https)",
            )
        return UrlProblem(
            f"'{text}' is not an http(s) URL",
            "write a full address starting with https://",
        )
    bad = _UNSAFE.search(text)
    host_end = re.compile(r"[/?#]|$").search(text, text.index("//") + 2).start()
    if bad and bad.start() < host_end:
        return UrlProblem(
            f"the host name in '{text}' holds {bad.group()!r}, which no host name can hold",
            "write the site's address as it appears in the browser's address bar",
            bad.start(),
        )
    if bad:
        fixed = encode_unsafe(text)
        char = bad.group()
        what = (
            "a space"
            if char == " "
            else f"the character {char!r}"
            if char.isprintable()
            else (f"the control character U+{ord(char):04X}")
        )
        return UrlProblem(
            f"URL holds {what}, which must be percent-encoded ({quote(char, safe='')})",
            f"write it as '{fixed}'",
            bad.start(),
            fixed if check_url(fixed) is None else None,
        )
    authority = text.split("//", 1)[1].split("/", 1)[0]
    if "@" in authority:
        return UrlProblem(
            f"'{text}' holds a user name or password before '@'",
            "cite the address without it; a URL with '@' can show one site and open another",
            text.index("@"),
        )
    return UrlProblem(
        f"'{text}' is not a valid http(s) URL: it has no host name",
        "write a full address such as https://example.org/page",
        len(text.split("//", 1)[0]) + 2 if "//" in text else 0,
    )
