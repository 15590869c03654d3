"""Helpers shared by the browser tests: a watch on every request and console message, the
site's search box, timeline state, axe, and a plain-HTTP link crawler.

Known product bugs the tests tolerate while their own strict-xfail test tracks them are named
here (KNOWN_LEAK_HOSTS, KNOWN_AXE): when a bug is fixed, its xfail test passes, fails as
XPASS(strict), and the entry here goes with the marker.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Route,
    WebError,
    expect,
)

from benchmarks.bench import serve_folder
from build_scripts.checker import Case
from build_scripts.placement import grouped
from build_scripts.records import Record

ROOT = Path(__file__).resolve().parents[2]
RECORDS = ROOT / "casefile"
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
LOCAL_HOST = "127.0.0.1"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000

# mkdocs.yml sets `repo_url: https://github.com/...`; Material's header then fetches the
# repository's facts (stars, forks, latest release) from the GitHub API on the first page a
# visitor opens. Tracked by test_privacy.py::test_no_request_leaves_localhost.
KNOWN_LEAK_HOSTS: frozenset[str] = frozenset()

# Serious axe violations known today: (bug key, axe rule id, CSS selector the failing node is
# inside, what is wrong). Each is tracked by test_accessibility.py::test_known_axe_bug_is_fixed.
KNOWN_AXE: tuple[tuple[str, str, str, str], ...] = ()


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme not in ("http", "https", "ws", "wss") or parts.hostname == LOCAL_HOST


@dataclass
class Watch:
    """Every request that would leave 127.0.0.1 (blocked, never sent) and every console error
    or uncaught exception, in all pages of the contexts it watches."""

    outside: list[tuple[str, str]] = field(default_factory=list)  # (page, request url)
    console: list[tuple[str, str, str]] = field(default_factory=list)  # (page, text, from)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (page, exception)

    def attach(self, context: BrowserContext) -> None:
        context.on("request", self._on_request)
        context.route("**/*", self._route)
        context.on("console", self._on_console)
        context.on("weberror", self._on_error)

    def _on_request(self, request: Request) -> None:
        if not is_local(request.url):
            where = request.frame.url if _has_frame(request) else "(worker)"
            self.outside.append((where, request.url))

    @staticmethod
    def _route(route: Route) -> None:
        if is_local(route.request.url):
            route.fallback()
        else:
            route.abort("blockedbyclient")

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            where = message.page.url if message.page else "(worker)"
            self.console.append((where, message.text, message.location.get("url", "")))

    def _on_error(self, error: WebError) -> None:
        where = error.page.url if error.page else "(worker)"
        self.errors.append((where, str(error.error)))

    # -- verdicts -----------------------------------------------------------------------------
    def unknown_leaks(self) -> list[tuple[str, str]]:
        return [(p, u) for p, u in self.outside if urlsplit(u).hostname not in KNOWN_LEAK_HOSTS]

    def script_errors(self) -> list[tuple[str, str, str]]:
        """Console errors other than the failed loads of blocked outside requests (those are
        the privacy tests' business)."""
        return [
            (p, text, origin)
            for p, text, origin in self.console
            if not (text.startswith("Failed to load resource") and not is_local(origin))
        ]

    def problems(self) -> list[str]:
        out = [f"request leaving {LOCAL_HOST} from {p}: {u}" for p, u in self.unknown_leaks()]
        out += [f"console error on {p}: {t} ({o})" for p, t, o in self.script_errors()]
        out += [f"uncaught exception on {p}: {e}" for p, e in self.errors]
        return out


def _has_frame(request: Request) -> bool:
    try:
        return bool(request.frame)
    except Exception:  # a service worker's requests have no frame
        return False


@contextmanager
def watched_context(
    browser: Browser, base_url: str, watch: Watch, **options: object
) -> Iterator[BrowserContext]:
    options.setdefault("viewport", DESKTOP)
    context = browser.new_context(base_url=base_url, **options)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    watch.attach(context)
    try:
        yield context
    finally:
        context.close()


@contextmanager
def browsing(browser: Browser, base_url: str) -> Iterator[Browsing]:
    """A `Browsing` of the site at `base_url` for one test, which fails at the end on what
    its watch saw."""
    session = Browsing(browser, base_url)
    with session.contexts:
        yield session
    problems = session.watch.problems()
    if problems:
        pytest.fail("while browsing:\n" + "\n".join(problems), pytrace=False)


@dataclass
class Browsing:
    """Opens pages in fresh contexts, all watched; the test fails at teardown on a request
    leaving 127.0.0.1 (other than a known bug's), a console error or an uncaught exception."""

    browser: Browser
    base_url: str
    watch: Watch = field(default_factory=Watch)
    contexts: ExitStack = field(default_factory=ExitStack)

    def context(self, **options: object) -> BrowserContext:
        return self.contexts.enter_context(
            watched_context(self.browser, self.base_url, self.watch, **options)
        )

    def page(self, path: str = "/", **options: object) -> Page:
        """A new page in a new context (options: viewport, java_script_enabled, ...) at `path`,
        relative to the site root."""
        page = self.context(**options).new_page()
        page.goto(path)
        return page


@dataclass
class Tour:
    watch: Watch
    links: dict[str, list[str]]  # page url -> every a.href in its DOM
    ids: dict[str, set[str]]  # page url -> every element id in its DOM
    states: list[str]  # what was visited, in order


# -- building and serving ------------------------------------------------------------------------
def build_site(project: Path, out: Path, *, python: Sequence[str] = ("-m", "mkdocs")) -> None:
    """`mkdocs build --strict` of the project into `out`; the test fails with MkDocs' output.
    `python`: what the interpreter runs, given MkDocs' arguments after it."""
    build = subprocess.run(
        [sys.executable, *python, "build", "--strict", "-d", str(out)],
        cwd=project,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if build.returncode != 0:
        pytest.fail(f"mkdocs build --strict failed:\n{build.stdout}\n{build.stderr}")


serve = serve_folder  # the benchmark's server, so both serve a site alike

FINDINGS_URL = "assets/casefile/findings.json"  # what `mkdocs serve` writes for the overlay


@contextmanager
def mkdocs_serve(project: Path) -> Iterator[str]:
    """`mkdocs serve` of `project` (a real subprocess, live reload on: an open page reloads
    after each rebuild, as an editor's does) on a free port of 127.0.0.1, from its first build
    until the block ends; its address. Its log is `<project>.serve.log` beside the project."""
    with socket.socket() as probe:
        probe.bind((LOCAL_HOST, 0))
        port = probe.getsockname()[1]
    log_path = project.with_name(project.name + ".serve.log")
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-a", f"{LOCAL_HOST}:{port}"],
            cwd=project,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://{LOCAL_HOST}:{port}/"
    try:
        wait_for_findings(url, lambda _: True, process=process, log=log_path, timeout=120)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def findings_of(url: str) -> dict[str, object] | None:
    """The findings file `mkdocs serve` at `url` serves now (None: not served yet)."""
    try:
        status, _, body = fetch(url + FINDINGS_URL)
    except OSError:
        return None
    return json.loads(body) if status == 200 else None


def wait_for_findings(
    url: str,
    done: Callable[[dict[str, object]], bool],
    *,
    process: subprocess.Popen[bytes] | None = None,
    log: Path | None = None,
    timeout: float = 60,
) -> dict[str, object]:
    """Poll the findings file until `done` says yes; fail with the server's log on timeout
    or if the server stopped."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            break
        found = findings_of(url)
        if found is not None and done(found):
            return found
        time.sleep(0.2)
    text = log.read_text(encoding="utf-8", errors="replace") if log else ""
    pytest.fail(f"mkdocs serve at {url}: findings never as expected\n{text[-4000:]}")


def built_pages(site_dir: Path) -> list[str]:
    """Every built HTML page, as a path from the site root ("" for the home page)."""
    pages = []
    for html in sorted(site_dir.rglob("index.html")):
        rel = html.parent.relative_to(site_dir).as_posix()
        pages.append("" if rel == "." else rel + "/")
    return pages


# -- search (the plugin's Pagefind box) -------------------------------------------------------
SEARCH_INPUT = "#cf-search-input"
SEARCH_STATUS = ".cf-search__status"
SEARCH_ITEMS = ".cf-search__results > li"


def open_search(page: Page, key: str = "/") -> None:
    """Open the search box with its keyboard shortcut."""
    page.keyboard.press(key)
    expect(page.locator(SEARCH_INPUT)).to_be_focused()


def search(page: Page, query: str) -> list[str]:
    """Result paths for `query`, in rank order, once the answer to this very query is shown."""
    page.locator(SEARCH_INPUT).fill(query)
    done = re.compile(rf"(results?|No results) for {re.escape(query)}(, the first \d+ shown)?$")
    expect(page.locator(SEARCH_STATUS)).to_have_text(done)
    return settled(page)


def settled(page: Page) -> list[str]:
    """Result paths once the latest search (a query, a filter, a sort) has been answered."""
    expect(page.locator(".cf-search__results")).to_have_attribute("aria-busy", "false")
    return result_paths(page)


def result_paths(page: Page) -> list[str]:
    hrefs = page.locator(f"{SEARCH_ITEMS} .cf-search__title a").evaluate_all(
        "links => links.map(a => a.href)"
    )
    return [urlsplit(h).path for h in hrefs]


# -- timeline ----------------------------------------------------------------------------------
def actors_of(event: Record) -> list[str]:
    return [a if isinstance(a, str) else a.actor for a in event.data.actors]


def timeline_order(case: Case) -> list[str]:
    """The events as the timeline lists them: by group (`placement.grouped`: an open range
    has a group of its own), in date order within a group."""
    return [e.id for _, events in grouped(case.events, lambda e: e.data.date) for e in events]


def matching(case: Case, actor: str = "", status: str = "", tag: str = "") -> list[str]:
    """The events a filter should leave, in timeline order, straight from the records."""
    return [
        e.id
        for e in (case.records[i] for i in timeline_order(case))
        if (not actor or actor in actors_of(e))
        and (not status or e.data.status == status)
        and (not tag or tag in e.data.tags)
    ]


def timeline_ids(page: Page, *, visible_only: bool) -> list[str]:
    return page.locator("ol.cf-timeline > li").evaluate_all(
        "(items, visibleOnly) => items"
        ".filter(li => !visibleOnly || li.checkVisibility())"
        ".map(li => li.id)",
        visible_only,
    )


def timeline_attrs(page: Page) -> dict[str, tuple[str, set[str], set[str]]]:
    """li id -> (data-status, data-actors, data-tags) as rendered."""
    rows = page.locator("ol.cf-timeline > li").evaluate_all(
        "items => items.map(li => [li.id, li.dataset.status, li.dataset.actors, li.dataset.tags])"
    )
    return {i: (s, set(a.split()), set(t.split())) for i, s, a, t in rows}


# -- axe ---------------------------------------------------------------------------------------
AXE_RUN = """
async (known) => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  const bugOf = (rule, target) => {
    const el = typeof target === "string" ? document.querySelector(target) : null;
    for (const [key, id, selector] of known) {
      if (id === rule && el && el.closest(selector)) return key;
    }
    return null;
  };
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({
      target: n.target.map(String).join(" "), html: n.html, impact: n.impact,
      summary: n.failureSummary,
      bug: n.target.length === 1 ? bugOf(v.id, n.target[0]) : null,
    })),
  }));
}
"""


def run_axe(page: Page, axe_js: Path) -> list[dict[str, object]]:
    """axe-core's violations of impact serious or critical, each node tagged with the key of
    the known bug it belongs to (or None)."""
    page.add_script_tag(path=str(axe_js))
    known = [[key, rule, selector] for key, rule, selector, _ in KNOWN_AXE]
    violations = page.evaluate(AXE_RUN, known)
    serious = []
    for violation in violations:
        nodes = [n for n in violation["nodes"] if n["impact"] in ("serious", "critical")]
        if nodes:
            serious.append({**violation, "nodes": nodes})
    return serious


def format_violations(violations: list[dict[str, object]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:  # type: ignore[attr-defined]
            lines.append(f"  - {node['target']}\n    {node['html']}")
            lines += [f"    {line}" for line in str(node["summary"]).splitlines()]
    return "\n".join(lines)


# -- crawling ----------------------------------------------------------------------------------
class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.append(values["id"] or "")
        if tag == "a" and values.get("href") is not None:
            self.hrefs.append(values["href"] or "")


@dataclass
class Crawl:
    status: dict[str, int] = field(default_factory=dict)  # page_key(url) -> HTTP status
    ids: dict[str, set[str]] = field(default_factory=dict)  # HTML page -> element ids
    links: dict[str, list[str]] = field(default_factory=dict)  # HTML page -> absolute hrefs
    repeated: dict[str, list[str]] = field(default_factory=dict)  # HTML page -> ids used twice

    def broken(self, links: dict[str, list[str]]) -> list[str]:
        """Internal links among `links` (page -> hrefs) whose target is not a 200 or whose
        fragment names no element of the target page."""
        out = []
        for page, hrefs in links.items():
            for href in hrefs:
                if not is_local(href) or not href.startswith("http"):
                    continue
                target, fragment = page_key(href), urldefrag(href)[1]
                code = self.status.get(target)
                if code != 200:
                    out.append(f"{page}: {href} -> HTTP {code}")
                elif fragment and unquote(fragment) not in self.ids.get(target, set()):
                    out.append(f"{page}: {href} -> no element with id {unquote(fragment)!r}")
        return out


def page_key(url: str) -> str:
    """A page's address without query and fragment (a static site serves the same file)."""
    return urlsplit(url)._replace(query="", fragment="").geturl()


def fetch(url: str) -> tuple[int, str, bytes]:
    """GET without following redirects: (status, content type, body)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or LOCAL_HOST, parts.port, timeout=10)
    try:
        connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type") or "", response.read()
    finally:
        connection.close()


def crawl(start: str) -> Crawl:
    """Every page reachable from `start` on the same host, by plain HTTP; every internal link
    target fetched once."""
    result = Crawl()
    queue = deque([start])
    while queue:
        url = queue.popleft()
        if url in result.status:
            continue
        code, kind, body = fetch(url)
        result.status[url] = code
        if code != 200 or not kind.startswith("text/html"):
            continue
        parser = _Links()
        parser.feed(body.decode("utf-8"))
        result.ids[url] = set(parser.ids)
        twice = sorted(i for i, n in Counter(parser.ids).items() if n > 1)
        if twice:
            result.repeated[url] = twice
        result.links[url] = [urljoin(url, href) for href in parser.hrefs]
        for href in result.links[url]:
            target = page_key(href)
            if href.startswith("http") and is_local(href) and target not in result.status:
                queue.append(target)
    return result
