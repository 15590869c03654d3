"""Writing generated files to a folder without ever harming anything else there.

The output folder is filled in a temporary sibling and swapped in at the end, so an
interrupted run leaves the previous output whole. A folder is only replaced when it is empty
or carries the marker an earlier run left; never when it holds (or is inside) records.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

MARKER = ".casefile-render"


class OutputError(Exception):
    pass


def _inside(path: Path, other: Path) -> bool:
    return path == other or other in path.parents


def write_tree(out: Path, files: Mapping[str, str], protect: Iterable[Path] = ()) -> int:
    """Replace `out` with exactly `files` (relative posix path -> text); return the count."""
    target = out.resolve()
    for guarded in protect:
        g = guarded.resolve()
        if _inside(target, g) or _inside(g, target):
            raise OutputError(f"refusing to write to {out}: it overlaps the records in {guarded}")
    if target.exists():
        if not target.is_dir():
            raise OutputError(f"{out} exists and is not a folder")
        if any(target.iterdir()) and not (target / MARKER).is_file():
            raise OutputError(
                f"{out} is not empty and was not written by casefile render; "
                "choose an empty or new folder"
            )
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for relative, content in files.items():
            path = (staging / relative).resolve()
            if not _inside(path, staging.resolve()):
                raise OutputError(f"generated path {relative!r} would leave the output folder")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8", newline="\n")
        (staging / MARKER).write_text("written by casefile render; safe to replace\n")
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
            os.replace(staging, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return len(files)
