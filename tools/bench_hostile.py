"""Time `check` and the page render on hostile case files, one class of attack at a time.

    .venv/bin/python tools/bench_hostile.py [--timeout SECONDS] [CLASS ...]

Each class is a small valid case file (the minimal case of tests/test_hardening.py) plus one
hostile record. Each runs in its own process, killed after the timeout, and the table shows
the seconds for `checker.check`, for `pages.render_site`, for Python-Markdown with the example
site's extensions over every generated page (what `mkdocs build` does next), and the
process's peak resident memory. To measure other code, put it first on PYTHONPATH.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

MINIMAL = {
    "case.yml": "title: A case\n",
    "actors/ann.yml": "name: Ann\nkind: person\n",
    "sources/memo.yml": "title: A memo\nkind: document\n",
    "sources/memo.txt": "Ann said we will talk.\n\nNothing else.\n",
    "events/meeting.yml": "title: Meeting\ndate: 2022-07-27\nstatus: reported\n"
    "sources: [memo]\nactors: [ann]\n",
    "quotes/ann-talk.yml": "text: we will talk\nspeaker: ann\nsource: memo\n",
}


def _quoted(text: str) -> str:
    """`text` as a YAML double-quoted scalar (JSON is a subset)."""
    return json.dumps(text)


def _notes(text: str) -> dict[str, str]:
    return {"actors/ann.yml": f"name: Ann\nkind: person\nnotes: {_quoted(text)}\n"}


def _quotes(source: str, quote: str, count: int) -> dict[str, str]:
    files = {"sources/memo.txt": source}
    for n in range(count):
        files[f"quotes/q{n}.yml"] = f"text: {_quoted(quote)}\nspeaker: ann\nsource: memo\n"
    return files


def _deep_list(levels: int) -> str:
    return "\n".join("    " * level + "- item" for level in range(levels))


# name -> (what it is, files added to the minimal case). Markdown fields stay under 20,000
# characters and quotes under 10,000, the loader's limits: what gets past them is the attack.
CLASSES: dict[str, tuple[str, Callable[[], dict[str, str]]]] = {
    "quote-diff": (
        "row 3: 40 quotes of 4 KB ('no, yes, ...') against a 4 KB paragraph of 'no, '",
        lambda: _quotes("no, " * 1000, "no, yes, " * 444, 40),
    ),
    "quote-periodic": (
        "find: 40 quotes 'ab ab ... ab a' against 900 KB of 'ab ', cut at every word",
        lambda: _quotes("ab " * 300_000, "ab " * 1300 + "a", 40),
    ),
    "brackets": ("row 4: notes of 19,500 '['", lambda: _notes("[" * 19_500)),
    "wikilink-soup": ("row 4: notes of 4,875 '[[a|'", lambda: _notes("[[a|" * 4_875)),
    "image-brackets": ("sibling: notes of 9,750 '!['", lambda: _notes("![" * 9_750)),
    "link-parens": ("sibling: notes of 4,875 '[a]('", lambda: _notes("[a](" * 4_875)),
    "nested-brackets": (
        "sibling: 6,500 '[a' then 6,500 ']'",
        lambda: _notes("[a" * 6_500 + "]" * 6_500),
    ),
    "code-brackets": ("sibling: notes of 9,750 '`['", lambda: _notes("`[" * 9_750)),
    "emphasis": ("sibling: notes of 4,875 '*a* '", lambda: _notes("*a* " * 4_875)),
    "record-scheme": (
        "row 9: [x](casefile-record:missing) in notes",
        lambda: _notes("[x](casefile-record:missing)"),
    ),
    "deep-list": ("row 9: notes of '- ' 9,750 times, then x", lambda: _notes("- " * 9_750 + "x")),
    "deep-list-lines": (
        "row 9: a list nested 98 levels by indentation, in the case summary",
        lambda: {"case.yml": f"title: A case\nsummary: {_quoted(_deep_list(98))}\n"},
    ),
    "deep-quote": ("sibling: 19,500 '>' (block quotes)", lambda: _notes(">" * 19_500 + " x")),
    "deep-strong": (
        "sibling: '**' 4,875 times, a word, '**' 4,875 times",
        lambda: _notes("**" * 4_875 + "a" + "**" * 4_875),
    ),
}


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_one(name: str) -> None:
    """Run one class in this process, printing a JSON line after each phase."""
    import markdown

    from build_scripts.checker import check
    from build_scripts.pages import render_site

    result: dict[str, object] = {"class": name}

    def report(**fields: object) -> None:
        result.update(fields, peak_mib=round(_peak_mib(), 1))
        print(json.dumps(result), flush=True)

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for path, text in {**MINIMAL, **CLASSES[name][1]()}.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text, encoding="utf-8")
        start = time.perf_counter()
        report_, case = check(root)
        errors = sorted({f.code for f in report_.errors})
        report(check_s=time.perf_counter() - start, errors=errors)
        if case is None:
            return
        start = time.perf_counter()
        try:
            pages = render_site(case).files
        except Exception as error:  # the crash is the result
            report(render_s=time.perf_counter() - start, render_error=type(error).__name__)
            return
        report(render_s=time.perf_counter() - start)
        start = time.perf_counter()
        md = markdown.Markdown(extensions=["admonition", "toc"])
        for path, text in pages.items():
            if path.endswith(".md"):
                md.reset().convert(text)
        report(markdown_s=time.perf_counter() - start)


def _seconds(value: object) -> str:
    return "-" if value is None else f"{value:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("classes", nargs="*", help="classes to run (default: all)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per class")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(args.one)
        return
    names = args.classes or list(CLASSES)
    header = f"{'class':16} {'check s':>9} {'render s':>9} {'pages md s':>10} {'peak MiB':>8}"
    header += "  notes"
    print(header)
    print("-" * len(header))
    for name in names:
        try:
            done = subprocess.run(
                [sys.executable, __file__, "--one", name],
                capture_output=True,
                text=True,
                timeout=args.timeout,
                check=False,
            )
            out, timed_out, err = done.stdout, False, done.stderr
        except subprocess.TimeoutExpired as expired:
            raw = expired.stdout or b""
            out = raw.decode() if isinstance(raw, bytes) else raw
            timed_out, err = True, ""
        lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        last: dict[str, object] = lines[-1] if lines else {}
        cells = [_seconds(last.get(key)) for key in ("check_s", "render_s", "markdown_s")]
        notes = []
        if timed_out:
            # The phase after the last one reported is the one that ran out of time.
            index = next((i for i, cell in enumerate(cells) if cell == "-"), len(cells))
            if index < len(cells):
                cells[index] = f">{args.timeout:.0f}"
        elif not lines:
            notes.append("crashed: " + (err.strip().splitlines() or ["?"])[-1][:60])
        if last.get("errors"):
            notes.append("check errors: " + ", ".join(map(str, last["errors"])))
        if last.get("render_error"):
            notes.append(f"render raised {last['render_error']}")
        peak = last.get("peak_mib")
        print(f"{name:16} {cells[0]:>9} {cells[1]:>9} {cells[2]:>10} {peak or '-':>8}  ", end="")
        print("; ".join(notes))


if __name__ == "__main__":
    main()
