"""Start-up leaves the garbage collector with full collections rare and start-up objects frozen."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from agentlocator import collector


@pytest.fixture
def restored_collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def test_settling_freezes_what_start_up_left_and_delays_full_collections(
    restored_collector: None,
) -> None:
    gc.set_threshold(700, 10, 10)
    left_by_start_up = [object() for _ in range(10)]
    held = [left_by_start_up]  # a tracked container, so the freeze has something to keep
    collector.settle_after_start_up()
    assert gc.get_threshold() == (700, 10, collector.FULL_COLLECTION_AFTER)
    assert gc.get_freeze_count() >= len(held)
    assert not gc.get_objects(generation=2)  # the oldest generation starts empty
