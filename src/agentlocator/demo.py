"""The demo business that `make run` seeds, so a fresh checkout can take a call at once.

`seed_demo` creates the business; `seed_demo_data` fills it for the dashboard: the login
`DEMO_EMAIL` / `DEMO_PASSWORD` (a published demo password, for a local demo only), twelve leads
with Hebrew names and timelines, about ten past calls with transcripts, summaries, barge-ins and
latency figures, and a week of appointments (the week of `now`, in the business's time zone,
inside its hours) booked through the real booking service. Everything is written through the
services the agent uses; only the timestamps are moved back to when the calls "happened".

Seeding data is done once: when the demo user exists, nothing more is written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agentlocator.db.models import (
    Business,
    BusinessId,
    Call,
    CallId,
    Lead,
    LeadEvent,
    LeadId,
    LeadStatus,
)
from agentlocator.scheduling.rules import BookingRules
from agentlocator.services import appointments, call_log, leads
from agentlocator.services.businesses import (
    BusinessCreate,
    create_business,
    find_business_by_phone,
)
from agentlocator.services.users import create_user, find_user_by_email

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

DEMO_EMAIL = "demo@agentlocator.local"
DEMO_PASSWORD = "agentlocator-demo"  # noqa: S105  a published password for the local demo


@dataclass(frozen=True)
class DemoLead:
    """One demo person: what they called about (None: entered by hand) and where they stand."""

    name: str
    phone: str
    wants: str | None
    status: LeadStatus | None = None
    """A status the owner set by hand; None leaves what the calls made of it."""
    notes: str | None = None
    email: str | None = None


DEMO_LEADS = (
    DemoLead("דנה כהן", "+972521234501", "בדיקה תקופתית"),
    DemoLead("יוסי לוי", "+972541234502", "ניקוי אבנית", email="yossi.levi@example.com"),
    DemoLead("מיכל אברהם", "+972501234503", "סתימה", notes="רגישות לאלחוש, לתאם עם הרופא"),
    DemoLead("אבי מזרחי", "+972531234504", "טיפול שורש"),
    DemoLead("נועה פרץ", "+972521234505", "הלבנת שיניים", status="customer"),
    DemoLead("איתי ביטון", "+972541234506", "בדיקה לילד"),
    DemoLead("שירה דהן", "+972501234507", "הלבנת שיניים", "contacted", "שאלה על מחיר הלבנה"),
    DemoLead("עומר אזולאי", "+972521234508", "השתלת שיניים", "lost", "בחר מרפאה קרובה לבית"),
    DemoLead("תמר שפירא", "+972501234511", "ייעוץ ליישור שיניים", email="tamar.s@example.com"),
    DemoLead("משה חדד", "+972521234512", "כאב שיניים דחוף", status="customer"),
    DemoLead("רונית פרידמן", "+972531234509", None, notes="מבקשת שיחה חוזרת אחרי 17:00"),
    DemoLead("אלון גבאי", "+972541234510", None, status="contacted"),
)
"""The first six booked by phone, the next four called with a question, the last two were
entered by hand."""

BOOKING_CALLERS = 6
_HEBREW_WEEKDAYS = ("ראשון", "שני", "שלישי", "רביעי", "חמישי", "שישי", "שבת")


def _turns(*lines: tuple[str, str], step_ms: int = 3200) -> list[dict[str, Any]]:
    return [
        {"role": role, "text": text, "at_ms": i * step_ms, "item_id": f"item_demo_{i}"}
        for i, (role, text) in enumerate(lines)
    ]


def _booking_transcript(person: DemoLead, slot: datetime) -> list[dict[str, Any]]:
    weekday = _HEBREW_WEEKDAYS[(slot.weekday() + 1) % 7]
    return _turns(
        ("agent", DEMO_BUSINESS.greeting),
        ("caller", f"שלום, מדברת/מדבר {person.name}. אני צריך/ה {person.wants}."),
        ("agent", "בשמחה. לאיזה יום נוח לך?"),
        ("caller", f"יום {weekday} בסביבות {slot:%H:%M} מתאים לי."),
        ("agent", f"קבעתי לך {person.wants} ביום {weekday} בשעה {slot:%H:%M}. נתראה!"),
        ("caller", "תודה רבה, להתראות."),
    )


def _question_transcript(person: DemoLead) -> list[dict[str, Any]]:
    return _turns(
        ("agent", DEMO_BUSINESS.greeting),
        ("caller", f"היי, רציתי לשאול לגבי {person.wants}, כמה זה עולה בערך?"),
        ("agent", "המחיר נקבע אחרי בדיקה אצל הרופא. אפשר לקבוע לך תור לבדיקה?"),
        ("caller", "אני אחשוב על זה ואחזור אליכם."),
        ("agent", "בשמחה, רשמתי את הפרטים. יום טוב!"),
    )


def _call_sid(n: int) -> str:
    return "CA" + hashlib.md5(f"agentlocator-demo-call-{n}".encode()).hexdigest()  # noqa: S324


def week_slots(rules: BookingRules, now: datetime) -> list[datetime]:
    """Up to three starts a day, Sunday to Saturday of `now`'s local week, within the hours."""
    today = now.astimezone(rules.zone).date()
    sunday = today - timedelta(days=(today.weekday() + 1) % 7)
    found: list[datetime] = []
    for offset in range(7):
        day = sunday + timedelta(days=offset)
        starts = [
            minute
            for hours in rules.hours_on(day)
            for minute in (hours.start_min + 60, hours.start_min + 150)
            if minute + rules.slot_minutes <= hours.end_min
        ]
        found += [_local(rules, day, minute) for minute in starts[:3]]
    return found


