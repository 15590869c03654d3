"""A long build's heap and Python's cyclic collector.

A build keeps what each step makes (the checked case, the pages, MkDocs' page objects:
millions of objects at 100,000 records) for the steps after it. The collector was made for
a heap that does not grow so fast: it walks every object it tracks whenever the objects
made since its last full pass are a quarter of those it has seen survive. While a step
builds a large heap, that is a pass over all of it every time the heap grows by a quarter,
and each pass touches every object's memory again. Measured at 100,000 records: 2.1 s of
full passes while MkDocs reads the pages, 3.7 s while the records' search documents are
made (against 0.07 s and 0.1 s at 10,000: the passes grow with the heap, faster than the
number of records), and 2.4 s for the one pass over everything the check made, the moment
it turned the collector on again.

So a step that builds what later steps keep runs with the collector off (`growing`, or
`pause` and `resume` across MkDocs' hooks), and its heap is then frozen (`settle`): moved
out of the collector's way for good, so later passes walk only what later steps make.
Objects frozen and dropped later are still freed by reference counting; only cycles among
them would stay, so a freeze comes only after steps that leave none behind (MkDocs' reading
of a generated page leaves none; Python-Markdown, reading a hand-written page, leaves some
two hundred objects in cycles, 4,500 for 22 pages, measured, which the collector frees
while it is on). A step that builds a large heap and drops it runs with the collector off
and freezes nothing (`paused`): as its objects are freed, the count of new objects goes
down again. A step that makes cycles for every page it renders (Jinja's macros do) keeps
the collector on, for its young objects only when the step keeps little (`young_only`):
MkDocs' theme step, whose cycles die young, took 2.1 s of full passes at 100,000 records,
against 0.03 s at 10,000, measured, and none with them held; it then ended with 92,000
objects in the oldest generation, and the build's peak resident memory was 2,958 MB
against 2,944 MB (two builds each)."""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Iterator
from contextlib import contextmanager


def settle(*, collect: bool = False) -> None:
    """Freeze the heap: what the steps so far made is kept, and the collector walks it no
    more. Freezing also sets the count of new objects back to none, so no pass starts at
    the next object made.

    `collect` first frees the cycles among what the step made, which a freeze would keep for
    good: after the render, Jinja's macros hold the last page's template context in a cycle
    that reaches the renderer, and through it the checked case."""
    if collect:
        gc.collect()
    gc.freeze()


def pause() -> bool:
    """Turn the collector off; whether it was on, for `resume`."""
    enabled = gc.isenabled()
    gc.disable()
    return enabled


def resume(enabled: bool) -> None:
    """Turn the collector back on if `pause` found it on."""
    if enabled:
        gc.enable()


@contextmanager
def paused() -> Iterator[None]:
    """The collector off while the block runs, then as it was."""
    enabled = pause()
    try:
        yield
    finally:
        resume(enabled)


@contextmanager
def growing() -> Iterator[None]:
    """The collector off while the block builds what later steps keep, and the heap frozen
    when it ends (not when it fails), before the collector is on again."""
    with paused():
        yield
        settle()


# A count of collections of the middle generation that is never reached (`young_only`).
NEVER = 1 << 30


def young_only() -> tuple[int, int, int] | None:
    """Let the collector pass over the young objects only, until `full_again`: an object that
    outlives two young passes waits for the next full pass to be freed. What `full_again`
    needs; None if full passes were held already (or are off: the collector's thresholds
    were changed elsewhere to the same end).

    A full pass is due when the middle generation has been collected more times than the
    third threshold says, and the objects moved to the oldest since the last full pass are a
    quarter of those it kept; with this threshold the first never happens (CPython's
    generational collector, 3.11 here; a collector that reads its thresholds otherwise is
    left to decide)."""
    first, second, third = gc.get_threshold()
    if third >= NEVER:
        return None
    gc.set_threshold(first, second, NEVER)
    return first, second, third


def full_again(thresholds: tuple[int, int, int] | None) -> None:
    """Full passes as before `young_only` (which gave `thresholds`)."""
    if thresholds is not None:
        gc.set_threshold(*thresholds)


def give_back_memory() -> None:
    """Hand the free memory of the heap back to the system, where the C library can (glibc's
    `malloc_trim`; elsewhere nothing happens). Python returns its own arenas when they empty,
    but memory freed to malloc stays in the process: at 10,000 records, the pages' text as
    str (freed once handed to MkDocs as UTF-8) and the checked case left 70-90 MB there,
    measured, for the rest of the build, while MkDocs writes the pages beside Pagefind."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return
    trim(0)
