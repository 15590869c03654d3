"""Hardening: hostile records build a safe site, the scan catches what it must, builds are
reproducible, nothing is lost or written where it should not be, and the loader survives
anything (arbitrary bytes, arbitrary YAML, the classic YAML pitfalls)."""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_scripts import cli, scan, strictyaml
from build_scripts.checker import check, id_key
from build_scripts.escape import _INVISIBLE, attr, md_text
from build_scripts.findings import CODES, Location, format_text
from build_scripts.models import FOLDER, KIND, KIND_LIST, check_id
from build_scripts.scan import scan_site
from build_scripts.strictyaml import load_file
from tests.cases import MINIMAL, build

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = Path(__file__).resolve().parent / "hostile"
MKDOCS = [sys.executable, "-m", "mkdocs"]
XSS = "window.__xss=1"
# The bundle Material 9.8 ships, and our own script: the unit tests' fake site holds both.
BUNDLE = "assets/javascripts/bundle.a5f9d56c.min.js"
WORKER = "assets/javascripts/workers/search.a7633da7.min.js"
# One of Material's inline scripts (partials/javascripts/content.html), verbatim.
MATERIAL_TABS_SCRIPT = (
    "var target=document.getElementById(location.hash.slice(1));target&&target.name&&"
    '(target.checked=target.name.startsWith("__tabbed_"))'
)


