"""The demo business that `make run` seeds, so a fresh checkout can take a call at once."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from agentlocator.db.models import Business
from agentlocator.services.businesses import (
    BusinessCreate,
    create_business,
    find_business_by_phone,
)

DEMO_BUSINESS = BusinessCreate(
    name="מרפאת שיניים דמו",
    phone="+97235550100",
    timezone="Asia/Jerusalem",
    call_goal="booking",
    greeting="שלום, הגעתם למרפאת שיניים דמו. כאן העוזרת הדיגיטלית של המרפאה, איך אפשר לעזור?",
    business_type="מרפאת שיניים",
    services="בדיקה תקופתית, ניקוי אבנית, סתימות, טיפולי שורש, הלבנת שיניים",
    booking={
        "slot_minutes": 30,
        "min_notice_minutes": 60,
        "window_days": 30,
        "buffer_minutes": 0,
        "weekly_hours": {
            "sun": [["09:00", "13:00"], ["16:00", "19:00"]],
            "mon": [["09:00", "17:00"]],
            "tue": [["09:00", "17:00"]],
            "wed": [["09:00", "13:00"], ["16:00", "19:00"]],
            "thu": [["09:00", "17:00"]],
            "fri": [["09:00", "13:00"]],
            "sat": [],
        },
    },
)
"""Demo Dental Clinic: Hebrew greeting, books appointments, on the number +972-3-555-0100."""


async def seed_demo(session: AsyncSession) -> tuple[Business, bool]:
    """The demo business, created unless some business already has its number.

    Returns the business and whether it was created now. Flushes; the caller commits.
    """
    existing = await find_business_by_phone(session, DEMO_BUSINESS.phone)
    if existing is not None:
        return existing, False
    return await create_business(session, DEMO_BUSINESS), True
