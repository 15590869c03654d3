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

USER_AGENT = "casefile-links/1 (+https://github.com/)"


@dataclass(frozen=True, slots=True)
class LinkResult:
    source: str
    field: str
    url: str
    status: int | None  # HTTP status, None when there was no answer
    problem: str | None  # None when the link works

    @property
    def ok(self) -> bool:
        return self.problem is None


def probe(url: str, timeout: float) -> tuple[int | None, str | None]:
    """HEAD the URL (GET when HEAD is refused); (status, problem or None)."""
    for method in ("HEAD", "GET"):
        request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, None
        except urllib.error.HTTPError as exc:
            if method == "HEAD" and exc.code in (403, 405, 501):
                continue
            return exc.code, f"HTTP {exc.code}"
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            return None, f"no answer ({reason})"
    return None, "no answer"


def check_links(case: Case, *, timeout: float = 10.0, workers: int = 8) -> list[LinkResult]:
    """Every url and archive_url of every source, probed; results sorted by source."""
    jobs = [
        (source.id, name, url)
        for source in sorted(case.of_kind("source"), key=lambda r: r.id)
        for name in ("url", "archive_url")
        if (url := getattr(source.data, name))
    ]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        answers = list(pool.map(lambda job: probe(job[2], timeout), jobs))
    return [
        LinkResult(source, name, url, status, problem)
        for (source, name, url), (status, problem) in zip(jobs, answers, strict=True)
    ]


def unarchived(case: Case) -> list[str]:
    """Ids of sources that have a url but no archived copy."""
    return sorted(s.id for s in case.of_kind("source") if s.data.url and not s.data.archive_url)
