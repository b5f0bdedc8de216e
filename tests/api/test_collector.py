"""The API process tunes Python's cycle collector at start-up (api.lifespan.settle_collector)."""

from __future__ import annotations

import gc

from api.lifespan import YOUNG_COLLECTION_THRESHOLD
from tests.conftest import Server


async def test_a_started_api_freezes_its_start_up_objects_and_collects_young_ones_rarely(
    server: Server,
) -> None:
    # given an API process that has started (the suite's server runs in this process)
    # then what start-up built is out of the collector's scans
    assert gc.get_freeze_count() > 10_000
    # and the youngest generation waits for 10,000 allocations, not Python's 700
    assert gc.get_threshold()[0] == YOUNG_COLLECTION_THRESHOLD == 10_000
