"""Relative links between pages: the ones MkDocs itself would make, computed without
posixpath.relpath's getcwd() calls and with each path split once."""

from __future__ import annotations

import posixpath

from hypothesis import given, settings
from hypothesis import strategies as st
from mkdocs.utils import get_relative_url

from build_scripts.site_paths import _relative, href, relative_url

_DIR = st.lists(st.sampled_from(["actors", "events", "a", "b"]), max_size=3)
_FILE = st.sampled_from(["index.md", "x.md", "casefile.json", "actor.schema.json"])


@given(_DIR, _FILE, _DIR)
def test_relative_agrees_with_relpath(target_dir: list[str], name: str, start: list[str]) -> None:
    target = "/".join([*target_dir, name])
    start_dir = "/".join(start)
    assert _relative(target, start_dir) == posixpath.relpath(target, start_dir or ".")


SEGMENTS = st.sampled_from(["actors", "x", "a.b", "..", ".", "", "index.html", "events", "y-1"])
PATHS = st.lists(SEGMENTS, max_size=5).map("/".join)


@settings(max_examples=500, deadline=None)
@given(
    url=PATHS,
    other=PATHS,
    lead=st.sampled_from(["", "/", "//"]),
    trail=st.sampled_from(["", "/"]),
)
def test_relative_urls_are_mkdocs_own(url: str, other: str, lead: str, trail: str) -> None:
    """`relative_url` splits each path once (cached); what it gives is MkDocs' answer."""
    target, start = lead + url + trail, other + trail
    assert relative_url(target, start) == get_relative_url(target, start)


def test_links_between_pages() -> None:
    assert href("events/talks.md", "actors/ann.md", True) == "../../events/talks/"
    assert href("actors/bob.md", "actors/ann.md", True) == "../bob/"
    assert href("actors/bob.md", "actors/ann.md", False) == "bob.html"
    assert href("index.md", "timeline/2022.md", True) == "../../"
    assert href("actors/ann.md", "actors/ann.md", True) == "./"
