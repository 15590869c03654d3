"""Incremental `mkdocs serve`: after any sequence of edits, the served site is byte for byte
what a fresh build of the same files makes (the search index included, once it has caught up
in the background), while only the pages whose inputs changed are rendered again."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig

from build_scripts.plugin import CasefilePlugin

ROOT = Path(__file__).resolve().parent.parent
SERVE_URL = "http://127.0.0.1:8000/"


def _plugin_cache() -> dict[str, object]:
    option = dict(MkDocsConfig._schema)["plugins"]
    return option.plugin_cache  # type: ignore[attr-defined, no-any-return]


@pytest.fixture(autouse=True)
def fresh_plugins() -> Iterator[None]:
    """MkDocs keeps plugin instances between configs of one process (as `serve` needs);
    every test starts and ends without one."""
    _plugin_cache().clear()
    yield
    for plugin in _plugin_cache().values():
        if isinstance(plugin, CasefilePlugin):
            plugin.on_shutdown()
    _plugin_cache().clear()


class Server:
    """What `mkdocs serve` does on every change: load the config again (the plugin instance
    is kept), build into the same folder."""

    def __init__(self, project: Path, site: Path) -> None:
        self.project, self.site = project, site
        config = self._config()
        config.plugins.on_startup(command="serve", dirty=False)
        self.plugin = next(p for p in config.plugins.values() if isinstance(p, CasefilePlugin))

    def _config(self) -> MkDocsConfig:
        return load_config(config_file=str(self.project / "mkdocs.yml"), site_dir=str(self.site))

    def rebuild(self) -> None:
        """A whole build, as MkDocs' own serve builder does it."""
        build(self._config(), serve_url=SERVE_URL)
        settle(self.plugin)

    def serve(self) -> None:
        """Wire the plugin into a live-reload server as `mkdocs serve` does: from then on
        `save()` goes through the builder the plugin wraps."""
        self.live = _Live(self)
        self.plugin.on_serve(self.live, config=self._config(), builder=self.live.builder)  # type: ignore[arg-type]

    def save(self) -> None:
        """What the server does after a save: call its builder (the plugin's wrapper, which
        applies the save in place or calls the whole build)."""
        self.live.builder()
        settle(self.plugin)


