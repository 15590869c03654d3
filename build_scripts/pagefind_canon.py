"""Pagefind's bundle made deterministic: the same pages give the same bytes.

Pagefind 1.5.2 writes each filter's values, and the list of filters in its metadata file, in
hash-map order, which changes from run to run (Pagefind/pagefind#638). The filter files are
named by a hash of their content, the metadata file names them, and the entry file names the
metadata file by its hash: one random order changes all three. Everything else it writes
(fragments, word index, sort orders, scripts) is already the same from run to run.

Each `.pf_*` file is gzip of `pagefind_dcd` followed by one CBOR item. A filter file is
`[filter, [[value, [page, ...]], ...]]`; the metadata file is an array holding, among other
things, the list `[[filter, filter file], ...]`. `canonicalise` sorts both, names each
rewritten file `<lang>_<sha256 of its uncompressed bytes>` (Pagefind's hash lengths kept) and
points the metadata and entry files at the new names. The small CBOR codec covers what
Pagefind writes and encodes with the shortest heads (RFC 8949 preferred serialisation), so
decoding and re-encoding one of its files gives back the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import struct
from dataclasses import dataclass
from pathlib import Path

SIGNATURE = b"pagefind_dcd"
LEVEL = 9  # gzip level: fixed, so the same content compresses to the same bytes


@dataclass(frozen=True, slots=True)
class Tag:
    """A tagged CBOR item (major type 6)."""

    number: int
    value: object


@dataclass(frozen=True, slots=True)
class Simple:
    """A simple value other than false, true and null (23 is `undefined`)."""

    value: int


# -- CBOR -------------------------------------------------------------------------------------
def _head(major: int, n: int) -> bytes:
    """A head with the shortest argument that holds `n`."""
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise ValueError(f"CBOR cannot hold the integer {n}")


def _float(value: float) -> bytes:
    """The shortest of half, single and double precision that holds `value` exactly."""
    for info, fmt in ((25, ">e"), (26, ">f")):
        try:
            packed = struct.pack(fmt, value)
        except (OverflowError, struct.error):
            continue
        back = struct.unpack(fmt, packed)[0]
        if back == value or (back != back and value != value):  # equal, or both NaN
            return bytes([0xE0 | info]) + packed
    return b"\xfb" + struct.pack(">d", value)


def encode(value: object) -> bytes:
    """One CBOR item, definite lengths, shortest heads; maps keep their order."""
    if value is False or value is True or value is None:
        return {False: b"\xf4", True: b"\xf5", None: b"\xf6"}[value]
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        data = value.encode("utf-8")
        return _head(3, len(data)) + data
    if isinstance(value, list | tuple):
        return _head(4, len(value)) + b"".join(encode(v) for v in value)
    if isinstance(value, dict):
        items = (encode(k) + encode(v) for k, v in value.items())
        return _head(5, len(value)) + b"".join(items)
    if isinstance(value, Tag):
        return _head(6, value.number) + encode(value.value)
    if isinstance(value, Simple):
        return bytes([0xE0 | value.value]) if value.value < 24 else b"\xf8" + bytes([value.value])
    raise TypeError(f"no CBOR encoding for {type(value).__name__}")


def decode(data: bytes) -> object:
    """The one CBOR item `data` holds; ValueError if anything follows it or it is cut short."""
    value, end = _item(data, 0)
    if end != len(data):
        raise ValueError(f"{len(data) - end} bytes after the CBOR item")
    return value


def _item(data: bytes, at: int) -> tuple[object, int]:
    if at >= len(data):
        raise ValueError("CBOR item cut short")
    major, info = data[at] >> 5, data[at] & 31
    at += 1
    if major == 7 and info in (25, 26, 27):
        size = 1 << (info - 24)
        (number,) = struct.unpack((">e", ">f", ">d")[info - 25], _take(data, at, size))
        return number, at + size
    if info < 24:
        n = info
    elif info < 28:
        size = 1 << (info - 24)
        n, at = int.from_bytes(_take(data, at, size), "big"), at + size
    else:
        raise ValueError(f"unsupported CBOR head {data[at - 1]:#04x} (indefinite or reserved)")
    return _body(data, at, major, n)


def _body(data: bytes, at: int, major: int, n: int) -> tuple[object, int]:
    if major == 0:
        return n, at
    if major == 1:
        return -1 - n, at
    if major in (2, 3):
        raw = _take(data, at, n)
        return (raw if major == 2 else raw.decode("utf-8")), at + n
    if major == 4:
        items = []
        for _ in range(n):
            item, at = _item(data, at)
            items.append(item)
        return items, at
    if major == 5:
        mapping: dict[object, object] = {}
        for _ in range(n):
            key, at = _item(data, at)
            mapping[key], at = _item(data, at)
        return mapping, at
    if major == 6:
        item, at = _item(data, at)
        return Tag(n, item), at
    return {20: False, 21: True, 22: None}.get(n, Simple(n)), at


def _take(data: bytes, at: int, size: int) -> bytes:
    if at + size > len(data):
        raise ValueError("CBOR item cut short")
    return data[at : at + size]


# -- the bundle -------------------------------------------------------------------------------
def read_pf(path: Path) -> object:
    """The CBOR item of one of Pagefind's `.pf_*` files."""
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(SIGNATURE):
        raise ValueError(f"{path} is not a Pagefind file")
    return decode(raw[len(SIGNATURE) :])


