"""The scale benchmark: how the checker, the page generator and the MkDocs build grow with N.

    python -m benchmarks.bench [--sizes 1000 10000] [--repeat 3]      (or `make bench`)

For each N, in a temporary folder: generate a synthetic case file (`synth.generate`), then
measure, as the median of --repeat runs:

- load + check (`check()`) in records per second, and its two phases (`load`: files -> typed
  records; `check_loaded`: the cross-record rules and the verbatim checks);
- `render_site`: the generated pages, in memory;
- `possible_duplicates` (the duplicate-event rule) over the case's events, and over 10 x N
  events built in memory (no files), one in 100 a re-typed copy of another: the default sizes
  measure it at 10,000 and 100,000 events;
- what `mkdocs serve` regenerates after one event's title is edited: `check()` with the
  loader cache and `render_site` with the page cache, against a full check (and render);
- `mkdocs build` with the plugin (`plugins: [search, casefile]`, Material), in a subprocess;
- `mkdocs build` of the same pages written by `casefile render --out`, WITHOUT the plugin (the
  same Markdown extensions, a nav of the section pages only), and the ratio of the two: what
  the plugin costs over the Markdown it produces;
- the peak memory (maximum resident set) of each `mkdocs build` process, the size of site/
  and of the search index;
- the search index (Pagefind, built by the plugin at the end of each build): its size, and
  the time to build it as the plugin does, as a share of the whole build;
- a real `mkdocs serve` of the same project in Debian's chromium (unless
  --no-browser): one event's title saved --repeat times, the seconds until the open
  page shows the new title after live reload, how many generated pages went through the
  theme, and how long after each build the search index was in place (`serve_reload.py`);
- each step of the plugin's build, from its "build steps" log line: check, render, reading
  the pages, the theme and writing, waiting for the search index, and the index's own time
  (built beside the pages);
- the figures on the case (`figures.py`), the timeline page's size and first contentful paint
  in Chromium, and reading the git history of a repository of N record files and N/2
  commits in one pass (`history.py`);
- with --search (or --pagefind, the same), the seconds from typing a query into the site's
  search box to its first result in Debian's chromium, on a freshly opened page in a fresh
  browser context each time (median of 5 queries: rare words, common words, a phrase), and
  the bytes of the index fetched for a first query.

Finally the ratio of each time at every N to the time at the smallest N (linearity). Nothing
here asserts on time: the numbers are for people to read.

Peak memory is measured by `/usr/bin/time -f %M` (or a tiny Python wrapper doing the same)
around `mkdocs`, never by `getrusage(RUSAGE_CHILDREN)` in this process: a child started with
fork/vfork inherits its parent's high-water mark across `exec`, so this process's own memory
(the case file it just checked) would be reported as mkdocs'.
"""

from __future__ import annotations

import argparse
import functools
import gc
import http.server
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TypeVar

from benchmarks import serve_reload
from benchmarks.figures import figures_of_case
from benchmarks.history import measure as history_measure
from benchmarks.synth import Generator, generate
from build_scripts import cli, models
from build_scripts.checker import Case, check, check_loaded
from build_scripts.pages import SECTIONS, PageCache, render_site
from build_scripts.records import FileCache, Positions, Record, load
from build_scripts.search_index import build_index, built_pages, dest_of, record_documents
from build_scripts.similar_events import possible_duplicates
from build_scripts.site_paths import url_of

T = TypeVar("T")
DEFAULT_SIZES = (1000, 10000)
TIME = Path("/usr/bin/time")
# Runs a command, then writes "peak RSS (KiB) user-seconds system-seconds" of its child to the
# file named first: what `/usr/bin/time -f "%M %U %S" -o FILE` writes.
_RSS_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[2:])\n"
    "use = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "with open(sys.argv[1], 'w') as f:\n"
    "    f.write(f'{use.ru_maxrss} {use.ru_utime:.2f} {use.ru_stime:.2f}')\n"
    "sys.exit(code)\n"
)
_BUILT_IN = re.compile(r"Documentation built in ([0-9.]+) seconds")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(slots=True)
class Build:
    """One `mkdocs build` run."""

    wall: float  # seconds, as seen from here: interpreter start-up and imports included
    reported: float | None  # MkDocs' own "Documentation built in" (config to last file)
    peak_rss_kib: int | None
    cpu: float | None  # user + system seconds of the mkdocs process: steadier than wall time
    # The plugin's "build steps" line: seconds per step (check, render, read pages, theme
    # and write, index wait) and the index's own time (built beside the pages)
    steps: dict[str, float] = field(default_factory=dict)
    # The most memory the build's processes held at once (the main one, its forks, Pagefind):
    # proportional set sizes summed, sampled every `TREE_EVERY` s (only when asked: sampling
    # slows the build); None where /proc lacks it.
    tree_pss_kib: int | None = None