class _Live:
    """The two things the plugin uses of MkDocs' LiveReloadServer: `watch` and `builder`
    (here MkDocs' own, counting the whole builds)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.whole_builds = 0
        self.watched: list[str] = []

    def watch(self, path: str) -> None:
        self.watched.append(path)

    def builder(self, config: MkDocsConfig | None = None) -> None:
        self.whole_builds += 1
        build(config or self.server._config(), serve_url=SERVE_URL)


def settle(plugin: CasefilePlugin) -> None:
    """Wait for the search index, which `serve` builds in the background after a build."""
    if plugin._reindexer is not None:
        plugin._reindexer.wait()


def fresh(project: Path, site: Path) -> None:
    """A build by a new plugin instance, as serving starts."""
    _plugin_cache().clear()
    config = load_config(config_file=str(project / "mkdocs.yml"), site_dir=str(site))
    config.plugins.on_startup(command="serve", dirty=False)
    try:
        build(config, serve_url=SERVE_URL)
        settle(next(p for p in config.plugins.values() if isinstance(p, CasefilePlugin)))
    finally:
        config.plugins.on_shutdown()


def assert_fresh(project: Path, tmp: Path) -> None:
    """The served folder (`tmp/served`) is byte for byte a fresh build of `project`."""
    fresh(project, tmp / "fresh")
    served, expected = tree(tmp / "served"), tree(tmp / "fresh")
    assert sorted(served) == sorted(expected)
    for path in expected:
        assert served[path] == expected[path], path


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def project_copy(tmp: Path) -> Path:
    project = tmp / "project"
    shutil.copytree(ROOT / "casefile", project / "casefile")
    shutil.copytree(ROOT / "docs", project / "docs")
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    return project


EVENTS = sorted(p.name for p in (ROOT / "casefile" / "events").glob("*.yml"))


def edit_title(project: Path, name: str, n: int) -> None:
    path = project / "casefile" / "events" / name
    path.write_text(
        path.read_text(encoding="utf-8").replace("title: ", f"title: Edited {n} ", 1), "utf-8"
    )


def add_event(project: Path, name: str, n: int) -> None:
    source = project / "casefile" / "events" / name
    target = source.with_name(f"added-{n}.yml")
    if not source.exists():
        return
    text = source.read_text(encoding="utf-8").replace("title: ", f"title: Added {n} ", 1)
    target.write_text(text, "utf-8")


def delete_event(project: Path, name: str, n: int) -> None:
    path = project / "casefile" / "events" / name
    # Only an event nothing refers to may go without breaking the case file.
    if path.exists() and name.startswith("added-"):
        path.unlink()


def edit_doc(project: Path, name: str, n: int) -> None:
    path = project / "docs" / "contributing.md"
    path.write_text(path.read_text(encoding="utf-8") + f"\nEdited {n}.\n", "utf-8")


EDITS = {"title": edit_title, "add": add_event, "delete": delete_event, "doc": edit_doc}


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(st.sampled_from(sorted(EDITS)), st.sampled_from(EVENTS)),
        min_size=1,
        max_size=3,
    )
)
def test_the_served_site_equals_a_fresh_build_after_any_edits(
    tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[str, str]]
) -> None:
    tmp = tmp_path_factory.mktemp("serve")
    project = project_copy(tmp)
    server = Server(project, tmp / "served")
    try:
        server.rebuild()
        for n, (kind, name) in enumerate(edits):
            if kind == "delete":
                name = f"added-{n - 1}.yml"
            EDITS[kind](project, name, n)
            server.rebuild()
    finally:
        server.plugin.on_shutdown()
    assert_fresh(project, tmp)


def test_one_edit_renders_only_the_pages_it_changes(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    server = Server(project, tmp_path / "served")
    try:
        server.rebuild()
        store = server.plugin._store
        assert store is not None
        assert store.reused == []  # the first build renders everything
        edit_title(project, "whelan-convicted.yml", 1)
        server.rebuild()
        rendered = set(store.inputs) - set(store.reused)
        # The event, the pages that show its title (its actors, sources, neighbours,
        # related events, tags, the timeline, the home page), nothing else.
        assert "events/whelan-convicted/index.html" in rendered
        assert "timeline/index.html" in rendered
        assert len(rendered) < 20, sorted(rendered)
        assert len(store.reused) > 30
        page = (tmp_path / "served" / "events" / "whelan-convicted" / "index.html").read_text()
        assert "Edited 1 " in page
    finally:
        server.plugin.on_shutdown()


def test_a_broken_edit_keeps_the_last_good_site(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    server = Server(project, tmp_path / "served")
    try:
        server.rebuild()
        before = tree(tmp_path / "served")
        path = project / "casefile" / "actors" / "john-kirby.yml"
        path.write_text(path.read_text().replace("kind: person", "kind: persn"), "utf-8")
        server.rebuild()
        after = tree(tmp_path / "served")
        # Only the error overlay's findings change: the pages are the last good ones.
        findings = "assets/casefile/findings.json"
        assert b"john-kirby.yml" in after.pop(findings) and before.pop(findings)
        assert after == before
    finally:
        server.plugin.on_shutdown()


def test_a_serve_started_with_broken_records_shows_them_until_a_save_fixes_them(
    tmp_path: Path,
) -> None:
    """No good site to keep yet: the first build serves the hand-written pages, the overlay's
    findings and a home page that lists the errors, escaped; the save that fixes the records
    builds the whole site, as a fresh build of them."""
    project = project_copy(tmp_path)
    path = project / "casefile" / "actors" / "john-kirby.yml"
    good = path.read_text("utf-8")
    path.write_text(good.replace("kind: person", "kind: <script>alert(1)</script>"), "utf-8")
    server = Server(project, tmp_path / "served")
    try:
        server.serve()
        server.rebuild()  # serve's first build: no error raised, serving goes on
        served = tmp_path / "served"
        home = (served / "index.html").read_text("utf-8")
        assert "The records have errors" in home and "1 error:" in home
        assert "john-kirby.yml:" in home
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in home and "<script>alert" not in home
        assert b"john-kirby.yml" in (served / "assets/casefile/findings.json").read_bytes()
        assert (served / "contributing" / "index.html").is_file()  # the hand-written pages
        assert not (served / "timeline").exists()
        path.write_text(good, "utf-8")
        server.save()
        assert server.live.whole_builds == 1
        assert_fresh(project, tmp_path)
    finally:
        server.plugin.on_shutdown()


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([*sorted(EDITS), "title", "title", "break"]), st.sampled_from(EVENTS)
        ),
        min_size=1,
        max_size=4,
    )
)
def test_saves_applied_in_place_give_a_fresh_build(
    tmp_path_factory: pytest.TempPathFactory, edits: list[tuple[str, str]]
) -> None:
    """Through the server's builder as the plugin wraps it: record edits are applied in
    place, anything else is a whole build; the served folder is a fresh build's."""
    tmp = tmp_path_factory.mktemp("patch")
    project = project_copy(tmp)
    server = Server(project, tmp / "served")
    try:
        server.rebuild()
        server.serve()
        broken: Path | None = None
        for n, (kind, name) in enumerate(edits):
            if broken is not None:  # mend the last break first
                broken.write_text(broken.read_text().replace("kind: persn", "kind: person"))
                broken = None
            elif kind == "break":
                broken = project / "casefile" / "actors" / "john-kirby.yml"
                broken.write_text(broken.read_text().replace("kind: person", "kind: persn"))
            else:
                if kind == "delete":
                    name = f"added-{n - 1}.yml"
                EDITS[kind](project, name, n)
            server.save()
        if broken is not None:
            broken.write_text(broken.read_text().replace("kind: persn", "kind: person"))
            server.save()
    finally:
        server.plugin.on_shutdown()
    assert_fresh(project, tmp)


