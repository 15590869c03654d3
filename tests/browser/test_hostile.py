"""The hostile case file (tests/hostile/: every text and Markdown field of every record kind
carries script-injection payloads, each of which sets `window.__xss` if it ever runs) built
into a site and read in Chromium: no payload runs.

The static scan (tests/test_hardening.py) proves the HTML holds nothing that could run; this
proves it in the browser that readers use, including what only JavaScript builds: Material's
search results (rendered from the search index), its search-term highlighting, and the
timeline filter, which reads the URL. A trap installed before any page script records every
attempt to set the flag, so a payload cannot run and then cover its tracks.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from browsing import (
    ROOT,
    SEARCH_ITEMS,
    Watch,
    build_site,
    built_pages,
    mkdocs_serve,
    open_search,
    search,
    serve,
    wait_for_findings,
    watched_context,
)
from playwright.sync_api import Browser, BrowserContext, Page

from build_scripts.checker import check
from build_scripts.models import KIND

pytestmark = pytest.mark.browser

HOSTILE = ROOT / "tests" / "hostile"
FLAG = "__xss"
PAYLOAD_TEXT = "window.__xss=1"  # every payload's body: shown as text on the pages

# Installed before any script of every page: setting the flag (or calling alert, prompt or
# confirm) is recorded with the page it happened on, and the flag itself always reads unset.
TRAP = """
(() => {
  const hits = [];
  const record = (what) => hits.push(what + " on " + location.href);
  Object.defineProperty(window, "__xssHits", { value: hits });
  Object.defineProperty(window, "__xss", {
    configurable: false,
    get() { return undefined; },
    set(value) { record("window.__xss=" + String(value)); },
  });
  for (const name of ["alert", "prompt", "confirm"]) {
    window[name] = () => record(name + "()");
  }
})();
"""

# Inline handlers a payload could carry, fired on every element of the page's content: a
# handler attribute that slipped through would run even if no reader ever hovered it.
FIRE_EVENTS = """
() => {
  const kinds = ["mouseover", "mouseenter", "mousemove", "pointerover", "pointerenter",
                 "focus", "focusin", "animationstart", "transitionend", "toggle", "load",
                 "error"];
  const all = document.querySelectorAll("body *");
  for (const el of all) {
    for (const kind of kinds) el.dispatchEvent(new Event(kind, { bubbles: false }));
  }
  return all.length;
}
"""

# Every URL the page would follow or load, as the browser itself parsed it.
URLS = """
() => [...document.querySelectorAll("[href], [src], [action], [formaction], [srcset]")]
  .flatMap(el => ["href", "src", "action", "formAction"]
    .filter(name => typeof el[name] === "string" && el[name] !== "")
    .map(name => [el.outerHTML.slice(0, 120), el[name]]))
"""
SAFE_SCHEMES = ("http:", "https:", "mailto:")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("hostile-browser")
    project = base / "project"
    shutil.copytree(HOSTILE, project)
    (project / "docs").mkdir()  # MkDocs needs the folder; every page is generated
    # The plugin refuses markup in the site name (Material prints it unescaped); that refusal
    # is tested in test_hardening.py, so the site is built under a plain name here.
    config = project / "mkdocs.yml"
    lines = config.read_text(encoding="utf-8").splitlines()
    lines = ["site_name: Hostile case file" if ln.startswith("site_name:") else ln for ln in lines]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    build_site(project, base / "site")
    return base / "site"


@pytest.fixture(scope="module")
def hostile_url(hostile_site: Path) -> Iterator[str]:
    with serve(hostile_site) as url:
        yield url


@pytest.fixture(scope="module")
def hostile_pages(hostile_site: Path) -> list[str]:
    return [f"/{path}" for path in built_pages(hostile_site)]


@pytest.fixture
def hostile(browser: Browser, hostile_url: str) -> Iterator[tuple[BrowserContext, Watch]]:
    watch = Watch()
    with watched_context(browser, hostile_url, watch) as context:
        context.add_init_script(TRAP)
        yield context, watch
    # Material and our script must keep working on hostile text: no exception, no console
    # error, nothing fetched from elsewhere (an <img src=//evil> would be a leak, too).
    problems = watch.problems()
    assert not problems, "\n".join(problems)


def hits(page: Page) -> list[str]:
    return page.evaluate("window.__xssHits")


def unsafe_urls(page: Page) -> list[str]:
    return [
        f"{element} -> {url}"
        for element, url in page.evaluate(URLS)
        if not url.startswith(SAFE_SCHEMES)
    ]


def test_the_trap_catches_a_payload_that_runs(hostile: tuple[BrowserContext, Watch]) -> None:
    """The test's own control: a payload that does run is seen, even once it is over."""
    context, _ = hostile
    page = context.new_page()
    page.goto("/")
    page.evaluate(
        """() => {
             const img = document.createElement("img");
             img.setAttribute("onerror", "window.__xss=1");
             img.src = "/no-such-image.png";
             document.body.append(img);
           }"""
    )
    page.wait_for_function("window.__xssHits.length > 0")
    assert hits(page) == [f"window.__xss=1 on {page.url}"]
    assert page.evaluate("window.__xss") is None
    page.evaluate("() => document.querySelector('img[onerror]').remove()")
    # The console error of the missing image is this control's own doing.
    hostile[1].console.clear()


