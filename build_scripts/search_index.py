"""The search index: Pagefind, built from the typed records and the hand-written pages.

A record page is indexed from its record, not from its built HTML: one compact document per
record says exactly what is searchable and how much each part weighs (an actor's name and
aliases most, a quote's words, a source's title), carries the result's metadata (kind, date
with its precision, status), its filters (kind, status, actor, tag, year) and its sort key
(date), and marks the places a sub-result links to (`#p-N` paragraphs, quote anchors). That is
both faster than parsing ten thousand themed pages and ranks better: navigation, back-links
and the quote titles of every page would otherwise all match a name. Hand-written pages are
indexed from their built HTML (Material's article only).

The index is built by the Pagefind binary of the `pagefind[bin]` wheel (found through the
`pagefind` package's own lookup) over a staging folder of the documents, in memory where the
system allows. Its Python API was measured and set aside: it answers each request about
0.1 s after it arrives (its reader sleeps between messages), so adding files one by one takes
minutes at 10,000 records, and even with one `add_directory` request its `write_files` took
12.9 s at 10,000 records where the whole command-line run takes 6.6 s.

Every value from a record goes through `escape.attr` (the template's `finalize`), so record
text reaches the index as text, never as markup.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from . import heap
from .checker import Case
from .dates import EdtfDate, format_date
from .escape import attr
from .models import KIND, WIKILINK
from .pagefind_canon import canonicalise
from .records import Record
from .site_paths import page_of, quote_title, url_of

BUNDLE = "pagefind"  # the index's folder in the site
# Pagefind holds what it learns of every page it indexes until it writes its files: about 55 KB
# a page whatever the page's size (574 MB for 10,000 records, 4.9 GB for 100,000). Beyond this
# many records the index is built in parts, one Pagefind run after another, each a bundle of
# its own in a folder of the main one, which the search box asks together (assets/search.js):
# the memory of a build is then that of one part. A run over 25,000 took 1.2-1.4 GiB beside
# the build's 2.5 GiB at 100,000 records, 3.9 GiB in all; parts of 20,000 keep it under 4 GB.
PART_RECORDS = 20_000
PARTS_FILE = "casefile-parts.json"  # in the main bundle: the folders of the other parts
# Pagefind answers a query word its index does not hold with a nearby word (a longer one it
# begins, else the longest word that begins it) or drops it: a part without a word the whole
# holds would answer otherwise than the whole. So each part also indexes one page holding every
# word of the whole, which the search box leaves out of its results (a filter).
VOCABULARY_PAGE = "casefile-vocabulary.html"
VOCABULARY_FILTER = ("index", "vocabulary")
WORDS_FILE = "words.txt"  # the records' words, staged with them
# What the search box loads; the rest of what Pagefind writes (its own UIs) is removed.
KEEP = re.compile(r"^(pagefind\.js|pagefind-worker\.js|pagefind-entry\.json|wasm\..+|.+\.pf_meta)$")
# Parts of Material's article that are not content.
EXCLUDE = (".headerlink", ".md-content__button", ".md-source-file", "script", "style")
ARTICLE = re.compile(r"<article\b[^>]*\bmd-content__inner\b[^>]*>(.*?)</article>", re.S)

# Weights (Pagefind's scale: 0 to 10; an unmarked paragraph weighs 1, an h1 7): the words a
# reader types to find a record weigh most on that record's own document, and the same words
# elsewhere (a speaker's name on a quote, a quote on its event) weigh little.
NAME = 10.0  # an actor's name and aliases; a source's title
TITLE = 7.0  # an event's title
QUOTE = 6.0  # a quote's own words, on its page
BODY = 1.0  # descriptions, summaries, source paragraphs
MENTION = 0.5  # a name or a quote repeated on another record's document; notes
ANCHOR = 0.1  # the heading of a sub-result ("¶ 3"), there to be linked, not found

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKUP = re.compile(r"[*_`]{1,3}|^#+\s|^>\s?", re.M)


@dataclass(frozen=True, slots=True)
class Block:
    """One searchable piece of a document; with an anchor it starts a sub-result that links
    to `#anchor` on the page."""

    text: str
    weight: float = BODY
    anchor: str | None = None
    heading: str | None = None


@dataclass(frozen=True, slots=True)
class SearchDocument:
    title: str
    kind: str  # "actor", "event", "quote", "source", or "page" for a hand-written page
    blocks: tuple[Block, ...] = ()
    meta: tuple[tuple[str, str], ...] = ()  # shown in a result: label, date, status
    filters: tuple[tuple[str, str], ...] = ()  # (filter, value), a filter may repeat
    sort: tuple[tuple[str, str], ...] = ()
    html: str | None = None  # a hand-written page's article, as built


@dataclass(frozen=True, slots=True)
class IndexStats:
    pages: int
    seconds: float
    bytes: int
    files: int


# Every value printed goes through `escape.attr`; templates live with the assets (packaged).
_ENV = Environment(
    loader=PackageLoader("build_scripts", "assets"),
    autoescape=False,
    finalize=lambda v: attr(str(v)),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)
_TEMPLATE = _ENV.get_template("search-document.html.j2")


def render_document(doc: SearchDocument, language: str) -> str:
    """The HTML Pagefind indexes for `doc`: record text escaped; a page's article as built."""
    if doc.html is not None:
        body = doc.html
        return (
            f'<!doctype html>\n<html lang="{attr(language)}"><head><meta charset="utf-8"></head>'
            f'<body><span data-pagefind-meta="kind:page"></span>'
            f'<span data-pagefind-filter="kind:page"></span>\n{body}\n</body></html>\n'
        )
    return _TEMPLATE.render(
        doc=doc, blocks=page_first(doc.blocks), lang=language, anchor_weight=ANCHOR
    )


