"""The page cache `mkdocs serve` keeps between rebuilds (pages.PageCache, with the loader's
records.FileCache): after any edit, the site it gives is byte for byte the site a fresh
check and render give, and an edit to one record renders only the pages that read it."""

from __future__ import annotations

import random
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks import synth
from build_scripts.checker import check
from build_scripts.pages import PageCache, Site, render_site
from build_scripts.records import FileCache

ROOT = Path(__file__).resolve().parent.parent
N = 150


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("page-cache") / "casefile"
    synth.generate(root, N, seed=7)
    return root


def fresh(root: Path) -> Site:
    report, case = check(root)
    assert case is not None, report.errors
    return render_site(case)


class Serving:
    """What `mkdocs serve` does on each change: check with the loader cache, then render
    with the page cache."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files = FileCache()
        self.pages = PageCache()

    def rebuild(self) -> Site | None:
        _, case = check(self.root, self.files)
        return None if case is None else render_site(case, cache=self.pages)

    def save(self, edit: Callable[[Path, random.Random], None], pick: random.Random) -> Site:
        """`edit` the records and rebuild; an edit that broke the case (a dangling
        reference) is undone, as its author would, and the case rebuilt as it was."""
        before = {p: p.read_bytes() for p in self.root.rglob("*") if p.is_file()}
        edit(self.root, pick)
        served = self.rebuild()
        if served is None:
            for path in self.root.rglob("*"):
                if path.is_file() and path not in before:
                    path.unlink()
            for path, data in before.items():
                path.write_bytes(data)
            served = self.rebuild()
            assert served is not None
        return served


# -- edits a contributor might make, each to a record picked by `pick` ------------------------
def _records(root: Path, folder: str) -> list[Path]:
    return sorted((root / folder).glob("*.yml"))


def _edit(path: Path, change: Callable[[dict[str, object]], None]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def retitle_event(root: Path, pick: random.Random) -> None:
    _edit(
        pick.choice(_records(root, "events")), lambda d: d.update(title=f"Retitled {pick.random()}")
    )


def rename_actor(root: Path, pick: random.Random) -> None:
    _edit(
        pick.choice(_records(root, "actors")), lambda d: d.update(name=f"Renamed {pick.random()}")
    )


def redate_event(root: Path, pick: random.Random) -> None:
    day = f"20{pick.randint(10, 24)}-{pick.randint(1, 12):02d}-{pick.randint(1, 28):02d}"
    _edit(pick.choice(_records(root, "events")), lambda d: d.update(date=day))


def move_quote_to_another_speaker(root: Path, pick: random.Random) -> None:
    actor = pick.choice(_records(root, "actors")).stem
    _edit(pick.choice(_records(root, "quotes")), lambda d: d.update(speaker=actor))


def relate_events(root: Path, pick: random.Random) -> None:
    one, other = pick.sample(_records(root, "events"), 2)
    _edit(one, lambda d: d.update(related=sorted({*d.get("related", []), other.stem})))


def unrelate_event(root: Path, pick: random.Random) -> None:
    _edit(pick.choice(_records(root, "events")), lambda d: d.pop("related", None))


def tag_record(root: Path, pick: random.Random) -> None:
    folder = pick.choice(["actors", "events", "quotes", "sources"])
    _edit(pick.choice(_records(root, folder)), lambda d: d.update(tags=["edited"]))


def delete_quote(root: Path, pick: random.Random) -> None:
    pick.choice(_records(root, "quotes")).unlink()


def extend_source_text(root: Path, pick: random.Random) -> None:
    texts = sorted((root / "sources").glob("*.txt"))
    path = pick.choice(texts)
    path.write_text(path.read_text(encoding="utf-8") + "\n\nA paragraph added later.\n")


def add_event(root: Path, pick: random.Random) -> None:
    model = pick.choice(_records(root, "events"))
    copy = model.with_name(f"added-{pick.randint(0, 10**6)}.yml")
    while copy.exists():  # never onto itself or another added event
        copy = model.with_name(f"added-{pick.randint(0, 10**6)}.yml")
    shutil.copyfile(model, copy)
    _edit(copy, lambda d: d.update(title="An added event"))


EDITS = [
    retitle_event,
    rename_actor,
    redate_event,
    move_quote_to_another_speaker,
    relate_events,
    unrelate_event,
    tag_record,
    delete_quote,
    extend_source_text,
    add_event,
]


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 2**32)), max_size=6))
def test_a_served_site_is_always_the_site_a_fresh_build_gives(
    generated: Path, edits: list[tuple[Callable[[Path, random.Random], None], int]]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "casefile"
        shutil.copytree(generated, root)
        serving = Serving(root)
        assert serving.rebuild() is not None
        for edit, seed in edits:
            served = serving.save(edit, random.Random(seed))
            expected = fresh(root)
            assert served.files == expected.files, edit.__name__
            assert served.titles == expected.titles
            assert served.sources == expected.sources


def test_editing_one_record_renders_only_the_pages_that_read_it(tmp_path: Path) -> None:
    root = tmp_path / "casefile"
    shutil.copytree(ROOT / "casefile", root)
    serving = Serving(root)
    serving.rebuild()
    records = len(serving.pages.rendered)
    assert records > 40 and serving.pages.reused == 0
    fragments = dict(serving.pages.fragments)
    assert fragments  # the timeline's entries and the quote index's lines
    serving.rebuild()  # nothing changed
    assert (serving.pages.rendered, serving.pages.reused) == ([], records)
    assert all(serving.pages.fragments[k] is v for k, v in fragments.items())

    path = root / "quotes" / "peskov-no-agreement-so-far.yml"
    path.write_text(path.read_text().replace("context:", "context: Edited.", 1))
    site = serving.rebuild()
    assert site is not None
    # The quote's own page, and the pages that show the quote: its speaker's, the event it
    # was said at, the source it is from (each lists it in full), and the actors it is about.
    _, case = check(root)
    assert case is not None
    quote = case.records["peskov-no-agreement-so-far"].data
    shown_on = {
        "quotes/peskov-no-agreement-so-far.md",
        f"actors/{quote.speaker}.md",
        f"sources/{quote.source_id}.md",
        *(f"actors/{a}.md" for a in quote.about),
        *([f"events/{quote.event}.md"] if quote.event else []),
    }
    assert set(serving.pages.rendered) == shown_on
    assert len(serving.pages.rendered) + serving.pages.reused == records
    assert site.files == fresh(root).files
