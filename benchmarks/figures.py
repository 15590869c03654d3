"""How long the figures take on a synthetic case file of N records.

    python -m benchmarks.figures [--sizes 1000 10000]

`measure(n)` generates the case file (`synth.generate`, as `bench.py` does), checks it, and
times, each the best of a few runs: the timeline overview of every event, the activity strip
and the connections of the actor in the most events, and the source strip of the most cited
source. It returns seconds (`*_s`), the output sizes (`*_bytes`) and the counts drawn.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks.synth import generate
from build_scripts.checker import Case, check
from build_scripts.figures import (
    Item,
    Node,
    activity_strip,
    connections,
    source_strip,
    timeline_overview,
)
from build_scripts.records import Record

REPEAT = 3


def _item(record: Record) -> Item | None:
    data = record.data
    if data.date is None:  # a quote without a date of its own is not drawn
        return None
    if record.kind == "event":
        return Item(record.id, data.title, "event", data.date, f"../{record.id}/", data.status)
    return Item(record.id, data.text[:80], "quote", data.date, f"../{record.id}/")


def _items(records: Sequence[Record]) -> list[Item]:
    return [item for record in records if (item := _item(record)) is not None]


def _actors_of(event: Record) -> list[str]:
    return [a if isinstance(a, str) else a.actor for a in event.data.actors]


def _best(function: Callable[[], str]) -> tuple[float, int]:
    best, size = float("inf"), 0
    for _ in range(REPEAT):
        start = time.perf_counter()
        out = function()
        best = min(best, time.perf_counter() - start)
        size = len(out.encode())
    return best, size


def figures_of_case(case: Case) -> dict[str, float]:
    """Time each figure on a checked case."""
    events = case.events
    timeline = _items(events)
    busiest = max(
        (a for a in case.of_kind("actor")),
        key=lambda a: (len(case.referrers(a.id, "actor")), a.id),
    )
    acted = case.referrers(busiest.id, "actor")
    strip = _items([*acted, *case.referrers(busiest.id, "speaker")])
    together: Counter[str] = Counter()
    for event in acted:
        together.update(set(_actors_of(event)) - {busiest.id})
    others = [(Node(a, case.records[a].data.name, f"../{a}/"), n) for a, n in together.items()]
    center = Node(busiest.id, busiest.data.name, f"../{busiest.id}/")
    cited = max(case.of_kind("source"), key=lambda s: (len(case.referrers(s.id)), s.id))
    citing = _items([r for r in case.referrers(cited.id) if r.kind in ("event", "quote")])

    def group(anchor: str) -> str:
        return f"#{anchor}"

    def zoom(first: int, last: int) -> str:
        return f"?from={first}&to={last}"

    results: dict[str, float] = {
        "events": float(len(timeline)),
        "strip_items": float(len(strip)),
        "connections": float(len(others)),
        "source_items": float(len(citing)),
    }
    runs: dict[str, Callable[[], str]] = {
        "timeline": lambda: timeline_overview(timeline, href_of_group=group, href_of_zoom=zoom),
        "strip": lambda: activity_strip(strip, name=busiest.data.name, href_of_group=group),
        "connections": lambda: connections(center, others),
        "source_strip": lambda: source_strip(citing, name=cited.data.title, href_of_group=group),
    }
    for name, run in runs.items():
        results[f"{name}_s"], size = _best(run)
        results[f"{name}_bytes"] = float(size)
    return results


def measure(n: int, seed: int = 1) -> dict[str, float]:
    """Generate and check a synthetic case file of about `n` records, then time the figures."""
    with tempfile.TemporaryDirectory(prefix="casefile-figures-") as tmp:
        root = Path(tmp) / "casefile"
        generate(root, n, seed)
        report, case = check(root)
        if case is None:
            raise RuntimeError(f"the synthetic case file has errors: {report.summary()}")
        return figures_of_case(case)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.figures", description="Time the figures at scale."
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args(argv)
    for n in args.sizes:
        result = measure(n)
        print(f"N = {n:,}", file=sys.stderr)
        for key, value in result.items():
            if key.endswith("_s"):
                print(f"  {key:<22} {value * 1000:9.1f} ms", file=sys.stderr)
            elif key.endswith("_bytes"):
                print(f"  {key:<22} {value / 1024:9.1f} KiB", file=sys.stderr)
            else:
                print(f"  {key:<22} {value:9.0f}", file=sys.stderr)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