def _local(rules: BookingRules, day: date, minute: int) -> datetime:
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=rules.zone)


async def seed_demo(session: AsyncSession) -> tuple[Business, bool]:
    """The demo business, created unless some business already has its number.

    Returns the business and whether it was created now. Flushes; the caller commits.
    """
    existing = await find_business_by_phone(session, DEMO_BUSINESS.phone)
    if existing is not None:
        return existing, False
    return await create_business(session, DEMO_BUSINESS), True


async def seed_demo_data(
    sessions: async_sessionmaker[AsyncSession], business: Business, *, now: datetime
) -> bool:
    """Leads, calls, appointments and the demo login for `business`; False if seeded before.

    Commits as it goes (bookings commit their own transactions); the login is written last, so
    an interrupted run is completed by the next one.
    """
    business_id = BusinessId(business.id)
    async with sessions() as session:
        if await find_user_by_email(session, DEMO_EMAIL) is not None:
            return False
    rules = BookingRules.model_validate({**(business.booking or {}), "timezone": business.timezone})
    slots = week_slots(rules, now)
    # Half the agent's bookings are upcoming (this week's later slots, else next week's) and
    # the rest fill this week, so on any day the calendar shows calls' bookings in the shown
    # week and ahead of now (where a hand booking over one must be refused).
    soon = now + timedelta(hours=3)
    upcoming = [s for s in slots + week_slots(rules, now + timedelta(days=7)) if s > soon]
    agent_slots = upcoming[: BOOKING_CALLERS // 2]
    agent_slots += [s for s in slots if s not in agent_slots][: BOOKING_CALLERS - len(agent_slots)]
    people: dict[str, tuple[LeadId, CallId | None]] = {}
    for n, person in enumerate(DEMO_LEADS):
        slot = agent_slots[n] if n < len(agent_slots) else None
        at = now - timedelta(days=n + 1, hours=(n * 5) % 7, minutes=n * 13)
        people[person.name] = await _seed_person(sessions, business_id, n, person, slot, at)
    hand_slots = [s for s in slots if s not in agent_slots]
    for n, slot in enumerate(agent_slots + hand_slots):
        person = DEMO_LEADS[n % len(DEMO_LEADS)]
        lead_id, call_id = people[person.name]
        booking_call = call_id if n < len(agent_slots) else None
        await _book(sessions, business_id, rules, person, slot, lead_id, booking_call)
    async with sessions() as session:
        await create_user(session, business_id, DEMO_EMAIL, DEMO_PASSWORD)
        await session.commit()
    return True


async def _seed_person(
    sessions: async_sessionmaker[AsyncSession],
    business_id: BusinessId,
    n: int,
    person: DemoLead,
    slot: datetime | None,
    at: datetime,
) -> tuple[LeadId, CallId | None]:
    """The person's lead, and the call they made (if they called), dated `at`."""
    async with sessions(execution_options={"sqlite_begin": "IMMEDIATE"}) as session:
        call = None
        if person.wants is not None:
            call = await _seed_call(session, business_id, n, person, slot, at)
        if call is not None:
            lead = await leads.upsert_lead_for_call(
                session, business_id, person.phone, call_id=CallId(call.id)
            )
            assert lead is not None
            await call_log.link_lead(session, business_id, CallId(call.id), LeadId(lead.id))
            await leads.update_lead_details(
                session, business_id, LeadId(lead.id), full_name=person.name, by="ai"
            )
        else:
            lead = await leads.create_lead_without_phone(
                session, business_id, full_name=person.name, by="human"
            )
            await leads.attach_phone(
                session, business_id, LeadId(lead.id), person.phone, by="human"
            )
        lead_id = LeadId(lead.id)
        if person.notes or person.email:
            await leads.update_lead_details(
                session, business_id, lead_id, notes=person.notes, email=person.email, by="human"
            )
        if person.status is not None:
            await leads.set_status(session, business_id, lead_id, person.status, by="human")
        await _backdate(session, lead_id, at, after_event_id=0)
        await session.execute(
            update(Lead).where(Lead.id == lead_id).values(created_at=at, last_contact_at=at)
        )
        await session.commit()
        return lead_id, None if call is None else CallId(call.id)


async def _seed_call(
    session: AsyncSession,
    business_id: BusinessId,
    n: int,
    person: DemoLead,
    slot: datetime | None,
    at: datetime,
) -> Call:
    call_sid = _call_sid(n)
    call = await call_log.open_call(
        session,
        business_id=business_id,
        call_sid=call_sid,
        direction="inbound",
        from_number=person.phone,
        to_number=DEMO_BUSINESS.phone,
        status="completed",
    )
    await call_log.mark_stream_started(session, call_sid, "MZ" + call_sid[2:], at)
    transcript = (
        _booking_transcript(person, slot) if slot is not None else _question_transcript(person)
    )
    tool_calls = []
    if slot is not None:
        arguments = {"date": slot.date().isoformat(), "time": f"{slot:%H:%M}"}
        tool_calls = [
            {"call_id": f"call_demo_{n}", "name": "schedule_appointment", "arguments": arguments}
        ]
    duration_secs = 38.0 + 11 * n % 50
    barge_ins = []
    if n % 3 == 1:
        # The caller cut the agent off mid-sentence; the agent's turn shows where.
        transcript[2]["interrupted_at_ms"] = 900 + 40 * n
        barge_ins = [
            {
                "kind": "committed",
                "at_ms": transcript[2]["at_ms"] + 900 + 40 * n,
                "items": [{"item_id": transcript[2]["item_id"], "heard_ms": 900 + 40 * n}],
                "cancelled_response": f"resp_demo_{n}",
            }
        ]
    await call_log.finalise_call(
        session,
        call_sid,
        ended_at=at + timedelta(seconds=duration_secs),
        end_reason=call_log.EndReason.AGENT_ENDED if slot else call_log.EndReason.CALLER_HUNG_UP,
        duration_secs=duration_secs,
        transcript=transcript,
        tool_calls=tool_calls,
        barge_ins=barge_ins,
        latency={
            "replies": len(transcript) // 2,
            "reply_p50_ms": 610.0 + 17 * n,
            "reply_p95_ms": 940.0 + 23 * n,
            "reply_max_ms": 1020.0 + 29 * n,
            "bridge_p50_ms": 0.4,
            "bridge_p99_ms": 1.9,
            "malformed_frames": 0,
            "realtime_errors": [],
        },
    )
    summary = (
        f"{person.name} קבע/ה {person.wants} ל-{slot:%d/%m} בשעה {slot:%H:%M}."
        if slot is not None
        else f"{person.name} שאל/ה על {person.wants} ולא קבע/ה תור; כדאי לחזור אליו/ה."
    )
    await call_log.store_summary(session, business_id, CallId(call.id), summary)
    await session.execute(
        update(Call).where(Call.id == call.id).values(created_at=at, updated_at=at)
    )
    return call


async def _book(
    sessions: async_sessionmaker[AsyncSession],
    business_id: BusinessId,
    rules: BookingRules,
    person: DemoLead,
    slot: datetime,
    lead_id: LeadId,
    call_id: CallId | None,
) -> None:
    async with sessions() as session:
        last_event = await session.scalar(
            select(func.max(LeadEvent.id)).where(LeadEvent.lead_id == lead_id)
        )
    result = await appointments.book_appointment(
        sessions,
        business_id,
        starts_at=slot,
        duration_minutes=rules.slot_minutes,
        buffer_minutes=rules.buffer_minutes,
        lead_id=lead_id,
        call_id=call_id,
        customer_name=person.name,
        notes=person.wants,
        idempotency_key=f"demo:{slot.isoformat()}",
    )
    if call_id is None or isinstance(result, appointments.SlotTaken):
        return
    async with sessions() as session:
        call = await call_log.get_call(session, business_id, call_id)
        assert call is not None
        await appointments.attach_call_summary(
            session, business_id, call_id, call.summary, list(call.transcript)
        )
        assert call.started_at is not None
        booked_at = call.started_at + timedelta(minutes=1)
        await _backdate(session, lead_id, booked_at, after_event_id=last_event or 0)
        await session.commit()


async def _backdate(
    session: AsyncSession, lead_id: LeadId, at: datetime, *, after_event_id: int
) -> None:
    """Move the lead's timeline entries written just now back to when they "happened"."""
    await session.execute(
        update(LeadEvent)
        .where(LeadEvent.lead_id == lead_id, LeadEvent.id > after_event_id)
        .values(at=at)
    )