def page_first(blocks: Iterable[Block]) -> list[Block]:
    """`blocks` with those of no anchor first, each group in its order. Pagefind files what
    follows a heading under that heading's sub-result, up to the next one: an editor's note
    after a source's last paragraph was shown as that paragraph ("¶ 15") of the source."""
    return sorted(blocks, key=lambda block: block.anchor is not None)


# -- record documents -------------------------------------------------------------------------
def plain(case: Case, markdown: str | None) -> str:
    """A Markdown field as the words a reader sees: [[id]] links as their labels, no markup."""
    if not markdown:
        return ""

    def label(match: re.Match[str]) -> str:
        target = case.records.get(match.group(1).strip())
        return match.group(2) or (name_of(target) if target else match.group(1))

    text = _LINK.sub(r"\1", WIKILINK.sub(label, markdown))
    return " ".join(_MARKUP.sub("", text).split())


def name_of(record: Record) -> str:
    data = record.data
    if record.kind == "actor":
        return str(data.name)
    if record.kind == "quote":
        return f"“{data.text}”"
    return str(data.title)


def _actor_ids(event: Record) -> list[str]:
    return [a if isinstance(a, str) else a.actor for a in event.data.actors]


def _dated(date: EdtfDate | None) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Meta and sort entries of a record's date. The sort key is in the meta too (`sortdate`):
    the search box merges the sorted results of an index in parts by it."""
    if date is None:
        return [], []
    meta = [("date", format_date(date)), ("datetime", date.html_datetime)]
    if not date.start:
        return meta, []
    key = date.earliest.isoformat()
    return [*meta, ("sortdate", key)], [("date", key)]


def _years(date: EdtfDate | None) -> list[tuple[str, str]]:
    if date is None:
        return []
    years = {d.year for d in (date.start, date.end) if d is not None}
    return [("year", f"{y:04d}") for y in sorted(years)]


def _names(case: Case, ids: Iterable[str]) -> list[str]:
    return [name_of(case.records[i]) for i in ids if i in case.records]


def actor_document(case: Case, actor: Record) -> SearchDocument:
    data = actor.data
    blocks = [Block(data.name, NAME)]
    blocks += [Block(alias, NAME) for alias in data.aliases]
    roles = [r.title for r in data.roles]
    blocks += [Block(t, BODY) for t in (plain(case, data.description), "; ".join(roles)) if t]
    if data.notes:
        blocks.append(Block(plain(case, data.notes), MENTION))
    filters = [("tag", t) for t in data.tags]
    key = "; ".join([data.name, *data.aliases])
    return SearchDocument(
        data.name, "actor", tuple(blocks), (("label", data.kind), ("names", key)), tuple(filters)
    )


def event_document(case: Case, event: Record) -> SearchDocument:
    data = event.data
    actors = _names(case, _actor_ids(event))
    blocks = [Block(data.title, TITLE)]
    for text in (plain(case, data.summary), data.location or "", data.date_note or ""):
        if text:
            blocks.append(Block(text, BODY))
    if actors:
        blocks.append(Block(", ".join(actors), MENTION))
    for quote in sorted(case.referrers(event.id, "said-at"), key=lambda r: r.id):
        if quote.kind == "quote":  # a sub-result at each quote said at the event
            speaker = _names(case, [quote.data.speaker])
            blocks.append(Block(quote.data.text, MENTION, quote.id, f"Quote: {', '.join(speaker)}"))
    if data.notes:
        blocks.append(Block(plain(case, data.notes), MENTION))
    meta, sort = _dated(data.date)
    filters = [("status", data.status), *(("actor", a) for a in actors)]
    filters += [("tag", t) for t in data.tags] + _years(data.date)
    return SearchDocument(
        data.title,
        "event",
        tuple(blocks),
        (*meta, ("status", data.status)),
        tuple(filters),
        tuple(sort),
    )


def quote_document(case: Case, quote: Record) -> SearchDocument:
    data = quote.data
    speaker = _names(case, [data.speaker])
    date = data.date  # never lent from its event, as on its page (`Renderer.quote_date`)
    blocks = [Block(data.text, QUOTE)]
    if data.translation:
        blocks.append(Block(data.translation, QUOTE))
    if data.context:
        blocks.append(Block(data.context, BODY))
    blocks.append(Block(", ".join(speaker), MENTION))
    if data.notes:
        blocks.append(Block(plain(case, data.notes), MENTION))
    meta, sort = _dated(date) if date is not None else ([("date", "undated")], [])
    about = _names(case, data.about)
    filters = [("actor", a) for a in dict.fromkeys([*speaker, *about])]
    filters += [("tag", t) for t in data.tags] + _years(date)
    title = quote_title(", ".join(speaker), data.text)  # the page's title
    return SearchDocument(title, "quote", tuple(blocks), tuple(meta), tuple(filters), tuple(sort))


def source_document(case: Case, source: Record) -> SearchDocument:
    data = source.data
    blocks = [Block(data.title, NAME)]
    by = [data.publisher or "", *data.authors]
    if any(by):
        blocks.append(Block(", ".join(b for b in by if b), 2.0))
    blocks += _source_text(case, source)
    if data.notes:
        blocks.append(Block(plain(case, data.notes), MENTION))
    meta, sort = _dated(data.published)
    filters = [("tag", t) for t in data.tags] + _years(data.published)
    return SearchDocument(
        data.title,
        "source",
        tuple(blocks),
        (("label", data.kind), *meta),
        tuple(filters),
        tuple(sort),
    )


def _source_text(case: Case, source: Record) -> list[Block]:
    """A public text's paragraphs; of a text that is not public, only the passages the case
    file cites (what its page shows). Each is a sub-result at its `#p-N`."""
    text = source.text
    if text is None:
        return []
    if source.data.text_public:
        return [Block(p, BODY, f"p-{n}", f"¶ {n}") for n, p in enumerate(text.paragraphs, 1) if p]
    cited: dict[int, list[str]] = {}
    for record in sorted(case.referrers(source.id), key=lambda r: r.id):
        for citation in case.citations(record):
            if citation.source != source.id:
                continue
            for passage in citation.passages:
                if passage.what == "quote":  # its words where its excerpt is, as on the page
                    found = text.quoted_at(passage.text, citation.excerpt)
                else:
                    found = text.find(passage.text)
                if found is not None:
                    paragraph = text.paragraphs[found.paragraph]
                    words = " … ".join(paragraph[s.start : s.end] for s in found.spans)
                    cited.setdefault(found.paragraph + 1, []).append(words)
    return [
        Block(" ".join(dict.fromkeys(words)), BODY, f"p-{n}", f"¶ {n}")
        for n, words in sorted(cited.items())
    ]


DOCUMENTS: dict[str, Callable[[Case, Record], SearchDocument]] = {
    "actor": actor_document,
    "event": event_document,
    "quote": quote_document,
    "source": source_document,
}


def dest_of(url: str) -> str:
    """The file a site URL is served from (`actors/x/` -> `actors/x/index.html`)."""
    return url + "index.html" if url == "" or url.endswith("/") else url


def record_documents(case: Case, *, directory_urls: bool) -> dict[str, SearchDocument]:
    """Every record's document, by the file its page is built at, in a stable order; each
    titled as its page is (`site_paths.quote_title`)."""
    out: dict[str, SearchDocument] = {}
    for record_id in sorted(case.records):
        record = case.records[record_id]
        if record.kind not in KIND:
            continue
        path = page_of(record)
        out[dest_of(url_of(path, directory_urls))] = DOCUMENTS[record.kind](case, record)
    return out


def page_document(html: str) -> SearchDocument | None:
    """A hand-written page from its built HTML: Material's article, or None without one."""
    found = ARTICLE.search(html)
    return None if found is None else SearchDocument("", "page", html=found.group(1))


