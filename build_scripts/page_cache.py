"""What `mkdocs serve` keeps between rebuilds: each record page with the objects it read, so
that after an edit only the pages whose inputs changed are rendered again."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .records import Record

if TYPE_CHECKING:
    from .pages import Renderer


@dataclass(slots=True)
class _Reads:
    """What rendering one page read from the case, as the objects it got.

    Records and full texts from the loader's cache are the same objects while their files
    are unchanged (records.FileCache), so a page whose reads all come back as the very same
    objects renders to the same text and need not be rendered again.
    """

    records: dict[str, tuple[Record | None, object]] = field(default_factory=dict)
    referrers: dict[tuple[str, tuple[str, ...]], tuple[Record, ...]] = field(default_factory=dict)
    neighbours: dict[str, tuple[Record | None, Record | None]] = field(default_factory=dict)

    def unchanged(self, renderer: Renderer) -> bool:
        records = renderer.case.records
        for rid, (record, text) in self.records.items():
            now = records.get(rid)
            if now is not record or (now is not None and now.text is not text):
                return False
        for (target, relations), seen in self.referrers.items():
            now_refs = renderer.case.referrers(target, *relations)
            if len(now_refs) != len(seen) or any(
                a is not b for a, b in zip(now_refs, seen, strict=True)
            ):
                return False
        for event_id, (before, after) in self.neighbours.items():
            if event_id not in renderer.event_index:
                return False
            now_before, now_after = renderer.neighbours_of(event_id)
            if now_before is not before or now_after is not after:
                return False
        return True


@dataclass(slots=True)
class PageCache:
    """Record pages and JSON entries from the last render, each with what it was made from,
    for `mkdocs serve`: after an edit, only the pages that read the edited records (or whose
    back-references changed) are rendered again. Pass the same cache to every render_site
    call of one process; the output is byte for byte what a fresh render gives.
    """

    settings: tuple[object, ...] | None = None
    pages: dict[str, tuple[_Reads, str, str]] = field(default_factory=dict)
    json: dict[str, tuple[Record, str]] = field(default_factory=dict)
    # Parts of the index pages, e.g. ("timeline", event id) -> that event's timeline entry.
    fragments: dict[tuple[str, ...], tuple[_Reads, list[str]]] = field(default_factory=dict)
    rendered: list[str] = field(default_factory=list)  # record pages the last call rendered
    reused: int = 0  # record pages it took from the cache
