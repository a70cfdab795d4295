"""A booking's changes to its lead land in the booking's own transaction, in timeline order."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from crm_testkit import CALLER, book, jlm, make_call
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agentlocator.db.models import Business, Call, Lead
from agentlocator.services.appointments import Booked, SlotTaken
from agentlocator.services.leads import (
    get_lead,
    lead_timeline,
    update_lead_details,
    upsert_lead_for_call,
)

MakeBusiness = Callable[..., Awaitable[Business]]

TEN = jlm(2026, 6, 7, 10, 0)


async def a_caller(
    db_session: AsyncSession, make_business: MakeBusiness
) -> tuple[Business, Call, Lead]:
    """A business, a call to it, and the caller's new lead (committed)."""
    business = await make_business()
    call = await make_call(db_session, business)
    lead = await upsert_lead_for_call(db_session, business.id, CALLER, call_id=call.id)
    await db_session.commit()
    assert lead is not None
    return business, call, lead


async def test_a_booking_names_and_promotes_its_lead_in_order(
    sessions: async_sessionmaker[AsyncSession],
    db_session: AsyncSession,
    make_business: MakeBusiness,
) -> None:
    business, call, lead = await a_caller(db_session, make_business)

    result = await book(
        sessions, business, TEN, lead_id=lead.id, call_id=call.id, lead_full_name=" דנה כהן "
    )

    assert isinstance(result, Booked)
    async with sessions() as session:
        events = await lead_timeline(session, business.id, lead.id)
        named = await get_lead(session, business.id, lead.id)
    assert [e.kind for e in events] == [
        "call",
        "appointment_booked",
        "status_changed",
        "details_updated",
    ]
    assert events[3].data == {
        "by": "ai",
        "changed": {"full_name": "דנה כהן"},
        "previous": {"full_name": None},
    }
    assert named is not None and named.full_name == "דנה כהן" and named.status == "booked"


async def test_a_refused_booking_changes_nothing_on_the_lead(
    sessions: async_sessionmaker[AsyncSession],
    db_session: AsyncSession,
    make_business: MakeBusiness,
) -> None:
    business, call, lead = await a_caller(db_session, make_business)
    assert isinstance(await book(sessions, business, TEN), Booked)

    refused = await book(
        sessions, business, TEN, lead_id=lead.id, call_id=call.id, lead_full_name="דנה כהן"
    )

    assert isinstance(refused, SlotTaken)
    async with sessions() as session:
        events = await lead_timeline(session, business.id, lead.id)
        unchanged = await get_lead(session, business.id, lead.id)
    assert [e.kind for e in events] == ["call"]
    assert unchanged is not None and unchanged.full_name is None and unchanged.status == "new"


async def test_a_booking_keeps_the_name_a_person_gave(
    sessions: async_sessionmaker[AsyncSession],
    db_session: AsyncSession,
    make_business: MakeBusiness,
) -> None:
    business, call, lead = await a_caller(db_session, make_business)
    await update_lead_details(db_session, business.id, lead.id, full_name="Dana K", by="human")
    await db_session.commit()

    result = await book(
        sessions, business, TEN, lead_id=lead.id, call_id=call.id, lead_full_name="דנה כהן"
    )

    assert isinstance(result, Booked)
    async with sessions() as session:
        kept = await get_lead(session, business.id, lead.id)
    assert kept is not None and kept.full_name == "Dana K"
