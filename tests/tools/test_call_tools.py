"""The model's tools against the real database, on SQLite and PostgreSQL.

Each `CallTools` is the tool runner of one call, exactly as the server builds it; 50 of them racing
for one slot stand for 50 simultaneous phone calls.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from agentlocator.db.engine import session_factory
from agentlocator.db.models import Business, BusinessId, LeadId
from agentlocator.services import leads
from agentlocator.telephony.call_setup import booking_rules
from agentlocator.tools.runner import CallScope, CallTools

ZONE = ZoneInfo("Asia/Jerusalem")
NOW = datetime(2026, 12, 6, 7, 0, tzinfo=ZONE).astimezone(UTC)  # Sunday 07:00 local
DAY = "2026-12-07"  # Monday
BOOKING = {
    "slot_minutes": 30,
    "step_minutes": 15,
    "min_notice_minutes": 60,
    "window_days": 30,
    "weekly_hours": {d: [["09:00", "17:00"]] for d in ("sun", "mon", "tue", "wed", "thu")},
}

MakeBusiness = Callable[..., Awaitable[Business]]


def tools_for(
    business: Business, engine: AsyncEngine, call_sid: str, lead_id: LeadId | None = None
) -> CallTools:
    async def lead() -> LeadId | None:
        return lead_id

    async def call_row() -> None:
        return None

    return CallTools(
        CallScope(
            business_id=BusinessId(business.id),
            call_sid=call_sid,
            rules=booking_rules(business),
            db=session_factory(engine),
            now=lambda: NOW,
            lead_id=lead,
            call_row_id=call_row,
        )
    )


async def run(
    tools: CallTools, call_id: str, name: str, args: dict[str, Any] | str
) -> dict[str, Any]:
    raw = args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)
    answer: dict[str, Any] = json.loads(await tools.run(call_id, name, raw))
    return answer


def book_args(time: str, name: str = "דנה כהן") -> dict[str, str]:
    return {"date": DAY, "time": time, "customer_name": name}


async def test_fifty_calls_racing_for_one_slot_book_it_once(
    db_engine: AsyncEngine, make_business: MakeBusiness
) -> None:
    business = await make_business(booking=BOOKING)
    callers = [tools_for(business, db_engine, f"CA{i:032d}") for i in range(50)]
    answers = await asyncio.gather(
        *(run(t, "call_1", "schedule_appointment", book_args("10:00")) for t in callers)
    )
    statuses = [a["status"] for a in answers]
    assert statuses.count("booked") == 1
    assert statuses.count("slot_taken") == 49
    for answer in answers:
        if answer["status"] == "slot_taken":
            assert answer["alternatives"] and "10:00" not in answer["alternatives"]


async def test_overlapping_different_starts_are_refused(
    db_engine: AsyncEngine, make_business: MakeBusiness
) -> None:
    business = await make_business(booking=BOOKING)
    first = tools_for(business, db_engine, "CA" + "1" * 32)
    second = tools_for(business, db_engine, "CA" + "2" * 32)
    assert (await run(first, "c1", "schedule_appointment", book_args("10:00")))[
        "status"
    ] == "booked"
    overlap = await run(second, "c1", "schedule_appointment", book_args("10:15"))
    assert overlap["status"] == "slot_taken"
    assert "10:30" in overlap["alternatives"]
    free = await run(second, "c2", "check_availability", {"date": DAY, "time": "10:15"})
    assert free["requested_time_free"] is False


async def test_a_retried_tool_call_gets_the_same_answer(
    db_engine: AsyncEngine, make_business: MakeBusiness
) -> None:
    business = await make_business(booking=BOOKING)
    tools = tools_for(business, db_engine, "CA" + "3" * 32)
    first = await run(tools, "call_x", "schedule_appointment", book_args("11:00"))
    again = await run(tools, "call_x", "schedule_appointment", book_args("11:00"))
    assert first == again and first["status"] == "booked"
    # The same call and tool call id seen by a fresh runner (a reconnect) is still one booking.
    fresh = tools_for(business, db_engine, "CA" + "3" * 32)
    replay = await run(fresh, "call_x", "schedule_appointment", book_args("11:00"))
    assert replay["status"] == "booked"
    assert replay["appointment_id"] == first["appointment_id"]


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("check_availability", {"date": "tomorrow"}),
        ("check_availability", {"date": "2026-02-30"}),
        ("check_availability", {}),
        ("check_availability", "not json at all"),
        ("check_availability", "[1, 2, 3]"),
        ("check_availability", {"date": DAY, "time": "25:00"}),
        ("schedule_appointment", {"date": DAY, "time": "25:00", "customer_name": "x"}),
        ("schedule_appointment", {"date": DAY, "time": "10:00"}),
        ("schedule_appointment", {"date": DAY, "customer_name": "x"}),
        ("schedule_appointment", {"date": DAY, "time": "10:07", "customer_name": "x"}),
        ("schedule_appointment", {"date": "2026-12-12", "time": "10:00", "customer_name": "x"}),
        ("schedule_appointment", {"date": "2025-01-01", "time": "10:00", "customer_name": "x"}),
        ("schedule_appointment", {"date": DAY, "time": "07:30", "customer_name": "x"}),
        ("schedule_appointment", {"date": DAY, "time": 10, "customer_name": ["x"]}),
        ("update_lead_details", {}),
        ("update_lead_details", {"email": 42}),
        ("cancel_appointment", {"appointment_id": "00000000-0000-0000-0000-000000000001"}),
    ],
)
async def test_garbage_arguments_get_a_speakable_refusal(
    db_engine: AsyncEngine, make_business: MakeBusiness, name: str, args: dict[str, Any] | str
) -> None:
    business = await make_business(booking=BOOKING)
    tools = tools_for(business, db_engine, "CA" + "4" * 32)
    answer = await asyncio.wait_for(run(tools, "call_g", name, args), 5)
    assert answer["status"] not in ("booked", "ok")
    assert answer.get("reason") or answer.get("alternatives") is not None


@pytest.mark.parametrize(
    "args",
    [
        {"date": "tomorrow", "time": "10:00", "customer_name": "x"},
        {"date": DAY, "time": "25:00", "customer_name": "x"},
        {"date": DAY, "customer_name": "x"},
    ],
)
async def test_booking_a_garbage_time_is_an_invalid_time(
    db_engine: AsyncEngine, make_business: MakeBusiness, args: dict[str, Any]
) -> None:
    business = await make_business(booking=BOOKING)
    answer = await run(
        tools_for(business, db_engine, "CA" + "8" * 32), "c", "schedule_appointment", args
    )
    assert answer["status"] == "invalid_time" and answer["reason"]


async def test_one_business_never_sees_anothers_bookings(
    db_engine: AsyncEngine, make_business: MakeBusiness
) -> None:
    clinic = await make_business(booking=BOOKING)
    salon = await make_business(booking=BOOKING)
    booked = await run(
        tools_for(clinic, db_engine, "CA" + "5" * 32),
        "c",
        "schedule_appointment",
        book_args("12:00"),
    )
    assert booked["status"] == "booked"
    answer = await run(
        tools_for(salon, db_engine, "CA" + "6" * 32),
        "c",
        "check_availability",
        {"date": DAY, "time": "12:00"},
    )
    assert answer["requested_time_free"] is True
    salon_booking = await run(
        tools_for(salon, db_engine, "CA" + "6" * 32),
        "c2",
        "schedule_appointment",
        book_args("12:00"),
    )
    assert salon_booking["status"] == "booked"


async def test_lead_details_are_saved_for_the_callers_lead(
    db_engine: AsyncEngine, make_business: MakeBusiness
) -> None:
    business = await make_business(booking=BOOKING)
    sessions = session_factory(db_engine)
    async with sessions() as session:
        lead = await leads.upsert_lead_for_call(
            session, BusinessId(business.id), "+972501112233", call_id=None
        )
        await session.commit()
    assert lead is not None
    tools = tools_for(business, db_engine, "CA" + "7" * 32, LeadId(lead.id))
    answer = await run(
        tools, "c", "update_lead_details", {"full_name": "יוסי לוי", "email": "yossi@example.com"}
    )
    assert answer == {"status": "ok"}
    async with sessions() as session:
        saved = await leads.get_lead(session, BusinessId(business.id), LeadId(lead.id))
    assert (
        saved is not None and saved.full_name == "יוסי לוי" and saved.email == "yossi@example.com"
    )
    bad = await run(tools, "c2", "update_lead_details", {"email": "not an email"})
    assert bad["status"] == "invalid_arguments"
