"""Sources as citations for reference managers: CSL-JSON, BibTeX, and the Highwire Press
`citation_*` meta tags that Zotero's and Mendeley's browser connectors read.

Nothing is invented: a field the record does not have is left out (the example's sources name
no author and no URL, so their citations have none). A date is given as precisely as the record
knows it and no more precisely: CSL-JSON can say "between 28 and 31 July 2022" and "circa", so
it does; BibTeX's `year`/`month` and the meta tags cannot, so they give the part every possible
day shares (`2022/07`), or nothing for an uncertain or open date. The archived copy goes in a
note (no format has a field for it); the access date
goes in CSL's `accessed` and biblatex's `urldate`.
"""

from __future__ import annotations

import json
import re
from functools import partial

from .checker import Case
from .dates import MONTHS, EdtfDate, SimpleDate, format_date
from .models import Source
from .page_cache import Direct, Reader
from .records import Record

DATA_DIR = "data"
CSL_PATH = f"{DATA_DIR}/sources.csl.json"
BIB_PATH = f"{DATA_DIR}/sources.bib"

# Source kind -> CSL 1.0.1 item type (what citeproc-py and Zotero know). CSL's own `article`
# is the generic type (a preprint or a document, in Zotero's mapping); a source of kind
# `article` in a case file is a news article.
CSL_TYPES: dict[str, str] = {
    "article": "article-newspaper",
    "report": "report",
    "transcript": "speech",
    "statement": "article",
    "briefing": "speech",
    "interview": "interview",
    "document": "article",
    "post": "post",
    "video": "motion_picture",
    "other": "article",
}
# Source kind -> BibTeX entry type: `@misc` takes any of them without a required field missing.
BIBTEX_TYPES: dict[str, str] = {"report": "techreport"}

NOTE_ARCHIVED = "Archived copy: "


def _parts(day: SimpleDate) -> list[int]:
    return [p for p in (day.year, day.month, day.day) if p is not None]


def _csl_date(value: EdtfDate) -> dict[str, object]:
    """A CSL date: date-parts (a range for an interval, `circa` for `~`); a `literal`, the
    date as the site writes it, for what date-parts cannot say (uncertain, open-ended)."""
    if value.start is None or value.end is None or value.uncertain:
        return {"literal": format_date(value)}
    parts = [_parts(value.start)]
    if value.is_interval:
        parts.append(_parts(value.end))
    out: dict[str, object] = {"date-parts": parts}
    if value.approximate:
        out["circa"] = True
    return out


def known_part(value: EdtfDate) -> tuple[int, ...] | None:
    """(year[, month[, day]]) that every possible day of `value` shares; None when the date is
    qualified (`~ ? %`), open-ended, or spans years."""
    if value.start is None or value.end is None or value.approximate or value.uncertain:
        return None
    first, last = value.earliest, value.latest
    if first.year != last.year:
        return None
    if first == last:
        return (first.year, first.month, first.day)
    if first.month == last.month:
        return (first.year, first.month)
    return (first.year,)


def csl_item(record: Record[Source]) -> dict[str, object]:
    """The source as one CSL-JSON item (CSL 1.0.1 variables)."""
    data = record.data
    item: dict[str, object] = {
        "id": record.id,
        "type": CSL_TYPES[data.kind],
        "title": data.title,
    }
    if data.authors:
        item["author"] = [{"literal": name} for name in data.authors]
    if data.publisher:
        item["publisher"] = data.publisher
    if data.published:
        item["issued"] = _csl_date(data.published)
    if data.accessed:
        item["accessed"] = _csl_date(data.accessed)
    if data.url:
        item["URL"] = data.url
    if data.archive_url:
        item["note"] = NOTE_ARCHIVED + data.archive_url
    if data.language:
        item["language"] = data.language
    return item


# -- BibTeX ------------------------------------------------------------------------------------

_LATEX = {
    "\\": r"{\textbackslash}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "%": r"\%",
    "_": r"\_",
    "^": r"{\textasciicircum}",
    "~": r"{\textasciitilde}",
    "<": r"{\textless}",
    ">": r"{\textgreater}",
    "|": r"{\textbar}",
}
_LATEX_RE = re.compile("|".join(re.escape(c) for c in _LATEX))
_MONTH_MACROS = tuple(m[:3].lower() for m in MONTHS)


def bibtex_text(value: str) -> str:
    """Text as a BibTeX field's value: LaTeX's special characters escaped, so that every brace
    in the output is one we wrote, and whitespace (line breaks too) as single spaces. A
    character without a one-character escape is a braced macro (`{\\textless}`), the form BibTeX
    itself and every BibTeX parser read as one special character."""
    return _LATEX_RE.sub(lambda m: _LATEX[m.group()], " ".join(value.split()))


