"""A warm check (`check(root, cache)` with the FileCache `mkdocs serve` keeps) reports exactly
what a cold check of the same files reports, and gives the same case; an unchanged file gives
the very same record, and a changed one is seen however little changed."""

from __future__ import annotations

import os
import random
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from build_scripts import files, records
from build_scripts.checker import Case, _explain, check
from build_scripts.findings import Finding, Report, format_text
from build_scripts.records import FileCache, Table
from build_scripts.textmatch import EXPLAIN_WORK, SourceText, WorkBudget, explain_mismatch

EXAMPLE = Path(__file__).resolve().parent.parent / "casefile"


def _stat(path: Path) -> files.StatKey | None:
    return files.stat_key(os.lstat(path)) if path.exists() else None


@dataclass
class Tree:
    """A case file being edited: its folder, and the random picks of the edits."""

    root: Path
    pick: random.Random
    # The cache trusts `lstat` alone (SETTLED_NS = 0): a write must show in it, as any write
    # does a clock tick later.
    stat_only: bool

    def files(self, pattern: str = "*/*") -> list[Path]:
        return sorted(self.root.glob(pattern))

    def choose(self, pattern: str = "*/*") -> Path | None:
        found = self.files(pattern)
        return self.pick.choice(found) if found else None

    def write(self, path: Path, data: bytes) -> None:
        before = _stat(path)
        old = path.read_bytes() if before else None
        path.write_bytes(data)
        while self.stat_only and old != data and _stat(path) == before:
            time.sleep(0.002)  # the same tick of the file system's clock: wait for the next
            path.write_bytes(data)


# -- edits ----------------------------------------------------------------------------------


def retitle_event(tree: Tree) -> None:
    event = tree.choose("events/*.yml")
    if event is not None:
        other = tree.pick.choice(tree.files("events/*.yml"))
        titles = [line for line in other.read_text().splitlines() if line.startswith("title:")]
        title = tree.pick.choice([*titles, "title: Talks in Geneva", 'title: "!!!"'])
        lines = event.read_text(encoding="utf-8").splitlines(keepends=True)
        lines = [title + "\n" if line.startswith("title:") else line for line in lines]
        tree.write(event, "".join(lines).encode())


def break_record(tree: Tree) -> None:
    path = tree.choose("*/*.yml")
    if path is None:
        return
    text = path.read_text(encoding="utf-8")
    broken = tree.pick.choice(
        [
            text + "colour: red\n",  # an unknown field
            text.replace("status: reported", "status: rumoured"),
            text.replace("kind: person", "kind: persn"),
            "title: [unclosed\n",  # not YAML
            "",
        ]
    )
    tree.write(path, broken.encode())


def restore_file(tree: Tree) -> None:
    """Put a file of the example back as it was (a fix, or a deleted file come back)."""
    original = tree.pick.choice(sorted(EXAMPLE.glob("*/*")))
    tree.write(tree.root / original.relative_to(EXAMPLE), original.read_bytes())


def delete_file(tree: Tree) -> None:
    path = tree.choose()
    if path is not None:
        path.unlink()


def add_file(tree: Tree) -> None:
    n = tree.pick.randint(0, 3)
    event = tree.choose("events/*.yml")
    added: dict[str, str] = {
        "quotes/added-not-verbatim.yml": "text: Biden will call Putin tomorrow to discuss the "
        "exchange\nspeaker: john-kirby\nsource: agency-biden-no-plans-to-call-putin\n",
        "quotes/added-elided.yml": "text: I ... have any calls to announce\n"
        "speaker: joe-biden\nsource: agency-biden-no-plans-to-call-putin\n",
        "sources/alone.txt": "A text with no record beside it.\n",
    }
    if event is not None:
        added["events/added-copy.yml"] = event.read_text(encoding="utf-8")
    name = sorted(added)[n % len(added)]
    (tree.root / name).parent.mkdir(exist_ok=True)
    tree.write(tree.root / name, added[name].encode())


def edit_text(tree: Tree) -> None:
    path = tree.choose("sources/*.txt")
    if path is None:
        return
    text = path.read_text(encoding="utf-8")
    tree.write(
        path,
        tree.pick.choice(
            [
                text.replace(" the ", " teh ", 1),  # the same size
                text.replace("don\u2019t", "do", 1),  # a negation gone
                text + "\n\nA paragraph added later.\n",
                "",
            ]
        ).encode(),
    )


