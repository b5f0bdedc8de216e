"""Fixtures of the webhook tests: a real HTTP receiver, running or not yet."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.webhooks.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A running receiver that answers 200 and records every request."""
    running = Receiver()
    running.start()
    yield running
    running.stop()


@pytest.fixture
def receiver_down() -> Iterator[Receiver]:
    """A receiver's address with nothing listening yet; `start()` brings it up."""
    waiting = Receiver()
    yield waiting
    waiting.stop()
