"""The environment the tests run in is exactly the one uv.lock describes.

`make serve` and `make test` install with `uv sync --locked`, so a new upstream release can
never change what a fresh machine runs. These tests catch the ways that promise breaks: a
package installed by hand, a lock that no longer matches pyproject.toml's ranges, or a build
backend left floating.
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK = tomllib.loads((ROOT / "uv.lock").read_text())
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def locked_versions() -> dict[str, str]:
    return {
        canonicalize_name(p["name"]): p["version"]
        for p in LOCK["package"]
        if p["name"] != PROJECT["project"]["name"]
    }


def installed_versions() -> dict[str, str]:
    """Distributions in the running interpreter's own environment (the venv, not the host)."""
    out: dict[str, str] = {}
    for dist in metadata.distributions():
        location = Path(str(dist.locate_file(""))).resolve()
        if location.is_relative_to(Path(sys.prefix).resolve()):
            out[canonicalize_name(dist.metadata["Name"])] = dist.version
    out.pop(canonicalize_name(PROJECT["project"]["name"]), None)
    return out


def test_every_installed_package_is_locked_at_its_version() -> None:
    locked = locked_versions()
    installed = installed_versions()
    assert installed, "no distributions found in the test environment"
    wrong = {
        name: (version, locked.get(name, "not in uv.lock"))
        for name, version in installed.items()
        if locked.get(name) != version
    }
    assert not wrong, f"installed (version, locked) differ: {wrong}"


def test_every_runtime_and_test_requirement_is_installed() -> None:
    installed = installed_versions()
    wanted = [
        *PROJECT["project"]["dependencies"],
        *PROJECT["project"]["optional-dependencies"]["test"],
    ]
    for text in wanted:
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in installed, f"{name} is required but not installed"
        assert requirement.specifier.contains(installed[name], prereleases=True), (
            f"{name} {installed[name]} is outside pyproject.toml's range {requirement.specifier}"
        )


def test_every_locked_distribution_carries_a_hash() -> None:
    for package in LOCK["package"]:
        if "source" in package and "registry" in package["source"]:
            files = [
                *package.get("wheels", []),
                *([package["sdist"]] if "sdist" in package else []),
            ]
            assert files and all(f.get("hash", "").startswith("sha256:") for f in files), package[
                "name"
            ]


def test_the_build_backend_and_uv_are_pinned_exactly() -> None:
    for text in PROJECT["build-system"]["requires"]:
        assert "==" in text, f"build requirement {text!r} is not pinned"
    pins = (ROOT / "tools" / "uv-requirements.txt").read_text()
    assert re.search(r"^uv==\d+\.\d+\.\d+ \\$", pins, flags=re.M)
    assert pins.count("--hash=sha256:") >= 5, "uv needs a hash for each platform's wheel"


def test_the_makefile_installs_from_the_lock() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "sync --locked" in makefile
    assert "--require-hashes" in makefile
    assert "pip install -e" not in makefile
