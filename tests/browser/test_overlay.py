"""The error overlay of `mkdocs serve`, in Chromium against a real `mkdocs serve` of a copy of
the example project: a record broken while it runs shows its findings over the last good
site, with their locations; fixing it takes them away; a built site has none of it.

The server reloads open pages after each rebuild (live reload), as it does for an editor; a
test waits for the findings file (`assets/casefile/findings.json`) to say the rebuild happened
before it opens a page.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from browsing import (
    DESKTOP,
    ROOT,
    SCREENSHOTS,
    Browsing,
    Watch,
    findings_of,
    format_violations,
    mkdocs_serve,
    run_axe,
    wait_for_findings,
    watched_context,
)
from playwright.sync_api import Browser, BrowserContext, Page, expect

pytestmark = pytest.mark.browser

OVERLAY = "#cf-overlay"
KIRBY = Path("casefile") / "actors" / "john-kirby.yml"
PAGE = "actors/"  # any page: every page of the served site loads the overlay
RELOAD_MS = 30_000  # a rebuild of the example and the live reload after it


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("overlay") / "project"
    project.mkdir()
    shutil.copy2(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    for folder in ("docs", "casefile"):
        shutil.copytree(ROOT / folder, project / folder)
    return project


@pytest.fixture(scope="module")
def served(project: Path) -> Iterator[str]:
    with mkdocs_serve(project) as url:
        yield url


@pytest.fixture
def context(browser: Browser, served: str) -> Iterator[BrowserContext]:
    """A fresh visitor (its own sessionStorage); the test fails on any script error."""
    watch = Watch()
    with watched_context(browser, served, watch) as context:
        yield context
    assert not watch.problems(), "\n".join(watch.problems())


@pytest.fixture
def broken(project: Path, served: str) -> Iterator[Path]:
    """john-kirby.yml with `kind: persn` while the test runs, fixed again after it."""
    path = project / KIRBY
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("kind: person", "kind: persn"), encoding="utf-8")
    wait_for_findings(served, lambda f: f["errors"]["total"] > 0)  # type: ignore[index]
    yield path
    path.write_text(good, encoding="utf-8")
    wait_for_findings(served, lambda f: not f["id"])


def settled(page: Page) -> str:
    """What the overlay script did on this page: shown, dismissed or none (it waits)."""
    page.wait_for_function("document.documentElement.dataset.cfOverlay !== undefined")
    return page.evaluate("document.documentElement.dataset.cfOverlay")


def open_page(context: BrowserContext, path: str = PAGE) -> Page:
    page = context.new_page()
    page.goto(path)
    settled(page)
    return page


def locations(page: Page) -> list[str]:
    return page.locator(f"{OVERLAY} .cf-overlay__line .cf-overlay__where").all_inner_texts()


def test_the_served_site_starts_without_findings(served: str, context: BrowserContext) -> None:
    assert findings_of(served) == {
        "version": 1,
        "id": "",
        "stale": False,
        "summary": "0 errors, 0 warnings",
        "errors": {"total": 0, "more": 0, "files": []},
        "warnings": {"total": 0, "more": 0, "files": []},
    }
    page = open_page(context)
    assert settled(page) == "none"
    expect(page.locator(OVERLAY)).to_have_count(0)


def test_a_broken_record_shows_its_location_over_the_last_good_site(
    project: Path, context: BrowserContext, broken: Path
) -> None:
    page = open_page(context)
    overlay = page.get_by_role("dialog", name="The records have errors: this is the last good site")
    expect(overlay).to_be_visible()
    expect(page.locator(f"{OVERLAY} [role=alert]")).to_have_text(
        "1 error, 1 warning. Fix the records and save: the page reloads."
    )
    assert locations(page)[0] == "casefile/actors/john-kirby.yml:3:7"
    first = page.locator(f"{OVERLAY} .cf-overlay__finding").first
    expect(first).to_contain_text("error[bad-enum]: 'kind' is 'persn', which is not an allowed")
    expect(first.locator(".cf-overlay__hint")).to_have_text(
        "hint: did you mean 'person'? allowed: person, organization, government, group, "
        "anonymous, other"
    )
    link = first.locator("a.cf-overlay__where")
    expect(link).to_have_attribute("href", f"vscode://file{broken.resolve().as_posix()}:3:7")
    files = page.locator(f"{OVERLAY} .cf-overlay__section > .cf-overlay__file").all_inner_texts()
    # The warnings' files are folded away (no text); case.yml's [[john-kirby]] is no error.
    assert [f for f in files if f] == ["casefile/actors/john-kirby.yml"]
    # Warnings are there, folded away; the page behind stays in view and usable.
    warnings = page.locator(f"{OVERLAY} details.cf-overlay__warnings")
    expect(warnings.locator("summary")).to_have_text("1 warning")
    assert warnings.evaluate("d => d.open") is False
    expect(page.locator("h1").first).to_be_visible()
    box = overlay.bounding_box()
    assert box is not None and box["height"] < DESKTOP["height"] * 0.8
    expect(page.locator(".md-header")).to_be_visible()


def test_screenshots_of_the_overlay_light_and_dark(context: BrowserContext, broken: Path) -> None:
    page = open_page(context)
    expect(page.locator(OVERLAY)).to_be_visible()
    page.locator(f"{OVERLAY} details summary").click()  # the warnings too, in the pictures
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "overlay-light-desktop.png")
    page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
    color = page.locator(OVERLAY).evaluate("e => getComputedStyle(e).backgroundColor")
    assert color == "rgb(30, 31, 41)"
    page.screenshot(path=SCREENSHOTS / "overlay-dark-desktop.png")


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_the_overlay_passes_axe(
    context: BrowserContext, broken: Path, axe_js: Path, scheme: str
) -> None:
    page = open_page(context)
    page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
    page.locator(f"{OVERLAY} details summary").click()
    violations = run_axe(page, axe_js)
    assert not violations, format_violations(violations)


def test_dismissed_for_the_session_until_the_findings_change(
    project: Path, served: str, context: BrowserContext, broken: Path
) -> None:
    page = open_page(context)
    page.get_by_role("button", name="Dismiss the findings for this session").click()
    expect(page.locator(OVERLAY)).to_have_count(0)
    page.reload()
    assert settled(page) == "dismissed"  # the same findings: still dismissed
    expect(page.locator(OVERLAY)).to_have_count(0)
    # Another finding is news: it shows again.
    broken.write_text(broken.read_text().replace("name: John Kirby", "nme: John Kirby"))
    wait_for_findings(served, lambda f: f["errors"]["total"] > 2)  # type: ignore[index]
    expect(page.locator(OVERLAY)).to_be_visible(timeout=RELOAD_MS)  # live reload
    # The keyboard dismisses it too: Escape with the focus inside it.
    page.locator(f"{OVERLAY} .cf-overlay__close").focus()
    page.keyboard.press("Escape")
    expect(page.locator(OVERLAY)).to_have_count(0)


def test_fixing_the_record_takes_the_overlay_away(
    project: Path, served: str, context: BrowserContext
) -> None:
    path = project / KIRBY
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("kind: person", "kind: persn"), encoding="utf-8")
    wait_for_findings(served, lambda f: f["stale"] is True)
    page = open_page(context)
    expect(page.locator(OVERLAY)).to_be_visible()
    path.write_text(good, encoding="utf-8")
    # Live reload loads the page again after the rebuild: no overlay then.
    expect(page.locator(OVERLAY)).to_have_count(0, timeout=RELOAD_MS)
    assert not findings_of(served)["id"]  # type: ignore[index]
    page.reload()
    assert settled(page) == "none"
    expect(page.locator(OVERLAY)).to_have_count(0)


def test_ten_findings_then_a_count_of_the_rest(
    project: Path, served: str, context: BrowserContext
) -> None:
    extra = [project / "casefile" / "actors" / f"broken-{n:02}.yml" for n in range(12)]
    for path in extra:
        path.write_text("name: Broken\nkind: persn\n", encoding="utf-8")
    try:
        wait_for_findings(served, lambda f: f["errors"]["total"] >= 12)  # type: ignore[index]
        page = open_page(context)
        expect(page.locator(f"{OVERLAY} .cf-overlay__section").first).to_be_visible()
        errors = page.locator(f"{OVERLAY} > .cf-overlay__section")
        expect(errors.locator(".cf-overlay__finding")).to_have_count(10)
        total = findings_of(served)["errors"]["total"]  # type: ignore[index]
        expect(errors.locator(".cf-overlay__more")).to_have_text(
            f"and {total - 10} more errors: see the terminal"
        )
    finally:
        for path in extra:
            path.unlink()
        wait_for_findings(served, lambda f: not f["id"])


PAYLOAD = '"><img src=x onerror=window.__xss=1><script>window.__xss=1</script>'


def test_record_text_in_a_finding_is_inert(
    project: Path, served: str, context: BrowserContext
) -> None:
    """A record's own words (a value, a field name, a file name) reach the overlay as text."""
    hostile = project / "casefile" / "actors" / "<svg onload=window.__xss=1>.yml"
    hostile.write_text(f"name: x\nkind: '{PAYLOAD}'\n'{PAYLOAD}': 1\n", encoding="utf-8")
    try:
        wait_for_findings(served, lambda f: f["errors"]["total"] >= 3)  # type: ignore[index]
        context.add_init_script("window.__ran = []; window.alert = () => __ran.push('alert');")
        page = open_page(context)
        expect(page.locator(OVERLAY)).to_be_visible()
        text = page.locator(OVERLAY).inner_text()
        assert PAYLOAD in text and "<svg onload=window.__xss=1>.yml" in text
        assert page.locator(f"{OVERLAY} img, {OVERLAY} script, {OVERLAY} svg").count() == 0
        assert page.evaluate("window.__xss") is None
        hrefs = page.locator(f"{OVERLAY} a").evaluate_all("as => as.map(a => a.href)")
        assert hrefs and all(h.startswith("vscode://file/") for h in hrefs), hrefs
        assert all("<" not in h and '"' not in h for h in hrefs), hrefs
    finally:
        hostile.unlink()
        wait_for_findings(served, lambda f: not f["id"])


