"""Fixtures for the slot engine tests."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

ODD_PROCESS_ZONES = [
    "UTC",
    "Asia/Jerusalem",
    "Pacific/Kiritimati",  # UTC+14: the UTC date is a day behind for most of the local day
    "America/St_Johns",  # a half-hour offset with its own DST dates
    "<+1345>-13:45",  # a POSIX rule string, as a badly configured container might carry
]


@pytest.fixture(params=ODD_PROCESS_ZONES)
def process_tz(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run the test with the process time zone (`TZ`) set to an unhelpful value."""
    zone: str = request.param
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        yield zone
    finally:
        monkeypatch.undo()
        time.tzset()
