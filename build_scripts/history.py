"""What changed, from the repository's git history: when each record file last changed, and
the commits that touched the records folder, newest first.

One `git log` reads the whole history of the folder in one pass (plus one `git rev-parse` for
where the folder sits in the repository); the cost does not grow with a call per file.

Without git, outside a repository, in a repository with no commit touching the folder, or when
git fails for any reason, `read_history` returns None: the site simply has no history.

**SOURCE_DATE_EPOCH.** When it is set (seconds since 1970, as reproducible-builds.org defines
it), it is the build time, and commits dated after it are left out, so the history (and
everything made from it) is the same on every rebuild of the same commit. When it is not set,
the build time is the newest commit's date, never the clock, so output still depends only on
the repository. A commit's date is its committer date, in UTC.

A shallow clone (CI checkouts are shallow by default) holds only the last commits, and its
oldest commit appears to add every file; `History.shallow` says so. Renames are read as a
deletion and an addition (a record's file name is its id, so a rename is a new record).
"""

from __future__ import annotations

import os
import posixpath
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

from .models import FOLDER

GIT_TIMEOUT = 300  # seconds; a history git cannot read in this time is treated as absent

STATUS_NAMES = {"A": "added", "M": "changed", "T": "changed", "D": "deleted"}


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file a commit added, changed or deleted; `path` is relative to the records folder
    (`events/x.yml`, `sources/x.txt`, `case.yml`)."""

    status: str  # "added" | "changed" | "deleted"
    path: str

    @property
    def record(self) -> tuple[str, str] | None:
        """(kind, id) of the record this file belongs to (a source's text belongs to the
        source); None for `case.yml` and anything else."""
        folder, _, name = self.path.partition("/")
        kind = FOLDER.get(folder)
        stem, dot, suffix = name.rpartition(".")
        if kind is None or not dot or "/" in name or suffix not in ("yml", "yaml", "txt"):
            return None
        return kind.name, stem


@dataclass(frozen=True, slots=True)
class Commit:
    hash: str
    short: str
    date: datetime  # committer date, UTC
    subject: str  # the first line of the message
    changes: tuple[FileChange, ...]


@dataclass(slots=True)
class History:
    """The records folder's history: commits newest first, and per file its last commit."""

    commits: list[Commit]
    built: datetime  # the build time: SOURCE_DATE_EPOCH, else the newest commit's date
    prefix: str = ""  # the records folder relative to the repository's top, "casefile/"
    shallow: bool = False
    last: dict[str, Commit] = field(default_factory=dict)

    def last_changed(self, path: str) -> Commit | None:
        """The last commit that changed `path` (relative to the records folder)."""
        return self.last.get(path)

    def repo_path(self, path: str) -> str:
        """`path` (relative to the records folder) relative to the repository's top."""
        return self.prefix + path


def source_date_epoch(environ: Mapping[str, str] | None = None) -> int | None:
    """SOURCE_DATE_EPOCH as an integer; None when unset or not a number."""
    value = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdecimal() else None


def build_time(history: History | None, environ: Mapping[str, str] | None = None) -> datetime:
    """The build time: SOURCE_DATE_EPOCH when set, else the newest commit's date, else (no
    history: the only case that is not reproducible) the clock, to the second."""
    epoch = source_date_epoch(environ)
    if epoch is not None:
        return datetime.fromtimestamp(epoch, UTC)
    if history is not None:
        return history.built
    return datetime.now(UTC).replace(microsecond=0)


