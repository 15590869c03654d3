"""`casefile`: the command line. Thin: parse arguments, call plain functions, print."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .checker import check
from .findings import Report, format_github, format_json, format_text
from .output import OutputError, write_tree
from .pages import render_site
from .schema import write_schemas

DEFAULT_DIR = Path("casefile")


def _print_report(report: Report, fmt: str) -> None:
    if fmt == "json":
        print(format_json(report))
    else:
        for finding in report.findings:
            print(format_text(finding), file=sys.stderr)
        print(report.summary(), file=sys.stderr)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        for finding in report.findings:
            print(format_github(finding))


def cmd_check(args: argparse.Namespace) -> int:
    report, _ = check(Path(args.dir))
    _print_report(report, args.format)
    return 0 if report.ok(strict=args.strict) else 1


def cmd_render(args: argparse.Namespace) -> int:
    report, case = check(Path(args.dir))
    if case is None:
        _print_report(report, "text")
        print("casefile render: nothing written: fix the errors first", file=sys.stderr)
        return 1
    site = render_site(case, directory_urls=None)
    try:
        written = write_tree(Path(args.out), site.files, protect=[Path(args.dir)])
    except OutputError as exc:
        print(f"casefile render: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {written} files to {args.out}", file=sys.stderr)
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    changed = write_schemas(Path(args.out))
    for path in changed:
        print(f"updated {path}", file=sys.stderr)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="casefile",
        description="Check and publish an annotated case file of actors, events, quotes "
        "and sources.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "check",
        help="check every record and report all problems with file:line:col",
        description="Check every record of a case file and report every problem, sorted by "
        "file and line. Exits 0 when clean, 1 on errors (or on warnings with --strict).",
    )
    p.add_argument("dir", nargs="?", default=str(DEFAULT_DIR), help="case file folder")
    p.add_argument("--strict", action="store_true", help="fail on warnings too")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser(
        "render",
        help="write the site's Markdown pages (and JSON) to a folder, for any Markdown engine",
        description="Check the case file, then write every generated page as Markdown, plus "
        "casefile.json and the JSON Schemas, into OUT. OUT must be empty or an earlier render "
        "output; nothing is written when the records have errors.",
    )
    p.add_argument("dir", nargs="?", default=str(DEFAULT_DIR), help="case file folder")
    p.add_argument("--out", required=True, help="output folder")
    p.set_defaults(func=cmd_render)

    p = sub.add_parser(
        "schema",
        help="write the JSON Schema of each record kind (for editors) to a folder",
        description="Write case, actor, source, event and quote JSON Schemas, generated from "
        "the record format, into OUT (default: schema).",
    )
    p.add_argument("--out", default="schema", help="output folder")
    p.set_defaults(func=cmd_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
