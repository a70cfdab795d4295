"""The call record: opened by the voice webhook, updated by the stream and status callbacks,
finalised exactly once when the call ends, read back per business.

Webhooks are retried and call ends race (a Twilio `stop`, a status callback on another instance,
the agent's goodbye), so writes are idempotent single statements rather than read-modify-write.
Functions flush but never commit: the caller owns the transaction.
"""

from __future__ import annotations

import logging
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from agentlocator.db.models import (
    CALL_DIRECTIONS,
    BusinessId,
    Call,
    CallDirection,
    CallId,
    LeadId,
)

log = logging.getLogger(__name__)

MAX_PAGE_SIZE = 200

TERMINAL_STATUSES = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
"""Twilio statuses after which the call is over; a late non-terminal status never replaces one."""


_UNCONNECTED_STATUSES = frozenset({"busy", "no-answer", "failed", "canceled"})

_FRESH = {"populate_existing": True}
"""Rows read back after a write replace whatever the session already held for them."""


class EndReason(StrEnum):
    """Why a call ended, as stored in `calls.end_reason`."""

    CALLER_HUNG_UP = "caller_hung_up"
    STATUS_CALLBACK = "status_callback"
    AGENT_ENDED = "agent_ended"
    SILENCE_TIMEOUT = "silence_timeout"
    MAX_DURATION = "max_duration"
    REALTIME_LOST = "realtime_lost"


class CallConflictError(ValueError):
    """A CallSid arrived again for a different business than the one that opened it."""


async def open_call(
    session: AsyncSession,
    *,
    business_id: BusinessId,
    call_sid: str,
    direction: CallDirection,
    from_number: str,
    to_number: str,
    status: str | None = None,
) -> Call:
    """The call record for `call_sid`, created on first sight.

    Idempotent: a retried webhook (or two racing ones) returns the same row and changes nothing.
    Raises `CallConflictError` if the CallSid is already recorded for another business.
    """
    if direction not in CALL_DIRECTIONS:
        raise ValueError(f"direction must be one of {CALL_DIRECTIONS}, not {direction!r}")
    values = {
        "business_id": business_id,
        "call_sid": call_sid,
        "direction": direction,
        "from_number": from_number,
        "to_number": to_number,
        "status": status,
    }
    dialect = session.get_bind().dialect.name
    insert: postgresql.Insert | sqlite.Insert
    if dialect == "postgresql":
        insert = postgresql.insert(Call)
    elif dialect == "sqlite":
        insert = sqlite.insert(Call)
    else:
        raise NotImplementedError(f"unsupported database: {dialect}")
    statement = (
        insert.values(**values).on_conflict_do_nothing(index_elements=["call_sid"]).returning(Call)
    )
    call = await session.scalar(statement, execution_options=_FRESH)
    if call is not None:
        log.info("call.opened", extra={"call_id": str(call.id), "direction": direction})
        return call
    call = await find_call_by_sid(session, call_sid)
    if call is None:  # pragma: no cover - only if the conflicting row was deleted meanwhile
        raise RuntimeError("call row vanished after a conflicting insert")
    if call.business_id != business_id:
        raise CallConflictError(f"call {call_sid} belongs to another business")
    return call


async def find_call_by_sid(session: AsyncSession, call_sid: str) -> Call | None:
    """The call with this Twilio CallSid, whichever business it belongs to (see `business_id`)."""
    return await session.scalar(
        select(Call).where(Call.call_sid == call_sid), execution_options=_FRESH
    )


async def mark_stream_started(
    session: AsyncSession,
    call_sid: str,
    stream_sid: str,
    started_at: datetime,
    *,
    business_id: BusinessId | None = None,
) -> Call | None:
    """Record the media stream's start; the first start wins. None if the call is unknown.

    With `business_id`, a call of another business is neither changed nor returned. The write
    comes first, so on SQLite the transaction takes the write lock before it reads.
    """
    statement = update(Call).where(Call.call_sid == call_sid, Call.started_at.is_(None))
    if business_id is not None:
        statement = statement.where(Call.business_id == business_id)
    call = await session.scalar(
        statement.values(stream_sid=stream_sid, started_at=started_at).returning(Call),
        execution_options=_FRESH,
    )
    if call is None:
        call = await find_call_by_sid(session, call_sid)
    if call is not None and business_id is not None and call.business_id != business_id:
        return None
    return call