@dataclass(slots=True)
class Result:
    n: int
    records: dict[str, int] = field(default_factory=dict)
    source_texts: int = 0
    generate_s: float = 0.0
    check_s: list[float] = field(default_factory=list)
    check_cpu: list[float] = field(default_factory=list)
    load_s: list[float] = field(default_factory=list)
    cross_s: list[float] = field(default_factory=list)
    render_s: list[float] = field(default_factory=list)
    # possible_duplicates over the case's events, and over DUPLICATE_SCALE * n in memory
    duplicates_case_s: list[float] = field(default_factory=list)
    duplicates_memory_s: list[float] = field(default_factory=list)
    duplicates_events: int = 0
    duplicates_found: int = 0
    # mkdocs serve after one record was edited: check with the loader cache, render with
    # the page cache (what the plugin does on each change)
    serve_check_s: list[float] = field(default_factory=list)
    serve_render_s: list[float] = field(default_factory=list)
    serve_rendered: int = 0  # record pages rendered again (the others were reused)
    # A real `mkdocs serve` in Chromium: its first build, then per save of one event: seconds
    # until the reloaded page shows the new title, the index's lag, pages through the theme
    serve_first_s: float | None = None
    serve_reload_s: list[float] = field(default_factory=list)
    serve_index_lag_s: list[float] = field(default_factory=list)
    serve_pages: list[int] = field(default_factory=list)
    # The figures on this case (benchmarks/figures.py), the git history of a long repository
    # of N record files (benchmarks/history.py), and the timeline page in Chromium
    figures: dict[str, float] = field(default_factory=dict)
    history: dict[str, float] = field(default_factory=dict)
    timeline_bytes: int = 0
    timeline_paint_s: float | None = None
    # Chromium, a fresh context each: seconds from typing a query to its first result, and
    # the bytes of the index fetched meanwhile
    search_first_s: list[float] = field(default_factory=list)
    search_queries: list[str] = field(default_factory=list)
    search_first_bytes: list[int] = field(default_factory=list)
    index_s: float | None = None  # building the search index as the plugin does, once
    search_files: int = 0
    pages: int = 0
    render_cmd_s: float = 0.0
    plugin: list[Build] = field(default_factory=list)
    plain: list[Build] = field(default_factory=list)
    site_bytes: int = 0
    plugin_tree_kib: int | None = None  # all of a plugin build's processes at once (PSS)
    site_files: int = 0
    plain_site_bytes: int = 0
    search_bytes: int = 0

    @property
    def total_records(self) -> int:
        return sum(self.records.values())


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def timed(function: Callable[[], T]) -> tuple[float, float, T]:
    """(wall seconds, CPU seconds of this process, result) of one call."""
    gc.collect()
    cpu = time.process_time()
    start = time.perf_counter()
    value = function()
    wall = time.perf_counter() - start
    return wall, time.process_time() - cpu, value


def folder_size(path: Path) -> tuple[int, int]:
    """(bytes, files) of everything under `path`."""
    sizes = [p.stat().st_size for p in path.rglob("*") if p.is_file()]
    return sum(sizes), len(sizes)