def touch(tree: Tree) -> None:
    path = tree.choose()
    if path is not None:
        os.utime(path)


def rewrite_same_bytes(tree: Tree) -> None:
    path = tree.choose()
    if path is not None:
        path.write_bytes(path.read_bytes())


EDITS: list[Callable[[Tree], None]] = [
    retitle_event,
    break_record,
    restore_file,
    delete_file,
    add_file,
    edit_text,
    touch,
    rewrite_same_bytes,
]


# -- what must be the same ------------------------------------------------------------------


def findings(report: Report) -> list[str]:
    return [format_text(f) for f in report.findings]


def facts(case: Case | None) -> object:
    if case is None:
        return None
    return (
        case.root,
        case.meta,
        [
            (r.id, r.kind, r.path, r.data, r.positions, r.text and r.text.text, r.text_path)
            for r in case.records.values()
        ],
        case.references,
        list(case.backrefs.items()),
        case.cited,
    )


def assert_warm_is_cold(root: Path, cache: FileCache) -> Case | None:
    warm_report, warm = check(root, cache)
    cold_report, cold = check(root)
    assert findings(warm_report) == findings(cold_report)
    assert warm_report.findings == cold_report.findings
    assert facts(warm) == facts(cold)
    return warm


def by_path(case: Case | None) -> dict[Path, records.Record]:
    return {} if case is None else {r.path: r for r in case.records.values()}


def contents(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.glob("*/*") if p.is_file()}


@pytest.mark.parametrize("stat_only", [False, True], ids=["settling", "stat-only"])
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 2**32)), max_size=7))
def test_a_warm_check_reports_what_a_cold_check_reports(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    stat_only: bool,
    edits: list[tuple[Callable[[Tree], None], int]],
) -> None:
    if stat_only:
        monkeypatch.setattr(records, "SETTLED_NS", 0)
    root = tmp_path_factory.mktemp("warm") / "casefile"
    shutil.copytree(EXAMPLE, root)
    cache = FileCache()
    case = assert_warm_is_cold(root, cache)
    for edit, seed in edits:
        before = contents(root)
        edit(Tree(root, random.Random(seed), stat_only))
        after = contents(root)
        now = assert_warm_is_cold(root, cache)
        # A record whose file holds the same bytes is the very same object.
        old, new = by_path(case), by_path(now)
        for path in old.keys() & new.keys():
            if before[path] == after[path]:
                assert new[path] is old[path], (edit.__name__, path)
        case = now
        # Nothing is kept for files that went away, nor derived from records no longer there.
        assert set(cache.records) | set(cache.texts) <= {str(p) for p in after}
        assert len(cache.memo.table("index")) <= len(after)


def test_an_unchanged_file_keeps_its_record_and_its_text(tmp_path: Path) -> None:
    root = tmp_path / "casefile"
    shutil.copytree(EXAMPLE, root)
    cache = FileCache()
    _, first = check(root, cache)
    assert first is not None
    event = root / "events" / "griner-testifies.yml"
    event.write_text(event.read_text().replace("title: Brittney", "title: Then Brittney"))
    source = root / "sources" / "agency-biden-no-plans-to-call-putin.txt"
    os.utime(source)  # touched
    quote = root / "quotes" / "kirby-no-calls-with-putin.yml"
    quote.write_bytes(quote.read_bytes())  # the same bytes written again
    _, second = check(root, cache)
    assert second is not None
    assert second.records["griner-testifies"] is not first.records["griner-testifies"]
    assert second.records["griner-testifies"].data.title == "Then Brittney Griner testifies"
    for rid, record in first.records.items():
        if rid != "griner-testifies":
            assert second.records[rid] is record, rid
            assert record.text is None or second.records[rid].text is record.text


TITLE = "title: Brittney Griner testifies\n"
SAME_SIZE = "title: Brittney Griner testified\n"


def _same_size_edit(path: Path) -> None:
    """Different bytes of the same length, the modification time set back as it was."""
    before = os.stat(path)
    path.write_text(path.read_text().replace(TITLE, SAME_SIZE))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
    )