def test_a_record_edit_is_applied_in_place_and_anything_else_is_a_whole_build(
    tmp_path: Path,
) -> None:
    project = project_copy(tmp_path)
    server = Server(project, tmp_path / "served")
    try:
        server.rebuild()
        server.serve()
        assert server.live.watched == [str(project / "casefile")]
        edit_title(project, "whelan-convicted.yml", 1)
        server.save()
        assert server.live.whole_builds == 0
        page = tmp_path / "served" / "events" / "whelan-convicted" / "index.html"
        assert "Edited 1 " in page.read_text()
        assert "Edited 1 " in (tmp_path / "served" / "timeline" / "index.html").read_text()
        edit_doc(project, "", 2)  # a hand-written page: MkDocs builds it
        server.save()
        assert server.live.whole_builds == 1
        add_event(project, "whelan-convicted.yml", 3)  # a new page: the navigation's files
        server.save()
        assert server.live.whole_builds == 2
        assert (tmp_path / "served" / "events" / "added-3" / "index.html").is_file()
        edit_title(project, "whelan-convicted.yml", 4)
        server.save()
        assert server.live.whole_builds == 2
        assert "Edited 4 " in page.read_text()
    finally:
        server.plugin.on_shutdown()


def test_a_broken_save_applied_in_place_keeps_the_pages_and_shows_the_findings(
    tmp_path: Path,
) -> None:
    project = project_copy(tmp_path)
    server = Server(project, tmp_path / "served")
    try:
        server.rebuild()
        server.serve()
        before = tree(tmp_path / "served")
        path = project / "casefile" / "actors" / "john-kirby.yml"
        path.write_text(path.read_text().replace("kind: person", "kind: persn"), "utf-8")
        server.save()
        assert server.live.whole_builds == 0
        after = tree(tmp_path / "served")
        findings = "assets/casefile/findings.json"
        assert b"john-kirby.yml" in after.pop(findings)
        before.pop(findings)
        assert after == before
    finally:
        server.plugin.on_shutdown()


def test_a_save_under_the_records_wakes_the_server_through_file_events(tmp_path: Path) -> None:
    """The records folder is watched by the system's file events, not MkDocs' polling: a
    write wakes the server's build loop; reading a file does not."""
    from mkdocs.livereload import LiveReloadServer

    from build_scripts.serve_patch import watch_records

    records = tmp_path / "casefile"
    records.mkdir()
    (records / "a.yml").write_text("title: A\n")
    server = LiveReloadServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(tmp_path))
    stop = watch_records(server, str(records))
    try:
        assert not server._watched_paths  # not MkDocs' polling observer
        time.sleep(0.2)
        (records / "a.yml").read_text()
        time.sleep(0.3)
        assert server._want_rebuild is False
        (records / "a.yml").write_text("title: B\n")
        deadline = time.monotonic() + 5
        while not server._want_rebuild and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server._want_rebuild is True
    finally:
        stop()
        server.server_close()
