"""Which advisory locks a booking takes on PostgreSQL: the hours its span touches."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from agentlocator.db.models import BusinessId
from agentlocator.services.booking_guard import _hour_key, _hours


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 7, hour, minute, tzinfo=UTC)


def test_a_span_locks_exactly_the_hours_it_touches() -> None:
    assert len(_hours((at(10), at(10, 30)))) == 1
    assert _hours((at(10, 30), at(11))) == _hours((at(10), at(10, 30)))  # ends on the hour
    assert len(_hours((at(10, 45), at(11, 15)))) == 2


def test_overlapping_spans_always_share_an_hour_lock() -> None:
    business = BusinessId(uuid.uuid4())
    first = {_hour_key(business, h) for h in _hours((at(10), at(10, 30)))}
    overlapping = {_hour_key(business, h) for h in _hours((at(10, 15), at(10, 45)))}
    later = {_hour_key(business, h) for h in _hours((at(12), at(12, 30)))}
    assert first & overlapping
    assert not first & later
    other_business = {_hour_key(BusinessId(uuid.uuid4()), h) for h in _hours((at(10), at(10, 30)))}
    assert not first & other_business
