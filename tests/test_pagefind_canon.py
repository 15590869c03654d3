"""Pagefind's bundle made deterministic: the CBOR codec, and the bundle rewritten so the same
documents give the same bytes."""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from build_scripts.pagefind_canon import (
    SIGNATURE,
    Simple,
    Tag,
    canonicalise,
    decode,
    encode,
    read_pf,
)
from build_scripts.search_index import BUNDLE, Block, SearchDocument, build_index

INTEGERS = st.integers(min_value=-(2**64), max_value=2**64 - 1)  # what CBOR holds
SCALARS = (
    st.none()
    | st.booleans()
    | INTEGERS
    | st.floats(allow_nan=False)
    | st.binary(max_size=40)
    | st.text(max_size=40)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=6)
        | st.dictionaries(st.text(max_size=8) | INTEGERS, inner, max_size=6)
    ),
    max_leaves=40,
)


@given(VALUES)
def test_cbor_round_trips(value: object) -> None:
    data = encode(value)
    assert decode(data) == value
    assert encode(decode(data)) == data


@pytest.mark.parametrize(
    ("value", "cbor"),  # RFC 8949, appendix A
    [
        (0, "00"),
        (23, "17"),
        (24, "1818"),
        (256, "190100"),
        (1_000_000, "1a000f4240"),
        (2**64 - 1, "1bffffffffffffffff"),
        (-1, "20"),
        (-1000, "3903e7"),
        (-(2**64), "3bffffffffffffffff"),
        (1.5, "f93e00"),
        (-0.0, "f98000"),
        (100000.0, "fa47c35000"),
        (1.1, "fb3ff199999999999a"),
        (float("inf"), "f97c00"),
        (False, "f4"),
        (True, "f5"),
        (None, "f6"),
        (Simple(23), "f7"),
        (Simple(255), "f8ff"),
        (b"\x01\x02", "420102"),
        ("ü", "62c3bc"),
        ([1, [2, 3]], "8201820203"),
        ({"a": 1, "b": [2]}, "a2616101616281 02".replace(" ", "")),
        (Tag(1, 1363896240), "c11a514b67b0"),
    ],
)
def test_cbor_heads_are_the_shortest(value: object, cbor: str) -> None:
    assert encode(value).hex() == cbor
    assert decode(bytes.fromhex(cbor)) == value


@pytest.mark.parametrize("cbor", ["9f01ff", "1c", "62c3", "0000", "18"])
def test_cbor_that_is_not_canonical_or_complete_is_refused(cbor: str) -> None:
    with pytest.raises(ValueError):
        decode(bytes.fromhex(cbor))


@pytest.mark.parametrize("value", [2**64, -(2**64) - 1, 1j])
def test_what_cbor_cannot_hold_is_refused(value: object) -> None:
    with pytest.raises((ValueError, TypeError)):
        encode(value)


def _documents() -> dict[str, SearchDocument]:
    """Enough filter values that Pagefind's hash-map order is all but sure to differ."""
    docs = {}
    for n in range(24):
        filters = [("tag", f"tag-{n % 9}"), ("tag", f"t{n % 5}"), ("year", f"{2000 + n % 7}")]
        docs[f"items/{n:02d}/index.html"] = SearchDocument(
            f"Item {n}",
            ("actor", "event", "quote")[n % 3],
            (Block(f"zebra number {n} walks"),),
            (("status", "confirmed"),),
            (("status", ("confirmed", "reported", "claimed")[n % 3]), *filters),
            (("date", f"20{n % 4:02d}-01-{n % 28 + 1:02d}"),),
        )
    return docs


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    docs = _documents()
    out = tmp_path_factory.mktemp("bundles")
    build_index(docs, out / "one" / BUNDLE, language="en")
    build_index(dict(reversed(docs.items())), out / "two" / BUNDLE, language="en")
    return out / "one" / BUNDLE, out / "two" / BUNDLE


def test_two_builds_of_the_same_documents_are_the_same_bytes(bundles: tuple[Path, Path]) -> None:
    one, two = bundles
    assert _digest(one) == _digest(two)
    assert len(list((one / "filter").glob("*.pf_filter"))) == 4  # status, tag, year, kind


def test_pagefind_files_decode_and_encode_to_the_same_bytes(bundles: tuple[Path, Path]) -> None:
    files = [p for p in bundles[0].rglob("*.pf_*") if p.suffix != ".pf_fragment"]  # JSON
    assert {p.suffix for p in files} == {".pf_filter", ".pf_index", ".pf_meta"}
    for path in files:
        raw = gzip.decompress(path.read_bytes())
        assert raw.startswith(SIGNATURE)
        assert encode(decode(raw[len(SIGNATURE) :])) == raw[len(SIGNATURE) :], path.name


def test_names_are_the_content_hash_of_pagefinds_lengths(bundles: tuple[Path, Path]) -> None:
    one = bundles[0]
    entry = json.loads((one / "pagefind-entry.json").read_text(encoding="utf-8"))
    meta = entry["languages"]["en"]["hash"]
    assert len(meta) == len("en_") + 10
    for path in [one / f"pagefind.{meta}.pf_meta", *(one / "filter").iterdir()]:
        digest = hashlib.sha256(gzip.decompress(path.read_bytes())).hexdigest()
        name = path.name.removeprefix("pagefind.").split(".")[0]
        assert name == f"en_{digest[: len(name) - 3]}"
    assert (
        (one / "pagefind-entry.json")
        .read_text(encoding="utf-8")
        .startswith('{"version":"1.5.2","languages":{"en":{"hash":"')
    )


def test_canonicalise_is_idempotent(bundles: tuple[Path, Path], tmp_path: Path) -> None:
    copy = tmp_path / BUNDLE
    shutil.copytree(bundles[0], copy)
    canonicalise(copy)
    canonicalise(copy)
    assert _digest(copy) == _digest(bundles[0])


def _write(path: Path, value: object) -> None:
    path.write_bytes(gzip.compress(SIGNATURE + encode(value)))


def test_shuffled_filters_canonicalise_to_the_same_bytes(
    bundles: tuple[Path, Path], tmp_path: Path
) -> None:
    """Filter values, their pages and the meta's filter list in another order, under other
    names (as Pagefind leaves them): the same bytes once canonicalised."""
    copy = tmp_path / BUNDLE
    shutil.copytree(bundles[0], copy)
    shuffle = random.Random(638).shuffle
    names = {}
    for n, path in enumerate(sorted((copy / "filter").iterdir())):
        name, values = read_pf(path)  # type: ignore[misc]
        for _, pages in values:
            shuffle(pages)
        shuffle(values)
        names[path.name.removesuffix(".pf_filter")] = f"en_{n:07d}"
        path.unlink()
        _write(copy / "filter" / f"en_{n:07d}.pf_filter", [name, values])
    entry_path = copy / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    meta_path = copy / f"pagefind.{entry['languages']['en']['hash']}.pf_meta"
    meta = read_pf(meta_path)
    meta[3] = [[f, names[h]] for f, h in reversed(meta[3])]  # type: ignore[index]
    meta_path.unlink()
    _write(copy / "pagefind.en_0000000000.pf_meta", meta)
    entry["languages"]["en"]["hash"] = "en_0000000000"
    entry_path.write_text(json.dumps(entry, indent=1), encoding="utf-8")
    assert _digest(copy) != _digest(bundles[0])
    canonicalise(copy)
    assert _digest(copy) == _digest(bundles[0])
