"""The GitHub workflows cannot run here; what they call can. Test that, and their output."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml

from build_scripts import cli
from build_scripts.findings import Finding, Location, Report, github_annotations, summary_markdown

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW_DIR = ROOT / ".github" / "workflows"
WORKFLOWS = sorted(WORKFLOW_DIR.glob("*.yml"))
# The pull-request workflow's step that picks the code judging a pull request.
JUDGE = "Choose the code that judges the pull request"


def workflow(name: str) -> dict[str, Any]:
    return yaml.safe_load((WORKFLOW_DIR / name).read_text())


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


# `uses: owner/repo@<40 hex> # vX.Y.Z`: a tag can be moved to other code, a commit cannot; the
# comment says which release the commit is. YAML drops comments, so this reads the raw text.
USES_LINE = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<rest>.*)$")
PINNED = re.compile(r"(?P<action>[\w.-]+/[\w.-]+(?:/[\w./-]+)?)@(?P<sha>[0-9a-f]{40})")
VERSION_COMMENT = re.compile(r"\s+#\s+(?P<version>v\d+\.\d+\.\d+)\s*")


def uses_lines() -> list[tuple[str, str, str]]:
    """(workflow, action reference, rest of the line) for every `uses:` line."""
    out = []
    for path in WORKFLOWS:
        for line in path.read_text().splitlines():
            if m := USES_LINE.match(line):
                out.append((path.name, m["ref"], m["rest"]))
    return out


def test_actions_are_pinned_to_versions() -> None:
    lines = uses_lines()
    # Every `uses` that YAML sees is on a line of its own that this test reads.
    assert len(lines) == sum(1 for step in steps() if "uses" in step) > 0
    seen: dict[str, str] = {}
    for name, ref, rest in lines:
        pinned = PINNED.fullmatch(ref)
        assert pinned, f"{name}: {ref} is not owner/repo@<40-hex commit>"
        comment = VERSION_COMMENT.fullmatch(rest)
        assert comment, f"{name}: {ref} has no '# vX.Y.Z' comment"
        # The same action and release are the same commit everywhere.
        key = f"{pinned['action']} {comment['version']}"
        assert seen.setdefault(key, pinned["sha"]) == pinned["sha"], key
    assert sorted(ref for _, ref, _ in lines) == sorted(
        str(s["uses"]) for s in steps() if "uses" in s
    )


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


def test_every_checkout_leaves_no_credentials_behind() -> None:
    checkouts = [s for s in steps() if str(s.get("uses", "")).startswith("actions/checkout@")]
    assert len(checkouts) >= 4
    for step in checkouts:
        assert step.get("with", {}).get("persist-credentials") is False, step


def test_no_template_expansion_inside_run_scripts() -> None:
    # `${{ }}` is pasted into the script's text before the shell reads it, so a branch name or
    # title could become code; values reach scripts through `env:` and are quoted there.
    for step in steps():
        assert "${{" not in str(step.get("run", "")), step.get("name", step)


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_top_level_permissions_are_empty(path: Path) -> None:
    data = yaml.safe_load(path.read_text())
    assert "permissions" in data and data["permissions"] == {}


def test_each_job_gets_only_the_permissions_it_needs() -> None:
    granted = {
        (path.name, job_id): job.get("permissions")
        for path in WORKFLOWS
        for job_id, job in yaml.safe_load(path.read_text())["jobs"].items()
    }
    assert granted == {
        ("publish.yml", "build"): {"contents": "read"},
        ("publish.yml", "deploy"): {"pages": "write", "id-token": "write"},
        ("pull-request.yml", "check-and-build"): {"contents": "read"},
        ("upgrade.yml", "lock"): {"contents": "write", "pull-requests": "write"},
    }


@pytest.mark.parametrize(
    ("name", "job_id", "action"),
    [
        ("pull-request.yml", "check-and-build", "actions/upload-artifact@"),
        ("publish.yml", "build", "actions/upload-pages-artifact@"),
    ],
    ids=["pull-request", "publish"],
)
def test_the_uploaded_site_is_exactly_the_scanned_site(name: str, job_id: str, action: str) -> None:
    job_steps = workflow(name)["jobs"][job_id]["steps"]
    (i,) = [n for n, s in enumerate(job_steps) if "casefile scan" in str(s.get("run", ""))]
    scan = job_steps[i]
    scanned = PurePosixPath(scan.get("working-directory", ".")) / shlex.split(scan["run"])[-1]
    # The upload comes right after the scan, so no step can write to the folder in between,
    # and only when the scan passed.
    upload = job_steps[i + 1]
    assert str(upload["uses"]).startswith(action)
    assert PurePosixPath(upload["with"]["path"]) == scanned
    assert f"steps.{scan['id']}.outcome == 'success'" in upload["if"]
    # Nothing else uploads a site.
    assert [s for s in job_steps if "upload" in str(s.get("uses", ""))] == [upload]


def test_pull_request_tests_run_after_the_preview_upload() -> None:
    job_steps = workflow("pull-request.yml")["jobs"]["check-and-build"]["steps"]
    names = [s.get("name") for s in job_steps]
    assert names.index("Tests") > names.index("Upload the scanned site for preview")


def test_pull_request_checks_out_base_and_head_apart() -> None:
    job_steps = workflow("pull-request.yml")["jobs"]["check-and-build"]["steps"]
    checkouts = {
        s["with"]["path"]: s["with"]["ref"]
        for s in job_steps
        if str(s.get("uses", "")).startswith("actions/checkout@")
    }
    assert checkouts == {
        "base": "${{ github.event.pull_request.base.sha }}",
        "head": "${{ github.event.pull_request.head.sha }}",
    }
    # Every command after the choice runs in work/, the code that was chosen to judge.
    (i,) = [n for n, s in enumerate(job_steps) if s.get("name") == JUDGE]
    for step in job_steps[i + 1 :]:
        if "run" in step:
            assert step.get("working-directory") == "work", step["name"]


GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.org",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.org",
}


def _git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def _judge(tmp_path: Path, change: dict[str, str | None], link: bool = False) -> Path:
    """Run the workflow's choice step on a pull request that makes `change` (path: new text,
    or None to delete) to a repository with a Makefile and one record; return work/."""
    assert shutil.which("git"), "git is needed to test the pull-request workflow"
    origin = tmp_path / "origin"
    (origin / "casefile").mkdir(parents=True)
    _git(origin, "init", "-q")
    (origin / "Makefile").write_text("base tools\n")
    (origin / "casefile" / "a.yml").write_text("title: base\n")
    _git(origin, "add", "-A")
    _git(origin, "commit", "-q", "-m", "base")
    base_sha = _git(origin, "rev-parse", "HEAD")
    for rel, text in change.items():
        if text is None:
            (origin / rel).unlink()
        else:
            (origin / rel).parent.mkdir(parents=True, exist_ok=True)
            (origin / rel).write_text(text)
    if link:
        (origin / "casefile" / "link.yml").symlink_to("/etc/passwd")
    _git(origin, "add", "-A")
    _git(origin, "commit", "-q", "-m", "pull request")
    head_sha = _git(origin, "rev-parse", "HEAD")
    ws = tmp_path / "ws"
    ws.mkdir()
    for folder, sha in (("base", base_sha), ("head", head_sha)):
        _git(ws, "clone", "-q", str(origin), folder)
        _git(ws / folder, "checkout", "-q", sha)
    (tmp_path / "rt").mkdir()
    (step,) = [
        s
        for s in workflow("pull-request.yml")["jobs"]["check-and-build"]["steps"]
        if s.get("name") == JUDGE
    ]
    env = {
        **os.environ,
        **GIT_ENV,
        "BASE_SHA": base_sha,
        "HEAD_SHA": head_sha,
        "RUNNER_TEMP": str(tmp_path / "rt"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
    }
    subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=ws,
        env=env,
        check=True,
        capture_output=True,
    )
    return ws / "work"


def test_records_only_pull_request_is_judged_by_the_base_code(tmp_path: Path) -> None:
    work = _judge(tmp_path, {"casefile/a.yml": "title: pr\n"}, link=True)
    assert (work / "Makefile").read_text() == "base tools\n"
    assert (work / "casefile" / "a.yml").read_text() == "title: pr\n"
    # A committed symlink arrives as a symlink, for the checker to refuse; it is not followed.
    assert (work / "casefile" / "link.yml").is_symlink()
    assert _git(work, "rev-parse", "HEAD") != _git(tmp_path / "ws" / "head", "rev-parse", "HEAD")
    changed = (tmp_path / "rt" / "changed.txt").read_text().split()
    assert changed == ["casefile/a.yml", "casefile/link.yml"]
    assert "base branch's code" in (tmp_path / "summary.md").read_text()


def test_records_only_pull_request_can_delete_records(tmp_path: Path) -> None:
    work = _judge(tmp_path, {"casefile/b.yml": "title: b\n", "casefile/a.yml": None})
    assert sorted(p.name for p in (work / "casefile").iterdir()) == ["b.yml"]
    assert (work / "Makefile").read_text() == "base tools\n"


@pytest.mark.parametrize(
    "change",
    [
        {"casefile/a.yml": "title: pr\n", "Makefile": "pr tools\n"},
        # A file moved into casefile/ counts where it came from: the move changes the code.
        {"Makefile": None, "casefile/Makefile": "base tools\n"},
    ],
    ids=["code-and-records", "code-moved-into-casefile"],
)
def test_a_pull_request_that_changes_code_runs_its_own_code(
    tmp_path: Path, change: dict[str, str | None]
) -> None:
    work = _judge(tmp_path, change)
    assert _git(work, "rev-parse", "HEAD") == _git(tmp_path / "origin", "rev-parse", "HEAD")
    assert "Makefile" in (tmp_path / "rt" / "changed.txt").read_text().split()
    assert "own code" in (tmp_path / "summary.md").read_text()


def test_upgrade_workflow_refreshes_the_lock_weekly_as_a_pull_request() -> None:
    data = workflow("upgrade.yml")
    on = data.get("on", data.get(True))
    assert on["schedule"][0]["cron"] and "workflow_dispatch" in on
    (job,) = data["jobs"].values()
    runs = [str(s.get("run", "")) for s in job["steps"]]
    assert runs.index("make lock") < runs.index("make test")
    (pr,) = [s for s in job["steps"] if "gh pr create" in str(s.get("run", ""))]
    assert pr["env"]["GH_TOKEN"] == "${{ github.token }}"
    assert "git add uv.lock" in pr["run"]
    # The token is in that step's env only, never in .git/config or another step.
    assert sum("github.token" in str(s) for s in job["steps"]) == 1


def test_zizmor_finds_nothing_in_the_workflows() -> None:
    zizmor = Path(sys.executable).parent / "zizmor"
    assert zizmor.exists(), f"{zizmor} is missing: `make .venv/.installed` installs it (uv.lock)"
    result = subprocess.run(
        [str(zizmor), "--offline", "--no-progress", "--color=never", str(WORKFLOW_DIR)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


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
    # A line break inside the message (record text) is shown as \n; only the break between
    # message and hint is a real one.
    assert line == (
        "::error file=a%2Cb%3Ac.yml,line=3,col=4,title=casefile bad-enum::"
        "50%25 done\\nnext%0Ax, y: z"
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