def _biblatex_date(value: EdtfDate) -> str | None:
    """The date in biblatex's EDTF form; an open end is written `2022-08-04/`, and an open
    start cannot be written at all."""
    if value.start is None:
        return None
    return value.text[:-2] if value.text.endswith("/..") else value.text


def bibtex_entry(record: Record[Source]) -> str:
    """The source as one BibTeX entry, keyed by its id; biblatex's `date`, `urldate` and the
    classic `year`/`month` where they can be given."""
    data = record.data
    # (name, value as written after `=`: braced, or a month macro)
    fields: list[tuple[str, str]] = [("title", "{{" + bibtex_text(data.title) + "}}")]
    if data.authors:
        # Each name braced whole: a name is written as one string, never split or reordered.
        names = " and ".join("{" + bibtex_text(a) + "}" for a in data.authors)
        fields.append(("author", "{" + names + "}"))
    if data.publisher:
        name = "institution" if data.kind == "report" else "publisher"
        fields.append((name, "{" + bibtex_text(data.publisher) + "}"))
    if data.published:
        written = _biblatex_date(data.published)
        if written:
            fields.append(("date", "{" + written + "}"))
        known = known_part(data.published)
        if known:
            fields.append(("year", "{" + str(known[0]) + "}"))
        if known and len(known) > 1:
            fields.append(("month", _MONTH_MACROS[known[1] - 1]))  # a macro, unbraced
    if data.url:
        fields.append(
            ("url", "{" + data.url + "}")
        )  # verbatim; a record's URL holds no brace or space
    if data.accessed:
        written = _biblatex_date(data.accessed)
        if written:
            fields.append(("urldate", "{" + written + "}"))
    if data.archive_url:
        fields.append(("note", "{" + bibtex_text(NOTE_ARCHIVED + data.archive_url) + "}"))
    entry_type = BIBTEX_TYPES.get(data.kind, "misc")
    body = "".join(f"  {name} = {value},\n" for name, value in fields)
    return f"@{entry_type}{{{record.id},\n{body}}}\n"


# -- meta tags ---------------------------------------------------------------------------------


def meta_tags(record: Record[Source]) -> list[tuple[str, str]]:
    """Highwire Press `citation_*` meta tags, as (name, content) pairs in document order; the
    page escapes them as attribute values."""
    data = record.data
    tags = [("citation_title", data.title)]
    tags += [("citation_author", name) for name in data.authors]
    if data.publisher:
        tags.append(("citation_publisher", data.publisher))
        if data.kind == "report":
            tags.append(("citation_technical_report_institution", data.publisher))
    known = known_part(data.published) if data.published else None
    if known:
        tags.append(("citation_publication_date", "/".join(f"{p:02d}" for p in known)))
    if data.language:
        tags.append(("citation_language", data.language))
    if data.url:
        tags.append(("citation_public_url", data.url))
    return tags


# -- files -------------------------------------------------------------------------------------


def _sources(case: Case) -> list[Record[Source]]:
    return sorted(case.of_kind("source"), key=lambda r: r.id)


def csl_json(items: list[dict[str, object]]) -> str:
    return json.dumps(items, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _csl_list(items: list[str]) -> str:
    """`csl_json` of the items each of `_entries` writes: the same text, joined."""
    return "[\n " + ",\n ".join(items) + "\n]\n" if items else "[]\n"


def _entries(record: Record[Source]) -> tuple[str, str]:
    """A source's CSL-JSON item as `csl_json` writes it inside its list, and its BibTeX."""
    item = json.dumps(csl_item(record), ensure_ascii=False, indent=1, sort_keys=True)
    return item.replace("\n", "\n "), bibtex_entry(record)  # JSON strings hold no newline


def citation_files(case: Case, reader: Reader | None = None) -> dict[str, str]:
    """Site-wide `data/sources.csl.json` and `data/sources.bib`, and one of each per source
    (`data/cite/<id>.csl.json`, `data/cite/<id>.bib`) for its "Cite this source" links.
    Each source's entries are written on their own (and kept by `reader` while it is
    unchanged)."""
    memo = (reader or Direct(case)).memo
    sources = _sources(case)
    entries = [memo(("cite", r.id), r, partial(_entries, r)) for r in sources]
    files = {
        CSL_PATH: _csl_list([csl for csl, _ in entries]),
        BIB_PATH: "\n".join(bib for _, bib in entries),
    }
    for record, (csl, bib) in zip(sources, entries, strict=True):
        files[source_citation_path(record.id, "csl.json")] = _csl_list([csl])
        files[source_citation_path(record.id, "bib")] = bib
    return dict(sorted(files.items()))


def source_citation_path(source_id: str, suffix: str) -> str:
    """Where one source's citation file is: `suffix` is `csl.json` or `bib`."""
    return f"{DATA_DIR}/cite/{source_id}.{suffix}"
