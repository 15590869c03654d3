"""The case file's own files, and nothing else: listing and reading without following links.

A pull request can commit a symlink (to `.git/config`, `/etc/passwd`, `/dev/zero`), a FIFO or
a huge file where a record belongs. Everything under the records folder and the hand-written
pages is therefore looked at with `lstat` and opened with `O_NOFOLLOW | O_NONBLOCK`: a link,
device, FIFO or socket is a located error, never read; a regular file is read up to the limit
plus one byte, so an oversized one costs no more than the limit; every I/O failure is a
finding, never a traceback.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

from .findings import Finding, Location

# Records and full texts: a long report's text is a few hundred KB; a record, a few KB.
MAX_BYTES = 1_000_000

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


# What `lstat` says of a file, enough to tell that it changed without reading it: any write
# moves its change time (ctime), which no program can set back.
StatKey = tuple[int, int, int, int]  # (st_ino, st_size, st_mtime_ns, st_ctime_ns)


def stat_key(info: os.stat_result) -> StatKey:
    return (info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


@dataclass(frozen=True, slots=True)
class Entry:
    """One name in a folder, as `lstat` saw it (a link is never taken for its target)."""

    path: Path
    is_dir: bool
    is_file: bool
    stat: StatKey | None = None  # for a regular file

    @property
    def name(self) -> str:
        return self.path.name


def _file_type(mode: int) -> str:
    """What a non-regular file is, as the key of its phrase in the `not-a-regular-file` row."""
    if stat.S_ISLNK(mode):
        return "link"
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "other"


def not_regular(path: Path, mode: int) -> Finding:
    return Finding.make("not-a-regular-file", Location(path), name=path.name, what=_file_type(mode))


def unreadable(path: Path, exc: OSError) -> Finding:
    reason = exc.strerror or errno.errorcode.get(exc.errno or 0, "I/O error")
    return Finding.make("unreadable-file", Location(path), name=path.name, reason=reason)


def too_large(path: Path, size: int, limit: int) -> Finding:
    return Finding.make("file-too-large", Location(path), size=size, limit=limit)


def scan_dir(directory: Path) -> tuple[list[Entry], list[Finding]]:
    """The entries of `directory` sorted by name: folders and regular files; anything else is
    a finding. Hidden names (`.git`, `.DS_Store`) are skipped, as before."""
    entries, findings = scan_named(directory)
    return list(entries.values()), findings


def scan_named(
    directory: Path, known: Mapping[str, Entry] | None = None
) -> tuple[dict[str, Entry], list[Finding]]:
    """`scan_dir`, by name. `known` holds the entries of an earlier scan: a file that `lstat`
    shows as it was then keeps its entry (and its path object)."""
    entries: dict[str, Entry] = {}
    findings: list[Finding] = []
    try:
        with os.scandir(directory) as listing:
            raw = sorted(listing, key=attrgetter("name"))
    except OSError as exc:
        return {}, [unreadable(directory, exc)]
    known = known or {}
    for item in raw:
        name = item.name
        if name.startswith("."):
            continue
        try:
            info = item.stat(follow_symlinks=False)
        except OSError as exc:
            findings.append(unreadable(directory / name, exc))
            continue
        mode = info.st_mode
        if stat.S_ISREG(mode):
            key = stat_key(info)
            entry = known.get(name)
            if entry is None or entry.stat != key:
                entry = Entry(directory / name, False, True, key)
            entries[name] = entry
        elif stat.S_ISDIR(mode):
            entries[name] = Entry(directory / name, True, False)
        else:
            findings.append(not_regular(directory / name, mode))
    return entries, findings


def walk(directory: Path) -> Iterator[Entry | Finding]:
    """Every regular file below `directory` (depth first, sorted), and a finding for anything
    that is not a regular file or folder. Linked folders are reported, never entered."""
    entries, findings = scan_dir(directory)
    yield from findings
    for entry in entries:
        if entry.is_dir:
            yield from walk(entry.path)
        else:
            yield entry


def read_bytes(path: Path, limit: int = MAX_BYTES) -> tuple[bytes | None, list[Finding]]:
    """The bytes of a regular file of at most `limit` bytes, or the findings that say why not.

    The check and the read use one file descriptor, so the file cannot be swapped for a link
    between them.
    """
    data, _, findings = read_stat(path, limit)
    return data, findings


def read_stat(
    path: Path, limit: int = MAX_BYTES
) -> tuple[bytes | None, StatKey | None, list[Finding]]:
    """`read_bytes`, with what `fstat` said of the file just before it was read: bytes read
    are never newer than that key says (a file changed while being read has a newer one)."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW met a link
            return None, None, [not_regular(path, stat.S_IFLNK)]
        return None, None, [unreadable(path, exc)]
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, None, [not_regular(path, info.st_mode)]
        if info.st_size > limit:
            return None, None, [too_large(path, info.st_size, limit)]
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as exc:
        return None, None, [unreadable(path, exc)]
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:  # it grew while being read
        return None, None, [too_large(path, len(data), limit)]
    return data, stat_key(info), []
