"""Relative links between pages, computed without posixpath.relpath's getcwd() calls."""

from __future__ import annotations

import posixpath

from hypothesis import given
from hypothesis import strategies as st

from build_scripts.site_paths import _relative

_DIR = st.lists(st.sampled_from(["actors", "events", "a", "b"]), max_size=3)
_FILE = st.sampled_from(["index.md", "x.md", "casefile.json", "actor.schema.json"])


@given(_DIR, _FILE, _DIR)
def test_relative_agrees_with_relpath(target_dir: list[str], name: str, start: list[str]) -> None:
    target = "/".join([*target_dir, name])
    start_dir = "/".join(start)
    assert _relative(target, start_dir) == posixpath.relpath(target, start_dir or ".")
