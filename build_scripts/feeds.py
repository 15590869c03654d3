"""Atom feeds (RFC 4287): recent changes to the records, from the git history, and the events
in date order, newest first.

Built as XML trees, so every text and attribute is escaped by the serialiser, and characters
XML 1.0 cannot hold (a commit message may have any) are dropped. Entry and feed ids are
`urn:uuid:` names derived from what they identify (a commit's hash; the site and an event's
id), so they never change between builds. Links are absolute under `site_url`; without one
they are relative to the feed's own address. Every date comes from the history or from the
build time (`history.History.built`, SOURCE_DATE_EPOCH when set), never from the clock, so
the feeds are byte-identical between builds of the same commit.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from xml.etree import ElementTree as ET

from mkdocs.utils import get_relative_url

from .checker import Case
from .dates import format_date
from .escape import plain_markdown
from .history import Commit, History
from .models import KIND
from .page_cache import Direct, Reader
from .records import Record
from .site_paths import page_of, url_of

CHANGES_FEED = "feeds/changes.xml"
EVENTS_FEED = "feeds/events.xml"
ATOM = "http://www.w3.org/2005/Atom"
XHTML = "http://www.w3.org/1999/xhtml"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MEDIA_TYPE = "application/atom+xml"
CHANGES_LIMIT = 50  # commits in the changes feed

# A fixed namespace for the feeds' name-based UUIDs.
_NAMESPACE = uuid.UUID("6f1c3a52-9d0e-4c4b-8a51-2f3e0c6d7b19")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _urn(*parts: str) -> str:
    return "urn:uuid:" + str(uuid.uuid5(_NAMESPACE, "\n".join(parts)))


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = _clean(text)
    return element


class _Links:
    """Addresses of generated files, from the feed at `feed`: absolute under `site_url`,
    else relative to the feed."""

    def __init__(self, feed: str, site_url: str | None, directory_urls: bool) -> None:
        self.feed = feed
        self.base = (site_url.rstrip("/") + "/") if site_url else None
        self.directory_urls = directory_urls

    def __call__(self, path: str) -> str:
        url = url_of(path, self.directory_urls)
        if self.base is not None:
            return self.base + url
        return get_relative_url(url, self.feed)


def _label(reader: Reader) -> Callable[[str], str]:
    def label(record_id: str) -> str:
        record = reader.find(record_id)
        return _title(record) if record else record_id

    return label


def _title(record: Record) -> str:
    data = record.data
    return str(data.name if record.kind == "actor" else getattr(data, "title", None) or data.text)


def _feed(
    case: Case,
    *,
    path: str,
    title: str,
    alternate: str,
    links: _Links,
    site_url: str | None,
    updated: datetime,
) -> ET.Element:
    # Names are written unqualified under `xmlns` attributes, rather than through ElementTree's
    # process-wide prefix registry.
    feed = ET.Element("feed", {"xmlns": ATOM, _XML_LANG: case.meta.language})
    _add(feed, "id", _urn(site_url or case.meta.title, path))
    _add(feed, "title", title, type="text")
    _add(feed, "updated", _time(updated))
    author = _add(feed, "author")
    _add(author, "name", case.meta.publisher or case.meta.title)
    self_href = links.base + path if links.base else path.rsplit("/", 1)[-1]
    _add(feed, "link", rel="self", type=MEDIA_TYPE, href=self_href)
    _add(feed, "link", rel="alternate", type="text/html", href=links(alternate))
    _add(feed, "generator", "casefile")
    return feed


def _serialise(feed: ET.Element, entries: list[str] | None = None) -> str:
    """The feed as text, with `entries` (as `_entry_text` writes them) after its elements:
    the text `ET.indent` and `ET.tostring` give for the feed with those entries in it."""
    ET.indent(feed, space=" ")
    body = ET.tostring(feed, encoding="unicode")
    if entries:
        end = "\n</feed>"
        assert body.endswith(end)
        body = body[: -len(end)] + "".join(f"\n {e}" for e in entries) + end
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"


# Stands for an entry's `updated` time in its kept text (`_clean` takes it out of any text).
_UPDATED = "\x00"


def _entry_text(entry: ET.Element) -> tuple[str, str]:
    """An entry as `_serialise` writes it inside its feed, in two pieces: before and after
    its `updated` time, written `_UPDATED` (that time is the build's, for most entries)."""
    ET.indent(entry, space=" ", level=1)
    before, after = ET.tostring(entry, encoding="unicode").split(_UPDATED)
    return before, after


def events_feed(
    case: Case,
    history: History | None,
    built: datetime,
    *,
    site_url: str | None,
    directory_urls: bool = True,
    timeline_page: str = "timeline.md",
    reader: Reader | None = None,
) -> str:
    """Every event, newest first by its date. An entry's `updated` is when its file last
    changed (from `history`), else `built`. Each entry is written on its own (and kept by
    `reader` while the event and the records its summary names are unchanged)."""
    reader = reader or Direct(case)
    links = _Links(EVENTS_FEED, site_url, directory_urls)
    events = list(reversed(reader.events_by_date()))
    folder = KIND["event"].folder
    site = site_url or case.meta.title

    def changed(record: Record) -> datetime:
        if history is None:
            return built
        commit = history.last_changed(f"{folder}/{record.path.name}")
        return commit.date if commit else built

    moments = [changed(r) for r in events]
    times = {moment: _time(moment) for moment in set(moments)}
    feed = _feed(
        case,
        path=EVENTS_FEED,
        title=f"{case.meta.title}: events",
        alternate=timeline_page,
        links=links,
        site_url=site_url,
        updated=max(moments, default=built),
    )
    entries = []
    for record, moment in zip(events, moments, strict=True):
        key = ("feed", record.id, site, str(site_url), str(directory_urls))
        before, after = reader.memo(key, record, partial(_event_entry, record, site, links, reader))
        entries.append(before + times[moment] + after)
    return _serialise(feed, entries)


def _event_entry(record: Record, site: str, links: _Links, reader: Reader) -> tuple[str, str]:
    """An event's entry (`_entry_text`)."""
    data = record.data
    entry = ET.Element("entry")
    _add(entry, "id", _urn(site, "event", record.id))
    _add(entry, "title", data.title, type="text")
    ET.SubElement(entry, "updated").text = _UPDATED
    _add(entry, "link", rel="alternate", type="text/html", href=links(page_of(record)))
    summary = f"{format_date(data.date)} ({data.status})."
    if data.summary:
        summary += " " + plain_markdown(data.summary, _label(reader))
    _add(entry, "summary", summary, type="text")
    for tag in data.tags:
        _add(entry, "category", term=tag)
    return _entry_text(entry)


def _commit_content(entry: ET.Element, commit: Commit, case: Case, links: _Links) -> None:
    content = _add(entry, "content", type="xhtml")
    div = ET.SubElement(content, "div", {"xmlns": XHTML})
    items = ET.SubElement(div, "ul")
    for change in commit.changes:
        item = ET.SubElement(items, "li")
        item.text = change.status + ": "
        found = change.record
        record = case.records.get(found[1]) if found else None
        if record is None or found is None or record.kind != found[0]:
            item.text += _clean(change.path)  # case.yml, or a record that is gone
        elif change.status == "deleted":  # gone then, back since
            item.text += f"{_clean(_title(record))} ({_clean(change.path)})"
        else:
            link = ET.SubElement(item, "a", {"href": links(page_of(record))})
            link.text = _clean(_title(record))
            link.tail = f" ({_clean(change.path)})"


def changes_feed(
    case: Case,
    history: History,
    *,
    site_url: str | None,
    directory_urls: bool = True,
    changes_page: str = "changes.md",
    limit: int = CHANGES_LIMIT,
) -> str:
    """The last `limit` commits that touched the records, newest first: one entry per commit,
    titled by the first line of its message, listing the files it added, changed and deleted
    (linked to the record's page where the record still exists). Each entry links to
    `changes_page#commit-<short hash>`."""
    links = _Links(CHANGES_FEED, site_url, directory_urls)
    feed = _feed(
        case,
        path=CHANGES_FEED,
        title=f"{case.meta.title}: recent changes",
        alternate=changes_page,
        links=links,
        site_url=site_url,
        updated=history.commits[0].date if history.commits else history.built,
    )
    for commit in history.commits[:limit]:
        entry = _add(feed, "entry")
        _add(entry, "id", _urn("git-commit", commit.hash))
        _add(entry, "title", commit.subject or commit.short, type="text")
        _add(entry, "updated", _time(commit.date))
        page = links(changes_page)
        _add(entry, "link", rel="alternate", type="text/html", href=f"{page}#{anchor(commit)}")
        _commit_content(entry, commit, case, links)
    return _serialise(feed)


def anchor(commit: Commit) -> str:
    """The id of a commit's section on the Recent changes page, which its feed entry links."""
    return f"commit-{commit.short}"


def feed_files(
    case: Case,
    history: History | None,
    built: datetime,
    *,
    site_url: str | None,
    directory_urls: bool = True,
    reader: Reader | None = None,
) -> dict[str, str]:
    """Both feeds by site path; the changes feed only with a history."""
    files = {
        EVENTS_FEED: events_feed(
            case, history, built, site_url=site_url, directory_urls=directory_urls, reader=reader
        )
    }
    if history is not None:
        files[CHANGES_FEED] = changes_feed(
            case, history, site_url=site_url, directory_urls=directory_urls
        )
    return dict(sorted(files.items()))