def test_a_same_size_edit_in_the_same_second_is_seen_with_whole_second_times(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a file system that keeps times in whole seconds (HFS+, ext3), two writes in one
    second leave the same lstat: a file changed less than SETTLED_NS before it was read is
    read again next time."""

    def whole_seconds(info: os.stat_result) -> files.StatKey:
        second = 1_000_000_000
        mtime, ctime = info.st_mtime_ns // second * second, info.st_ctime_ns // second * second
        return (info.st_ino, info.st_size, mtime, ctime)

    monkeypatch.setattr(files, "stat_key", whole_seconds)
    root = tmp_path / "casefile"
    shutil.copytree(EXAMPLE, root)
    path = root / "events" / "griner-testifies.yml"
    if (into := time.time() % 1) > 0.7:  # the edits below fall in one second
        time.sleep(1.01 - into)
    path.write_text(path.read_text())
    cache = FileCache()
    check(root, cache)
    before = whole_seconds(os.stat(path))
    _same_size_edit(path)
    assert whole_seconds(os.stat(path)) == before  # lstat cannot tell
    _, case = check(root, cache)
    assert case is not None
    assert case.records["griner-testifies"].data.title == "Brittney Griner testified"


def test_a_same_size_edit_with_the_same_mtime_shows_in_the_change_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With lstat alone trusted (SETTLED_NS = 0), the change time tells the edit: no program
    can set it back."""
    monkeypatch.setattr(records, "SETTLED_NS", 0)
    root = tmp_path / "casefile"
    shutil.copytree(EXAMPLE, root)
    path = root / "events" / "griner-testifies.yml"
    cache = FileCache()
    check(root, cache)
    ctime = os.stat(path).st_ctime_ns
    time.sleep(0.05)  # a later tick of the file system's clock
    _same_size_edit(path)
    assert os.stat(path).st_ctime_ns != ctime
    _, case = check(root, cache)
    assert case is not None
    assert case.records["griner-testifies"].data.title == "Brittney Griner testified"


def test_a_warm_check_reads_only_the_files_that_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records, "SETTLED_NS", 50_000_000)
    root = tmp_path / "casefile"
    shutil.copytree(EXAMPLE, root)
    time.sleep(0.1)  # every file settled
    read: list[Path] = []
    real = records.read_stat

    def counting(
        path: Path, limit: int = files.MAX_BYTES
    ) -> tuple[bytes | None, files.StatKey | None, list[Finding]]:
        read.append(path)
        return real(path, limit)

    monkeypatch.setattr(records, "read_stat", counting)
    cache = FileCache()
    check(root, cache)
    assert len(read) == len(list(root.glob("*/*")))
    read.clear()
    path = root / "quotes" / "kirby-no-calls-with-putin.yml"
    path.write_text(path.read_text().replace("news agency", "agency"))
    _, case = check(root, cache)
    assert read == [path]
    assert case is not None
    assert case.records["kirby-no-calls-with-putin"].data.notes.startswith('"[US]" is the agency')


def test_nothing_is_kept_for_files_that_went_away(tmp_path: Path) -> None:
    root = tmp_path / "casefile"
    shutil.copytree(EXAMPLE, root)
    cache = FileCache()
    check(root, cache)
    for name in [
        "quotes/kirby-no-calls-with-putin.yml",
        "sources/agency-biden-no-plans-to-call-putin.txt",
    ]:
        (root / name).unlink()
    check(root, cache)
    present = {str(p) for p in root.glob("*/*")}
    assert set(cache.records) | set(cache.texts) == present
    # The memo holds what a first check of what is left derives, no more.
    fresh = FileCache()
    check(root, fresh)
    assert cache.memo.sizes() == fresh.memo.sizes()
    assert cache.memo.sizes()["index"] == len(list(root.glob("*/*.yml")))


@pytest.mark.parametrize("left", [0, 3_000, EXPLAIN_WORK - 1, EXPLAIN_WORK, 3 * EXPLAIN_WORK])
def test_a_kept_explanation_is_what_the_budget_left_gives(left: int) -> None:
    """A word diff's hint depends on the work left in the check's budget: it is kept for the
    next check only when a whole explanation's work was left."""
    text = SourceText("Ann said that there was no agreement on the exchange so far.\n")
    passage = "there was no deal on the exchange"
    kept: Table[tuple[str | None, int]] = Table()
    for _ in range(2):  # the second time from `kept`, when it kept it
        plain, memo = WorkBudget(left), WorkBudget(left)
        assert _explain(text, passage, memo, kept) == explain_mismatch(text, passage, plain)
        assert (memo.left, memo.spent) == (plain.left, plain.spent)
        kept.finish()
    assert len(kept) == (left >= EXPLAIN_WORK)
