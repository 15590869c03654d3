"""`casefile`: the command line. Thin: parse arguments, call plain functions, print."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from .checker import check
from .findings import Report, format_github, format_json, format_text

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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
