"""A pull request of records can read no file outside them.

Symlinks (to `.git/config`, `/etc/passwd`, `/dev/zero`, a dangling target), FIFOs and
oversized files under the records folder or docs/ are located errors; nothing behind them is
read, published or echoed into a log.
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import pytest

from build_scripts import files
from build_scripts.checker import check
from build_scripts.findings import format_text
from tests.cases import build

MINIMAL = {
    "case.yml": "title: A case\n",
    "actors/ann.yml": "name: Ann\nkind: person\n",
    "sources/memo.yml": "title: A memo\nkind: document\ntext_public: true\n",
    "sources/memo.txt": "Ann said we will talk.\n\nNothing else.\n",
    "events/meeting.yml": "title: Meeting\ndate: 2022-07-27\nstatus: reported\n"
    "sources: [memo]\nactors: [ann]\n",
    "quotes/ann-talk.yml": "text: we will talk\nspeaker: ann\nsource: memo\n",
}
SECRET = "ghp_SECRETTOKEN0123456789"


def make_case(root: Path, **replace: str | None) -> Path:
    for name, content in {**MINIMAL, **replace}.items():
        if content is None:
            continue
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(content)
    return root


def link(root: Path, name: str, target: Path | str) -> None:
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).symlink_to(target)


def lines(root: Path) -> list[str]:
    """The first line of each error (warnings, such as a quote left unchecked, left out)."""
    report, case = check(root)
    assert case is None
    return [format_text(f, cwd=root).splitlines()[0] for f in report.errors]


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "config"
    path.parent.mkdir()
    path.write_text(f"[http]\n\textraheader = AUTHORIZATION: basic {SECRET}\n")
    return path


def test_a_full_text_linked_to_a_secret_is_refused_and_not_read(
    tmp_path: Path, secret: Path
) -> None:
    root = make_case(tmp_path / "casefile", **{"sources/memo.txt": None})
    link(root, "sources/memo.txt", secret)
    report, case = check(root)
    assert case is None
    text = "\n".join(format_text(f, cwd=root) for f in report.findings)
    assert "sources/memo.txt:1:1: error[not-a-regular-file]: 'memo.txt' is a symbolic link" in text
    assert SECRET not in text  # not published, and not echoed by a not-verbatim hint


def test_a_record_linked_to_a_record_outside_is_refused(tmp_path: Path) -> None:
    outside = make_case(tmp_path / "other")
    root = make_case(tmp_path / "casefile", **{"actors/ann.yml": None})
    link(root, "actors/ann.yml", outside / "actors" / "ann.yml")
    assert lines(root)[0] == (
        "actors/ann.yml:1:1: error[not-a-regular-file]: 'ann.yml' is a symbolic link; "
        "a case file holds only regular files and folders"
    )


@pytest.mark.parametrize("target", ["/dev/zero", "/dev/urandom", "/nonexistent/file"])
def test_links_to_devices_and_nowhere_are_findings_in_bounded_time(
    tmp_path: Path, target: str
) -> None:
    root = make_case(tmp_path / "casefile", **{"actors/ann.yml": None})
    link(root, "actors/ann.yml", target)
    start = time.perf_counter()
    found = lines(root)
    assert time.perf_counter() - start < 10
    assert found[0].startswith("actors/ann.yml:1:1: error[not-a-regular-file]")


def test_a_linked_folder_is_not_entered(tmp_path: Path) -> None:
    outside = make_case(tmp_path / "other")
    root = make_case(tmp_path / "casefile")
    for path in (root / "actors").iterdir():
        path.unlink()
    (root / "actors").rmdir()
    (root / "actors").symlink_to(outside / "actors")
    assert "actors:1:1: error[not-a-regular-file]: 'actors' is a symbolic link; a case file " in (
        "\n".join(lines(root))
    )


def test_a_linked_case_yml_is_refused_without_a_missing_case_error(
    tmp_path: Path, secret: Path
) -> None:
    root = make_case(tmp_path / "casefile", **{"case.yml": None})
    link(root, "case.yml", secret)
    found = lines(root)
    assert found == [
        "case.yml:1:1: error[not-a-regular-file]: 'case.yml' is a symbolic link; "
        "a case file holds only regular files and folders"
    ]


def test_a_fifo_does_not_block(tmp_path: Path) -> None:
    root = make_case(tmp_path / "casefile", **{"sources/memo.txt": None})
    os.mkfifo(root / "sources" / "memo.txt")
    found = lines(root)  # opening a FIFO for reading would wait for a writer forever
    assert found[0].startswith(
        "sources/memo.txt:1:1: error[not-a-regular-file]: 'memo.txt' is a named pipe (FIFO)"
    )


def test_a_socket_is_refused(tmp_path: Path) -> None:
    root = make_case(tmp_path / "casefile")
    path = root / "events" / "sock.yml"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        assert lines(root)[0].startswith(
            "events/sock.yml:1:1: error[not-a-regular-file]: 'sock.yml' is a socket"
        )
    finally:
        server.close()


def test_an_oversized_file_is_read_no_further_than_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with path.open("wb") as out:
        out.truncate(50 * files.MAX_BYTES)  # sparse: big on paper, cheap on disk
    data, found = files.read_bytes(path)
    assert data is None
    assert [f.message for f in found] == [
        f"file is {50 * files.MAX_BYTES:,} bytes; the limit is {files.MAX_BYTES:,}"
    ]


def test_an_io_error_while_reading_is_a_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "flaky.yml"
    path.write_text("x: 1\n")

    def failing_read(fd: int, n: int) -> bytes:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(files.os, "read", failing_read)
    data, found = files.read_bytes(path)
    assert data is None
    assert [(f.code, f.message) for f in found] == [
        ("unreadable-file", "cannot read 'flaky.yml': Input/output error")
    ]


def test_read_bytes_reads_a_regular_file_exactly(tmp_path: Path) -> None:
    path = tmp_path / "ok.txt"
    path.write_bytes(b"x" * files.MAX_BYTES)
    assert files.read_bytes(path) == (b"x" * files.MAX_BYTES, [])


def test_a_linked_hand_written_page_stops_the_build(tmp_path: Path, secret: Path) -> None:
    project = tmp_path / "site"
    make_case(project / "casefile")
    (project / "docs").mkdir()
    (project / "docs" / "leak.md").symlink_to(secret)
    (project / "mkdocs.yml").write_text("site_name: Test\nplugins: [casefile]\n")
    result = build(project, tmp_path / "out")
    assert result.returncode != 0
    assert "docs/leak.md:1:1: error[not-a-regular-file]: 'leak.md' is a symbolic link" in (
        result.stderr
    )
    assert SECRET not in result.stderr
    assert not (tmp_path / "out").exists() or SECRET not in "".join(
        p.read_text(errors="replace") for p in (tmp_path / "out").rglob("*") if p.is_file()
    )
