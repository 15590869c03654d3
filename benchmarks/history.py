"""What reading the git history costs: a throwaway repository with `n_records` record files and
a history of `n_commits` commits, then `history.read_history` over it.

    python -m benchmarks.history [--records 10000] [--commits 5000]

The repository is written with `git fast-import` (a commit per `git commit` would take longer
than what is measured). The first commit adds every record; each later one changes three
records, and one in ten also adds a record and deletes another, so the last-changed dates are
spread over the whole history. Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from build_scripts.history import read_history

T0 = 1_600_000_000
FOLDERS = ("actors", "sources", "events", "quotes")
CHANGED_PER_COMMIT = 3


def _data(text: str) -> bytes:
    raw = text.encode("utf-8")
    return b"data %d\n" % len(raw) + raw + b"\n"


def _stream(n_records: int, n_commits: int, seed: int = 0) -> Iterator[bytes]:
    """A fast-import stream of the history described in the module docstring."""
    rng = random.Random(seed)
    live = [f"{FOLDERS[i % 4]}/r{i}.yml" for i in range(n_records)]
    serial = n_records
    for number in range(n_commits):
        yield b"commit refs/heads/main\n"
        yield b"committer Bench <bench@example.org> %d +0000\n" % (T0 + 60 * number)
        yield _data(f"Commit {number}: edit records")
        if number == 0:
            changes = [("M", path) for path in live]
        else:
            changes = [("M", p) for p in rng.sample(live, min(CHANGED_PER_COMMIT, len(live)))]
            if number % 10 == 0 and live:
                gone = live.pop(rng.randrange(len(live)))
                changes.append(("D", gone))
                added = f"{FOLDERS[serial % 4]}/r{serial}.yml"
                serial += 1
                live.append(added)
                changes.append(("M", added))
        for op, path in changes:
            if op == "D":
                yield f"D casefile/{path}\n".encode()
            else:
                yield f"M 100644 inline casefile/{path}\n".encode()
                yield _data(f"title: {path} as of commit {number}\n")
        yield b"\n"


def build_repo(where: Path, n_records: int, n_commits: int) -> Path:
    """A repository at `where` with the history; returns its records folder."""
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(where)}
    subprocess.run(["git", "init", "-q", "-b", "main", str(where)], check=True, env=env)
    importer = subprocess.Popen(
        ["git", "fast-import", "--quiet"], cwd=where, stdin=subprocess.PIPE, env=env
    )
    assert importer.stdin is not None
    for chunk in _stream(n_records, n_commits):
        importer.stdin.write(chunk)
    importer.stdin.close()
    if importer.wait() != 0:
        raise RuntimeError("git fast-import failed")
    subprocess.run(["git", "checkout", "-q", "main"], cwd=where, check=True, env=env)
    return where / "casefile"


def measure(n_records: int, n_commits: int) -> dict[str, float]:
    """Seconds to build the repository and to read its history (the median of three reads),
    with the sizes that were read."""
    where = Path(tempfile.mkdtemp(prefix="casefile-history-bench-"))
    try:
        start = time.perf_counter()
        records = build_repo(where, n_records, n_commits)
        built = time.perf_counter() - start
        times: list[float] = []
        found = None
        for _ in range(3):
            start = time.perf_counter()
            found = read_history(records, environ={})
            times.append(time.perf_counter() - start)
        assert found is not None
        return {
            "records": float(n_records),
            "commits": float(len(found.commits)),
            "files_with_history": float(len(found.last)),
            "file_changes": float(sum(len(c.changes) for c in found.commits)),
            "build_repo_s": built,
            "read_history_s": sorted(times)[1],
        }
    finally:
        shutil.rmtree(where, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--commits", type=int, default=5_000)
    args = parser.parse_args()
    print(json.dumps(measure(args.records, args.commits), indent=1))


if __name__ == "__main__":
    main()