def content_document(content: str) -> SearchDocument | None:
    """A hand-written page from its HTML body (MkDocs' `page.content`), as `page_document`
    reads it from the built page."""
    return page_document(f'<article class="md-content__inner md-typeset">{content}</article>')


def built_pages(site_dir: Path, skip: Iterable[str]) -> dict[str, SearchDocument]:
    """The built pages not in `skip` (the generated ones), as documents."""
    skipped = set(skip) | {"404.html"}
    out: dict[str, SearchDocument] = {}
    for path in sorted(site_dir.rglob("*.html")):
        rel = path.relative_to(site_dir).as_posix()
        if rel in skipped or rel.startswith((f"{BUNDLE}/", "assets/")):
            continue
        doc = page_document(path.read_text(encoding="utf-8"))
        if doc is not None:
            out[rel] = doc
    return out


# -- building ---------------------------------------------------------------------------------
def part_count(records: int) -> int:
    """How many parts the index of `records` record documents is built in."""
    return max(1, -(-records // PART_RECORDS))


def dealt(documents: Mapping[str, SearchDocument], parts: int) -> list[dict[str, SearchDocument]]:
    """`documents` shared among `parts`: the records' dealt in path order, so that each part
    holds the same mix of kinds and its word statistics, which rank the results, are those
    of the whole; the hand-written pages all in the first."""
    out: list[dict[str, SearchDocument]] = [{} for _ in range(parts)]
    records = sorted(rel for rel, doc in documents.items() if doc.html is None)
    for index, rel in enumerate(records):
        out[index % parts][rel] = documents[rel]
    out[0].update((rel, doc) for rel, doc in documents.items() if doc.html is not None)
    return out


def words_of(doc: SearchDocument) -> set[str]:
    """The words of a record's document as Pagefind reads them: its text and its metadata,
    which Pagefind indexes as words too (not its filters, nor its sort keys)."""
    texts = [doc.title, doc.kind, *(value for _, value in doc.meta)]
    for block in doc.blocks:
        texts += [block.text, block.heading or ""]
    return {word for text in texts for word in text.split()}


def vocabulary(documents: Iterable[SearchDocument]) -> set[str]:
    """Every word of the records' documents among `documents`, gathered one document at a
    time (a set per document held at once came to some 700 MB at 100,000 records)."""
    words: set[str] = set()
    for doc in documents:
        if doc.html is None:
            words.update(words_of(doc))
    return words


def vocabulary_page(words: Iterable[str], pages: Iterable[SearchDocument], language: str) -> str:
    """The page each part of an index in parts indexes beside its share: every record word,
    and the hand-written pages' articles as they are indexed (the same selectors left out)."""
    text = "\n".join(attr(word) for word in sorted(words))
    filter_name, value = VOCABULARY_FILTER
    articles = "\n".join(doc.html or "" for doc in pages)
    return (
        f'<!doctype html>\n<html lang="{attr(language)}"><head><meta charset="utf-8"></head>'
        f'<body><span data-pagefind-filter="{filter_name}:{value}"></span><span '
        f'data-pagefind-meta="kind:page"></span>\n<p>{text}</p>\n{articles}\n</body></html>\n'
    )


def part_site(folder: Path, part: int) -> Path:
    """Where part `part`'s documents are staged in a staging folder."""
    return folder / ("site" if part == 0 else f"site-{part}")


def part_bundle(part: int) -> str:
    """Part `part`'s bundle, relative to the main bundle (the main one is part 0)."""
    return "" if part == 0 else f"part-{part}/"


def build_index(
    documents: Mapping[str, SearchDocument],
    out: Path,
    *,
    language: str,
    staging: Path | None = None,
    yielding: bool = False,
    stop: threading.Event | None = None,
) -> IndexStats:
    """Pagefind's index of `documents` (site file -> document) written to `out`, replacing
    what was there. The result URLs are the site files' URLs from the site root; Pagefind's
    script finds the root from its own address, so a site under a sub-path works.
    `staging` is a folder (`staging_folder`) where the records' documents are already staged
    (`stage_records`); `documents` are then the rest. It is removed at the end.
    `yielding` runs Pagefind at a lower priority (`nice`), for an index built in the
    background while the server answers a save. Once `stop` is set (a server shutting
    down, a build stopped), staging stops or Pagefind is killed, `Stopped` is raised and the
    folders are removed; a stop that comes after the last Pagefind run has ended stops
    nothing."""
    from pagefind.service import get_executable  # the binary of the pagefind[bin] wheel

    binary = get_executable()
    if binary is None:
        raise FileNotFoundError("the pagefind binary is missing: install pagefind[bin]")
    start = time.perf_counter()
    folder = staging or staging_folder()
    written = out.with_name(f".{out.name}-new-{os.getpid()}-{threading.get_ident()}")
    try:
        parts = _stage_parts(
            documents, folder, staged=staging is not None, language=language, stop=stop
        )
        shutil.rmtree(written, ignore_errors=True)
        for part in range(parts):  # one after another: one part's memory at a time
            bundle = written / part_bundle(part)
            _pagefind(binary, part_site(folder, part), bundle, language, yielding, stop)
            shutil.rmtree(part_site(folder, part), ignore_errors=True)
    except BaseException:
        shutil.rmtree(written, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    bundles = [written / part_bundle(part) for part in range(parts)]
    for bundle in bundles:
        canonicalise(bundle)  # Pagefind's filters come in hash-map order: same pages, same bytes
    listed = {"parts": [part_bundle(part) for part in range(1, parts)]}
    (written / PARTS_FILE).write_text(json.dumps(listed) + "\n", encoding="utf-8")
    pages = sum(_page_count(bundle) for bundle in bundles) - (parts if parts > 1 else 0)
    swap_in(written, out)
    sizes = [p.stat().st_size for p in out.rglob("*") if p.is_file()]
    return IndexStats(pages, time.perf_counter() - start, sum(sizes), len(sizes))


def _stage_parts(
    documents: Mapping[str, SearchDocument],
    folder: Path,
    *,
    staged: bool,
    language: str,
    stop: threading.Event | None = None,
) -> int:
    """`documents` staged in `folder`, each in its part, beside the records when they were
    `staged` there apart; with several parts, the vocabulary page in each. How many parts.
    `Stopped` is raised between two documents once `stop` is set."""
    if staged:
        parts = 1 + sum(1 for path in folder.glob("site-*") if path.is_dir())
    else:
        parts = part_count(sum(doc.html is None for doc in documents.values()))
    for part, share in enumerate(dealt(documents, parts)):
        stage(share, part_site(folder, part), language, stop)
    if parts > 1:
        _stage_vocabulary(documents, folder, parts, language)
    return parts


def _stage_vocabulary(
    documents: Mapping[str, SearchDocument], folder: Path, parts: int, language: str
) -> None:
    """The vocabulary page, in every part: the words of the records staged apart
    (`stage_records`) and of those in `documents`, and the hand-written pages."""
    staged = folder / WORDS_FILE
    words = vocabulary(documents.values())
    if staged.exists():
        words.update(staged.read_text(encoding="utf-8").split())
    pages = [doc for _, doc in sorted(documents.items()) if doc.html is not None]
    page = vocabulary_page(words, pages, language)
    for part in range(parts):
        (part_site(folder, part) / VOCABULARY_PAGE).write_text(page, encoding="utf-8")


class Stopped(Exception):
    """An index build stopped before its end, as it was asked to (`build_index`'s `stop`)."""


def _pagefind(
    binary: Path,
    site: Path,
    bundle: Path,
    language: str,
    yielding: bool,
    stop: threading.Event | None = None,
) -> None:
    """One Pagefind run over the staged `site`, its bundle written to `bundle` with only what
    the search box loads; stopped (and `Stopped` raised) once `stop` is set."""
    if stop is not None and stop.is_set():
        raise Stopped
    command = [*_nice(yielding), str(binary), "--site", str(site)]
    command += ["--output-path", str(bundle)]
    command += ["--force-language", language.split("-")[0].lower()]
    command += ["--exclude-selectors", ", ".join(EXCLUDE), "--glob", "**/*.html"]
    # A Pagefind that may be stopped runs in a process group of its own, so that stopping it
    # also stops what it started (`get_executable` may give npm's wrapper around the binary).
    group = {"process_group": 0} if stop is not None and os.name == "posix" else {}
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **group
    ) as process:
        try:
            output = _output(process, stop)
        except BaseException:  # stopped, interrupted: Pagefind goes too
            _kill(process, group=bool(group))
            raise
    if process.returncode != 0:
        raise RuntimeError(f"pagefind failed ({process.returncode}): {output[-2000:]}")
    for path in bundle.iterdir():
        if path.is_file() and not KEEP.match(path.name):
            path.unlink()


def _output(process: subprocess.Popen[str], stop: threading.Event | None) -> str:
    """What `process` printed, once it ended; it is ended first if `stop` is set meanwhile."""
    if stop is None:
        return process.communicate()[0]
    while True:
        try:
            return process.communicate(timeout=STOP_POLL)[0]
        except subprocess.TimeoutExpired:
            if stop.is_set():
                raise Stopped from None  # Pagefind is killed, its output thrown away


STOP_POLL = 0.05  # seconds between looks at `stop` while Pagefind runs
# Seconds a stopped server or build waits for its index to stop (staging stops between two
# documents, Pagefind within STOP_POLL).
STOP_WAIT = 30.0


def _kill(process: subprocess.Popen[str], *, group: bool) -> None:
    """Kill `process` (and its process group, if it leads one of its own), and wait for it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if group:
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    process.communicate()


def _page_count(bundle: Path) -> int:
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    return sum(int(lang["page_count"]) for lang in entry["languages"].values())


def _nice(yielding: bool) -> list[str]:
    """The command that runs Pagefind at a lower priority, where the system has one."""
    found = shutil.which("nice") if yielding else None
    return [found, "-n", "10"] if found else []


def staging_folder() -> Path:
    """A new folder to stage documents in (`build_index` removes it)."""
    return Path(tempfile.mkdtemp(prefix="casefile-search-", dir=_scratch()))


def stage(
    documents: Mapping[str, SearchDocument],
    root: Path,
    language: str,
    stop: threading.Event | None = None,
) -> None:
    """Write each document under `root` as the HTML file Pagefind reads: the records', then
    the hand-written pages', each in path order. Pagefind numbers pages in the order it
    lists a folder, which follows the order the files were made on some file systems: the
    same order, then, whether the records were staged apart (`stage_records`) or not.
    `Stopped` is raised between two documents once `stop` is set."""
    made: set[Path] = set()
    for rel, doc in sorted(documents.items(), key=lambda item: (item[1].html is not None, item[0])):
        if stop is not None and stop.is_set():
            raise Stopped
        target = root / rel
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_text(render_document(doc, language), encoding="utf-8")


def stage_records(case: Case, folder: Path, *, directory_urls: bool) -> None:
    """Every record's document staged in `folder` for `build_index`, each in its part
    (anything staged there before is removed first: this may run again after a forked run
    of it failed)."""
    for old in folder.glob("site*"):
        shutil.rmtree(old, ignore_errors=True)
    (folder / WORDS_FILE).unlink(missing_ok=True)
    with heap.paused():  # a document per record, made, written and dropped (heap.py)
        documents = record_documents(case, directory_urls=directory_urls)
        parts = part_count(len(documents))
        for part, share in enumerate(dealt(documents, parts)):
            stage(share, part_site(folder, part), case.meta.language)
        if parts > 1:
            words = sorted(vocabulary(documents.values()))
            (folder / WORDS_FILE).write_text("\n".join(words), encoding="utf-8")
        del documents


def _scratch() -> str | None:
    """Where the documents are staged: memory (/dev/shm) when the system has it, since
    writing ten thousand small files to disk takes longer than indexing them."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


def swap_in(new: Path, target: Path) -> None:
    """Put the folder `new` at `target`: two renames on one file system, so a reader's
    request finds the old index or the new one, and for a few microseconds none."""
    old = target.with_name(f".{target.name}-old-{os.getpid()}-{threading.get_ident()}")
    if target.exists():
        target.rename(old)
    new.rename(target)
    shutil.rmtree(old, ignore_errors=True)


@dataclass
class Reindexer:
    """Builds the index in the background while `mkdocs serve` serves the site, so a reload
    is never delayed by it. Each build's documents are collected at once (the built pages go
    with the next build); a newer build's index wins over an older one still running.
    `close` stops the builds in progress and removes what they staged."""

    log: Callable[[str], None]
    generation: int = 0
    lags: list[float] = field(default_factory=list)  # seconds from build to index in place
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _last: Path | None = None  # the last index built, kept outside the site folder
    threads: list[threading.Thread] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)  # set: serving has ended

    def submit(
        self, documents: Mapping[str, SearchDocument], site_dir: Path, language: str
    ) -> None:
        with self._lock:
            if self._stop.is_set():
                return
            self.generation += 1
            generation = self.generation
            if (
                self._last is not None
                and self._last.is_dir()
                and not (site_dir / BUNDLE).exists()  # `serve` may have kept it in place
            ):
                # Until the new index is in place, the previous one answers (hard links: fast).
                shutil.copytree(
                    self._last, site_dir / BUNDLE, copy_function=os.link, dirs_exist_ok=True
                )
        started = time.perf_counter()
        thread = threading.Thread(
            target=self._run,
            args=(dict(documents), site_dir, language, generation, started),
            name=f"casefile-search-{generation}",
            daemon=True,
        )
        self.track(thread)

    def track(self, thread: threading.Thread) -> None:
        """Start `thread`, one that `close` waits for (unless serving has ended: then it is
        not started). The list changes under the lock: threads call this too."""
        with self._lock:
            if self._stop.is_set():
                return
            self.threads = [t for t in self.threads if t.is_alive()] + [thread]
            thread.start()

    def _run(
        self,
        documents: dict[str, SearchDocument],
        site_dir: Path,
        language: str,
        generation: int,
        started: float,
    ) -> None:
        parent = site_dir.parent
        work = Path(tempfile.mkdtemp(prefix=".casefile-search-", dir=parent))
        try:
            stats = build_index(
                documents, work / BUNDLE, language=language, yielding=True, stop=self._stop
            )
            with self._lock:
                if self._stop.is_set() or generation != self.generation or not site_dir.is_dir():
                    return  # a newer build's index is on its way
                keep = work / "last"
                shutil.copytree(work / BUNDLE, keep, copy_function=os.link)
                swap_in(work / BUNDLE, site_dir / BUNDLE)
                if self._last is not None:
                    shutil.rmtree(self._last.parent, ignore_errors=True)
                self._last = keep
                work = None  # type: ignore[assignment]  # kept: it holds the last index
            lag = time.perf_counter() - started
            self.lags.append(lag)
            self.log(
                f"search index of {stats.pages} pages in place {lag:.2f} s after the build "
                f"(indexing {stats.seconds:.2f} s)"
            )
        except Stopped:  # serving has ended
            pass
        except Exception as exc:  # a failed re-index must not stop the server
            self.log(f"search index not rebuilt: {exc}")
        finally:
            if work is not None:
                shutil.rmtree(work, ignore_errors=True)

    def wait(self, timeout: float = 120.0) -> None:
        """Until every index in progress is in place (threads may start others)."""
        deadline = time.monotonic() + timeout
        while alive := [t for t in list(self.threads) if t.is_alive()]:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            alive[0].join(left)

    def close(self, timeout: float = STOP_WAIT) -> None:
        """Stop the builds in progress, wait for them to remove what they staged (in
        /dev/shm: memory, until the machine restarts), and remove the kept copy of the last
        index. Called when serving ends, and at exit."""
        self._stop.set()
        self.wait(timeout)
        with self._lock:
            if self._last is not None:
                shutil.rmtree(self._last.parent, ignore_errors=True)
                self._last = None

    def __post_init__(self) -> None:
        atexit.register(self.close)


# -- the search box in Material's header --------------------------------------------------------
# Material includes its own search in the header only when its search plugin is on; the box
# goes in the same place, just before that test, in whatever header the site uses.
HEADER_ANCHOR = '{% if "material/search" in config.plugins %}'
BOX_TEMPLATE = "casefile/search-box.html"
_BOX = _ENV.get_template("search-box.html.j2")
FILTERS = (
    ("kind", "Kind"),
    ("status", "Status"),
    ("actor", "Actor"),
    ("tag", "Tag"),
    ("year", "Year"),
)


def search_box(sections: Iterable[tuple[str, str]], *, directory_urls: bool) -> str:
    """The Jinja source of the box, for Material's environment: `sections` (page path, title)
    are the index pages it links to without JavaScript."""
    links = [(url_of(path, directory_urls), title) for path, title in sections]
    return _BOX.render(sections=links, filters=FILTERS)


def header_with_search(source: str) -> str:
    """Material's header partial (the site's own, if it overrides it) with the box included
    where Material's search would be. ValueError when the header has no such place."""
    if source.count(HEADER_ANCHOR) != 1:
        raise ValueError(
            f"the theme's partials/header.html does not contain {HEADER_ANCHOR!r} exactly once "
            "(where Material includes its search box)"
        )
    return source.replace(HEADER_ANCHOR, f'{{% include "{BOX_TEMPLATE}" %}}\n{HEADER_ANCHOR}')
