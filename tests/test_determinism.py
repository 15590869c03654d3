"""The same records build the same bytes, whatever the hash seed: ties in every sort are
broken by something stable (an id), never by set or dict order."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import hashlib, sys
from pathlib import Path
from build_scripts.checker import check
from build_scripts.pages import render_site
report, case = check(Path(sys.argv[1]))
assert case is not None, report.summary()
digest = hashlib.sha256()
for path, text in render_site(case).files.items():
    digest.update(path.encode() + b"\\0" + text.encode() + b"\\0")
print(digest.hexdigest())
"""


def test_actors_with_the_same_name_sort_the_same_under_any_hash_seed(tmp_path: Path) -> None:
    root = tmp_path / "casefile"
    files = {
        "case.yml": "title: Twins\n",
        "sources/s.yml": "title: S\nkind: article\n",
    }
    ids = [f"official-{n}" for n in range(12)]
    for rid in ids:
        files[f"actors/{rid}.yml"] = "name: A senior official\nkind: anonymous\n"
    for n, rid in enumerate(ids):
        files[f"events/e-{n}.yml"] = (
            f"title: Event number {n} of the twelve\ndate: 2022-07-{n + 1:02d}\n"
            f"status: reported\nsources: [s]\nactors: [{rid}]\n"
        )
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    digests = {
        subprocess.run(
            [sys.executable, "-c", SCRIPT, str(root)],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in (0, 1, 2, 3, 4, 5)
    }
    assert len(digests) == 1, digests
    assert all(len(d) == len(hashlib.sha256().hexdigest()) for d in digests)
