"""The git history of the records folder: one pass, deterministic, absent without git."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from build_scripts import history as history_module
from build_scripts.history import (
    FileChange,
    build_time,
    file_history_url,
    history_url,
    parse_log,
    read_history,
    source_date_epoch,
)

T0 = 1_700_000_000  # 2023-11-14T22:13:20Z


def git(repo: Path, *args: str, when: int = T0) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "A",
        "GIT_AUTHOR_EMAIL": "a@example.org",
        "GIT_COMMITTER_NAME": "A",
        "GIT_COMMITTER_EMAIL": "a@example.org",
        "GIT_AUTHOR_DATE": f"@{when} +0000",
        "GIT_COMMITTER_DATE": f"@{when} +0000",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(repo),
    }
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def commit(repo: Path, message: str, when: int, **files: str | None) -> None:
    """Write (None: delete) `files` under repo/casefile, then commit everything at `when`."""
    for name, text in files.items():
        path = repo / "casefile" / name
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    git(repo, "add", "-A", when=when)
    git(repo, "commit", "-q", "--allow-empty", "-m", message, when=when)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    commit(
        tmp_path,
        "Add the first records\n\nA body that is not the subject.",
        T0,
        **{"case.yml": "title: A\n", "events/a.yml": "a\n", "actors/ann.yml": "ann\n"},
    )
    (tmp_path / "README").write_text("outside the records\n")
    commit(tmp_path, "Outside only", T0 + 50)
    commit(
        tmp_path,
        "Change a, add b",
        T0 + 100,
        **{"events/a.yml": "a2\n", "events/b.yml": "b\n", "sources/s.txt": "text\n"},
    )
    commit(tmp_path, "Delete b", T0 + 200, **{"events/b.yml": None})
    return tmp_path


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def test_commits_newest_first_with_their_files(repo: Path) -> None:
    found = read_history(repo / "casefile", environ={})
    assert found is not None
    assert [c.subject for c in found.commits] == [
        "Delete b",
        "Change a, add b",
        "Add the first records",
    ]  # the commit outside the folder is not there
    assert [c.date for c in found.commits] == [at(T0 + 200), at(T0 + 100), at(T0)]
    assert found.commits[0].changes == (FileChange("deleted", "events/b.yml"),)
    assert set(found.commits[1].changes) == {
        FileChange("changed", "events/a.yml"),
        FileChange("added", "events/b.yml"),
        FileChange("added", "sources/s.txt"),
    }
    assert len(found.commits[0].short) >= 7 and found.commits[0].hash.startswith(
        found.commits[0].short
    )
    assert found.prefix == "casefile/" and not found.shallow
    assert found.built == at(T0 + 200)


def test_last_changed_per_file(repo: Path) -> None:
    found = read_history(repo / "casefile", environ={})
    assert found is not None
    last = {path: c.subject for path, c in found.last.items()}
    assert last == {
        "events/a.yml": "Change a, add b",
        "sources/s.txt": "Change a, add b",
        "case.yml": "Add the first records",
        "actors/ann.yml": "Add the first records",
    }  # b is gone: it has no page, so no last change
    assert found.last_changed("events/b.yml") is None
    assert found.repo_path("events/a.yml") == "casefile/events/a.yml"


def test_source_date_epoch_is_the_build_time_and_hides_later_commits(repo: Path) -> None:
    found = read_history(repo / "casefile", environ={"SOURCE_DATE_EPOCH": str(T0 + 150)})
    assert found is not None
    assert [c.subject for c in found.commits] == ["Change a, add b", "Add the first records"]
    assert found.built == at(T0 + 150)
    assert found.last_changed("events/b.yml") is not None  # not yet deleted then
    assert build_time(found, {"SOURCE_DATE_EPOCH": str(T0 + 150)}) == at(T0 + 150)
    assert build_time(None, {"SOURCE_DATE_EPOCH": "0"}) == at(0)
    assert build_time(found, {}) == found.built
    assert source_date_epoch({"SOURCE_DATE_EPOCH": "soon"}) is None
    assert read_history(repo / "casefile", environ={"SOURCE_DATE_EPOCH": str(T0 - 1)}) is None


def test_deterministic(repo: Path) -> None:
    assert read_history(repo / "casefile", environ={}) == read_history(
        repo / "casefile", environ={}
    )


def test_one_pass_whatever_the_number_of_files(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commit(repo, "Many", T0 + 300, **{f"events/e{i}.yml": str(i) for i in range(200)})
    calls: list[list[str]] = []
    real = subprocess.run

    def counting(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
        calls.append(args)
        return real(args, **kwargs)  # type: ignore[call-overload, no-any-return]

    monkeypatch.setattr(history_module.subprocess, "run", counting)
    found = read_history(repo / "casefile", environ={})
    assert found is not None and len(found.last) == 204
    assert len(calls) == 2  # rev-parse, then one log
    assert sum("log" in c for c in calls) == 1


def test_no_git_no_repository_no_history(
    tmp_path: Path, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "outside"
    (outside / "casefile").mkdir(parents=True)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    assert read_history(outside / "casefile", environ={}) is None  # not a repository
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    (empty / "casefile").mkdir()
    assert read_history(empty / "casefile", environ={}) is None  # no commits
    assert read_history(repo / "missing", environ={}) is None
    monkeypatch.setenv("PATH", str(tmp_path / "no-bin"))
    assert read_history(repo / "casefile", environ={}) is None  # no git


def test_odd_messages_and_file_names(repo: Path) -> None:
    message = "Fix \x1e\x1f <b>&amp; 'quotes' \"too\"\nsecond line\x1e"
    commit(repo, message, T0 + 400, **{"events/sp ace é.yml": "x\n", "events/new\nline.yml": "y"})
    found = read_history(repo / "casefile", environ={})
    assert found is not None
    newest = found.commits[0]
    assert newest.subject == "Fix \x1e\x1f <b>&amp; 'quotes' \"too\""
    assert {c.path for c in newest.changes} == {"events/sp ace é.yml", "events/new\nline.yml"}
    assert [c.subject for c in found.commits[1:]] == [
        "Delete b",
        "Change a, add b",
        "Add the first records",
    ]


def test_merges_and_a_shallow_clone(repo: Path, tmp_path: Path) -> None:
    git(repo, "checkout", "-q", "-b", "side")
    commit(repo, "On the side", T0 + 500, **{"events/side.yml": "s\n"})
    git(repo, "checkout", "-q", "main")
    commit(repo, "On main", T0 + 600, **{"events/main.yml": "m\n"})
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge side", "side", when=T0 + 700)
    found = read_history(repo / "casefile", environ={})
    assert found is not None
    subjects = [c.subject for c in found.commits]
    assert "On the side" in subjects and "On main" in subjects
    assert found.last_changed("events/side.yml").subject == "On the side"  # type: ignore[union-attr]
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    shallow = read_history(clone / "casefile", environ={})
    assert shallow is not None and shallow.shallow
    assert len(shallow.commits) == 1
    assert all(c.status == "added" for c in shallow.commits[0].changes)


def test_parse_log_skips_what_it_cannot_read() -> None:
    assert parse_log("") == []
    assert parse_log("garbage\0more\0") == []
    text = "\x1eabc\x1fab\x1f10\x1fsubject\n\0\nM\0events/a.yml\0"
    (only,) = parse_log(text)
    assert only.changes == (FileChange("changed", "events/a.yml"),)
    assert parse_log(text, until=9) == []


def test_a_change_knows_its_record() -> None:
    assert FileChange("added", "events/a.yml").record == ("event", "a")
    assert FileChange("changed", "sources/s.txt").record == ("source", "s")
    assert FileChange("changed", "case.yml").record is None
    assert FileChange("changed", "events/deep/a.yml").record is None
    assert FileChange("changed", "events/a.md").record is None


@pytest.mark.parametrize(
    ("edit_url", "expected"),
    [
        (
            "https://github.com/o/r/edit/main/casefile/events/a.yml",
            "https://github.com/o/r/commits/main/casefile/events/a.yml",
        ),
        (
            "https://github.com/o/r/blob/release/v1/casefile/a.yml",
            "https://github.com/o/r/commits/release/v1/casefile/a.yml",
        ),
        (
            "https://gitlab.com/group/sub/r/-/edit/main/casefile/a.yml",
            "https://gitlab.com/group/sub/r/-/commits/main/casefile/a.yml",
        ),
        (
            "https://gitlab.example.org/g/r/-/blob/main/casefile/a.yml",
            "https://gitlab.example.org/g/r/-/commits/main/casefile/a.yml",
        ),
        ("https://bitbucket.org/o/r/src/default/casefile/a.yml", None),
        ("https://github.com/o/r", None),
        ("https://dev.azure.com/o/p/_git/r?path=/casefile/a.yml", None),
        ("javascript:alert(1)", None),
        (None, None),
    ],
)
def test_history_url(edit_url: str | None, expected: str | None) -> None:
    assert history_url(edit_url) == expected


def test_file_history_url_joins_as_mkdocs_does() -> None:
    url = file_history_url("https://github.com/o/r", "edit/main/docs/", "../casefile/events/a.yml")
    assert url == "https://github.com/o/r/commits/main/casefile/events/a.yml"
    absolute = "https://github.com/o/r/edit/dev/site/docs/"
    assert file_history_url("https://github.com/o/r/", absolute, "../../casefile/a.yml") == (
        "https://github.com/o/r/commits/dev/casefile/a.yml"
    )
    assert file_history_url(None, "edit/main/docs/", "a.yml") is None
    assert file_history_url("https://github.com/o/r", None, "a.yml") is None


def test_casefile_render_has_the_history_the_build_has(tmp_path: Path) -> None:
    """`casefile render` writes "Recent changes", its feed and each record's "Last changed"
    from the records' git history, as the plugin's build does."""
    from build_scripts import cli
    from build_scripts.checker import check
    from build_scripts.pages import portable_files, render_site
    from tests.cases import MINIMAL

    git(tmp_path, "init", "-q", "-b", "main")
    commit(tmp_path, "Add the case file", T0, **MINIMAL)
    commit(tmp_path, "Rename Ann", T0 + 100, **{"actors/ann.yml": "name: Ann B\nkind: person\n"})
    records, out = tmp_path / "casefile", tmp_path / "out"
    assert cli.main(["render", str(records), "--out", str(out)]) == 0
    _, case = check(records)
    assert case is not None
    history = read_history(records)
    assert history is not None
    expected = portable_files(render_site(case, directory_urls=None, history=history))
    assert (out / "changes.md").read_text(encoding="utf-8") == expected["changes.md"]
    assert "Rename Ann" in expected["changes.md"]
    assert (out / "feeds" / "changes.xml").is_file()
    assert "Last changed" in (out / "actors" / "ann.md").read_text(encoding="utf-8")
