"""Leads: one per caller number and business, race-safe; people's edits outrank the AI's."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable

import pytest
from crm_testkit import CALLER, make_call
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from agentlocator.db.engine import session_factory
from agentlocator.db.models import Business, Call, Lead, LeadEvent
from agentlocator.services.caller_id import caller_phone_e164, classify_caller_id
from agentlocator.services.leads import (
    Editor,
    NotInBusinessError,
    PhoneTakenError,
    attach_phone,
    create_lead_without_phone,
    find_lead_by_phone,
    get_lead,
    lead_timeline,
    list_leads,
    set_status,
    update_lead_details,
    upsert_lead_for_call,
)

MakeBusiness = Callable[..., Awaitable[Business]]


async def count(session: AsyncSession, model: type[Lead] | type[LeadEvent]) -> int:
    return int(await session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize(
    ("raw", "status", "e164"),
    [
        ("+972521234567", "present", "+972521234567"),
        ("052-123-4567", "present", "+972521234567"),
        ("00972 52 123 4567", "present", "+972521234567"),
        ("972521234567", "present", "+972521234567"),
        ("+1 212 555 0100", "present", "+12125550100"),
        ("anonymous", "withheld", None),
        ("Restricted", "withheld", None),
        ("", "withheld", None),
        (None, "withheld", None),
        ("+266696687", "withheld", None),
        ("+86282452253", "withheld", None),
        ("client:alice", "unparseable", None),
        ("*6000", "unparseable", None),
        ("12", "unparseable", None),
    ],
)
def test_caller_ids_are_read_once(raw: str | None, status: str, e164: str | None) -> None:
    assert classify_caller_id(raw) == status
    assert caller_phone_e164(raw) == e164


async def test_upsert_is_idempotent_across_spellings(
    db_session: AsyncSession, make_business: MakeBusiness
) -> None:
    business = await make_business()
    first_call = await make_call(db_session, business)
    second_call = await make_call(db_session, business)

    lead = await upsert_lead_for_call(
        db_session, business.id, "052-123-4567", call_id=first_call.id
    )
    await db_session.commit()
    again = await upsert_lead_for_call(db_session, business.id, CALLER, call_id=second_call.id)
    await db_session.commit()

    assert lead is not None and again is not None
    assert again.id == lead.id
    assert (lead.phone_e164, lead.status, lead.human_edited_fields) == (CALLER, "new", [])
    assert again.last_contact_at is not None and lead.created_at is not None
    assert await count(db_session, Lead) == 1
    events = await lead_timeline(db_session, business.id, lead.id)
    assert [(e.kind, e.data) for e in events] == [
        ("call", {"call_id": str(first_call.id), "is_new_lead": True}),
        ("call", {"call_id": str(second_call.id), "is_new_lead": False}),
    ]


async def test_a_withheld_caller_gets_no_lead(
    db_session: AsyncSession, make_business: MakeBusiness
) -> None:
    business = await make_business()
    call = await make_call(db_session, business, caller="anonymous")
    for raw in ("anonymous", "+266696687", "client:alice", ""):
        assert await upsert_lead_for_call(db_session, business.id, raw, call_id=call.id) is None
    await db_session.commit()
    assert await count(db_session, Lead) == 0
    assert await count(db_session, LeadEvent) == 0


async def test_twenty_concurrent_calls_from_one_number_make_one_lead(
    db_engine: AsyncEngine, make_business: MakeBusiness
) -> None:
    business = await make_business()
    sessions = session_factory(db_engine)
    async with sessions() as session:
        calls = [await make_call(session, business) for _ in range(20)]

    async def upsert(spelling: str, call: Call) -> Lead | None:
        async with sessions() as session:
            lead = await upsert_lead_for_call(session, business.id, spelling, call_id=call.id)
            await session.commit()
            return lead

    spellings = ["+972521234567", "052-1234567", "00972521234567", "+972 52 123 4567"] * 5
    leads = await asyncio.gather(*(upsert(s, c) for s, c in zip(spellings, calls, strict=True)))
    assert len({lead.id for lead in leads if lead is not None}) == 1
    async with sessions() as session:
        assert await count(session, Lead) == 1
        assert await count(session, LeadEvent) == 20
        new = await session.scalar(
            select(func.count())
            .select_from(LeadEvent)
            .where(LeadEvent.data["is_new_lead"].as_boolean())
        )
    assert new == 1


async def test_the_same_number_at_two_businesses_is_two_leads(
    db_session: AsyncSession, make_business: MakeBusiness
) -> None:
    ours, theirs = await make_business(), await make_business()
    mine = await upsert_lead_for_call(db_session, ours.id, CALLER, call_id=None)
    other = await upsert_lead_for_call(db_session, theirs.id, CALLER, call_id=None)
    await db_session.commit()
    assert mine is not None and other is not None and mine.id != other.id


async def test_the_ai_never_overwrites_what_a_person_edited(
    db_session: AsyncSession, make_business: MakeBusiness
) -> None:
    business = await make_business()
    lead = await upsert_lead_for_call(db_session, business.id, CALLER, call_id=None)
    assert lead is not None

    ai = await update_lead_details(
        db_session, business.id, lead.id, full_name="דנה", email="dana@example.com", by="ai"
    )
    assert ai is not None
    assert ai.changed == {"full_name": "דנה", "email": "dana@example.com"}
    assert ai.kept == ()

    person = await update_lead_details(
        db_session, business.id, lead.id, full_name="דנה כהן", by="human"
    )
    assert person is not None and person.changed == {"full_name": "דנה כהן"}
    assert person.lead.human_edited_fields == ["full_name"]

    ai_again = await update_lead_details(
        db_session, business.id, lead.id, full_name="דנה לוי", email="d@example.org", by="ai"
    )
    await db_session.commit()
    assert ai_again is not None
    assert ai_again.changed == {"email": "d@example.org"}
    assert ai_again.kept == ("full_name",)

    db_session.expunge_all()
    stored = await get_lead(db_session, business.id, lead.id)
    assert stored is not None
    assert (stored.full_name, stored.email) == ("דנה כהן", "d@example.org")
    assert stored.human_edited_fields == ["full_name"]


async def test_ai_notes_add_up_and_a_person_may_clear_a_field(
    db_session: AsyncSession, make_business: MakeBusiness
) -> None:
    business = await make_business()
    lead = await upsert_lead_for_call(db_session, business.id, CALLER, call_id=None)
    assert lead is not None

    await update_lead_details(db_session, business.id, lead.id, notes="רוצה תור בבוקר", by="ai")
    await update_lead_details(db_session, business.id, lead.id, notes="אלרגי ללטקס", by="ai")
    repeat = await update_lead_details(
        db_session, business.id, lead.id, notes="אלרגי ללטקס", by="ai"
    )
    assert repeat is not None and repeat.changed == {}
    assert repeat.lead.notes == "רוצה תור בבוקר\nאלרגי ללטקס"

    empty = await update_lead_details(db_session, business.id, lead.id, notes="  ", by="ai")
    assert empty is not None and empty.changed == {}

    cleared = await update_lead_details(db_session, business.id, lead.id, notes="", by="human")
    assert cleared is not None and cleared.changed == {"notes": None}
    assert cleared.lead.human_edited_fields == ["notes"]
    after = await update_lead_details(db_session, business.id, lead.id, notes="עוד", by="ai")
    assert after is not None and after.kept == ("notes",) and after.lead.notes is None


async def test_details_are_validated(db_session: AsyncSession, make_business: MakeBusiness) -> None:
    business = await make_business()
    lead = await upsert_lead_for_call(db_session, business.id, CALLER, call_id=None)
    assert lead is not None
    for bad in ("dana", "dana@", "dana@example", "da na@example.com", "@example.com"):
        with pytest.raises(ValueError, match="email"):
            await update_lead_details(db_session, business.id, lead.id, email=bad, by="ai")
    with pytest.raises(ValueError, match="full_name"):
        await update_lead_details(db_session, business.id, lead.id, full_name="א" * 201, by="human")
    done = await update_lead_details(
        db_session, business.id, lead.id, email="  dana.cohen+tor@example.co.il ", by="ai"
    )
    assert done is not None and done.lead.email == "dana.cohen+tor@example.co.il"


async def test_a_details_update_is_one_event_with_what_changed(
    db_session: AsyncSession, make_business: MakeBusiness
) -> None:
    business = await make_business()
    lead = await upsert_lead_for_call(db_session, business.id, CALLER, call_id=None)
    assert lead is not None
    await update_lead_details(db_session, business.id, lead.id, full_name="דנה", by="ai")
    await update_lead_details(db_session, business.id, lead.id, full_name="דנה", by="ai")
    await update_lead_details(db_session, business.id, lead.id, full_name="דנה כהן", by="human")
    await db_session.commit()

    events = await lead_timeline(db_session, business.id, lead.id)
    assert [e.kind for e in events] == ["call", "details_updated", "details_updated"]
    assert events[1].data == {
        "by": "ai",
        "changed": {"full_name": "דנה"},
        "previous": {"full_name": None},
    }
    assert events[2].data["by"] == "human"


async def test_statuses_and_who_set_them(
    db_session: AsyncSession, make_business: MakeBusiness
) -> None:
    business = await make_business()
    lead = await upsert_lead_for_call(db_session, business.id, CALLER, call_id=None)
    assert lead is not None

    changed = await set_status(db_session, business.id, lead.id, "contacted", by="ai")
    assert changed is not None and changed.status == "contacted"
    unchanged = await set_status(db_session, business.id, lead.id, "contacted", by="ai")
    assert unchanged is not None and unchanged.status == "contacted"
    person = await set_status(db_session, business.id, lead.id, "customer", by="human")
    assert person is not None and person.human_edited_fields == ["status"]
    ignored = await set_status(db_session, business.id, lead.id, "spam", by="ai")
    assert ignored is not None and ignored.status == "customer"
    again = await set_status(db_session, business.id, lead.id, "lost", by="human")
    assert again is not None and again.status == "lost"
    with pytest.raises(ValueError, match="status"):
        await set_status(db_session, business.id, lead.id, "vip", by="human")  # type: ignore[arg-type]
    await db_session.commit()

    events = await lead_timeline(db_session, business.id, lead.id)
    assert [(e.kind, e.data.get("to"), e.data.get("by")) for e in events] == [
        ("call", None, None),
        ("status_changed", "contacted", "ai"),
        ("status_changed", "customer", "human"),
        ("status_changed", "lost", "human"),
    ]


async def test_the_timeline_keeps_the_order_events_happened_in(
    db_session: AsyncSession, make_business: MakeBusiness
) -> None:
    business = await make_business()
    calls = [await make_call(db_session, business) for _ in range(3)]
    lead = None
    for call in calls:
        lead = await upsert_lead_for_call(db_session, business.id, CALLER, call_id=call.id)
        assert lead is not None
        await update_lead_details(
            db_session, business.id, lead.id, notes=f"שיחה {call.id}", by="ai"
        )
        await set_status(db_session, business.id, lead.id, "contacted", by="ai")
    await db_session.commit()
    assert lead is not None

    events = await lead_timeline(db_session, business.id, lead.id)
    assert [e.kind for e in events] == [
        "call",
        "details_updated",
        "status_changed",
        "call",
        "details_updated",
        "call",
        "details_updated",
    ]
    assert [e.data["call_id"] for e in events if e.kind == "call"] == [str(c.id) for c in calls]
    assert all(a.at <= b.at for a, b in itertools.pairwise(events))


async def test_a_withheld_caller_who_gives_a_number_later(
    db_session: AsyncSession, make_business: MakeBusiness
) -> None:
    business = await make_business()
    call = await make_call(db_session, business, caller="anonymous")
    lead = await create_lead_without_phone(
        db_session, business.id, call_id=call.id, full_name="רון"
    )
    second = await create_lead_without_phone(db_session, business.id)
    await db_session.commit()
    assert lead.phone_e164 is None and second.phone_e164 is None
    assert lead.last_contact_at is not None and second.last_contact_at is None

    with pytest.raises(ValueError, match="phone"):
        await attach_phone(db_session, business.id, lead.id, "not a number", by="ai")
    attached = await attach_phone(db_session, business.id, lead.id, "054-555-1234", by="ai")
    await db_session.commit()
    assert attached is not None and attached.phone_e164 == "+972545551234"
    found = await find_lead_by_phone(db_session, business.id, "+972 54 555 1234")
    assert found is not None and found.id == lead.id

    with pytest.raises(PhoneTakenError) as taken:
        await attach_phone(db_session, business.id, second.id, "0545551234", by="ai")
    assert taken.value.lead_id == lead.id

    # The next call from that number finds the same lead.
    again = await upsert_lead_for_call(db_session, business.id, "+972545551234", call_id=None)
    assert again is not None and again.id == lead.id
    await db_session.commit()
    kinds = [e.kind for e in await lead_timeline(db_session, business.id, lead.id)]
    assert kinds == ["call", "details_updated", "call"]


async def test_the_ai_never_replaces_a_number_a_person_set(
    db_session: AsyncSession, make_business: MakeBusiness
) -> None:
    business = await make_business()
    lead = await create_lead_without_phone(db_session, business.id, by="human", full_name="רון")
    assert lead.human_edited_fields == ["full_name"]
    await attach_phone(db_session, business.id, lead.id, "054-555-1234", by="human")
    kept = await attach_phone(db_session, business.id, lead.id, "054-555-9999", by="ai")
    assert kept is not None and kept.phone_e164 == "+972545551234"
    assert kept.human_edited_fields == ["full_name", "phone_e164"]


async def test_list_and_search(db_session: AsyncSession, make_business: MakeBusiness) -> None:
    business = await make_business()
    numbers = ["+972521111111", "+972522222222", "+972533333333"]
    names = ["Dana Cohen", "רון לוי", "100%_sure"]
    for number, name in zip(numbers, names, strict=True):
        lead = await upsert_lead_for_call(db_session, business.id, number, call_id=None)
        assert lead is not None
        await update_lead_details(db_session, business.id, lead.id, full_name=name, by="ai")
        await db_session.commit()

    async def search(term: str | None, **page: int) -> list[str | None]:
        return [lead.full_name for lead in await list_leads(db_session, business.id, term, **page)]

    assert await search(None) == ["100%_sure", "רון לוי", "Dana Cohen"]
    assert await search(None, limit=1, offset=1) == ["רון לוי"]
    assert await search("dana") == ["Dana Cohen"]
    assert await search("לוי") == ["רון לוי"]
    assert await search("052-2222222") == ["רון לוי"]
    assert await search("97253") == ["100%_sure"]
    assert await search("%") == ["100%_sure"]
    assert await search("_") == ["100%_sure"]
    assert await search("nobody") == []
    with pytest.raises(ValueError, match="limit"):
        await list_leads(db_session, business.id, limit=0)
    with pytest.raises(ValueError, match="offset"):
        await list_leads(db_session, business.id, offset=-1)


async def test_a_call_of_another_business_is_refused(
    db_session: AsyncSession, make_business: MakeBusiness
) -> None:
    ours, theirs = await make_business(), await make_business()
    their_call = await make_call(db_session, theirs)
    with pytest.raises(NotInBusinessError, match="call"):
        await upsert_lead_for_call(db_session, ours.id, CALLER, call_id=their_call.id)
    with pytest.raises(NotInBusinessError, match="call"):
        await create_lead_without_phone(db_session, ours.id, call_id=their_call.id)


async def test_concurrent_edits_by_people_and_the_ai_lose_nothing(
    db_engine: AsyncEngine, make_business: MakeBusiness
) -> None:
    """Each edit starts by locking the lead (a row lock on PostgreSQL, the write lock on SQLite),
    so no edit's mark in `human_edited_fields` is lost and SQLite reports no "database is
    locked", even in plain (deferred) sessions."""
    business = await make_business()
    sessions = session_factory(db_engine)
    async with sessions() as session:
        lead = await upsert_lead_for_call(session, business.id, CALLER, call_id=None)
        assert lead is not None
        await session.commit()

    async def edit(**change: str) -> None:
        async with sessions() as session:
            if change.pop("status", None):
                await set_status(session, business.id, lead.id, "customer", by="human")
            else:
                by: Editor = "ai" if "notes" in change else "human"
                await update_lead_details(session, business.id, lead.id, by=by, **change)
            await session.commit()

    changes = [{"full_name": "דנה"}, {"email": "d@example.com"}, {"status": "1"}, {"notes": "x"}]
    await asyncio.gather(*(edit(**change) for change in changes * 3))
    async with sessions() as session:
        stored = await get_lead(session, business.id, lead.id)
    assert stored is not None
    assert stored.human_edited_fields == ["email", "full_name", "status"]
    assert (stored.full_name, stored.email, stored.notes, stored.status) == (
        "דנה",
        "d@example.com",
        "x",
        "customer",
    )


async def test_two_leads_racing_for_one_number_one_gets_it(
    db_engine: AsyncEngine, make_business: MakeBusiness
) -> None:
    business = await make_business()
    sessions = session_factory(db_engine)
    async with sessions() as session:
        first = await create_lead_without_phone(session, business.id)
        second = await create_lead_without_phone(session, business.id)
        await session.commit()

    async def attach(lead: Lead) -> str:
        async with sessions() as session:
            try:
                await attach_phone(session, business.id, lead.id, "054-555-1234", by="ai")
            except PhoneTakenError:
                return "taken"
            await session.commit()
            return "attached"

    outcomes = await asyncio.gather(attach(first), attach(second))
    assert sorted(outcomes) == ["attached", "taken"]
    async with sessions() as session:
        owner = await find_lead_by_phone(session, business.id, "0545551234")
    assert owner is not None and owner.id in {first.id, second.id}