async def record_status(
    session: AsyncSession, call_sid: str, status: str, twilio_duration_secs: int | None = None
) -> Call | None:
    """Store Twilio's latest call status (and billed duration, when given).

    A terminal status is never replaced by a late non-terminal one. Returns None if the call is
    unknown. Ending the call itself is `finalise_call`'s job.
    """
    values: dict[str, Any] = {"status": status}
    if twilio_duration_secs is not None:
        values["twilio_duration_secs"] = twilio_duration_secs
    statement = update(Call).where(Call.call_sid == call_sid)
    if status not in TERMINAL_STATUSES:
        statement = statement.where(Call.status.is_(None) | Call.status.not_in(TERMINAL_STATUSES))
    call = await session.scalar(
        statement.values(**values).returning(Call), execution_options=_FRESH
    )
    return call if call is not None else await find_call_by_sid(session, call_sid)


async def finalise_call(
    session: AsyncSession,
    call_sid: str,
    *,
    ended_at: datetime,
    end_reason: str,
    duration_secs: float | None,
    transcript: list[dict[str, Any]],
    tool_calls: list[dict[str, Any]],
    barge_ins: list[dict[str, Any]],
    latency: dict[str, Any],
) -> bool:
    """Close the call record, exactly once.

    Returns True if this call finalised it, False if it was already finalised (the first end
    reason and data stay) or the call is unknown. `end_reason` is normally an `EndReason`. Of two
    racing finalisers, even on different instances, the conditional update lets one through.
    """
    call = await session.scalar(
        update(Call)
        .where(Call.call_sid == call_sid, Call.end_reason.is_(None))
        .values(
            ended_at=ended_at,
            end_reason=str(end_reason),
            duration_secs=duration_secs,
            transcript=transcript,
            tool_calls=tool_calls,
            barge_ins=barge_ins,
            latency=latency,
        )
        .returning(Call),
        execution_options=_FRESH,
    )
    if call is None:
        log.debug("call.finalise_skipped", extra={"call_sid": call_sid})
        return False
    log.info("call.finalised", extra={"call_id": str(call.id), "end_reason": call.end_reason})
    return True


async def get_call(session: AsyncSession, business_id: BusinessId, call_id: CallId) -> Call | None:
    """The call with this id if it belongs to `business_id`; another business's call is None."""
    return await session.scalar(
        select(Call).where(Call.id == call_id, Call.business_id == business_id)
    )


async def list_calls(
    session: AsyncSession, business_id: BusinessId, limit: int = 50, offset: int = 0
) -> list[Call]:
    """The business's calls, newest first."""
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE_SIZE}")
    if offset < 0:
        raise ValueError("offset must not be negative")
    rows = await session.scalars(
        select(Call)
        .where(Call.business_id == business_id)
        .order_by(Call.created_at.desc(), Call.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows)


async def call_page(
    session: AsyncSession,
    business_id: BusinessId,
    *,
    direction: CallDirection | None = None,
    lead_id: LeadId | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Call], int]:
    """One page of the business's calls, newest first (as `list_calls`), and the total.

    Optionally only one direction, or only the calls of one lead.
    """
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE_SIZE}")
    if offset < 0:
        raise ValueError("offset must not be negative")
    statement = select(Call).where(Call.business_id == business_id)
    if direction is not None:
        statement = statement.where(Call.direction == direction)
    if lead_id is not None:
        statement = statement.where(Call.lead_id == lead_id)
    total = await session.scalar(select(func.count()).select_from(statement.subquery()))
    rows = await session.scalars(
        statement.order_by(Call.created_at.desc(), Call.id.desc()).limit(limit).offset(offset)
    )
    return list(rows), int(total or 0)


def call_outcome(call: Call, *, has_booking: bool) -> str:
    """How the call went, in one word for lists: `booked`, `in_progress`, `failed`, `completed`.

    `failed` covers calls that never connected (busy, no answer) and calls whose Realtime
    session was lost; `has_booking` says whether an appointment names this call.
    """
    if has_booking:
        return "booked"
    if call.end_reason is None and call.status not in TERMINAL_STATUSES:
        return "in_progress"
    if call.end_reason == EndReason.REALTIME_LOST or call.status in _UNCONNECTED_STATUSES:
        return "failed"
    return "completed"


async def link_lead(
    session: AsyncSession, business_id: BusinessId, call_id: CallId, lead_id: LeadId
) -> None:
    """Record which lead the call belongs to (both of one business; the database checks too)."""
    await session.execute(
        update(Call)
        .where(Call.id == call_id, Call.business_id == business_id)
        .values(lead_id=lead_id)
    )


async def store_summary(
    session: AsyncSession, business_id: BusinessId, call_id: CallId, summary: str
) -> None:
    """Store the after-call summary on the call."""
    await session.execute(
        update(Call)
        .where(Call.id == call_id, Call.business_id == business_id)
        .values(summary=summary)
    )