def test_a_built_site_has_no_overlay(site_dir: Path, browse: Browsing) -> None:
    """`mkdocs build`: no overlay script or style, no findings file, nothing on any page."""
    assert not list(site_dir.rglob("overlay.*"))
    assert not list(site_dir.rglob("findings.json"))
    for html in site_dir.rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert "casefile/overlay" not in text and "cf-overlay" not in text, html
    page = browse.page("/")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.reload()
    page.wait_for_load_state("networkidle")  # a static server: no live reload's long poll
    expect(page.locator(OVERLAY)).to_have_count(0)
    assert page.evaluate("document.documentElement.dataset.cfOverlay") is None
    assert not [u for u in requests if "findings" in u or "overlay" in u]


def test_a_serve_started_with_broken_records_shows_them_until_they_are_fixed(
    tmp_path: Path, browser: Browser
) -> None:
    """No last good site to show: the home page lists the errors (readable without
    JavaScript), the overlay says the pages come once they are fixed, and the save that fixes
    them reloads into the whole site."""
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy2(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    for folder in ("docs", "casefile"):
        shutil.copytree(ROOT / folder, project / folder)
    path = project / KIRBY
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("kind: person", "kind: persn"), encoding="utf-8")
    watch = Watch()
    with mkdocs_serve(project) as url, watched_context(browser, url, watch) as context:
        page = context.new_page()
        page.goto("")
        assert settled(page) == "shown"
        expect(page.get_by_role("heading", level=1)).to_contain_text("The records have errors")
        expect(page.locator("pre.casefile-errors")).to_contain_text(
            "john-kirby.yml:3:7: error[bad-enum]: 'kind' is 'persn'"
        )
        title = "The records have errors: their pages are built once they are fixed"
        expect(page.get_by_role("dialog", name=title)).to_be_visible()
        path.write_text(good, encoding="utf-8")
        # Live reload loads the page again after the whole build: the case file's home.
        expect(page.locator(OVERLAY)).to_have_count(0, timeout=RELOAD_MS)
        expect(page.get_by_role("heading", level=1)).not_to_contain_text("The records have errors")
        assert not findings_of(url)["id"]  # type: ignore[index]
        page.goto("actors/john-kirby/")
        expect(page.get_by_role("heading", level=1)).to_contain_text("John Kirby")
    assert not watch.problems(), "\n".join(watch.problems())