def copy_example(target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copy2(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    shutil.copytree(ROOT / "docs", target / "docs")
    shutil.copytree(ROOT / "casefile", target / "casefile")
    return target


def copy_hostile(target: Path, *, site_name: str | None = None) -> Path:
    shutil.copytree(HOSTILE, target)
    (target / "docs").mkdir()  # MkDocs needs a docs folder; every page is generated
    if site_name is not None:
        config = target / "mkdocs.yml"
        text = re.sub(r"(?m)^site_name: .*$", f"site_name: {site_name}", config.read_text())
        config.write_text(text)
    return target


class _Reader(HTMLParser):
    """What a reader sees: element text (permalink markers left out) and JSON-LD blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: dict[str, list[str]] = {}
        self.visible: list[str] = []
        self.json_ld: list[str] = []
        self._open: list[tuple[str, list[str]]] = []
        self._skipping: list[str] = []  # script, style, and the headings' permalink anchors
        self._script: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script" and values.get("type") == "application/ld+json":
            self._script = []
        if tag in ("script", "style") or "headerlink" in (values.get("class") or ""):
            self._skipping.append(tag)
        elif tag in ("h1", "title", "blockquote"):
            self._open.append((tag, []))

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()
            if self._script is not None:
                self.json_ld.append("".join(self._script))
                self._script = None
        elif self._open and self._open[-1][0] == tag:
            name, parts = self._open.pop()
            self.texts.setdefault(name, []).append(collapsed("".join(parts)))

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)
        if self._skipping:
            return
        self.visible.append(data)
        for _, parts in self._open:
            parts.append(data)


def read_page(path: Path) -> _Reader:
    reader = _Reader()
    reader.feed(path.read_text(encoding="utf-8"))
    reader.close()
    return reader


def collapsed(text: str) -> str:
    return " ".join(text.split())


def page_path(site: Path, kind: str, record_id: str) -> Path:
    return site / KIND[kind].folder / record_id / "index.html"


# -- the hostile case file ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile case file built into a site (its site name payload is tested on its own)."""
    base = tmp_path_factory.mktemp("hostile")
    project = copy_hostile(base / "project", site_name="Hostile case file")
    result = build(project, base / "site")
    assert result.returncode == 0, result.stderr
    return base / "site"


# Every text and Markdown field of the record format, by kind: the hostile case fills each.
HOSTILE_FIELDS = {
    "case": ("title", "summary", "license", "publisher"),
    "actor": ("name", "aliases", "description", "notes", "roles"),
    "source": ("title", "publisher", "authors", "notes"),
    "event": ("title", "summary", "date_note", "location", "notes", "actors", "sources"),
    "quote": ("text", "context", "translation", "notes", "source"),
}


def _payloads(value: object) -> list[str]:
    """Every string in a value, for checking that each carries a payload."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in _payloads(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _payloads(item)]
    return []


def test_the_hostile_case_is_valid_and_every_text_field_carries_a_payload() -> None:
    report, case = check(HOSTILE / "casefile")
    assert report.ok(strict=True), [format_text(f) for f in report.findings]
    assert case is not None
    assert {r.kind for r in case.records.values()} == {"actor", "source", "event", "quote"}
    assert any(r.text is not None and r.data.text_public for r in case.of_kind("source"))
    records = [("case", case.meta)] + [(r.kind, r.data) for r in case.records.values()]
    filled: dict[str, set[str]] = {kind: set() for kind in HOSTILE_FIELDS}
    for kind, data in records:
        for name in HOSTILE_FIELDS[kind]:
            value = getattr(data, name)
            dumped = value if isinstance(value, str) else _dump(value)
            if any(XSS in s for s in _payloads(dumped)):
                filled[kind].add(name)
    assert filled == {kind: set(names) for kind, names in HOSTILE_FIELDS.items()}


def _dump(value: object) -> object:
    if isinstance(value, list):
        return [_dump(v) for v in value]
    if hasattr(value, "model_dump"):
        data = value.model_dump(mode="json", exclude_none=True)  # type: ignore[attr-defined]
        # Ids and dates are typed, not text: only text fields must carry payloads.
        for key in ("organization", "start", "end", "actor", "source"):
            data.pop(key, None)
        return data
    return value


def test_the_hostile_site_has_nothing_that_could_run(hostile_site: Path) -> None:
    findings = scan_site(hostile_site)
    assert findings == [], "\n".join(format_text(f) for f in findings)


def test_the_hostile_payloads_are_shown_as_text(hostile_site: Path) -> None:
    """The payloads are on the pages, as the characters they are: nothing was dropped."""
    _, case = check(HOSTILE / "casefile")
    assert case is not None
    actor = case.records["hostile-actor"].data
    page = read_page(page_path(hostile_site, "actor", "hostile-actor"))
    html = page_path(hostile_site, "actor", "hostile-actor").read_text(encoding="utf-8")
    assert "<script>" in actor.name
    assert "&lt;script&gt;" in html or "&#60;script&#62;" in html
    assert page.texts["h1"] == [collapsed(actor.name)]
    assert collapsed(actor.name) in collapsed(page.texts["title"][0])
    visible = collapsed("".join(page.visible))
    for alias in actor.aliases:
        assert collapsed(alias) in visible
    for payload in (
        f"<script>{XSS}</script>",
        f'<img src=x onerror="{XSS}">',
        f'<div markdown="1" onclick="{XSS}">',
        '--8<-- "mkdocs.yml"',
        "{{ config }} {% raw %}",
        f"&lt;script&gt;{XSS}&lt;/script&gt;",  # entities in the text stay entities
    ):
        assert payload in visible, payload
    ld = [json.loads(block) for block in page.json_ld]
    assert [block["name"] for block in ld] == [actor.name]

    quote = case.records["hostile-quote"].data
    page = read_page(page_path(hostile_site, "quote", "hostile-quote"))
    assert collapsed(quote.text) in page.texts["blockquote"]
    assert [json.loads(b)["text"] for b in page.json_ld] == [quote.text]

    source = case.records["hostile-source"]
    assert source.text is not None
    page = read_page(page_path(hostile_site, "source", "hostile-source"))
    visible = collapsed("".join(page.visible))
    for paragraph in source.text.paragraphs:
        assert collapsed(paragraph) in visible


def test_the_hostile_site_includes_no_file_and_no_configuration(hostile_site: Path) -> None:
    """Snippet markers and Jinja in records stay text: no file, no config reaches the site."""
    canary = (HOSTILE / "mkdocs.yml").read_text().splitlines()[0]
    for path in hostile_site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".xml"):
            text = path.read_text(encoding="utf-8")
            assert canary not in text, path
            assert "root:x:0:0" not in text, path
            assert "use_directory_urls" not in text, path
            assert "MkDocsConfig" not in text, path


def test_a_site_name_with_markup_is_refused(tmp_path: Path) -> None:
    """Material prints site_name unescaped in every page; the plugin refuses markup in it."""
    project = copy_hostile(tmp_path / "project")
    result = build(project, tmp_path / "site")
    assert result.returncode != 0
    assert "site_name must be plain text" in result.stderr
    assert not (tmp_path / "site" / "index.html").exists()


# -- the scan itself ----------------------------------------------------------------------------


def fake_site(root: Path, pages: dict[str, str]) -> Path:
    for asset in (BUNDLE, WORKER, "assets/casefile/casefile.js"):
        (root / asset).parent.mkdir(parents=True, exist_ok=True)
        (root / asset).write_text("// asset\n")
    for name, text in pages.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def scan_one(tmp_path: Path, html: str, name: str = "index.html") -> list[str]:
    found = scan_site(fake_site(tmp_path / "site", {name: html}))
    assert all(f.code.startswith("scan-") and f.severity.value == "error" for f in found)
    return [f.message for f in found]


BAD_HTML = {
    "onclick": ('<div onclick="go()">x</div>', "event-handler attribute onclick= on <div>"),
    "upper-case handler": ("<IMG SRC=x ONERROR=alert(1)>", "onerror= on <img>"),
    "slash-separated handler": ('<img/src="x"/onerror=alert(1)>', "onerror= on <img>"),
    "svg onload": ("<svg onload=alert(1)></svg>", "onload= on <svg>"),
    "javascript href": ('<a href="javascript:alert(1)">x</a>', "javascript: URL in href="),
    "entity-encoded": ('<a href="jav&#x61;script:alert(1)">x</a>', "javascript: URL in href="),
    "entity without ;": ('<a href="&#106avascript:alert(1)">x</a>', "javascript: URL"),
    "tab entity": ('<a href="java&Tab;script:alert(1)">x</a>', "javascript: URL in href="),
    "newline and case": ('<a href=" \n JaVa\nScRiPt:alert(1)">x</a>', "javascript: URL"),
    "leading control": ('<a href="\x01javascript:alert(1)">x</a>', "javascript: URL"),
    "data image": ('<img src="data:image/svg+xml;base64,PHN2Zz4=">', "data: URL in src="),
    "vbscript": ('<a href="VBScript:msgbox(1)">x</a>', "vbscript: URL in href="),
    "form action": ('<form action="javascript:alert(1)"></form>', "javascript: URL in action="),
    "formaction": ('<button formaction="javascript:x">b</button>', "URL in formaction="),
    "xlink:href": (
        '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
        "javascript: URL in xlink:href=",
    ),
    "srcset": ('<img srcset="a.png 1x, javascript:alert(1) 2x">', "javascript: URL in srcset="),
    "poster": ('<video poster="javascript:alert(1)"></video>', "javascript: URL in poster="),
    "svg animate": (
        '<svg><a><animate attributeName="href" values="javascript:alert(1)"/></a></svg>',
        "javascript: URL in values=",
    ),
    "inline script": ("<script>alert(1)</script>", "inline script that is not Material's own"),
    "javascript type": ('<script type="text/javascript">alert(1)</script>', "inline script"),
    "module": ('<script type="module">alert(1)</script>', "inline script"),
    "tampered Material script": (
        f"<script>{MATERIAL_TABS_SCRIPT};alert(1)</script>",
        "inline script that is not Material's own",
    ),
    "foreign src": (
        '<script src="https://cdn.example/x.js"></script>',
        "script from outside the site's own assets",
    ),
    "protocol-relative src": (
        '<script src="//cdn.example/assets/casefile/casefile.js"></script>',
        "outside the site's own assets",
    ),
    "src above the root": (
        '<script src="../assets/casefile/casefile.js"></script>',
        "outside the site's own assets",
    ),
    "src not an own script": ('<script src="assets/other.js"></script>', "outside the site's"),
    "src with text": (
        '<script src="assets/casefile/casefile.js">alert(1)</script>',
        "script with src= also has text",
    ),
    "template script": (
        '<script type="text/x-template"><img src=x onerror=alert(1)></script>',
        "script of type 'text/x-template' is not allowed",
    ),
    "json without id": ('<script type="application/json">{}</script>', "'application/json'"),
    "bad JSON-LD": (
        '<script type="application/ld+json">{"a": </script>',
        "application/ld+json script is not valid JSON",
    ),
    "JSON-LD breakout": (
        '<script type="application/ld+json">{}</script foo><script>alert(1)</script>',
        "script text holds '</script' or '<!--'",
    ),
    "foreign search worker": (
        '<script id="__config" type="application/json">{"base": ".", "features": [], '
        '"search": "https://cdn.example/w.js", "translations": {}}</script>',
        "__config names a search worker outside the site",
    ),
    "self-closing script": ("<script/>alert(1)</script>", "self-closing <script/>"),
    "unclosed script": ("<p>x</p><script>alert(1)", "never closed"),
    "iframe": ('<iframe src="https://example.org/"></iframe>', "<iframe> element"),
    "object": ('<object data="x.swf"></object>', "<object> element"),
    "embed": ('<embed src="x.swf">', "<embed> element"),
    "base": ('<base href="https://evil.example/">', "<base> element"),
    "meta refresh": (
        '<meta http-equiv=" Refresh " content="0;url=https://evil.example/">',
        '<meta http-equiv="refresh">',
    ),
    "comment closed by --!>": (
        "<!-- --!><img src=x onerror=alert(1)> -->",
        "comment that browsers end earlier",
    ),
    "empty comment <!-->": ("<!--><img src=x onerror=alert(1)> -->", "comment that browsers"),
    "CDATA in HTML": ("<![CDATA[><img src=x onerror=alert(1)>]]>", "section"),
}


@pytest.mark.parametrize("html, expected", BAD_HTML.values(), ids=BAD_HTML.keys())
def test_the_scan_catches(tmp_path: Path, html: str, expected: str) -> None:
    found = scan_one(tmp_path, f"<!doctype html><html><body>{html}</body></html>")
    assert any(expected in what for what in found), found


GOOD_HTML = {
    "JSON-LD": '<script type="application/ld+json">{"name": "\\u003cscript\\u003e"}</script>',
    "JSON-LD, type in capitals": '<script type=" Application/LD+JSON ">[1, 2]</script>',
    "Material's config": (
        '<script id="__config" type="application/json">{"base": ".", "features": [], '
        f'"search": "{WORKER}", "translations": {{}}, "annotate": null}}</script>'
    ),
    "Material's inline script": f"<script>{MATERIAL_TABS_SCRIPT}</script>",
    "the bundle": f'<script src="{BUNDLE}"></script>',
    "our script, deferred": '<script defer src="./assets/casefile/casefile.js"></script>',
    "absolute path (404 page)": '<script src="/assets/casefile/casefile.js"></script>',
    "absolute path below a prefix": f'<script src="/docs/v1/{BUNDLE}"></script>',
    "escaped markup as text": "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp;lt;b&amp;gt;</p>",
    "a scheme in a query": '<a href="https://example.org/?q=javascript:alert(1)">x</a>',
    "a space in the scheme is a relative URL": '<a href="java script:alert(1)">x</a>',
    "links and images": '<a href="../x/#p-1">x</a><img src="img.png" alt="javascript:">',
    "mailto": '<a href="mailto:a@example.org">mail</a>',
    "comment": "<!--! Font Awesome -->",
}


@pytest.mark.parametrize("html", GOOD_HTML.values(), ids=GOOD_HTML.keys())
def test_the_scan_accepts(tmp_path: Path, html: str) -> None:
    assert scan_one(tmp_path, f"<!doctype html><html><head>{html}</head></html>") == []


def test_the_scan_resolves_script_paths_from_nested_pages(tmp_path: Path) -> None:
    good = f'<script src="../../{BUNDLE}"></script>'
    assert scan_one(tmp_path / "a", good, name="actors/x/index.html") == []
    bad = f'<script src="../{BUNDLE}"></script>'  # actors/assets/... is not an own script
    assert scan_one(tmp_path / "b", bad, name="actors/x/index.html") != []


def test_the_scan_reads_the_search_index_html(tmp_path: Path) -> None:
    def index(text: str) -> str:
        return json.dumps({"docs": [{"location": "a/", "title": "A", "text": text}]})

    found = scan_one(tmp_path / "bad", index("<p><img src=x onerror=alert(1)></p>"), name="s.json")
    assert found == ["search index entry 'a/', text: event-handler attribute onerror= on <img>"]
    assert scan_one(tmp_path / "good", index("<p>&lt;img onerror=x&gt;</p>"), name="s.json") == []


def test_the_scan_finds_located_findings(tmp_path: Path) -> None:
    site = fake_site(tmp_path / "site", {"index.html": "<p>\n<b onclick=x>b</b></p>"})
    (finding,) = scan_site(site)
    assert (finding.code, finding.location) == (
        "scan-event-handler",
        Location(site / "index.html", 2),
    )
    assert finding.message == "event-handler attribute onclick= on <b>"


def test_the_scan_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`casefile scan SITE_DIR` prints its findings as `casefile check` does: exit 1 on any."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.chdir(tmp_path)
    fake_site(tmp_path / "site", {"index.html": "<p>\n<b onclick=x>b</b></p>"})
    assert cli.main(["scan", "site"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "site/index.html:2:1: error[scan-event-handler]: event-handler attribute onclick= on <b>\n"
        "1 error, 0 warnings\n"
    )
    assert scan.main(["site"]) == 1  # python -m build_scripts.scan runs the same command
    capsys.readouterr()
    assert cli.main(["scan", "--format", "json", "site"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["errors"] == 1
    assert report["findings"][0]["code"] == "scan-event-handler"
    assert (report["findings"][0]["file"], report["findings"][0]["line"]) == ("site/index.html", 2)
    (tmp_path / "site" / "index.html").write_text("<p>fine</p>")
    assert cli.main(["scan", "site"]) == 0
    assert capsys.readouterr().err == "0 errors, 0 warnings\n"
    assert cli.main(["scan", str(tmp_path / "missing")]) == 2


def test_the_scan_command_annotates_under_github_actions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.chdir(tmp_path)
    fake_site(tmp_path / "site", {"index.html": '<a href="javascript:x">x</a>'})
    assert cli.main(["scan", "site"]) == 1
    assert capsys.readouterr().out == (
        "::error file=site/index.html,line=1,col=1,title=casefile scan-script-url::"
        "javascript: URL in href= on <a>: 'javascript:x'\n"
    )
    assert summary.read_text().startswith("### casefile scan: 1 error, 0 warnings\n")


# -- the example site: scanned, reproducible, complete, and read-only for the build ----------------


@dataclass
class ExampleBuilds:
    project: Path
    first: Path  # SOURCE_DATE_EPOCH=1660000000, one hash seed, UTC, C.UTF-8
    second: Path  # the same epoch, another seed, Asia/Tokyo, another locale, another folder
    later: Path  # another SOURCE_DATE_EPOCH
    before: dict[str, tuple[object, ...]]
    after: dict[str, tuple[object, ...]]


def other_locale() -> str:
    """An installed locale other than C.UTF-8 (a real one if any is installed)."""
    try:
        listed = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False)
        names = listed.stdout.split()
    except OSError:
        names = []
    real = [n for n in names if n.split(".")[0] not in ("C", "POSIX")]
    return next((n for n in real if "utf" in n.lower()), real[0] if real else "POSIX")


def snapshot(*trees: Path) -> dict[str, tuple[object, ...]]:
    """Every file and folder with its content hash, mode and modification time."""
    out: dict[str, tuple[object, ...]] = {}
    for tree in trees:
        for path in sorted([tree, *tree.rglob("*")]):
            stat = path.lstat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
            out[path.as_posix()] = (stat.st_mode, stat.st_mtime_ns, stat.st_size, digest)
    return out


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> ExampleBuilds:
    base = tmp_path_factory.mktemp("example")
    project = copy_example(base / "project")
    elsewhere = copy_example(base / "a-longer-folder-name" / "project")
    common = {"SOURCE_DATE_EPOCH": "1660000000", "PYTHONHASHSEED": "0"}
    first = {**common, "TZ": "UTC", "LC_ALL": "C.UTF-8"}
    second = {**common, "PYTHONHASHSEED": "4242", "TZ": "Asia/Tokyo", "LC_ALL": other_locale()}
    later = {**first, "SOURCE_DATE_EPOCH": "1700000000"}
    before = snapshot(project / "casefile", project / "docs")
    runs = [
        (project, base / "first", first),
        (elsewhere, base / "second", second),
        (project, base / "later", later),
    ]
    processes = [
        subprocess.Popen(
            [*MKDOCS, "build", "--strict", "-d", str(out)],
            cwd=cwd,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for cwd, out, env in runs
    ]
    for process in processes:
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr
    after = snapshot(project / "casefile", project / "docs")
    return ExampleBuilds(project, base / "first", base / "second", base / "later", before, after)


def test_the_scan_accepts_the_example_site(example: ExampleBuilds) -> None:
    home = (example.first / "index.html").read_text(encoding="utf-8")
    # What the scan allows is really there: Material's config, inline scripts and bundle.
    assert '<script id="__config" type="application/json">' in home
    assert "<script>__md_scope=new URL(" in home
    assert f'<script src="{BUNDLE}"></script>' in home
    assert '<script src="assets/casefile/casefile.js"></script>' in home
    assert '<script type="application/ld+json">' in home
    assert scan_site(example.first) == []


def files_of(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_builds_are_reproducible(example: ExampleBuilds) -> None:
    """Hash seed, time zone, locale and folder change nothing: every byte is the same."""
    first, second = files_of(example.first), files_of(example.second)
    assert "sitemap.xml.gz" in first
    assert sorted(first) == sorted(second)
    differ = [name for name in first if first[name] != second[name]]
    assert differ == []


def test_only_the_sitemap_archive_depends_on_the_build_date(example: ExampleBuilds) -> None:
    """SOURCE_DATE_EPOCH reaches two places: the gzip header of sitemap.xml.gz (its mtime),
    and the feeds, which it dates when there is no history to date them. Without it MkDocs
    uses the build day, so two days' builds differ in that file."""
    first, later = files_of(example.first), files_of(example.later)
    assert sorted(first) == sorted(later)
    differ = {name for name in first if first[name] != later[name]}
    # sitemap.xml too once site_url is set: its <lastmod> is the build day.
    assert "sitemap.xml.gz" in differ
    assert differ <= {"sitemap.xml.gz", "sitemap.xml", "feeds/events.xml", "feeds/changes.xml"}
    # The gzip MTIME field: the build day (from SOURCE_DATE_EPOCH) at midnight UTC.
    midnight = 1660000000 - 1660000000 % 86400
    assert first["sitemap.xml.gz"][4:8] == midnight.to_bytes(4, "little")


def differences(written: object, exported: object, where: str) -> list[str]:
    """Where the exported JSON does not hold a value of the YAML (dates and booleans typed)."""
    if isinstance(written, dict):
        if not isinstance(exported, dict):
            return [where]
        return [
            d
            for key, value in written.items()
            for d in (
                differences(value, exported[key], f"{where}.{key}")
                if key in exported
                else [f"{where}.{key} (missing)"]
            )
        ]
    if isinstance(written, list):
        if not isinstance(exported, list) or len(written) != len(exported):
            return [where]
        return [
            d
            for i, (a, b) in enumerate(zip(written, exported, strict=True))
            for d in differences(a, b, f"{where}[{i}]")
        ]
    if isinstance(exported, dict) and "edtf" in exported:
        return [] if written == exported["edtf"] else [where]
    if isinstance(exported, bool):
        return [] if written == str(exported).lower() else [where]
    return [] if written == exported else [where]


def test_nothing_is_lost(example: ExampleBuilds) -> None:
    """Every record and every value of the case file is in casefile.json; every record has
    its page."""
    records = example.project / "casefile"
    exported = json.loads((example.first / "casefile.json").read_text(encoding="utf-8"))
    document, problems = load_file(records / "case.yml")
    assert document is not None and not problems
    lost = differences(document.data, exported["case"], "case.yml")
    count = 0
    for folder in FOLDER:
        by_id = {r["id"]: r for r in exported[folder]}
        paths = sorted((records / folder).glob("*.yml"))
        assert sorted(by_id) == [p.stem for p in paths]
        for path in paths:
            document, problems = load_file(path)
            assert document is not None and not problems
            record = by_id[path.stem]
            assert record["file"] == path.name
            lost += differences(document.data, record, f"{folder}/{path.name}")
            page = page_path(example.first, FOLDER[folder].name, path.stem)
            assert page.is_file(), page
            heading = read_page(page).texts["h1"]
            if folder != "quotes":
                value = record["name"] if folder == "actors" else record["title"]
                assert heading == [collapsed(value)]
            count += 1
    assert lost == []
    assert count >= 40


def test_the_build_never_writes_into_the_records_or_docs(example: ExampleBuilds) -> None:
    assert len(example.before) > 40
    assert example.after == example.before


# -- the loader survives anything --------------------------------------------------------------

RECORD_PATHS = ("case.yml", "actors/x.yml", "sources/x.yml", "events/x.yml", "quotes/x.yml")


def check_with(files: dict[str, bytes]) -> None:
    """check() on the minimal case plus `files`: findings or a case, never an exception."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, content in {**{k: v.encode() for k, v in MINIMAL.items()}, **files}.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(content)
        report, case = check(root)
        assert (case is None) == bool(report.errors)
        for finding in report.findings:
            assert finding.code in CODES
            assert finding.location.line >= 1 and finding.location.col >= 1
            format_text(finding, cwd=root)


def test_the_minimal_case_is_clean() -> None:
    with tempfile.TemporaryDirectory() as folder:
        for name, content in MINIMAL.items():
            (Path(folder) / name).parent.mkdir(parents=True, exist_ok=True)
            (Path(folder) / name).write_text(content)
        report, case = check(Path(folder))
        assert report.ok(strict=True) and case is not None


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from([*RECORD_PATHS, "sources/memo.txt"]), data=st.binary(max_size=400))
def test_arbitrary_bytes_as_a_record(path: str, data: bytes) -> None:
    check_with({path: data})


FIELD_NAMES = sorted(
    {name for kind in KIND_LIST for name in kind.model.model_fields}
    | {"source", "locator", "excerpt", "actor", "role", "organization", "start", "end"}
    | {"website", "wikipedia", "wikidata", "title", "license"}
)
VALUES = st.sampled_from(
    [
        *("ann", "memo", "meeting", "2022-02-30", "2022-06~/2022-05", "../..", "true", "yes"),
        *("no", "person", "article", "reported", "https://example.org/", "Q42", "en", "[[ann]]"),
    ]
)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
TREES = st.recursive(
    SCALARS | VALUES,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=20,
)


@pytest.mark.parametrize("path", RECORD_PATHS)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tree=st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), TREES, max_size=8)
    | TREES
)
def test_arbitrary_yaml_as_a_record(path: str, tree: object) -> None:
    check_with({path: yaml.safe_dump(tree, allow_unicode=True).encode()})


@settings(max_examples=300, deadline=None)
@given(st.text() | st.text(st.sampled_from("a &<>\"'\u202e\x7f")))
def test_an_attribute_value_is_escaped_with_invisible_characters_dropped(value: str) -> None:
    """`attr` returns a value with nothing to escape as it is; the same as escaping it."""
    assert attr(value) == html.escape(_INVISIBLE.sub("", value), quote=True)


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_plain_text_renders_as_exactly_itself(value: str) -> None:
    """md_text: whatever the text, Markdown (with the site's extensions) shows just the text."""
    md = markdown.Markdown(extensions=["attr_list", "md_in_html", "toc", "admonition"])
    reader = _Reader()
    reader.feed(md.convert("# " + md_text(value)))
    reader.close()
    expected = collapsed(_INVISIBLE.sub("", value))
    assert reader.texts.get("h1", [""]) == [expected] or (not expected and "h1" not in reader.texts)


# -- YAML pitfalls, each with its exact located message ----------------------------------------


def findings_for(tmp_path: Path, name: str, data: bytes) -> list[str]:
    root = tmp_path / "casefile"
    for file, content in {**MINIMAL, name: None}.items():
        (root / file).parent.mkdir(parents=True, exist_ok=True)
        if content is not None:
            (root / file).write_text(content)
    (root / name).write_bytes(data)
    report, _ = check(root)
    return [format_text(f, cwd=root).splitlines()[0] for f in report.findings]


def _check_deep(tmp_path: Path, content: str) -> tuple[subprocess.CompletedProcess[str], float]:
    root = tmp_path / "casefile"
    (root / "actors").mkdir(parents=True)
    (root / "case.yml").write_text("title: A case\n")
    (root / "actors" / "deep.yml").write_text(content)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "build_scripts.cli", "check", str(root)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return result, time.perf_counter() - start


def _flow(depth: int) -> str:
    return "[" * depth + "]" * depth + "\n"


def _block(depth: int) -> str:
    return "".join(f"{'  ' * level}k{level}:\n" for level in range(depth)) + "  " * depth + "x\n"


@pytest.mark.parametrize("depth", [40, 500])
@pytest.mark.parametrize(
    ("style", "write", "where"),
    [
        ("flow", _flow, "1:33"),
        ("block", _block, "33:65"),
    ],
)
def test_our_nesting_limit_is_the_one_that_fires(
    tmp_path: Path, depth: int, style: str, write: Callable[[int], str], where: str
) -> None:
    """Between 33 and 999 levels, whatever libyaml's own limit, ours reports the 33rd level."""
    result, _ = _check_deep(tmp_path, write(depth))
    assert result.returncode == 1, result.stderr
    assert result.stderr.splitlines()[0] == (
        f"casefile/actors/deep.yml:{where}: error[too-deep]: nesting deeper than 32 levels"
    ), style


@pytest.mark.parametrize("content", ["[" * 50_000, "{a: " * 20_000, _flow(5_000)])
def test_pathological_nesting_is_one_located_error_in_bounded_time(
    tmp_path: Path, content: str
) -> None:
    """Past libyaml's own limit (1,000 in 0.2.5) the same finding is reported, never a crash."""
    result, seconds = _check_deep(tmp_path, content)
    assert result.returncode == 1, result.stderr
    first = result.stderr.splitlines()[0]
    assert re.fullmatch(
        r"casefile/actors/deep\.yml:1:\d+: error\[too-deep\]: nesting deeper than 32 levels", first
    ), first
    assert "Traceback" not in result.stderr
    assert seconds < 30


def test_an_alias_bomb_is_rejected_fast(tmp_path: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        name, previous = chr(97 + i), chr(96 + i)
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 10)}]")
    start = time.perf_counter()
    found = findings_for(tmp_path, "actors/bomb.yml", "\n".join(lines).encode())
    assert time.perf_counter() - start < 1
    assert "actors/bomb.yml:1:4: error[yaml-feature]: anchor '&a' is not allowed in records" in (
        found
    )


def test_an_impossible_date(tmp_path: Path) -> None:
    event = MINIMAL["events/meeting.yml"].replace("2022-07-27", "2022-02-30")
    assert findings_for(tmp_path, "events/meeting.yml", event.encode()) == [
        "events/meeting.yml:2:15: error[impossible-date]: 'date': 2022-02-30 is not a real day: "
        "February 2022 has 28 days"
    ]


def test_yaml_1_1_values_stay_text(tmp_path: Path) -> None:
    record = b"name: no\nkind: person\naliases: [yes, on, off, null, ~, 1:30, 0o17, 1e3, .inf]\n"
    assert findings_for(tmp_path, "actors/ann.yml", record) == []
    _, case = check(tmp_path / "casefile")
    assert case is not None
    assert case.records["ann"].data.name == "no"
    assert case.records["ann"].data.aliases == [
        *("yes", "on", "off", "null", "~", "1:30", "0o17", "1e3", ".inf")
    ]
    quote = b"text: we will talk\nspeaker: ann\nsource: {source: memo, locator: 1:30}\n"
    assert findings_for(tmp_path / "q", "quotes/ann-talk.yml", quote) == []
    _, case = check(tmp_path / "q" / "casefile")
    assert case is not None and case.records["ann-talk"].data.source.locator == "1:30"
    booleans = b"title: A memo\nkind: document\ntext_public: yes\n"
    assert (
        "sources/memo.yml:3:14: error[bad-value]: 'text_public': 'yes' is not true or false"
        in findings_for(tmp_path / "b", "sources/memo.yml", booleans)
    )


def test_a_file_over_one_megabyte(tmp_path: Path) -> None:
    record = b"name: Ann\nkind: person\nnotes: |\n  " + b"x" * 1_000_000 + b"\n"
    assert findings_for(tmp_path, "actors/ann.yml", record)[0] == (
        f"actors/ann.yml:1:1: error[file-too-large]: file is {len(record):,} bytes; "
        "the limit is 1,000,000"
    )
    # The limit itself is allowed (in a full text: a record's fields have limits of their own).
    head = b"Ann said we will talk.\n\n"
    exact = head + b"x" * (1_000_000 - len(head) - 1) + b"\n"
    assert len(exact) == 1_000_000
    assert findings_for(tmp_path / "exact", "sources/memo.txt", exact) == []


@pytest.mark.parametrize(
    "data, message",
    [
        (
            b"name: caf\xe9\nkind: person\n",
            "actors/ann.yml:1:10: error[file-encoding]: byte 0xe9 is not valid UTF-8",
        ),
        (
            b"name: a\x00b\nkind: person\n",
            "actors/ann.yml:1:8: error[forbidden-character]: invisible control character "
            "U+0000 is not allowed",
        ),
        (
            "name: a\u202eb\nkind: person\n".encode(),
            "actors/ann.yml:1:8: error[forbidden-character]: invisible control character "
            "U+202E is not allowed",
        ),
        (
            "name: Ann\nkind: person\nnotes: \u2067x\u2069\n".encode(),
            "actors/ann.yml:3:8: error[forbidden-character]: invisible control character "
            "U+2067 is not allowed",
        ),
    ],
    ids=["non-UTF-8", "NUL", "bidi override", "bidi isolate"],
)
def test_bytes_and_characters_that_are_refused(tmp_path: Path, data: bytes, message: str) -> None:
    assert message in findings_for(tmp_path, "actors/ann.yml", data)


@pytest.mark.parametrize("escape", ["\\u202e", "\\u200f", "\\0", "\\x00", "\\U0001F600\\u2066"])
def test_escaped_control_characters_are_refused(tmp_path: Path, escape: str) -> None:
    record = f'name: "a{escape}b"\nkind: person\n'.encode()
    found = findings_for(tmp_path, "actors/ann.yml", record)
    assert any("error[forbidden-character]" in line for line in found), found


@pytest.mark.parametrize("loader", ["C", "Python"])
def test_a_raw_control_character_is_a_syntax_finding_with_either_parser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loader: str
) -> None:
    """libyaml refuses it while scanning; PyYAML's own reader as soon as it is made (the
    parser used where PyYAML was built without libyaml): a finding either way, no exception."""
    if loader == "Python":
        monkeypatch.setattr(strictyaml, "_Loader", yaml.SafeLoader)
    path = tmp_path / "ann.yml"
    document, found = strictyaml.load_data(b"name: a\x01b\nkind: person\n", path)
    assert document is None
    assert [f.code for f in found] == ["yaml-syntax"], found