def _git(root: Path, *args: str) -> str | None:
    git = shutil.which("git")
    if git is None:
        return None
    env = {
        **os.environ,
        "LC_ALL": "C",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_OPTIONAL_LOCKS": "0",
        "GIT_PAGER": "cat",
    }
    try:
        done = subprocess.run(
            [git, "-c", "core.quotepath=off", "-c", "log.showSignature=false", *args],
            cwd=root,
            env=env,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", errors="replace")


# A commit's header: record separator, then fields separated by unit separators; the message
# comes last, so whatever it holds cannot shift the other fields. -z ends it with a NUL.
_FORMAT = "%x1e%H%x1f%h%x1f%ct%x1f%B"


def parse_log(output: str, until: int | None = None) -> list[Commit]:
    """Commits from `git log -z --name-status --format=<_FORMAT>`; those dated after `until`
    left out."""
    commits: list[Commit] = []
    tokens = output.split("\0")
    i = 0
    while i < len(tokens):
        token = tokens[i].lstrip("\n")
        i += 1
        if not token.startswith("\x1e"):
            continue  # only the empty token after the last file
        fields = token[1:].split("\x1f", 3)
        if len(fields) != 4 or not fields[2].isdecimal():
            continue
        full, short, seconds, message = fields
        changes: list[FileChange] = []
        while i + 1 < len(tokens) and not tokens[i].lstrip("\n").startswith("\x1e"):
            status = tokens[i].lstrip("\n")[:1]
            if status in STATUS_NAMES:
                changes.append(FileChange(STATUS_NAMES[status], tokens[i + 1]))
            i += 2
        if until is not None and int(seconds) > until:
            continue
        subject = message.strip().split("\n", 1)[0].strip()
        date = datetime.fromtimestamp(int(seconds), UTC)
        commits.append(Commit(full, short, date, subject, tuple(changes)))
    return commits


def head_commit(records_root: Path) -> str | None:
    """The commit checked out where `records_root` is (one quick git call), or None: what
    `mkdocs serve` compares to know whether the history must be read again."""
    return _git(records_root, "rev-parse", "HEAD") if records_root.is_dir() else None


def read_history(records_root: Path, environ: Mapping[str, str] | None = None) -> History | None:
    """The history of `records_root` from git, in one pass; None when there is none to read.

    `environ` (default: the process's) is read for SOURCE_DATE_EPOCH only.
    """
    if not records_root.is_dir():
        return None
    where = _git(records_root, "rev-parse", "--show-prefix", "--is-shallow-repository")
    if where is None:
        return None
    prefix, _, shallow = where.partition("\n")
    log = _git(
        records_root,
        "log",
        "-z",
        "--relative",
        "--root",
        "--no-renames",
        "--no-color",
        "--no-ext-diff",
        "--name-status",
        f"--format={_FORMAT}",
        "--",
        ".",
    )
    if log is None:
        return None
    epoch = source_date_epoch(environ)
    commits = parse_log(log, until=epoch)
    if not commits:
        return None
    last: dict[str, Commit] = {}
    seen: set[str] = set()
    for commit in commits:  # newest first: the first commit seen for a path is its last
        for change in commit.changes:
            if change.path not in seen:
                seen.add(change.path)
                if change.status != "deleted":  # a file that is gone has no last change
                    last[change.path] = commit
    built = datetime.fromtimestamp(epoch, UTC) if epoch is not None else commits[0].date
    return History(
        commits,
        built,
        prefix=prefix.strip(),
        shallow=shallow.strip() == "true",
        last=last,
    )


# -- links to the repository host --------------------------------------------------------------


def history_url(edit_url: str | None) -> str | None:
    """The page listing a file's commits on its repository host, from the file's edit link
    (MkDocs' `page.edit_url`, made of `repo_url` and `edit_uri`): GitHub's
    `<repo>/edit|blob/<branch>/<path>` becomes `<repo>/commits/<branch>/<path>`, GitLab's
    `<repo>/-/edit|blob/...` becomes `<repo>/-/commits/...`. None for another host or shape."""
    if not edit_url:
        return None
    parts = urlsplit(edit_url)
    if parts.scheme not in ("http", "https") or parts.query or parts.fragment:
        return None
    host = parts.netloc.lower()
    segments = parts.path.split("/")
    if host == "github.com" and len(segments) > 5 and segments[3] in ("edit", "blob"):
        segments[3] = "commits"
    elif "gitlab" in host:
        try:
            at = segments.index("-")
        except ValueError:
            return None
        if at < 3 or len(segments) < at + 4 or segments[at + 1] not in ("edit", "blob"):
            return None
        segments[at + 1] = "commits"
    else:
        return None
    return urlunsplit(parts._replace(path="/".join(segments)))


def file_history_url(repo_url: str | None, edit_uri: str | None, path: str) -> str | None:
    """`history_url` from MkDocs' `repo_url` and `edit_uri` settings and a file's path relative
    to docs_dir (`../casefile/events/x.yml`), joined as MkDocs joins an edit link."""
    if not repo_url or not edit_uri:
        return None
    base = urljoin(repo_url.rstrip("/") + "/", edit_uri)
    if not base.endswith("/"):
        base += "/"
    joined = urlsplit(urljoin(base, path))
    normal = posixpath.normpath(joined.path) if joined.path else joined.path
    return history_url(urlunsplit(joined._replace(path=normal)))
