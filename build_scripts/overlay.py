"""The error overlay of `mkdocs serve`: the checker's report as the JSON its script reads.

Under `mkdocs serve` the plugin adds `assets/casefile/overlay.js` (and its CSS) to every page,
and writes `FINDINGS` on every build. The script fetches that file, never from a cache, and
shows its findings over the last good site. A page is never rendered again because of the
findings (an unchanged page keeps its output), so they travel in this file, not in the HTML.
`mkdocs build` carries none of it.

The script puts every text of this file into the page as text (`textContent`), never as
markup: a record's own words appear in messages, and must stay inert there too.
"""

from __future__ import annotations

import hashlib
import html
import ipaddress
import json
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote

from mkdocs.config import config_options as c

from .findings import Finding, Location, Report, Severity, display_path, format_text

FINDINGS = "assets/casefile/findings.json"
ASSET_FILES = ("overlay.css", "overlay.js")
# {path} is absolute and starts with "/" (on Windows too: "/C:/..."), as a URL's path does.
EDITOR_LINK = "vscode://file{path}:{line}:{column}"
SHOWN = 10  # of each severity; the rest is counted
# Schemes a link to an editor must never use: they run or embed something in the page.
_REFUSED_SCHEMES = ("javascript", "data", "vbscript", "blob", "about")


def check_editor_link(template: str) -> str:
    """The `editor_link` option, or a ValueError that says what is wrong with it."""
    if not template:
        return template
    scheme, colon, _ = template.partition(":")
    if not colon or not scheme.isascii() or not scheme.replace("+", "").isalnum():
        raise ValueError(
            f"editor_link {template!r} must start with a URL scheme, "
            f"e.g. {EDITOR_LINK!r} (or be empty for no links)"
        )
    if scheme.lower() in _REFUSED_SCHEMES:
        raise ValueError(f"editor_link must not use the {scheme}: scheme")
    try:
        template.format(path="p", line=1, column=1)
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(
            f"editor_link {template!r} may use only {{path}}, {{line}} and {{column}}: {exc}"
        ) from None
    return template


def is_local(host: str) -> bool:
    """Whether `mkdocs serve` listens only on this machine (its dev_addr's host): editor links
    name files on the machine that serves, so they are offered only to a browser on it."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def editor_href(template: str, where: Location) -> str | None:
    """The link that opens `where` in the editor (None: no links). The absolute path is
    percent-encoded, so a file name cannot add to or end the link."""
    if not template:
        return None
    path = where.path.absolute().as_posix()
    path = path if path.startswith("/") else "/" + path
    return template.format(path=quote(path, safe="/:"), line=where.line, column=where.col)


def _place(where: Location, template: str, cwd: Path) -> dict[str, object]:
    return {
        "file": display_path(where.path, cwd),
        "line": where.line,
        "column": where.col,
        "link": editor_href(template, where),
    }


def _item(finding: Finding, template: str, cwd: Path) -> dict[str, object]:
    return {
        **_place(finding.location, template, cwd),
        "code": finding.code,
        "message": finding.message,
        "hint": finding.hint,
        "related": [
            {"label": label, **_place(where, template, cwd)} for label, where in finding.related
        ],
    }


def _section(findings: list[Finding], template: str, cwd: Path) -> dict[str, object]:
    """The first `SHOWN` findings grouped by file (in report order), and how many more."""
    groups: dict[str, list[dict[str, object]]] = {}
    for finding in findings[:SHOWN]:
        item = _item(finding, template, cwd)
        groups.setdefault(str(item["file"]), []).append(item)
    return {
        "total": len(findings),
        "more": max(0, len(findings) - SHOWN),
        "files": [{"file": name, "findings": items} for name, items in groups.items()],
    }


def _digest(findings: Iterable[Finding]) -> str:
    """Names one set of findings: dismissing the overlay hides this set, not the next."""
    digest = hashlib.blake2b(digest_size=8)
    for f in findings:
        digest.update(repr(f.sort_key).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def overlay_data(
    report: Report,
    *,
    editor_link: str = EDITOR_LINK,
    cwd: Path | None = None,
    last_good: bool = True,
) -> dict[str, object]:
    """What the overlay shows of `report`: its errors and warnings, each the first `SHOWN`
    grouped by file with a count of the rest. `stale` says the site is the last good one;
    `last_good` False says there is none (a serve started with broken records)."""
    cwd = cwd or Path.cwd()
    errors = [f for f in report.findings if f.severity is Severity.ERROR]
    warnings = [f for f in report.findings if f.severity is Severity.WARNING]
    return {
        "version": 1,
        "id": _digest(report.findings) if report.findings else "",
        "stale": bool(errors) and last_good,
        "summary": report.summary(),
        "errors": _section(errors, editor_link, cwd),
        "warnings": _section(warnings, editor_link, cwd),
    }


def overlay_json(
    report: Report,
    *,
    editor_link: str = EDITOR_LINK,
    cwd: Path | None = None,
    last_good: bool = True,
) -> str:
    """`overlay_data` as the text of `FINDINGS`. Every `<` is escaped, so the file stays
    inert even if something ever put it into a page as markup."""
    data = overlay_data(report, editor_link=editor_link, cwd=cwd, last_good=last_good)
    return json.dumps(data, ensure_ascii=False, indent=1).replace("<", "\\u003c")


class EditorLink(c.Type[str]):
    """The `editor_link` option: a URL template over {path}, {line} and {column}, or empty."""

    def __init__(self, default: str = EDITOR_LINK) -> None:
        super().__init__(str, default=default)

    def run_validation(self, value: object) -> str:
        try:
            return check_editor_link(super().run_validation(value))
        except ValueError as exc:
            raise c.ValidationError(str(exc)) from None


def errors_page(errors: Iterable[Finding], cwd: Path | None = None) -> str:
    """The home page of a `mkdocs serve` started with records that do not pass the check
    (Markdown): what is wrong, as the terminal says it, until a save mends it and the whole
    site is built. The findings quote the records, so they go in escaped: inert text."""
    texts = [format_text(f, cwd=cwd) for f in errors]
    count = f"{len(texts)} error{'s' * (len(texts) != 1)}"
    listing = html.escape("\n".join(texts), quote=False)
    return (
        "# The records have errors\n\n"
        f"The case file's pages are built as soon as a save fixes the records. {count}:\n\n"
        f'<pre class="casefile-errors"><code>{listing}</code></pre>\n'
    )