def run_mkdocs(
    config: Path, env: dict[str, str], site_dir: Path, *, tree_memory: bool = False
) -> Build:
    """`mkdocs build` in a subprocess: wall time, MkDocs' own time, peak RSS and CPU time;
    with `tree_memory`, the most memory all its processes held at once (`TreePeak`, which
    slows the build: 18.7-18.8 s against 19.5-20.1 s at 10,000 records, measured).

    `site_dir` should be a new folder: on ext4, for about 35 s after tens of thousands of
    files are deleted, creating new ones costs several times the system time (the inode
    allocator passes over the recently deleted ones), measured here: 9-19 s against 4-6 s
    at 10,000 records. A build into the last run's folder would delete it first."""
    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(config), "-d", str(site_dir)]
    with tempfile.NamedTemporaryFile("r", suffix=".rss", delete=False) as rss_file:
        rss_path = Path(rss_file.name)
    try:
        if TIME.is_file() and os.access(TIME, os.X_OK):
            wrapped = [str(TIME), "-f", "%M %U %S", "-o", str(rss_path), *command]
        else:
            wrapped = [sys.executable, "-c", _RSS_WRAPPER, str(rss_path), *command]
        start = time.perf_counter()
        process = subprocess.Popen(
            wrapped, cwd=config.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        with TreePeak(process.pid if tree_memory else None) as tree:
            out, err = process.communicate()
        wall = time.perf_counter() - start
        done = subprocess.CompletedProcess(wrapped, process.returncode, out.decode(), err.decode())
        if done.returncode != 0:
            raise RuntimeError(
                f"mkdocs build -f {config} failed ({done.returncode}):\n"
                f"{done.stderr[-4000:]}{done.stdout[-2000:]}"
            )
        # The last line: GNU time puts "Command exited with non-zero status" lines before it.
        fields = (rss_path.read_text().strip().splitlines() or [""])[-1].split()
    finally:
        rss_path.unlink(missing_ok=True)
    peak = int(fields[0]) if len(fields) == 3 else None
    cpu = float(fields[1]) + float(fields[2]) if len(fields) == 3 else None
    found = _BUILT_IN.search(done.stderr + done.stdout)
    reported = float(found.group(1)) if found else None
    return Build(wall, reported, peak, cpu, _steps(done.stderr), tree.peak_kib)


TREE_EVERY = 0.5  # seconds between samples (a sample walks each process's page tables)


class TreePeak:
    """The largest sum of the proportional set sizes (PSS: a page shared by n processes counts
    1/n in each, so a fork's copy-on-write pages count once) of a process and all its
    descendants, sampled every `TREE_EVERY` s while in the `with` block. `peak_kib` is None
    where /proc has no `smaps_rollup` or `children` (not Linux)."""

    def __init__(self, pid: int | None) -> None:
        """Samples nothing when `pid` is None."""
        self.pid, self.peak_kib = pid, None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> TreePeak:
        if self.pid is not None:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _sample(self) -> None:
        assert self.pid is not None
        while True:
            found = [_pss_kib(p) for p in _descendants(self.pid)]
            known = [k for k in found if k is not None]
            if known:
                self.peak_kib = max(self.peak_kib or 0, sum(known))
            if self._stop.wait(TREE_EVERY):
                return


def _descendants(pid: int) -> list[int]:
    """`pid` and every process under it (Linux's /proc/<pid>/task/<tid>/children)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo.extend(int(c) for c in children.read_text().split())
            except (OSError, ValueError):  # the process ended meanwhile
                continue
    return found


def _pss_kib(pid: int) -> int | None:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:  # ended meanwhile, or no such file here
        return None
    found = re.search(r"^Pss:\s+(\d+) kB", text, re.MULTILINE)
    return int(found.group(1)) if found else None


_STEPS = re.compile(r"casefile: build steps: (.*) \(index ([0-9.]+) s")
_STEP = re.compile(r"([a-z ]+) ([0-9.]+) s")


def _steps(log_text: str) -> dict[str, float]:
    found = _STEPS.search(log_text)
    if found is None:
        return {}
    steps = {m.group(1).strip(): float(m.group(2)) for m in _STEP.finditer(found.group(1))}
    steps["index (beside the pages)"] = float(found.group(2))
    return steps


def _yaml_value(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON is valid YAML


def write_plugin_config(folder: Path, records: Path, n: int) -> Path:
    (folder / "docs").mkdir(parents=True, exist_ok=True)
    config = folder / "mkdocs.yml"
    config.write_text(
        f"site_name: {_yaml_value(f'casefile benchmark, N={n} (plugin)')}\n"
        "docs_dir: docs\n"
        "site_dir: site\n"
        "theme:\n  name: material\n"
        "plugins:\n"
        "  - casefile:\n"
        f"      records: {_yaml_value(str(records))}\n",
        encoding="utf-8",
    )
    return config


def write_plain_config(folder: Path, rendered: Path, n: int) -> Path:
    """MkDocs without the plugin over `casefile render` output: the same Markdown extensions,
    the section pages in the nav and every record and tag page out of it, as the plugin does."""
    folder.mkdir(parents=True, exist_ok=True)
    nav = "".join(f"  - {_yaml_value(title)}: {_yaml_value(path)}\n" for path, title in SECTIONS)
    config = folder / "mkdocs.yml"
    config.write_text(
        f"site_name: {_yaml_value(f'casefile benchmark, N={n} (plain)')}\n"
        f"docs_dir: {_yaml_value(str(rendered))}\n"
        "site_dir: site\n"
        "theme:\n  name: material\n"
        "plugins: []\n"  # no search index: the plugin's build has Pagefind's, timed apart
        "markdown_extensions:\n  - attr_list\n  - md_in_html\n  - toc\n"
        f"nav:\n{nav}"
        "not_in_nav: |\n  /actors/\n  /events/\n  /quotes/\n  /sources/\n  /tags/\n",
        encoding="utf-8",
    )
    return config


def bench_size(
    n: int,
    repeat: int,
    seed: int,
    workdir: Path | None,
    *,
    search: bool = False,
    pagefind: bool = False,
    serve_browser: bool = False,
) -> Result:
    result = Result(n)
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    with tempfile.TemporaryDirectory(prefix=f"casefile-bench-{n}-", dir=workdir) as tmp:
        base = Path(tmp)
        records = base / "casefile"
        log(f"[N={n:,}] generating in {base} (load average {_loadavg()})")
        result.generate_s, _, _ = timed(lambda: generate(records, n, seed))
        result.source_texts = len(list((records / "sources").glob("*.txt")))

        for run in range(repeat):
            seconds, cpu, (report, case) = timed(lambda: check(records))
            if case is None or not report.ok(strict=True):
                raise RuntimeError(f"the synthetic case file does not check: {report.summary()}")
            result.check_s.append(seconds)
            result.check_cpu.append(cpu)
            seconds, _, loaded = timed(lambda: load(records))
            result.load_s.append(seconds)
            seconds, _, _ = timed(lambda loaded=loaded: check_loaded(loaded, fork=True))
            result.cross_s.append(seconds)
            seconds, _, site = timed(lambda c=case: render_site(c, directory_urls=True))
            result.render_s.append(seconds)
            log(
                f"[N={n:,}] run {run + 1}/{repeat}: check {result.check_s[-1]:.2f} s "
                f"(load {result.load_s[-1]:.2f} + cross-checks {result.cross_s[-1]:.2f}), "
                f"render_site {seconds:.2f} s"
            )
        assert case is not None
        for record in case.records.values():
            result.records[record.kind] = result.records.get(record.kind, 0) + 1
        bench_duplicates(case.events, repeat, seed, result)
        result.figures = figures_of_case(case)
        log(
            f"[N={n:,}] figures: timeline overview {result.figures['timeline_s']:.3f} s, "
            f"busiest actor's strip {result.figures['strip_s']:.3f} s"
        )
        result.pages = len(site.pages)
        if search or pagefind:
            result.search_queries = search_queries(case)
        del case, site, report
        serve_edits(records, repeat, result)

        rendered = base / "rendered"
        code = 0

        def render_command() -> None:
            nonlocal code
            code = cli.main(["render", str(records), "--out", str(rendered)])

        result.render_cmd_s, _, _ = timed(render_command)
        if code != 0:
            raise RuntimeError("casefile render failed")
        gc.collect()

        plugin_config = write_plugin_config(base / "with-plugin", records, n)
        plain_config = write_plain_config(base / "plain", rendered, n)
        # Alternate the two builds so a burst of load on a shared machine hits both alike.
        for run in range(repeat):
            for name, config, runs in (
                ("plugin", plugin_config, result.plugin),
                ("plain", plain_config, result.plain),
            ):
                build = run_mkdocs(config, env, config.parent / f"site-{run + 1}")
                runs.append(build)
                rss = f"{build.peak_rss_kib / 1024:.0f} MiB" if build.peak_rss_kib else "?"
                cpu = f"{build.cpu:.1f} s" if build.cpu is not None else "?"
                log(
                    f"[N={n:,}] mkdocs build ({name}) run {run + 1}/{repeat}: "
                    f"{build.wall:.1f} s wall, {cpu} CPU, peak RSS {rss}"
                )
        # Memory of all the build's processes, in a build of its own: sampling slows it.
        memory = run_mkdocs(plugin_config, env, base / "memory-site", tree_memory=True)
        result.plugin_tree_kib = memory.tree_pss_kib
        site_dir = plugin_config.parent / f"site-{repeat}"
        result.site_bytes, result.site_files = folder_size(site_dir)
        result.plain_site_bytes, _ = folder_size(plain_config.parent / f"site-{repeat}")
        result.search_bytes, result.search_files = folder_size(site_dir / "pagefind")
        result.index_s = time_index(records, site_dir)
        log(f"[N={n:,}] search index built in {result.index_s:.2f} s (as the plugin does)")
        timeline = site_dir / "timeline" / "index.html"
        result.timeline_bytes = timeline.stat().st_size
        if serve_browser:
            result.timeline_paint_s = first_paint(site_dir, "timeline/")
        result.history = history_measure(n, max(n // 2, 10))
        log(
            f"[N={n:,}] git history of {n:,} files, {result.history['commits']:.0f} commits: "
            f"read in {result.history['read_history_s']:.2f} s (one git log)"
        )
        if serve_browser:
            event = sorted((records / "events").glob("*.yml"))[len(result.check_s) // 2]
            served = serve_reload.measure(plugin_config.parent, event, repeat)
            result.serve_first_s = served.first_build_s
            result.serve_reload_s = served.reload_s
            result.serve_index_lag_s = served.index_lag_s
            result.serve_pages = served.rendered
            log(
                f"[N={n:,}] mkdocs serve in chromium: first build {served.first_build_s:.1f} s; "
                f"save -> page shows it {_list(served.reload_s)} s; search index in place "
                f"{_list(served.index_lag_s)} s after each build"
            )
        if search or pagefind:
            for query in result.search_queries:
                seconds, fetched = search_latency(site_dir, query)
                result.search_first_s.append(seconds)
                result.search_first_bytes.append(fetched)
                log(f"[N={n:,}] search {query!r}: first results {seconds:.2f} s, {fetched:,} B")
    return result


DUPLICATE_SCALE = 10  # events in memory per record of N: 10,000 and 100,000 at the defaults


def synthetic_events(count: int, seed: int) -> list[Record]:
    """`count` events in memory with the synthetic generator's titles and dates, and as many
    sources per event as its case files have; every 100th repeats the one before it, re-typed
    (capitals, a full stop), so the rule finds something. Nothing is written."""
    gen = Generator(random.Random(seed), count)
    source_count = max(1, count * 3 // 7)  # 15% sources to 35% events, as in synth.generate
    events: list[Record] = []
    for number in range(count):
        title, date = gen.title(), gen.event_date()
        if number % 100 == 99:
            title, date = events[-1].data.title.upper() + ".", events[-1].data.date.text
        record_id = gen.slug(title, number + 1)
        sources = [
            f"source-{gen.rng.randrange(source_count)}" for _ in range(gen.rng.randint(1, 4))
        ]
        data = models.Event.model_validate(
            {"title": title, "date": date, "status": "reported", "sources": sources}
        )
        path = Path("events", f"{record_id}.yml")
        events.append(Record("event", record_id, path, data, Positions(path)))
    return events


def bench_duplicates(case_events: list[Record], repeat: int, seed: int, result: Result) -> None:
    """Time the duplicate-event rule on the case's events and on DUPLICATE_SCALE * N in memory."""
    n = result.n
    for _ in range(repeat):
        seconds, _, _ = timed(lambda: possible_duplicates(case_events))
        result.duplicates_case_s.append(seconds)
    events = synthetic_events(DUPLICATE_SCALE * n, seed)
    result.duplicates_events = len(events)
    for run in range(repeat):
        seconds, _, found = timed(lambda: possible_duplicates(events))
        result.duplicates_memory_s.append(seconds)
        result.duplicates_found = len(found)
        log(
            f"[N={n:,}] run {run + 1}/{repeat}: possible_duplicates over {len(events):,} events "
            f"in memory {seconds:.2f} s ({len(found):,} found)"
        )


def search_queries(case: Case) -> list[str]:
    """Five queries: two rare (an actor's name, a source's title word pair), two common (the
    most frequent words of event titles) and a phrase in double quotes (a quote's words)."""
    actors = sorted(case.of_kind("actor"), key=lambda r: r.id)
    sources = sorted(case.of_kind("source"), key=lambda r: r.id)
    quotes = sorted(case.of_kind("quote"), key=lambda r: r.id)
    words = Counter(
        w.lower() for e in case.of_kind("event") for w in e.data.title.split() if len(w) > 3
    )
    common = [w for w, _ in words.most_common(2)]
    rare = [actors[len(actors) // 2].data.name, " ".join(sources[0].data.title.split()[:2])]
    phrase = '"' + " ".join(quotes[len(quotes) // 2].data.text.split()[:3]) + '"'
    return [*rare, *common, phrase]


def time_index(records: Path, site_dir: Path) -> float:
    """Seconds to build the search index of the built site as the plugin's on_post_build
    does (the documents of every record and page, then Pagefind), into a scratch folder."""
    _, case = check(records)
    assert case is not None
    site = render_site(case, directory_urls=True)  # the plugin has it already: not timed
    generated = [dest_of(url_of(p, True)) for p in site.files if p.endswith(".md")]
    start = time.perf_counter()
    documents = record_documents(case, directory_urls=True)
    documents.update(built_pages(site_dir, generated))
    with tempfile.TemporaryDirectory(prefix="casefile-bench-index-") as out:
        build_index(documents, Path(out) / "pagefind", language=case.meta.language)
    return time.perf_counter() - start


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# From typing into the casefile search box (Pagefind loads on focus, as for a reader who
# starts typing at once) to the first result shown.
FIRST_RESULT_JS = """
async (query) => {
  const input = document.querySelector("#cf-search-input");
  const start = performance.now();
  input.focus();
  input.value = query;
  input.dispatchEvent(new Event("input", {bubbles: true}));
  await new Promise((resolve) => {
    const seen = () => document.querySelector(".cf-search__result");
    if (seen()) return resolve();
    new MutationObserver((_, observer) => {
      if (seen()) { observer.disconnect(); resolve(); }
    }).observe(document.body, {childList: true, subtree: true});
  });
  return (performance.now() - start) / 1000;
}
"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_folder(directory: Path) -> Iterator[str]:
    """`directory` over HTTP on 127.0.0.1 (a free port) while the block runs: its address."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


FIRST_PAINT_JS = """
() => new Promise((resolve) => {
  const found = () => performance.getEntriesByName("first-contentful-paint")[0];
  if (found()) return resolve(found().startTime / 1000);
  new PerformanceObserver((list, observer) => {
    observer.disconnect();
    resolve(found().startTime / 1000);
  }).observe({type: "paint", buffered: true});
})
"""


def first_paint(site_dir: Path, path: str) -> float:
    """Seconds from navigation to the first contentful paint of `path`, in a fresh context."""
    from playwright.sync_api import sync_playwright

    with serve_folder(site_dir) as url, sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_context().new_page()
        page.goto(url + path, wait_until="load")
        seconds = float(page.evaluate(FIRST_PAINT_JS))
        browser.close()
    return seconds


def search_latency(site_dir: Path, query: str) -> tuple[float, int]:
    """(seconds from typing `query` into the search box to its first result, bytes of the
    index fetched meanwhile), on a freshly opened home page in a new browser context (nothing
    cached). Debian's chromium, driven by Playwright (a test dependency, imported here only)."""
    from playwright.sync_api import Request, sync_playwright

    fetched: list[str] = []

    def note(request: Request) -> None:
        if "/pagefind/" in request.url:
            fetched.append(request.url.split("/pagefind/", 1)[1].split("?")[0])

    with serve_folder(site_dir) as url, sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context()
        page = context.new_page()
        page.goto(url, wait_until="load")
        context.on("request", note)
        seconds = page.evaluate(FIRST_RESULT_JS, query)
        context.close()
        browser.close()
    # The test server sends files as they are (Pagefind's index files are compressed).
    size = sum((site_dir / "pagefind" / name).stat().st_size for name in set(fetched))
    return seconds, size


def serve_edits(records: Path, repeat: int, result: Result) -> None:
    """Time what `mkdocs serve` regenerates after a contributor edits one event's title."""
    files, pages = FileCache(), PageCache()
    _, case = check(records, files)
    assert case is not None
    render_site(case, directory_urls=True, cache=pages)
    event = sorted((records / "events").glob("*.yml"))[len(result.check_s) // 2]
    original = event.read_text(encoding="utf-8")
    try:
        for run in range(repeat):
            event.write_text(original.replace("title: ", f"title: Edit {run} ", 1), "utf-8")
            seconds, _, (_, case) = timed(lambda: check(records, files))
            assert case is not None
            result.serve_check_s.append(seconds)
            seconds, _, _ = timed(lambda c=case: render_site(c, directory_urls=True, cache=pages))
            result.serve_render_s.append(seconds)
            result.serve_rendered = len(pages.rendered)
            log(
                f"[N={result.n:,}] serve run {run + 1}/{repeat}: one event edited: "
                f"check {result.serve_check_s[-1]:.2f} s, render_site {seconds:.2f} s "
                f"({result.serve_rendered} record pages rendered, {pages.reused:,} reused)"
            )
    finally:
        event.write_text(original, encoding="utf-8")


def _loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover
        return "?"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "?"


def _walls(builds: list[Build]) -> float:
    return median([b.wall for b in builds])


def _cpu(builds: list[Build]) -> float | None:
    values = [b.cpu for b in builds if b.cpu is not None]
    return median(values) if values else None


def _reported(builds: list[Build]) -> float | None:
    values = [b.reported for b in builds if b.reported is not None]
    return median(values) if values else None


STEPS = (
    "check",
    "render",
    "read pages",
    "theme and write",
    "index wait",
    "index (beside the pages)",
)


def _step(builds: list[Build], name: str) -> float | None:
    values = [b.steps[name] for b in builds if name in b.steps]
    return median(values) if values else None


def _peak(builds: list[Build]) -> float | None:
    values = [b.peak_rss_kib for b in builds if b.peak_rss_kib]
    return max(values) / 1024 if values else None


def _mib(kib: int | None) -> float | None:
    return kib / 1024 if kib else None


def _fmt(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def _serve(r: Result) -> float:
    return median([a + b for a, b in zip(r.serve_check_s, r.serve_render_s, strict=True)])


def _full(r: Result) -> float:
    return median([a + b for a, b in zip(r.check_s, r.render_s, strict=True)])


def table(results: list[Result], repeat: int) -> str:
    rows: list[tuple[str, list[str]]] = []

    def row(label: str, values: Callable[[Result], str]) -> None:
        rows.append((label, [values(r) for r in results]))

    def ratio(a: float | None, b: float | None) -> float | None:
        return a / b if a is not None and b else None

    row("records", lambda r: f"{r.total_records:,}")
    row(
        "  actors / sources / events / quotes",
        lambda r: " / ".join(
            str(r.records.get(k, 0)) for k in ("actor", "source", "event", "quote")
        ),
    )
    row("  sources with a full text", lambda r: f"{r.source_texts:,}")
    row("generate the case file (s, once)", lambda r: f"{r.generate_s:.2f}")
    row("load + check: records/s", lambda r: f"{r.total_records / median(r.check_s):,.0f}")
    row(
        "  records/s by CPU time of check()",
        lambda r: f"{r.total_records / median(r.check_cpu):,.0f}",
    )
    row("  load + check, check() (s)", lambda r: f"{median(r.check_s):.3f}")
    row("    phase load(): files -> records (s)", lambda r: f"{median(r.load_s):.3f}")
    row("    phase check_loaded(): cross-checks (s)", lambda r: f"{median(r.cross_s):.3f}")
    row("render_site: generate the pages (s)", lambda r: f"{median(r.render_s):.3f}")
    row("  pages generated", lambda r: f"{r.pages:,}")
    row("  pages/s", lambda r: f"{r.pages / median(r.render_s):,.0f}")
    row(
        "possible_duplicates, the case's events (s)", lambda r: f"{median(r.duplicates_case_s):.3f}"
    )
    row(
        f"possible_duplicates, {DUPLICATE_SCALE} x N events in memory",
        lambda r: f"{r.duplicates_events:,}",
    )
    row("  time (s)", lambda r: f"{median(r.duplicates_memory_s):.3f}")
    row("  events/s", lambda r: f"{r.duplicates_events / median(r.duplicates_memory_s):,.0f}")
    row("  possible duplicates found", lambda r: f"{r.duplicates_found:,}")
    row("serve, one event edited: regenerate (s)", lambda r: f"{_serve(r):.3f}")
    row("  check() with the loader cache (s)", lambda r: f"{median(r.serve_check_s):.3f}")
    row("  render_site with the page cache (s)", lambda r: f"{median(r.serve_render_s):.3f}")
    row("  record pages rendered again", lambda r: f"{r.serve_rendered:,}")
    row("  regenerate / full check()", lambda r: f"{_serve(r) / median(r.check_s):.3f}")
    row("  regenerate / full check() + render", lambda r: f"{_serve(r) / _full(r):.3f}")
    row(
        "mkdocs serve, save -> reloaded page shows it (s)",
        lambda r: f"{median(r.serve_reload_s):.2f}" if r.serve_reload_s else "not run",
    )
    row(
        "  search index in place after the build (s)",
        lambda r: f"{median(r.serve_index_lag_s):.2f}" if r.serve_index_lag_s else "not run",
    )
    row(
        "  generated pages through the theme per save",
        lambda r: f"{median(r.serve_pages):.0f}" if r.serve_pages else "not run",
    )
    row("  first build of serve (s)", lambda r: _fmt(r.serve_first_s, ".1f"))
    row("figures: timeline overview (s)", lambda r: _fmt(r.figures.get("timeline_s"), ".3f"))
    row("  busiest actor's activity strip (s)", lambda r: _fmt(r.figures.get("strip_s"), ".3f"))
    row("  connections (s)", lambda r: _fmt(r.figures.get("connections_s"), ".3f"))
    row("timeline page (KB)", lambda r: f"{r.timeline_bytes / 1e3:.0f}")
    row("  first contentful paint, Chromium (s)", lambda r: _fmt(r.timeline_paint_s, ".2f"))
    row(
        "git history, N files: commits read",
        lambda r: f"{r.history.get('commits', 0):,.0f}",
    )
    row("  read in one git log (s)", lambda r: _fmt(r.history.get("read_history_s"), ".2f"))
    row("casefile render --out (s, once)", lambda r: f"{r.render_cmd_s:.2f}")
    row("mkdocs build WITH plugin (s, wall)", lambda r: f"{_walls(r.plugin):.2f}")
    row("  MkDocs' own 'built in' (s)", lambda r: _fmt(_reported(r.plugin), ".2f"))
    row("  CPU, user + system (s)", lambda r: _fmt(_cpu(r.plugin), ".2f"))
    for step in STEPS:
        row(f"  step: {step} (s)", lambda r, step=step: _fmt(_step(r.plugin, step), ".2f"))
    row("mkdocs build, rendered pages, NO plugin (s)", lambda r: f"{_walls(r.plain):.2f}")
    row("  MkDocs' own 'built in' (s)", lambda r: _fmt(_reported(r.plain), ".2f"))
    row("  CPU, user + system (s)", lambda r: _fmt(_cpu(r.plain), ".2f"))
    row("plugin / plain (wall)", lambda r: f"{_walls(r.plugin) / _walls(r.plain):.3f}")
    row(
        "plugin / plain (MkDocs' own)",
        lambda r: _fmt(ratio(_reported(r.plugin), _reported(r.plain)), ".3f"),
    )
    row("plugin / plain (CPU)", lambda r: _fmt(ratio(_cpu(r.plugin), _cpu(r.plain)), ".3f"))
    row("peak RSS, mkdocs with plugin (MiB)", lambda r: _fmt(_peak(r.plugin), ".0f"))
    row("  all its processes at once (PSS, MiB)", lambda r: _fmt(_mib(r.plugin_tree_kib), ".0f"))
    row("peak RSS, mkdocs no plugin (MiB)", lambda r: _fmt(_peak(r.plain), ".0f"))
    row("site/ size, with plugin (MB)", lambda r: f"{r.site_bytes / 1e6:.1f}")
    row("  files in site/", lambda r: f"{r.site_files:,}")
    row("site/ size, no plugin (MB)", lambda r: f"{r.plain_site_bytes / 1e6:.1f}")
    row("search index (MB)", lambda r: f"{r.search_bytes / 1e6:.2f}")
    row("  per record (KB)", lambda r: f"{r.search_bytes / 1e3 / max(r.total_records, 1):.2f}")
    row("  files", lambda r: f"{r.search_files:,}")
    row("search index build (s, as the plugin does)", lambda r: _fmt(r.index_s, ".2f"))
    row(
        "  share of the build with plugin (wall)",
        lambda r: _fmt(ratio(r.index_s, _walls(r.plugin)), ".1%"),
    )
    row(
        "search: first results, median of 5 (s)",
        lambda r: f"{median(r.search_first_s):.2f}" if r.search_first_s else "not run",
    )
    row(
        "  slowest of the 5 (s)",
        lambda r: f"{max(r.search_first_s):.2f}" if r.search_first_s else "not run",
    )
    row(
        "  index bytes for a first query, median (KB)",
        lambda r: (
            f"{median(r.search_first_bytes) / 1e3:.0f}" if r.search_first_bytes else "not run"
        ),
    )
    row(
        "  most bytes for a first query (KB)",
        lambda r: f"{max(r.search_first_bytes) / 1e3:.0f}" if r.search_first_bytes else "not run",
    )

    headers = [f"N={r.n:,}" for r in results]
    width = max(len(label) for label, _ in rows)
    cols = [max(len(h), *(len(values[i]) for _, values in rows)) for i, h in enumerate(headers)]
    lines = [f"{'':<{width}}  " + "  ".join(h.rjust(c) for h, c in zip(headers, cols, strict=True))]
    for label, values in rows:
        cells = "  ".join(v.rjust(c) for v, c in zip(values, cols, strict=True))
        lines.append(f"{label:<{width}}  {cells}")
    lines.append("")
    lines.append(
        f"Times are medians of {repeat} run{'s' * (repeat != 1)}; peak RSS is the largest "
        "single process's; 'all its processes at once' sums the build's processes (its forks "
        "and Pagefind), sampled every half second in one more build (sampling slows it). "
        "mkdocs wall times include interpreter start-up and imports; MkDocs' own time does "
        "not. CPU time is steadier than wall time on a shared machine."
    )
    return "\n".join(lines)


def linearity(results: list[Result]) -> str:
    """Each time at each N against the smallest N: 1.0 per unit of N is linear."""
    if len(results) < 2:
        return "linearity: needs at least two sizes"
    base = results[0]
    lines = []
    for other in results[1:]:
        factor = other.total_records / base.total_records
        lines.append(
            f"linearity, N={other.n:,} vs N={base.n:,} ({factor:.1f}x the records; "
            f"{factor:.1f} is linear):"
        )
        pairs = [
            ("mkdocs build with plugin (wall)", _walls(other.plugin), _walls(base.plugin)),
            (
                "mkdocs build with plugin (MkDocs' own)",
                _reported(other.plugin),
                _reported(base.plugin),
            ),
            ("mkdocs build with plugin (CPU)", _cpu(other.plugin), _cpu(base.plugin)),
            ("mkdocs build, no plugin (wall)", _walls(other.plain), _walls(base.plain)),
            ("mkdocs build, no plugin (CPU)", _cpu(other.plain), _cpu(base.plain)),
            ("load + check", median(other.check_s), median(base.check_s)),
            ("render_site", median(other.render_s), median(base.render_s)),
            (
                "possible_duplicates in memory",
                median(other.duplicates_memory_s),
                median(base.duplicates_memory_s),
            ),
        ]
        for label, a, b in pairs:
            value = a / b if a is not None and b else None
            lines.append(f"  {label:<40} x{_fmt(value, '.2f')}")
    return "\n".join(lines)


def raw_runs(results: list[Result]) -> str:
    lines = ["raw runs (s):"]
    for r in results:
        lines.append(
            f"  N={r.n:,}: check {_list(r.check_s)}; render_site {_list(r.render_s)}; "
            f"plugin {_list([b.wall for b in r.plugin])}; plain {_list([b.wall for b in r.plain])}"
        )
    return "\n".join(lines)


def _list(values: Sequence[float]) -> str:
    return ", ".join(f"{v:.2f}" for v in values)


def header() -> str:
    memory = "/usr/bin/time -f %M" if TIME.is_file() else "a wrapper's getrusage(RUSAGE_CHILDREN)"
    return (
        f"casefile benchmark: Python {platform.python_version()}, mkdocs {_version('mkdocs')}, "
        f"mkdocs-material {_version('mkdocs-material')}, {os.cpu_count()} CPUs, "
        f"load average {_loadavg()}; peak RSS by {memory}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench",
        description="Benchmark check, page generation and mkdocs build on synthetic case files.",
    )
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=list(DEFAULT_SIZES),
        metavar="N",
        help="case file sizes in records (default: 1000 10000; try 50000)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic case files")
    parser.add_argument("--workdir", type=Path, default=None, help="where the temporary folders go")
    parser.add_argument(
        "--search",
        action="store_true",
        help="also time the site's search box (Pagefind) in Debian's chromium (needs playwright)",
    )
    parser.add_argument(
        "--pagefind",
        action="store_true",
        help="the same as --search (the site's search is Pagefind now)",
    )
    parser.add_argument(
        "--no-browser",
        action="store_true",
        help="skip what needs chromium: a real `mkdocs serve` (save -> reloaded page), paint",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1 or any(n < 1 for n in args.sizes):
        parser.error("--repeat and --sizes must be positive")
    print(header(), flush=True)
    if (args.search or args.pagefind) and not CHROMIUM.is_file():
        parser.error(f"--search and --pagefind need {CHROMIUM} (`make browser`)")
    serve_browser = not args.no_browser and CHROMIUM.is_file()
    results = [
        bench_size(
            n,
            args.repeat,
            args.seed,
            args.workdir,
            search=args.search,
            pagefind=args.pagefind,
            serve_browser=serve_browser,
        )
        for n in sorted(args.sizes)
    ]
    print()
    print(table(results, args.repeat))
    print()
    print(linearity(results))
    print()
    print(raw_runs(results), flush=True)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