def test_no_payload_runs_on_any_page(
    hostile: tuple[BrowserContext, Watch], hostile_pages: list[str]
) -> None:
    context, _ = hostile
    page = context.new_page()
    report, case = check(HOSTILE / "casefile")
    assert case is not None, report.errors
    records = [f"/{KIND[r.kind].folder}/{r.id}/" for r in case.records.values() if r.kind != "case"]
    assert set(records) <= set(hostile_pages)
    shown = 0
    for path in hostile_pages:
        page.goto(path)
        page.wait_for_load_state("load")
        fired = page.evaluate(FIRE_EVENTS)
        assert fired > 0
        assert hits(page) == [], path
        assert unsafe_urls(page) == [], path
        if PAYLOAD_TEXT in page.locator("body").inner_text():
            shown += 1
    # The payloads reached the reader as text, on the home page and every record page at
    # least: the test cannot pass because the content was dropped.
    assert shown >= len(records) + 1, (shown, len(records))


@pytest.mark.parametrize("query", ["script", "onerror", "javascript", "config", "svg onload"])
def test_no_payload_runs_in_search_results(
    hostile: tuple[BrowserContext, Watch], query: str
) -> None:
    """Material renders search results from the index as HTML: the payloads in the index
    must come out as text there too."""
    context, _ = hostile
    page = context.new_page()
    page.goto("/")
    open_search(page)
    assert search(page, query), query
    page.evaluate(FIRE_EVENTS)
    assert hits(page) == []
    assert unsafe_urls(page) == []
    # Following the first result carries the query into Material's highlighter (?h=).
    page.locator(f"{SEARCH_ITEMS} a").first.click()
    page.wait_for_load_state("load")
    page.evaluate(FIRE_EVENTS)
    assert hits(page) == [], page.url


PAYLOADS_IN_URLS = [
    '"><img src=x onerror=window.__xss=1>',
    "</script><script>window.__xss=1</script>",
    "javascript:window.__xss=1",
]


@pytest.mark.parametrize("payload", PAYLOADS_IN_URLS)
def test_no_payload_runs_from_the_address(
    hostile: tuple[BrowserContext, Watch], hostile_pages: list[str], payload: str
) -> None:
    """What scripts read from the address: the timeline filter (?actor=&tag=&status=),
    Material's search highlighting (?h=) and the fragment."""
    context, _ = hostile
    page = context.new_page()
    value = quote(payload, safe="")
    timeline = next(p for p in hostile_pages if p.startswith("/timeline/"))
    for url in (
        f"{timeline}?actor={value}&tag={value}&status={value}",
        f"{timeline}#{value}",
        f"/?h={value}",
        f"{hostile_pages[-1]}?h={value}#{value}",
    ):
        page.goto(url)
        page.wait_for_load_state("load")
        page.evaluate(FIRE_EVENTS)
        assert hits(page) == [], url


# -- the error overlay of `mkdocs serve` ------------------------------------------------------
@pytest.fixture(scope="module")
def hostile_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """`mkdocs serve` of a copy of the hostile project (its records valid at first)."""
    project = tmp_path_factory.mktemp("hostile-serve") / "project"
    shutil.copytree(HOSTILE, project)
    (project / "docs").mkdir()
    config = project / "mkdocs.yml"
    lines = config.read_text(encoding="utf-8").splitlines()
    lines = ["site_name: Hostile case file" if ln.startswith("site_name:") else ln for ln in lines]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with mkdocs_serve(project) as url:
        yield project, url


def test_no_payload_runs_in_the_error_overlay(
    browser: Browser, hostile_served: tuple[Path, str]
) -> None:
    """Findings quote the records' own words (a value, a field's name, a file's name): the
    overlay shows the hostile record text of the case file as text, and none of it runs."""
    project, url = hostile_served
    actor = project / "casefile" / "actors" / "hostile-actor.yml"
    good = actor.read_text(encoding="utf-8")
    name = good.splitlines()[1].strip()  # the first payload line of the actor's name
    payload_file = actor.with_name("x<svg onload=window.__xss=1>.yml")
    actor.write_text(
        good.replace("kind: person", f"kind: |-\n  {name}\n? |-\n  {name}\n: 1"), encoding="utf-8"
    )
    payload_file.write_text("'<img src=x onerror=window.__xss=1>': 1\n", encoding="utf-8")
    watch = Watch()
    try:
        wait_for_findings(url, lambda f: f["errors"]["total"] >= 3)  # type: ignore[index]
        with watched_context(browser, url, watch) as context:
            context.add_init_script(TRAP)
            page = context.new_page()
            page.goto("/")
            overlay = page.locator("#cf-overlay")
            overlay.locator("details summary").first.click()  # the warnings too
            page.evaluate(FIRE_EVENTS)
            assert hits(page) == []
            text = overlay.inner_text()
            assert name.split("\t")[0] in text and "x<svg onload=window.__xss=1>.yml" in text
            assert overlay.locator("img, script, svg, iframe, object").count() == 0
            hrefs = overlay.locator("a").evaluate_all("as => as.map(a => a.href)")
            assert hrefs and all(h.startswith("vscode://file/") for h in hrefs), hrefs
    finally:
        actor.write_text(good, encoding="utf-8")
        payload_file.unlink()
    assert not watch.problems(), "\n".join(watch.problems())
