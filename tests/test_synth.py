"""The synthetic case file generator (benchmarks/synth.py) and a smoke run of the benchmark."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from benchmarks import bench, synth
from build_scripts.checker import Case, check
from build_scripts.findings import format_text

N = 200


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Case]:
    root = tmp_path_factory.mktemp("synth") / "casefile"
    synth.generate(root, N, seed=1)
    report, case = check(root)
    problems = "\n".join(format_text(f) for f in report.findings)
    assert case is not None, problems
    assert report.ok(strict=True), problems
    return root, case


def test_checks_clean_with_strict(generated: tuple[Path, Case]) -> None:
    _, case = generated
    assert len(case.records) == N


def test_same_seed_same_bytes_other_seed_differs(
    generated: tuple[Path, Case], tmp_path: Path
) -> None:
    root, _ = generated
    synth.generate(tmp_path / "again", N, seed=1)
    synth.generate(tmp_path / "other", N, seed=2)
    first = _tree(root)
    assert _tree(tmp_path / "again") == first
    assert _tree(tmp_path / "other") != first


def test_proportions(generated: tuple[Path, Case]) -> None:
    root, case = generated
    kinds = Counter(r.kind for r in case.records.values())
    for kind, share in (("actor", 0.10), ("source", 0.15), ("event", 0.35), ("quote", 0.40)):
        assert abs(kinds[kind] - share * N) <= 0.03 * N, (kind, kinds)
    texts = len(list((root / "sources").glob("*.txt")))
    assert 0.15 * kinds["source"] <= texts <= 0.45 * kinds["source"]
    for event in case.of_kind("event"):
        assert 2 <= len(event.data.actors) <= 6
        assert 1 <= len(event.data.sources) <= 4


def test_quotes_and_excerpts_come_from_source_texts(generated: tuple[Path, Case]) -> None:
    _, case = generated
    verbatim = elided = excerpts = 0
    for quote in case.of_kind("quote"):
        cite = quote.data.source
        source_id = cite if isinstance(cite, str) else cite.source
        text = case.records[source_id].text
        if text is not None:
            assert text.find(quote.data.text) is not None
            verbatim += 1
            elided += bool(re.search(r"\.\.\.|…", quote.data.text))
    for event in case.of_kind("event"):
        for citation in event.data.sources:
            if not isinstance(citation, str) and citation.excerpt:
                assert case.records[citation.source].text is not None
                excerpts += 1
    assert verbatim >= 10
    assert elided >= 1
    assert excerpts >= 10


def test_every_feature_appears(generated: tuple[Path, Case]) -> None:
    root, case = generated
    dates = [e.data.date.text for e in case.of_kind("event")]
    forms = {
        "day": r"\d{4}-\d\d-\d\d",
        "approximate": r".*~",
        "month": r"\d{4}-\d\d",
        "year": r"\d{4}",
        "interval": r"\d[^/]*/\d.*",
        "open start": r"\.\./.*",
        "open end": r".*/\.\.",
    }
    for name, pattern in forms.items():
        assert any(re.fullmatch(pattern, d) for d in dates), name
    markdown = " ".join(p.read_text(encoding="utf-8") for p in root.rglob("*.yml"))
    assert markdown.count("[[") >= 20
    assert "|" in markdown  # [[id|label]]
    assert sum(bool(r.data.tags) for r in case.records.values()) >= N // 4
    assert case.backrefs  # [[links]], roles, speakers and citations all resolve


def test_command_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert synth.main([str(out), "--records", "40", "--seed", "3"]) == 0
    report, case = check(out)
    assert case is not None and report.ok(strict=True)
    assert synth.main([str(out), "--records", "40"]) == 1  # not empty: never overwritten


def test_tiny_case_files_still_check_clean(tmp_path: Path) -> None:
    for n in (1, 7, 25):
        root = tmp_path / str(n)
        synth.generate(root, n, seed=n)
        report, case = check(root)
        assert case is not None and report.ok(strict=True), [
            format_text(f) for f in report.findings
        ]


def test_bench_runs_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two small `mkdocs build` runs (with and without the plugin): a few seconds."""
    assert (
        bench.main(["--sizes", "60", "--repeat", "1", "--workdir", str(tmp_path), "--no-browser"])
        == 0
    )
    out = capsys.readouterr().out
    for label in ("records/s", "render_site", "plugin / plain", "peak RSS", "search index"):
        assert label in out
    assert re.search(r"load \+ check: records/s\s+[\d,]+", out)
    assert not list(tmp_path.iterdir())  # the temporary folders are gone


def test_the_bench_counts_the_memory_of_every_process_of_a_build() -> None:
    """A build's forks and Pagefind hold memory beside the main process: the bench's
    `TreePeak` sums them (60 MB in a process, 60 MB in its child: more than either)."""
    if not Path("/proc/self/smaps_rollup").exists():
        pytest.skip("no /proc/<pid>/smaps_rollup here")
    child = "y = b'y' * 60_000_000; import time; time.sleep(2)"
    script = (
        "import subprocess, sys\nx = b'x' * 60_000_000\n"
        f"subprocess.run([sys.executable, '-c', {child!r}])"
    )
    process = subprocess.Popen([sys.executable, "-c", script])
    with bench.TreePeak(process.pid) as tree:
        process.wait()
    assert tree.peak_kib is not None
    assert tree.peak_kib > 2 * 60_000_000 // 1024
