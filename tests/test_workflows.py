"""The GitHub workflows cannot run here; what they call can. Test that, and their output."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from build_scripts import cli
from build_scripts.findings import Finding, Location, Report, github_annotations, summary_markdown

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def steps() -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for path in WORKFLOWS:
        data = yaml.safe_load(path.read_text())
        for job in data["jobs"].values():
            out.extend(job.get("steps", []))
    return out


def commands() -> list[list[str]]:
    out: list[list[str]] = []
    for step in steps():
        for line in str(step.get("run", "")).splitlines():
            line = line.strip()
            if line and not line.startswith(("export ", "#")):
                out.append(shlex.split(line))
    return out


def make_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([A-Za-z0-9_./$()-]+):", text, flags=re.M))


def test_there_are_workflows_for_pull_requests_and_main() -> None:
    names = {p.name for p in WORKFLOWS}
    assert {"pull-request.yml", "publish.yml"} <= names


def test_actions_are_pinned_to_versions() -> None:
    for step in steps():
        uses = step.get("uses")
        if uses:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+\.\d+\.\d+", str(uses)), uses


def test_every_casefile_command_exists_and_parses() -> None:
    parser = cli.build_parser()
    seen = 0
    for argv in commands():
        if argv and argv[0].endswith("casefile"):
            seen += 1
            args = [a if not a.startswith("$") else "changed.txt" for a in argv[1:]]
            parser.parse_args(args)  # exits (fails the test) on an unknown command or option
    assert seen >= 3


def test_every_make_target_exists() -> None:
    targets = make_targets()
    for argv in commands():
        if argv and argv[0] == "make":
            for target in argv[1:]:
                assert target in targets or target == ".venv/.installed", target


def test_the_test_step_is_the_same_as_ci() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
    for path in WORKFLOWS:
        data = yaml.safe_load(path.read_text())
        runs = [
            str(s.get("run", "")) for job in data["jobs"].values() for s in job.get("steps", [])
        ]
        if any(s.get("name") == "Tests" for job in data["jobs"].values() for s in job["steps"]):
            assert "make test" in runs


def test_pull_request_workflow_needs_no_secrets() -> None:
    text = (ROOT / ".github" / "workflows" / "pull-request.yml").read_text()
    assert "secrets." not in text
    assert "pull_request_target" not in text


def test_publish_sets_source_date_epoch_from_the_last_commit() -> None:
    text = (ROOT / ".github" / "workflows" / "publish.yml").read_text()
    assert 'SOURCE_DATE_EPOCH="$(git log -1 --format=%ct)"' in text


def test_pre_commit_runs_the_checker() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hook = config["repos"][0]["hooks"][0]
    argv = shlex.split(hook["entry"])
    assert argv[0] == "casefile"
    cli.build_parser().parse_args(argv[1:])


def _findings(n: int, path: str) -> list[Finding]:
    return [
        Finding("bad-enum", Location(Path(path), line, 1), f"problem {line}", "a hint")
        for line in range(1, n + 1)
    ]


def test_annotations_put_changed_files_first_and_count_the_rest(tmp_path: Path) -> None:
    report = Report(_findings(8, f"{tmp_path}/a.yml") + _findings(8, f"{tmp_path}/z.yml"))
    lines = github_annotations(report, frozenset({"z.yml"}), cwd=tmp_path)
    assert len(lines) == 11
    assert all("file=z.yml" in line for line in lines[:8])
    assert lines[-1] == (
        "::notice title=casefile::6 more findings not annotated; see the job summary or the log"
    )


def test_annotation_escaping(tmp_path: Path) -> None:
    finding = Finding(
        "bad-enum", Location(tmp_path / "a,b:c.yml", 3, 4), "50% done\nnext", "x, y: z"
    )
    (line,) = github_annotations(Report([finding]), cwd=tmp_path)
    assert line == (
        "::error file=a%2Cb%3Ac.yml,line=3,col=4,title=casefile bad-enum::"
        "50%25 done%0Anext%0Ax, y: z"
    )


def test_summary_table_escapes_record_text(tmp_path: Path) -> None:
    finding = Finding(
        "bad-enum",
        Location(tmp_path / "a.yml", 2, 7),
        "'kind' is '<img src=x onerror=alert(1)> | [x](javascript:y)'",
    )
    text = summary_markdown(Report([finding]), cwd=tmp_path)
    assert "| ❌ | a.yml | 2 |" in text
    row = text.splitlines()[-1]
    assert "<img" not in row and "](" not in row and row.count("|") == 6


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflows_are_valid_yaml_with_jobs(path: Path) -> None:
    data = yaml.safe_load(path.read_text())
    assert data["jobs"]