def write_pf(folder: Path, like: str, value: object, template: str) -> str:
    """`value` written in `folder` under its content hash, named like `like` (`en_0123abc`:
    the language kept, the hash as long); `template` is the file name with `{}` for it.
    Returns the new name."""
    raw = SIGNATURE + encode(value)
    lang, digits = like.rsplit("_", 1)
    name = f"{lang}_{hashlib.sha256(raw).hexdigest()[: len(digits)]}"
    _replace(folder / template.format(name), gzip.compress(raw, compresslevel=LEVEL, mtime=0))
    return name


def _replace(target: Path, data: bytes) -> None:
    """A new file at `target`: a hard-linked copy of the old one elsewhere keeps its bytes."""
    scratch = target.with_name(f".{target.name}.tmp")
    scratch.write_bytes(data)
    os.replace(scratch, target)


def _rewrite(folder: Path, template: str, olds: list[str], values: list[object]) -> dict[str, str]:
    """The files `olds` (names in `template`) replaced by `values`: old name -> new name.
    All are read before any is written, so a new name may be an old one."""
    names = {
        old: write_pf(folder, old, value, template) for old, value in zip(olds, values, strict=True)
    }
    for old in set(olds) - set(names.values()):
        (folder / template.format(old)).unlink()
    return names


def _filter(value: object) -> object:
    """A filter file's values sorted, and each value's pages."""
    name, values = value  # type: ignore[misc]
    return [name, sorted([v, sorted(pages)] for v, pages in values)]


def _renamed(value: object, names: dict[str, str]) -> object:
    """The metadata with the filter files' new names, and its filter list sorted by name."""
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, list):
        items = [_renamed(v, names) for v in value]
        pairs = all(
            isinstance(v, list) and len(v) == 2 and isinstance(v[1], str) and v[1] in names
            for v in value
        )
        return sorted(items) if value and pairs else items  # type: ignore[type-var]
    if isinstance(value, dict):
        return {k: _renamed(v, names) for k, v in value.items()}
    return value


def canonicalise(bundle: Path) -> None:
    """Rewrite the Pagefind bundle in `bundle` so the same pages always give the same bytes."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    folder = bundle / "filter"
    olds = sorted(p.name.removesuffix(".pf_filter") for p in folder.glob("*.pf_filter"))
    values = [_filter(read_pf(folder / f"{old}.pf_filter")) for old in olds]
    names = _rewrite(folder, "{}.pf_filter", olds, values)
    metas = [language["hash"] for language in entry["languages"].values()]
    values = [_renamed(read_pf(bundle / f"pagefind.{old}.pf_meta"), names) for old in metas]
    renamed = _rewrite(bundle, "pagefind.{}.pf_meta", metas, values)
    for language in entry["languages"].values():
        language["hash"] = renamed[language["hash"]]
    entry["languages"] = dict(sorted(entry["languages"].items()))
    text = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    _replace(entry_path, text.encode("utf-8"))
