"""No console error and no uncaught exception on any page the tour visits. (Every other
browser test fails too if its own pages log one: see the `browse` fixture.)"""

from __future__ import annotations

import pytest
from browsing import Browsing, Tour

pytestmark = pytest.mark.browser


def test_no_console_errors(tour: Tour) -> None:
    assert tour.watch.console == [], "\n".join(
        f"{page}: {text} ({origin})" for page, text, origin in tour.watch.console
    )


def test_no_script_errors(tour: Tour) -> None:
    """Console errors other than the failed loads of requests to other hosts (the privacy
    tests' business), and uncaught exceptions."""
    problems = [f"{p}: {t} ({o})" for p, t, o in tour.watch.script_errors()]
    problems += [f"{p}: uncaught {e}" for p, e in tour.watch.errors]
    assert not problems, "\n".join(problems)
    assert len(tour.states) >= 10


def test_the_watch_sees_errors_and_leaks(browse: Browsing) -> None:
    """The harness itself: a console error, an uncaught exception and a request to another
    host are all caught (and the request never sent)."""
    page = browse.page("/")
    page.evaluate("console.error('planted console error')")
    page.evaluate("setTimeout(() => { throw new Error('planted exception'); })")
    sent = page.evaluate("fetch('https://example.org/planted').then(() => true, () => false)")
    page.wait_for_timeout(200)
    watch = browse.watch
    assert sent is False
    assert "https://example.org/planted" in [url for _, url in watch.outside]
    assert any("planted console error" in text for _, text, _ in watch.script_errors())
    assert any("planted exception" in error for _, error in watch.errors)
    assert len(watch.problems()) >= 3
    # Clean up, or the fixture fails this test for what it planted.
    watch.outside.clear()
    watch.console.clear()
    watch.errors.clear()
