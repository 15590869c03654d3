"""A full build's search index, made beside the pages (`parallel.py` says why it pays).

The records' search documents are staged in a forked process from the moment the case is
checked, while the site renders (`stage`). Once MkDocs has read the hand-written pages, the
index is built in the background from what was staged and those pages (`start`): Pagefind
runs beside MkDocs' theme step, and the build waits for it at its end (`wait`). A build that
fails or is stopped (Ctrl-C, or SIGTERM: `stopping.py`) stops it all (`stop`): the forked
process, Pagefind, and the documents staged in /dev/shm.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
import weakref
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from functools import partial
from pathlib import Path

from .checker import Case
from .parallel import InFork, in_background
from .search_index import (
    BUNDLE,
    STOP_WAIT,
    IndexStats,
    SearchDocument,
    build_index,
    content_document,
    record_documents,
    stage_records,
    staging_folder,
)


def site_documents(
    case: Case | None,
    pages: Mapping[str, str | SearchDocument],
    *,
    directory_urls: bool,
) -> dict[str, SearchDocument]:
    """What the index holds: every record's document (none without `case`), and the
    hand-written pages' (from their HTML bodies, or their documents already made)."""
    found = record_documents(case, directory_urls=directory_urls) if case is not None else {}
    for dest, page in pages.items():
        doc = page if isinstance(page, SearchDocument) else content_document(page)
        if doc is not None:
            found[dest] = doc
    return found


class IndexBeside:
    """The search index of one full build into `site_dir`, made beside its pages."""

    def __init__(self, site_dir: Path, *, directory_urls: bool) -> None:
        self.out = site_dir / BUNDLE
        self.directory_urls = directory_urls
        # The records' documents being staged: the folder, the forked job, and what removes
        # the folder (when the index is built or stopped; else when this object is collected
        # or Python exits: a test that runs one hook).
        self._staged: tuple[Path, InFork[None], Callable[[], object]] | None = None
        self._job: Future[IndexStats] | None = None
        self._stop = threading.Event()

    @property
    def staging(self) -> Path | None:
        """Where the records' documents are being staged, until the index takes them."""
        return self._staged[0] if self._staged is not None else None

    @property
    def started(self) -> bool:
        return self._job is not None

    def stage(self, case: Case) -> None:
        """Stage `case`'s records' documents in a forked process from now on (`InFork`:
        here, when `start` needs them, where nothing forks)."""
        self._drop_staged()
        folder = staging_folder()
        removal = weakref.finalize(self, shutil.rmtree, folder, True)
        work = partial(stage_records, case, folder, directory_urls=self.directory_urls)
        self._staged = (folder, InFork(work, count=len(case.records)), removal)

    def staged(self) -> bool:
        """Whether the records' documents are staged, once they are (it waits for the forked
        process): the index then needs no case."""
        if self._staged is None:
            return False
        self._staged[1].result()
        return True

    def start(
        self, case: Case | None, language: str, pages: Mapping[str, str | SearchDocument]
    ) -> None:
        """Build the index in the background: of the staged records, else `case`'s (one of
        the two is needed), and of the hand-written `pages` (destination -> HTML body or
        document)."""
        self._job = in_background(partial(self._build, case, language, pages))

    def wait(self) -> IndexStats:
        """The index's numbers, once it is built (its error, if it failed)."""
        assert self._job is not None, "start() first"
        stats = self._job.result()
        self._job = None  # kept until it ends, for `stop`
        return stats

    def stop(self) -> None:
        """Stop whatever still runs (the build failed or was stopped): Pagefind is killed
        (`build_index`), and the staged documents are removed."""
        job, self._job = self._job, None
        if job is not None:
            self._stop.set()
            with contextlib.suppress(Exception):  # `Stopped`, or a failure: the build is over
                job.result(timeout=STOP_WAIT)
        self._drop_staged()

    def _drop_staged(self) -> None:
        staged, self._staged = self._staged, None
        if staged is not None:
            staged[1].close()
            staged[2]()

    def _build(
        self, case: Case | None, language: str, pages: Mapping[str, str | SearchDocument]
    ) -> IndexStats:
        du, stop = self.directory_urls, self._stop
        staged, self._staged = self._staged, None
        if staged is None:
            assert case is not None
            documents = site_documents(case, pages, directory_urls=du)
            return build_index(documents, self.out, language=language, stop=stop)
        folder, records, removal = staged
        try:
            records.result()  # staged while the site rendered (or now, if that failed)
            documents = site_documents(None, pages, directory_urls=du)
            return build_index(documents, self.out, language=language, staging=folder, stop=stop)
        finally:
            removal()
