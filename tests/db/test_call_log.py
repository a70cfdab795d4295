"""The call record: idempotent opening, status updates, exactly-once finalising, tenant scope."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from agentlocator.db.engine import session_factory
from agentlocator.db.models import Business, Call, CallId
from agentlocator.services.call_log import (
    CallConflictError,
    EndReason,
    finalise_call,
    find_call_by_sid,
    get_call,
    list_calls,
    mark_stream_started,
    open_call,
    record_status,
)

MakeBusiness = Callable[..., Awaitable[Business]]

STARTED = datetime(2026, 3, 27, 8, 0, 0, 123456, tzinfo=UTC)
ENDED = STARTED + timedelta(seconds=42.5)
TRANSCRIPT = [
    {"role": "agent", "text": "שלום, מרפאת שיניים דמו", "at_ms": 0},
    {"role": "caller", "text": "אני רוצה לקבוע תור", "at_ms": 2100},
]


async def _open(session: AsyncSession, business: Business, call_sid: str = "CA0001") -> Call:
    call = await open_call(
        session,
        business_id=business.id,
        call_sid=call_sid,
        direction="inbound",
        from_number="+972521234567",
        to_number=business.phone,
    )
    await session.commit()
    return call


async def _finalise(session: AsyncSession, call_sid: str, reason: str, **changes: Any) -> bool:
    fields: dict[str, Any] = {
        "ended_at": ENDED,
        "end_reason": reason,
        "duration_secs": 42.5,
        "transcript": TRANSCRIPT,
        "tool_calls": [{"name": "check_availability", "ok": True}],
        "barge_ins": [{"at_ms": 5000, "heard_ms": 1200}],
        "latency": {"first_audio_ms": 640.0},
    }
    fields.update(changes)
    finalised = await finalise_call(session, call_sid, **fields)
    await session.commit()
    return finalised


async def test_open_call_is_idempotent_per_call_sid(
    db_session: AsyncSession, make_business: MakeBusiness
) -> None:
    business = await make_business()
    first = await _open(db_session, business)
    again = await _open(db_session, business)

    assert again.id == first.id
    assert first.business_id == business.id
    assert first.direction == "inbound"
    assert first.to_number == business.phone
    assert first.transcript == []
    assert first.latency == {}
    assert first.end_reason is None
    assert first.created_at.tzinfo is UTC
    count = await db_session.scalar(select(func.count()).select_from(Call))
    assert count == 1


async def test_racing_webhooks_in_separate_sessions_make_one_row(
    db_engine: AsyncEngine, make_business: MakeBusiness
) -> None:
    business = await make_business()
    sessions = session_factory(db_engine)
    async with sessions() as first, sessions() as second:
        one, two = await asyncio.gather(
            _open(first, business, "CA-race"), _open(second, business, "CA-race")
        )
    assert one.id == two.id


async def test_call_sid_of_another_business_is_a_conflict(
    db_session: AsyncSession, make_business: MakeBusiness
) -> None:
    ours, theirs = await make_business(), await make_business()
    await _open(db_session, theirs, "CA-shared")
    with pytest.raises(CallConflictError):
        await _open(db_session, ours, "CA-shared")


async def test_direction_is_checked(db_session: AsyncSession, make_business: MakeBusiness) -> None:
    business = await make_business()
    with pytest.raises(ValueError, match="direction"):
        await open_call(
            db_session,
            business_id=business.id,
            call_sid="CA-sideways",
            direction="sideways",  # type: ignore[arg-type]
            from_number="+972521234567",
            to_number=business.phone,
        )


async def test_stream_start_is_recorded_once(
    db_session: AsyncSession, make_business: MakeBusiness
) -> None:
    business = await make_business()
    await _open(db_session, business)

    call = await mark_stream_started(db_session, "CA0001", "MZ0001", STARTED)
    await db_session.commit()
    assert call is not None
    assert (call.stream_sid, call.started_at) == ("MZ0001", STARTED)

    later = STARTED + timedelta(seconds=3)
    call = await mark_stream_started(db_session, "CA0001", "MZ0002", later)
    assert call is not None
    assert (call.stream_sid, call.started_at) == ("MZ0001", STARTED)
    assert await mark_stream_started(db_session, "CA-unknown", "MZ0003", STARTED) is None


async def test_times_are_stored_as_utc_instants(
    db_session: AsyncSession, make_business: MakeBusiness
) -> None:
    business = await make_business()
    await _open(db_session, business)
    jerusalem_summer = timezone(timedelta(hours=3))
    await mark_stream_started(db_session, "CA0001", "MZ0001", STARTED.astimezone(jerusalem_summer))
    await db_session.commit()
    db_session.expunge_all()

    call = await find_call_by_sid(db_session, "CA0001")
    assert call is not None
    assert call.started_at == STARTED
    assert call.started_at is not None and call.started_at.tzinfo is UTC


async def test_naive_datetimes_are_refused(
    db_session: AsyncSession, make_business: MakeBusiness
) -> None:
    business = await make_business()
    await _open(db_session, business)
    with pytest.raises(StatementError, match="naive datetime"):
        await mark_stream_started(db_session, "CA0001", "MZ0001", datetime(2026, 1, 1, 12, 0))


async def test_status_updates_and_terminal_status_sticks(
    db_session: AsyncSession, make_business: MakeBusiness
) -> None:
    business = await make_business()
    await _open(db_session, business)

    call = await record_status(db_session, "CA0001", "in-progress")
    assert call is not None
    assert (call.status, call.twilio_duration_secs) == ("in-progress", None)

    call = await record_status(db_session, "CA0001", "completed", 43)
    assert call is not None
    assert (call.status, call.twilio_duration_secs) == ("completed", 43)

    call = await record_status(db_session, "CA0001", "ringing")
    await db_session.commit()
    assert call is not None
    assert (call.status, call.twilio_duration_secs) == ("completed", 43)
    assert await record_status(db_session, "CA-unknown", "completed", 1) is None


async def test_finalise_happens_exactly_once(
    db_session: AsyncSession, make_business: MakeBusiness
) -> None:
    business = await make_business()
    opened = await _open(db_session, business)
    created_at, updated_at = opened.created_at, opened.updated_at

    assert await _finalise(db_session, "CA0001", EndReason.CALLER_HUNG_UP)
    assert not await _finalise(
        db_session, "CA0001", EndReason.STATUS_CALLBACK, transcript=[], duration_secs=1.0
    )
    assert not await _finalise(db_session, "CA-unknown", EndReason.AGENT_ENDED)
    db_session.expunge_all()

    call = await find_call_by_sid(db_session, "CA0001")
    assert call is not None
    assert call.end_reason == "caller_hung_up"
    assert call.ended_at == ENDED
    assert call.duration_secs == 42.5
    assert call.transcript == TRANSCRIPT
    assert call.tool_calls == [{"name": "check_availability", "ok": True}]
    assert call.barge_ins == [{"at_ms": 5000, "heard_ms": 1200}]
    assert call.latency == {"first_audio_ms": 640.0}
    assert call.created_at == created_at
    assert call.updated_at > updated_at


async def test_racing_finalisers_in_separate_sessions_one_wins(
    db_engine: AsyncEngine, make_business: MakeBusiness
) -> None:
    business = await make_business()
    sessions = session_factory(db_engine)
    async with sessions() as session:
        await _open(session, business)
    async with sessions() as stream_side, sessions() as status_side:
        won = await asyncio.gather(
            _finalise(stream_side, "CA0001", EndReason.AGENT_ENDED),
            _finalise(status_side, "CA0001", EndReason.STATUS_CALLBACK),
        )
    assert sorted(won) == [False, True]


async def test_reads_are_tenant_scoped(
    db_session: AsyncSession, make_business: MakeBusiness
) -> None:
    ours, theirs = await make_business(), await make_business()
    our_call = await _open(db_session, ours, "CA-ours")
    their_call = await _open(db_session, theirs, "CA-theirs")

    found = await get_call(db_session, ours.id, our_call.id)
    assert found is not None
    assert found.call_sid == "CA-ours"
    assert await get_call(db_session, ours.id, their_call.id) is None
    assert await get_call(db_session, ours.id, CallId(uuid.uuid4())) is None
    assert [call.call_sid for call in await list_calls(db_session, ours.id)] == ["CA-ours"]
    assert [call.call_sid for call in await list_calls(db_session, theirs.id)] == ["CA-theirs"]

    owner = await find_call_by_sid(db_session, "CA-theirs")
    assert owner is not None
    assert owner.business_id == theirs.id


async def test_list_calls_newest_first_with_pages(
    db_session: AsyncSession, make_business: MakeBusiness
) -> None:
    business = await make_business()
    for n in range(5):
        await _open(db_session, business, f"CA{n}")

    newest_first = [call.call_sid for call in await list_calls(db_session, business.id)]
    assert newest_first == ["CA4", "CA3", "CA2", "CA1", "CA0"]
    page = await list_calls(db_session, business.id, limit=2, offset=2)
    assert [call.call_sid for call in page] == ["CA2", "CA1"]
    assert await list_calls(db_session, business.id, limit=2, offset=10) == []


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (201, 0), (10, -1)])
async def test_list_calls_refuses_bad_pages(
    db_session: AsyncSession, make_business: MakeBusiness, limit: int, offset: int
) -> None:
    business = await make_business()
    with pytest.raises(ValueError):
        await list_calls(db_session, business.id, limit=limit, offset=offset)
