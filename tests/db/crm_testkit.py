"""Helpers for the booking and CRM tests: local wall-clock instants, calls, booking shorthands."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agentlocator.db.models import Business, Call
from agentlocator.services.appointments import BookingResult, book_appointment
from agentlocator.services.businesses import BusinessCreate, create_business
from agentlocator.services.call_log import open_call

JERUSALEM = ZoneInfo("Asia/Jerusalem")
CALLER = "+972521234567"
"""A valid Israeli mobile number (052 range) in E.164."""

_call_numbers = itertools.count(1)


def jlm(
    y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, us: int = 0, *, fold: int = 0
) -> datetime:
    """The UTC instant of a Jerusalem wall-clock time (`fold=1`: the repeated hour's second)."""
    return datetime(y, mo, d, h, mi, s, us, tzinfo=JERUSALEM, fold=fold).astimezone(UTC)


async def make_call(session: AsyncSession, business: Business, caller: str = CALLER) -> Call:
    """A committed inbound call record for `business`."""
    call = await open_call(
        session,
        business_id=business.id,
        call_sid=f"CA{next(_call_numbers):032d}",
        direction="inbound",
        from_number=caller,
        to_number=business.phone,
    )
    await session.commit()
    return call


async def book(
    sessions: async_sessionmaker[AsyncSession],
    business: Business,
    starts_at: datetime,
    minutes: int = 30,
    buffer: int = 0,
    **fields: Any,
) -> BookingResult:
    """`book_appointment` with test defaults (30 minutes, no buffer, a customer name)."""
    fields.setdefault("customer_name", "דנה כהן")
    return await book_appointment(
        sessions,
        business.id,
        starts_at=starts_at,
        duration_minutes=minutes,
        buffer_minutes=buffer,
        **fields,
    )


def kinds(results: Iterable[object]) -> Counter[str]:
    """How many results of each class (`Booked`, `SlotTaken`, …)."""
    return Counter(type(result).__name__ for result in results)


async def new_business(session: AsyncSession, phone: str = "+97235550100") -> Business:
    """A committed business, for tests that run on one backend only (no `make_business`)."""
    business = await create_business(
        session,
        BusinessCreate(name="עסק בדיקה", phone=phone, call_goal="booking", greeting="שלום"),
    )
    await session.commit()
    return business