# -- generated paths belong to the build -------------------------------------------------------


@pytest.mark.parametrize("page", ["timeline.md", "actors/john-kirby.md"])
def test_a_hand_written_page_at_a_generated_path_aborts_the_build(
    tmp_path: Path, page: str
) -> None:
    project = copy_example(tmp_path / "project")
    (project / "docs" / page).parent.mkdir(parents=True, exist_ok=True)
    (project / "docs" / page).write_text("# Mine\n")
    result = build(project, tmp_path / "site")
    assert result.returncode != 0
    assert (
        f"casefile: docs/{page} is a hand-written page at the path of a generated one; "
        "rename or remove it" in result.stderr
    )
    assert (project / "docs" / page).read_text() == "# Mine\n"


def test_a_hand_written_page_at_a_generated_url_aborts_the_build(tmp_path: Path) -> None:
    project = copy_example(tmp_path / "project")
    (project / "docs" / "timeline").mkdir()
    (project / "docs" / "timeline" / "index.md").write_text("# Mine\n")
    result = build(project, tmp_path / "site")
    assert result.returncode == 1
    assert "timeline" in result.stderr


# -- lookalike ids ----------------------------------------------------------------------------
VALID_IDS = st.from_regex(r"\A[a-z0-9]{1,12}(-[a-z0-9]{1,12}){0,3}\Z")
LOOKALIKES = {"o": "0", "l": "1", "m": "rn"}


