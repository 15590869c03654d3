"""`casefile links`: are the sources' addresses still alive, and archived?

Opt-in (it needs the network), so it is not part of `check`. A link is dead when the server
answers 4xx/5xx or does not answer; a source without an `archive_url` is reported so that
someone archives it before the original goes.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from .checker import Case
from .findings import Finding
from .records import Record

USER_AGENT = "casefile-links/1 (+https://github.com/)"


@dataclass(frozen=True, slots=True)
class Answer:
    """What probing a URL gave: the HTTP status, or why there was no answer."""

    status: int | None
    reason: str | None = None  # why there was no answer

    @property
    def ok(self) -> bool:
        return self.status is not None and self.status < 400


def probe(url: str, timeout: float) -> Answer:
    """HEAD the URL (GET when HEAD is refused)."""
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return Answer(response.status)
        except urllib.error.HTTPError as exc:
            if method == "HEAD" and exc.code in (403, 405, 501):
                continue
            return Answer(exc.code)
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            return Answer(None, str(getattr(exc, "reason", exc)))
    return Answer(None)  # pragma: no cover - the GET always answers or fails


def check_links(case: Case, *, timeout: float = 10.0, workers: int = 8) -> list[Finding]:
    """A `dead-link` error for every url and archive_url of a source that does not work, and
    a `no-archive` warning for every source with a url but no archive_url."""
    jobs = [
        (source, name, url)
        for source in sorted(case.of_kind("source"), key=lambda r: r.id)
        for name in ("url", "archive_url")
        if (url := getattr(source.data, name))
    ]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        answers = list(pool.map(lambda job: probe(job[2], timeout), jobs))
    findings = [
        _dead(source, name, url, answer)
        for (source, name, url), answer in zip(jobs, answers, strict=True)
        if not answer.ok
    ]
    findings += [
        Finding.make("no-archive", source.location("url"), id=source.id)
        for source in case.of_kind("source")
        if source.data.url and not source.data.archive_url
    ]
    return findings


def _dead(source: Record, name: str, url: str, answer: Answer) -> Finding:
    return Finding.make(
        "dead-link",
        source.location(name),
        variant=None if answer.status is not None else "no-answer",
        field=name,
        url=url,
        status=answer.status,
        reason=answer.reason,
    )
