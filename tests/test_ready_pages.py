"""Generated pages reach MkDocs as ready HTML (ready_pages.py): their source is read as it
is, not copied through MkDocs' metadata parser, and that gives what the parser would."""

from __future__ import annotations

from pathlib import Path

import pytest
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File
from mkdocs.structure.pages import Page
from mkdocs.utils import meta

from benchmarks import synth
from build_scripts.checker import check
from build_scripts.pages import render_site
from build_scripts.ready_pages import IN_FILE, ReadyPage, make_ready
from build_scripts.site_files import hand_over

ROOT = Path(__file__).resolve().parents[1]


def _config(tmp_path: Path) -> MkDocsConfig:
    (tmp_path / "docs").mkdir(exist_ok=True)
    config = MkDocsConfig(config_file_path=str(tmp_path / "mkdocs.yml"))
    config.load_dict({"site_name": "Test", "docs_dir": str(tmp_path / "docs")})
    errors, _ = config.validate()
    assert not errors
    config.plugins._current_plugin = "casefile"  # as MkDocs sets it while a plugin event runs
    return config


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every generated page of the example and of a synthetic case of 300 records."""
    out: dict[str, str] = {}
    synthetic = tmp_path_factory.mktemp("synth") / "casefile"
    synth.generate(synthetic, 300, seed=5)
    for name, records in (("example", ROOT / "casefile"), ("synthetic", synthetic)):
        report, case = check(records)
        assert case is not None, report.errors
        for path, text in render_site(case).files.items():
            if path.endswith(".md"):
                out[f"{name}:{path}"] = text
    return out


def test_mkdocs_metadata_parser_finds_nothing_in_a_generated_page(
    pages: dict[str, str],
) -> None:
    """What `ReadyPage.read_source` skips would have changed nothing: no generated page
    has front matter or MultiMarkdown metadata, or leading blank lines."""
    assert len(pages) > 300
    for where, text in pages.items():
        assert meta.get_data(text) == (text, {}), where


def test_a_ready_page_holds_its_source_itself_not_a_copy(tmp_path: Path) -> None:
    config = _config(tmp_path)
    link = '<a class="headerlink" href="#t" title="Permanent link">&para;</a>'
    body = f'<h1 id="t">Title{link}</h1>\n<p>x</p>\n'
    file = File.generated(config, "events/x.md", content=body)
    page = make_ready(Page(None, file, config))
    assert isinstance(page, ReadyPage)
    page.read_source(config)
    assert page.markdown is file.content_string
    assert page.meta == {}
    page.render(config, None)  # type: ignore[arg-type]  # a ready page reads no other file
    assert page.content is file.content_string
    assert [(a.title, a.id, a.level) for a in page.toc] == [("Title", "t", 1)]


def test_a_plugin_may_still_give_a_ready_page_its_source(tmp_path: Path) -> None:
    """MkDocs' `on_page_read_source` event is honoured, as for any page."""
    config = _config(tmp_path)

    class Source:
        def on_page_read_source(self, *, page: Page, config: MkDocsConfig) -> str:
            return "<p>from a plugin</p>"

    config.plugins["source"] = Source()  # type: ignore[assignment]
    file = File.generated(config, "events/x.md", content="<p>from the file</p>")
    page = make_ready(Page(None, file, config))
    page.read_source(config)
    assert page.markdown == "<p>from a plugin</p>"


class _Counting(File):
    """A generated file that counts how often its text is read."""

    reads = 0

    @property  # type: ignore[override]
    def content_string(self) -> str:
        type(self).reads += 1
        return super().content_string


def test_a_ready_page_holds_no_text_but_reads_it_from_its_file_bytes(tmp_path: Path) -> None:
    """A one-off build gives MkDocs pages as bytes: the page reads the text when asked and
    keeps none of it, through MkDocs' get-and-set of `markdown` and `content` (what a
    plugin's `on_page_markdown` and `on_page_content` do); the title comes from the
    metadata without reading the text."""
    config = _config(tmp_path)
    body = '<h1 id="t">Tïtle “x”</h1>\n<p>—</p>\n'
    file = File.generated(config, "events/x.md", content=body.encode())
    file.__class__ = _Counting
    page = make_ready(Page(None, file, config))
    page.read_source(config)
    page.meta["title"] = "Tïtle"
    page.markdown = page.markdown  # as MkDocs does with what on_page_markdown returns
    page.render(config, None)  # type: ignore[arg-type]
    page.content = page.content
    assert _Counting.reads == 1, "read once while MkDocs reads the page"
    page.let_go()  # the plugin, once MkDocs is done with the page
    assert IN_FILE is page.__dict__["markdown"] is page.__dict__["content"]
    assert not any(isinstance(v, str) and "<p>" in v for v in vars(page).values())
    assert page.markdown == body and page.content == body
    page.let_go()
    reads = _Counting.reads
    assert page.title == "Tïtle"
    assert _Counting.reads == reads
    assert "t" in (page.present_anchor_ids or set())


def test_text_a_plugin_changes_is_kept_on_a_ready_page(tmp_path: Path) -> None:
    config = _config(tmp_path)
    file = File.generated(config, "events/x.md", content=b"<p>made</p>\n")
    page = make_ready(Page(None, file, config))
    page.read_source(config)
    page.render(config, None)  # type: ignore[arg-type]
    page.content = "<p>changed by a plugin</p>\n"
    assert page.content == "<p>changed by a plugin</p>\n"
    assert page.markdown == "<p>made</p>\n"
    page.content = None
    assert page.content is None


def test_hand_over_moves_the_files_out_as_utf8() -> None:
    files = {"a.md": "<p>“é”</p>\n", "data/x.csv": "a,b\r\n"}
    out = hand_over(files)
    assert files == {}
    assert out == {"a.md": "<p>“é”</p>\n".encode(), "data/x.csv": b"a,b\r\n"}
    assert list(out) == ["a.md", "data/x.csv"]
