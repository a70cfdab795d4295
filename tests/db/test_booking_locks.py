"""Which advisory locks a booking takes on PostgreSQL: the quarter hours its span touches."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from agentlocator.db.models import BusinessId
from agentlocator.services.booking_guard import _block_key, _blocks


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 7, hour, minute, tzinfo=UTC)


def keys(business: BusinessId, start: datetime, end: datetime) -> set[int]:
    return {_block_key(business, block) for block in _blocks((start, end))}


def test_a_span_locks_exactly_the_quarter_hours_it_touches() -> None:
    assert len(_blocks((at(10), at(10, 30)))) == 2
    assert len(_blocks((at(10), at(10, 15)))) == 1  # ends on a boundary
    assert len(_blocks((at(10, 10), at(10, 20)))) == 2
    assert len(_blocks((at(10, 5), at(10, 6)))) == 1


def test_overlapping_spans_always_share_a_lock_and_back_to_back_slots_never_do() -> None:
    business = BusinessId(uuid.uuid4())
    first = keys(business, at(10), at(10, 30))
    assert first & keys(business, at(10, 29), at(10, 59))
    assert first & keys(business, at(9, 50), at(10, 1))
    assert not first & keys(business, at(10, 30), at(11))  # the next half-hour slot
    assert not first & keys(business, at(9, 30), at(10))  # the one before
    assert not first & keys(BusinessId(uuid.uuid4()), at(10), at(10, 30))


def test_every_overlap_shares_a_lock() -> None:
    business = BusinessId(uuid.uuid4())
    spans = [
        (at(9, m), at(9, m) + timedelta(minutes=length))
        for m in range(0, 60, 5)
        for length in (5, 10, 25, 40)
    ]
    for start, end in spans:
        for other_start, other_end in spans:
            if start < other_end and other_start < end:
                assert keys(business, start, end) & keys(business, other_start, other_end)