@given(VALID_IDS, st.data())
def test_an_id_and_its_lookalikes_share_a_key(record_id: str, data: st.DataObject) -> None:
    """Swapping any letter for its lookalike (o/0, l/1, m/rn) keeps the key; the key of a key
    is itself."""
    spots = [i for i, c in enumerate(record_id) if c in LOOKALIKES]
    chosen = data.draw(st.sets(st.sampled_from(spots)) if spots else st.just(set()))
    twin = "".join(LOOKALIKES[c] if i in chosen else c for i, c in enumerate(record_id))
    assert id_key(twin) == id_key(record_id)
    assert id_key(id_key(record_id)) == id_key(record_id)


@pytest.mark.parametrize(
    "one, other", [("ann", "anne"), ("list", "l1st"), ("talks-1", "talks-2"), ("mi", "rnl")]
)
def test_ids_that_do_not_look_alike_keep_their_own_keys(one: str, other: str) -> None:
    assert id_key(one) != id_key(other)


@given(st.characters(min_codepoint=0x80, max_codepoint=0x10FFFF))
def test_ids_are_ascii_so_the_confusable_rows_for_ascii_are_the_whole_table(char: str) -> None:
    """id_key carries only the confusables.txt rows whose source an id may hold: that stays
    complete only as long as no id can hold a character outside ASCII."""
    assert check_id(f"a{char}b") is not None


@pytest.mark.parametrize("tag", ["<actor>", "<citation>", "<id>"])
def test_an_unknown_key_spelt_like_a_discriminator_tag(tmp_path: Path, tag: str) -> None:
    """Found by hypothesis: pydantic's tag names are dropped from error locations, but a key
    the contributor wrote is the field itself."""
    found = findings_for(tmp_path, "events/x.yml", f'"{tag}": null\n'.encode())
    assert f"events/x.yml:1:1: error[unknown-field]: unknown field '{tag}'" in found, found
