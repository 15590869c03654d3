"""Golden tests of the checker: each file in tests/golden/ is a small case file and its
exact findings. Set UPDATE_GOLDEN=1 to rewrite the expectations after a deliberate change."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from build_scripts.checker import check
from build_scripts.findings import format_text

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(GOLDEN.glob("*.yml"))


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as literal blocks, so the golden files read like the records."""


_Dumper.add_representer(
    str,
    lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style="|" if "\n" in s else None),
)


def materialise(files: dict[str, str], root: Path) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


def render_findings(root: Path) -> str:
    report, case = check(root)
    lines = [format_text(f, cwd=root) for f in report.findings]
    lines.append(report.summary() + ("" if case is None else ", case built"))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_golden(path: Path, tmp_path: Path) -> None:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    root = tmp_path / "casefile"
    materialise(spec["files"], root)
    actual = render_findings(root)
    if os.environ.get("UPDATE_GOLDEN"):
        spec["expected"] = actual
        path.write_text(
            f"# {spec['about']}\n"
            + yaml.dump(spec, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100),
            encoding="utf-8",
        )
    assert actual == spec["expected"]


def test_golden_cases_exist() -> None:
    assert len(CASES) >= 10
