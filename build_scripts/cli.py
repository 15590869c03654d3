"""`casefile`: the command line. Thin: parse arguments, call plain functions, print."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import fixes
from .checker import check
from .findings import (
    Report,
    display_path,
    for_ci,
    format_json,
    format_text,
    github_annotations,
    one_line,
    summary_markdown,
)
from .history import read_history
from .linkcheck import check_links
from .output import OutputError, write_tree
from .pages import PathCollision, portable_files, render_site
from .progress import for_terminal
from .scaffold import TEMPLATES, ScaffoldError, new_record
from .schema import write_schemas
from .stopping import terminate_as_interrupt
from .templating import TemplateOverrideError
from .watch import watch

DEFAULT_DIR = Path("casefile")


def _say(text: str, *, err: bool = True) -> None:
    """Print one message: every line of ours leaves through here or `format_text`."""
    print(for_ci(text), file=sys.stderr if err else sys.stdout)


def _print_report(
    report: Report,
    fmt: str,
    changed: frozenset[str] = frozenset(),
    command: str = "casefile check",
) -> None:
    """The findings of `check`, `scan` or `links`, as text or JSON, and as GitHub annotations
    and a job summary when run by GitHub Actions."""
    if fmt == "json":
        _say(format_json(report), err=False)
    else:
        for finding in report.findings:
            print(format_text(finding), file=sys.stderr)
        _say(report.summary())
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for line in github_annotations(report, changed):
            print(line)
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            with open(summary, "a", encoding="utf-8") as out:
                out.write(summary_markdown(report, command=command))


def _fix(report: Report, *, diff: bool) -> None:
    """Apply (or with `diff`, show) the certain fixes; say what changed and what did not."""
    for plan in fixes.plan(report):
        name = display_path(plan.path)
        if plan.after is None:
            _say(f"{name}: left unchanged: {plan.reason}")
        elif diff:
            _say(plan.diff(name), err=False)
        else:
            fixes.write(plan)
            for fix in plan.applied:
                _say(f"{name}:{fix.line}:{fix.col}: fixed: '{fix.old}' -> '{fix.new}'")


def cmd_check(args: argparse.Namespace) -> int:
    if args.watch:
        alone = ("fix", "diff", "strict", "changed")
        if any(getattr(args, name) for name in alone) or args.format != "text":
            _say(
                "casefile check: --watch prints findings as text as they change; it takes "
                "none of --fix, --diff, --strict, --changed or --format json"
            )
            return 2
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a watch ends
            watch(Path(args.dir), _say)
        return 0
    with for_terminal() as progress:  # on stderr, only after 2 s on a terminal outside CI
        report, _ = check(Path(args.dir), progress=progress)
    if args.fix or args.diff:
        _fix(report, diff=args.diff)
        if not args.diff:
            report, _ = check(Path(args.dir))
    changed: frozenset[str] = frozenset()
    if args.changed:
        text = Path(args.changed).read_text(encoding="utf-8")
        changed = frozenset(line.strip() for line in text.splitlines() if line.strip())
    _print_report(report, args.format, changed)
    return 0 if report.ok(strict=args.strict) else 1


def cmd_render(args: argparse.Namespace) -> int:
    report, case = check(Path(args.dir))
    if case is None:
        _print_report(report, "text")
        _say("casefile render: nothing written: fix the errors first")
        return 1
    try:
        custom_dir = Path(args.custom_dir) if args.custom_dir else None
        history = read_history(Path(args.dir))  # "Recent changes", as the build has it
        site = render_site(case, directory_urls=None, custom_dir=custom_dir, history=history)
    except (PathCollision, TemplateOverrideError) as exc:
        _say(f"casefile render: nothing written: {one_line(str(exc))}")
        return 1
    try:
        written = write_tree(Path(args.out), portable_files(site), protect=[Path(args.dir)])
    except OutputError as exc:
        _say(f"casefile render: {exc}")
        return 1
    _say(f"wrote {written} files to {args.out}")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    changed = write_schemas(Path(args.out))
    for path in changed:
        _say(f"updated {path}")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    try:
        path = new_record(Path(args.dir), args.kind, args.title)
    except (ScaffoldError, FileExistsError) as exc:
        _say(f"casefile new: {exc}")
        return 1
    _say(str(path), err=False)
    _say(f"wrote {path}: fill in the placeholders, then run: casefile check {args.dir}")
    return 0


def cmd_links(args: argparse.Namespace) -> int:
    report, case = check(Path(args.dir))
    if case is None:
        _print_report(report, args.format)
        return 1
    found = Report(check_links(case, timeout=args.timeout))
    _print_report(found, args.format, command="casefile links")
    return 0 if found.ok() else 1


def cmd_scan(args: argparse.Namespace) -> int:
    from .scan import scan_site  # reads the theme's templates: only when scanning

    site = Path(args.site)
    if not site.is_dir():
        _say(f"casefile scan: {one_line(str(site))} is not a folder")
        return 2
    found = Report(scan_site(site))
    _print_report(found, args.format, command="casefile scan")
    return 0 if found.ok() else 1


Subparsers = argparse._SubParsersAction  # argparse's own type for add_subparsers()


def _add_check(sub: Subparsers) -> None:
    p = sub.add_parser(
        "check",
        help="check every record and report all problems with file:line:col",
        description="Check every record of a case file and report every problem, sorted by "
        "file and line. Exits 0 when clean, 1 on errors (or on warnings with --strict).",
    )
    p.add_argument("dir", nargs="?", default=str(DEFAULT_DIR), help="case file folder")
    p.add_argument("--strict", action="store_true", help="fail on warnings too")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.add_argument(
        "--changed",
        metavar="FILE",
        help="a file listing changed paths, one per line: their GitHub annotations come first",
    )
    p.add_argument(
        "--fix",
        action="store_true",
        help="apply the certain fixes (percent-encoding a URL, a date's spelling), rewriting only "
        "those values; files with any other error are left unchanged; then check again",
    )
    p.add_argument(
        "--diff",
        action="store_true",
        help="with or without --fix: print the fixes as a unified diff and write nothing",
    )
    p.add_argument(
        "--watch",
        action="store_true",
        help="check, then check again on every save and print only the findings that "
        "appeared or went away (Ctrl-C to stop)",
    )
    p.set_defaults(func=cmd_check)


def _add_render(sub: Subparsers) -> None:
    p = sub.add_parser(
        "render",
        help="write the site's Markdown pages (and JSON) to a folder, for any Markdown engine",
        description="Check the case file, then write every generated page as Markdown, plus "
        "casefile.json, the downloads (tables, feeds, citations) and the JSON Schemas, into OUT. "
        "OUT must be empty or an earlier render output; nothing is written when the records "
        "have errors.",
    )
    p.add_argument("dir", nargs="?", default=str(DEFAULT_DIR), help="case file folder")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument(
        "--custom-dir",
        metavar="DIR",
        type=_folder,
        help="a theme custom_dir whose casefile/ folder holds templates that replace ours",
    )
    p.set_defaults(func=cmd_render)


def _folder(value: str) -> str:
    """An option naming a folder that must exist (a typo would otherwise go unnoticed)."""
    if not Path(value).is_dir():
        raise argparse.ArgumentTypeError(f"{value}: no such folder")
    return value


def _add_schema(sub: Subparsers) -> None:
    p = sub.add_parser(
        "schema",
        help="write the JSON Schema of each record kind (for editors) to a folder",
        description="Write case, actor, source, event and quote JSON Schemas, generated from "
        "the record format, into OUT (default: schema).",
    )
    p.add_argument("--out", default="schema", help="output folder")
    p.set_defaults(func=cmd_schema)


def _add_new(sub: Subparsers) -> None:
    p = sub.add_parser(
        "new",
        help="write a new record with its required fields, never overwriting one",
        description="Write DIR/<kind>s/<id>.yml, the id made from the title. Placeholders "
        "fail the checker until they are filled in.",
    )
    p.add_argument("kind", choices=sorted(TEMPLATES), help="record kind")
    p.add_argument("title", help="the title (events, sources), name (actors) or words (quotes)")
    p.add_argument("--dir", default=str(DEFAULT_DIR), help="case file folder")
    p.set_defaults(func=cmd_new)


def _add_links(sub: Subparsers) -> None:
    p = sub.add_parser(
        "links",
        help="check every source's url and archive_url (needs the network)",
        description="Probe every url and archive_url; report dead links (errors) and sources "
        "without an archived copy (warnings) as check reports its findings. Exits 1 when a "
        "link is dead.",
    )
    p.add_argument("dir", nargs="?", default=str(DEFAULT_DIR), help="case file folder")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.set_defaults(func=cmd_links)


def _add_scan(sub: Subparsers) -> None:
    p = sub.add_parser(
        "scan",
        help="scan a built site for anything that could run script",
        description="Fail on any on*= attribute, javascript:/data:/vbscript: URL, or script "
        "that is not the theme's own or JSON-LD, anywhere in the built site. Reports each as "
        "check reports its findings; exits 1 if there is any, 2 when SITE_DIR is not a folder.",
    )
    p.add_argument("site", metavar="SITE_DIR", help="the built site folder (e.g. site)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.set_defaults(func=cmd_scan)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="casefile",
        description="Check and publish an annotated case file of actors, events, quotes "
        "and sources.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (_add_check, _add_render, _add_schema, _add_new, _add_links, _add_scan):
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    restore = terminate_as_interrupt()  # SIGTERM stops as Ctrl-C does: forks stopped too
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        _say("casefile: stopped")
        return 130  # as a shell reports a command stopped by Ctrl-C
    finally:
        restore()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
