"""The smallest clean case file, shared by the tests that break one piece of it, and a strict
MkDocs build of a project folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

MINIMAL = {
    "case.yml": "title: A case\n",
    "actors/ann.yml": "name: Ann\nkind: person\n",
    "sources/memo.yml": "title: A memo\nkind: document\n",
    "sources/memo.txt": "Ann said we will talk.\n\nNothing else.\n",
    "events/meeting.yml": "title: Meeting\ndate: 2022-07-27\nstatus: reported\n"
    "sources: [memo]\nactors: [ann]\n",
    "quotes/ann-talk.yml": "text: we will talk\nspeaker: ann\nsource: memo\n",
}


def write_case(root: Path, **files: str | None) -> Path:
    """MINIMAL, with `files` (path -> text) added or replaced (None: left out), under `root`."""
    for name, text in {**MINIMAL, **files}.items():
        if text is not None:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
    return root


def build(project: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """`mkdocs build --strict` of `project` into `out`, as CI runs it; never raises."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out), *extra],
        cwd=project,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
