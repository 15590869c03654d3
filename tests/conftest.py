"""What every test gets."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _sigterm_as_it_was() -> Iterator[None]:
    """A test that starts the plugin for `mkdocs serve` and never shuts it down leaves
    SIGTERM turned into Ctrl-C (stopping.py); the next test finds it as it was."""
    handler = signal.getsignal(signal.SIGTERM)
    yield
    if handler is not None:  # None: set outside Python, and not to be set from here
        signal.signal(signal.SIGTERM, handler)
