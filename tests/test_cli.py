"""The command line: every command works, and every command is documented in the README."""

from __future__ import annotations

import ast
import http.server
import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from build_scripts import cli
from build_scripts.checker import check
from build_scripts.output import MARKER
from build_scripts.pages import portable_files, render_site
from build_scripts.schema import record_schemas

ROOT = Path(__file__).resolve().parent.parent


def commands() -> list[str]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return sorted(sub.choices)  # type: ignore[arg-type]


def test_every_command_is_documented_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in commands():
        assert f"`casefile {name}" in readme, f"README does not document 'casefile {name}'"
    assert "make serve" in readme and "make test" in readme


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
    assert "make test" in (ROOT / "README.md").read_text().split("## Commands")[0]


@pytest.fixture
def case_dir(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "casefile", tmp_path / "casefile")
    return tmp_path / "casefile"


def test_check_clean_exits_0(case_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["check", "--strict", str(case_dir)]) == 0
    assert "0 errors, 0 warnings" in capsys.readouterr().err


def test_check_errors_exit_1_with_json(case_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (case_dir / "actors" / "bad.yml").write_text("name: Bad\nkind: persn\n")
    assert cli.main(["check", str(case_dir), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    finding = next(f for f in data["findings"] if f["code"] == "bad-enum")
    assert finding["line"] == 2 and finding["column"] == 7
    assert finding["file"].endswith("actors/bad.yml")


def test_warnings_fail_only_with_strict(case_dir: Path) -> None:
    (case_dir / "actors" / "nobody.yml").write_text("name: Nobody\nkind: person\n")
    assert cli.main(["check", str(case_dir)]) == 0
    assert cli.main(["check", "--strict", str(case_dir)]) == 1


def test_github_annotations(
    case_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    (case_dir / "actors" / "bad.yml").write_text("name: Bad\nkind: persn\n")
    assert cli.main(["check", str(case_dir)]) == 1
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("::error"))
    assert "file=" in line and "bad.yml" in line and ",line=2,col=7," in line
    assert "title=casefile bad-enum::" in line


def test_render_writes_the_same_pages(case_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert cli.main(["render", str(case_dir), "--out", str(out)]) == 0
    _, case = check(case_dir)
    assert case is not None
    expected = portable_files(render_site(case, directory_urls=None))
    written = {
        p.relative_to(out).as_posix(): p.read_bytes().decode("utf-8")  # CSVs keep their CRLF
        for p in out.rglob("*")
        if p.is_file() and p.name != MARKER
    }
    assert written == expected
    # Rendering again replaces its own output.
    assert cli.main(["render", str(case_dir), "--out", str(out)]) == 0


def test_render_refuses_foreign_and_record_folders(case_dir: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "precious.txt").write_text("keep me")
    assert cli.main(["render", str(case_dir), "--out", str(mine)]) == 1
    assert (mine / "precious.txt").read_text() == "keep me"
    before = sorted(p.as_posix() for p in case_dir.rglob("*"))
    assert cli.main(["render", str(case_dir), "--out", str(case_dir / "pages")]) == 1
    assert sorted(p.as_posix() for p in case_dir.rglob("*")) == before


def test_render_writes_nothing_on_errors(case_dir: Path, tmp_path: Path) -> None:
    (case_dir / "events" / "broken.yml").write_text("title: x\n")
    assert cli.main(["render", str(case_dir), "--out", str(tmp_path / "out")]) == 1
    assert not (tmp_path / "out").exists()


def test_render_refuses_a_custom_dir_that_does_not_exist(
    case_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A typo in --custom-dir would render our own templates without a word."""
    argv = ["render", str(case_dir), "--out", str(tmp_path / "out")]
    with pytest.raises(SystemExit) as usage:
        cli.main([*argv, "--custom-dir", str(tmp_path / "overides")])
    assert usage.value.code == 2
    assert f"--custom-dir: {tmp_path / 'overides'}: no such folder" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_committed_schemas_are_in_step_with_the_models() -> None:
    for kind, text in record_schemas().items():
        committed = ROOT / "schema" / f"{kind}.schema.json"
        assert committed.read_text() == text, f"run: casefile schema --out schema ({kind})"


def test_example_records_point_editors_at_the_schema() -> None:
    for path in (ROOT / "casefile").rglob("*.yml"):
        first = path.read_text().splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        target = (path.parent / first.split("=", 1)[1]).resolve()
        assert target.is_file(), f"{path}: {target} does not exist"


@pytest.mark.parametrize("kind", ["event", "actor", "quote", "source"])
def test_new_record_refuses_to_overwrite_and_passes_once_filled(
    case_dir: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["new", kind, "A brand-new record", "--dir", str(case_dir)]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path.name == "a-brand-new-record.yml"
    original = path.read_text()
    assert cli.main(["new", kind, "A brand-new record", "--dir", str(case_dir)]) == 1
    assert path.read_text() == original
    # Unfilled placeholders fail the checker ...
    if kind != "actor":
        report, _ = check(case_dir)
        assert report.errors
    # ... and the record passes once they are filled in.
    filled = (
        original.replace("YYYY-MM-DD", "2022-07-28")
        .replace("date_note: FILL IN", "date_note: The article says so.")
        .replace("ACTOR-ID", "john-kirby")
        .replace("SOURCE-ID", "cnn-officials-frustrated-at-moscow-response")
        .replace("publisher: FILL IN", "publisher: CNN")
        .replace("url: FILL IN", "url: https://example.org/a")
    )
    if kind == "quote":
        filled = filled.replace('"A brand-new record"', '"many weeks ago."')
    path.write_text(filled)
    if kind == "actor":
        event = case_dir / "events" / "griner-testifies.yml"
        event.write_text(
            event.read_text().replace("actors:\n", "actors:\n  - a-brand-new-record\n", 1)
        )
    if kind == "source":
        event = case_dir / "events" / "griner-testifies.yml"
        event.write_text(
            event.read_text().replace("sources:\n", "sources:\n  - a-brand-new-record\n", 1)
        )
    report, case = check(case_dir)
    assert not report.errors, [f.message for f in report.errors]
    assert case is not None and "a-brand-new-record" in case.records


def test_new_record_refuses_an_id_that_looks_like_one_taken(
    case_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["new", "event", "Round 1", "--dir", str(case_dir)]) == 0
    capsys.readouterr()
    assert cli.main(["new", "quote", "Round l", "--dir", str(case_dir)]) == 1
    err = capsys.readouterr().err
    assert "round-1.yml already has an id that looks like 'round-l'" in err
    assert not (case_dir / "quotes" / "round-l.yml").exists()


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_HEAD(self) -> None:
        self.send_response(200 if self.path == "/alive" else 404)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join()
    server.server_close()


def test_links_reports_dead_links_and_missing_archives(
    case_dir: Path, local_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    source = case_dir / "sources" / "cnn-officials-frustrated-at-moscow-response.yml"
    data = yaml.safe_load(source.read_text())
    assert "url" not in data
    source.write_text(source.read_text() + f"url: {local_server}/alive\n")
    other = case_dir / "sources" / "agency-biden-no-plans-to-call-putin.yml"
    other.write_text(
        other.read_text() + f"url: {local_server}/alive\narchive_url: {local_server}/gone\n"
    )
    assert cli.main(["links", str(case_dir), "--timeout", "5"]) == 1
    err = capsys.readouterr().err
    # Printed as `casefile check` prints findings, at the field that holds the address.
    line = len(other.read_text().splitlines())
    assert (
        f"{other}:{line}:14: error[dead-link]: archive_url {local_server}/gone: HTTP 404\n"
        "  hint: check the address; if the page is gone, cite an archived copy in archive_url"
    ) in err
    line = len(source.read_text().splitlines())
    assert (
        f"{source}:{line}:6: warning[no-archive]: source "
        "'cnn-officials-frustrated-at-moscow-response' has no archive_url"
    ) in err
    assert "/alive: " not in err
    assert err.endswith("\n1 error, 1 warning\n")

    assert cli.main(["links", str(case_dir), "--timeout", "5", "--format", "json"]) == 1
    found = json.loads(capsys.readouterr().out)["findings"]
    dead = [f for f in found if f["code"] == "dead-link"]
    assert [(f["file"], f["message"]) for f in dead] == [
        (str(other), f"archive_url {local_server}/gone: HTTP 404")
    ]


def test_the_runtime_package_holds_no_benchmark_code() -> None:
    package = ROOT / "build_scripts"
    assert not (package / "bench.py").exists()
    assert not (package / "synth.py").exists()
    offenders = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            offenders += [
                f"{path.relative_to(ROOT)}:{node.lineno}: {name}"
                for name in names
                if name == "benchmarks" or name.startswith("benchmarks.")
            ]
    assert not offenders, offenders
