"""Bookings of this process still inside their write transaction ("in flight"), by business.

Callers racing for one slot reach us within milliseconds of each other. The database orders
them (time-block locks on PostgreSQL, the write lock on SQLite); a loser that joined that queue
would wait its turn and then hold the queue for a transaction of its own, only to read "taken":
the last of ten racers would wait for nine transactions. So a booking first waits, holding no
connection, for the bookings of this process already in flight over an overlapping span. When
they have landed, the rows usually answer it (the slot went to the first racer), and every waiter
reads that answer at once, side by side, without locks. Only a request the rows leave open goes
on to the locked transaction.

This orders the bookings of one process only and decides nothing: the locks and the schema's
overlap guard still decide every write, whichever process makes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from agentlocator.db.models import BusinessId


@dataclass(eq=False)
class _Flight:
    starts_at: datetime
    blocked_until: datetime
    landed: asyncio.Event = field(default_factory=asyncio.Event)

    def overlaps(self, starts_at: datetime, blocked_until: datetime) -> bool:
        return self.starts_at < blocked_until and starts_at < self.blocked_until


class BookingFlights:
    """The bookings in flight on one database, in one event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._flights: dict[BusinessId, list[_Flight]] = {}

    async def wait_for_overlapping(
        self, business_id: BusinessId, span: tuple[datetime, datetime]
    ) -> bool:
        """Wait until the bookings in flight now over an overlapping span have landed.

        Returns whether there were any. Later flights are not waited for: the caller either
        reads its answer from the rows or takes the locked path, which waits for them anyway.
        """
        pending = [
            flight.landed.wait()
            for flight in self._flights.get(business_id, ())
            if flight.overlaps(*span)
        ]
        if not pending:
            return False
        await asyncio.gather(*pending)
        return True

    @contextlib.contextmanager
    def flying(self, business_id: BusinessId, span: tuple[datetime, datetime]) -> Iterator[None]:
        """Mark a booking of `span` in flight until the block ends (committed or not)."""
        flight = _Flight(*span)
        flights = self._flights.setdefault(business_id, [])
        flights.append(flight)
        try:
            yield
        finally:
            flights.remove(flight)
            if not flights:
                del self._flights[business_id]
            flight.landed.set()


_by_engine: weakref.WeakKeyDictionary[Any, BookingFlights] = weakref.WeakKeyDictionary()


def flights_for(bind: object) -> BookingFlights | None:
    """The in-flight bookings on `bind`'s database (an `AsyncEngine`) in the running loop;
    None for any other bind, which then books without waiting."""
    if not isinstance(bind, AsyncEngine):
        return None
    loop = asyncio.get_running_loop()
    flights = _by_engine.get(bind.sync_engine)
    if flights is None or flights.loop is not loop:
        flights = _by_engine[bind.sync_engine] = BookingFlights(loop)
    return flights
