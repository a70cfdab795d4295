"""Leads: one CRM record per caller and business, keyed by the caller's number, with a timeline.

Every call of a known number lands on the same lead, also when two calls from it arrive at once
(one `INSERT … ON CONFLICT` on the partial unique index). A withheld caller gets no lead until
they give a number (`create_lead_without_phone`, then `attach_phone`).

People outrank the AI: a field a person edited (`human_edited_fields`, which also covers
`status` and `phone_e164`) is never changed by the AI again (the merge rules are in
`services.lead_details`). Every change adds a `LeadEvent`.

Every function takes the business id and touches only that business's rows: another
business's lead id reads as "not found". Functions flush but never commit; the caller owns the
transaction. Each writing function starts with a write, so on SQLite it queues for the write
lock instead of failing; a caller that reads before calling one should begin its transaction
IMMEDIATE (`session_factory(engine)(execution_options={"sqlite_begin": "IMMEDIATE"})`).
The reads (`get_lead`, `find_lead_by_phone`, `list_leads`, `lead_timeline`) live in
`services.lead_lookup` and are re-exported here.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from agentlocator.db.models import (
    LEAD_STATUSES,
    BusinessId,
    Call,
    CallId,
    Lead,
    LeadEvent,
    LeadEventKind,
    LeadId,
    LeadStatus,
    utcnow,
)
from agentlocator.services.businesses import DEFAULT_PHONE_REGION, normalise_phone
from agentlocator.services.caller_id import caller_phone_e164
from agentlocator.services.lead_details import (
    DetailsUpdate,
    Editor,
    clean_details,
    merge_details,
    with_edited_field,
)
from agentlocator.services.lead_lookup import (
    find_lead_by_phone,
    get_lead,
    lead_timeline,
    list_leads,
)

__all__ = [
    "DetailsUpdate",
    "Editor",
    "NotInBusinessError",
    "PhoneTakenError",
    "add_lead_event",
    "attach_phone",
    "check_call_in_business",
    "create_lead_without_phone",
    "find_lead_by_phone",
    "get_lead",
    "lead_timeline",
    "list_leads",
    "locked_lead",
    "name_lead_by_ai",
    "promote_after_booking",
    "queue_lead_event",
    "set_status",
    "update_lead_details",
    "upsert_lead_for_call",
]

log = logging.getLogger(__name__)

_FRESH = {"populate_existing": True}


class NotInBusinessError(LookupError):
    """A lead or call id that does not exist in this business (maybe in another one)."""

    def __init__(self, kind: Literal["lead", "call"], record_id: uuid.UUID) -> None:
        super().__init__(f"{kind} {record_id} not found in this business")
        self.kind = kind
        self.record_id = record_id


class PhoneTakenError(ValueError):
    """Another lead of the business already has this number; `lead_id` is that lead."""

    def __init__(self, lead_id: LeadId) -> None:
        super().__init__(f"phone_e164: another lead ({lead_id}) already has this number")
        self.lead_id = lead_id


async def upsert_lead_for_call(
    session: AsyncSession,
    business_id: BusinessId,
    caller_phone_raw: str | None,
    *,
    call_id: CallId | None,
    region: str = DEFAULT_PHONE_REGION,
) -> Lead | None:
    """The lead for this caller's number, created on first call, with a `call` event added.

    Returns None, creating nothing, when the caller ID is withheld or not a phone number.
    Concurrent calls from one number get one lead. Raises `NotInBusinessError` if `call_id`
    belongs to another business.
    """
    phone = caller_phone_e164(caller_phone_raw, region)
    if phone is None:
        log.info("lead.no_caller_number", extra={"business_id": str(business_id)})
        return None
    new_id = uuid.uuid4()
    insert = _insert(session).values(
        id=new_id,
        business_id=business_id,
        phone_e164=phone,
        last_contact_at=utcnow(),
    )
    statement = insert.on_conflict_do_update(
        index_elements=["business_id", "phone_e164"],
        index_where=Lead.phone_e164.is_not(None),
        set_={"last_contact_at": utcnow(), "updated_at": utcnow()},
    ).returning(Lead)
    lead = await session.scalar(statement, execution_options=_FRESH)
    if lead is None:  # pragma: no cover - an upsert always returns its row
        raise RuntimeError("lead upsert returned no row")
    is_new = lead.id == new_id
    # Checked after the write: on SQLite a read first would make this a read-then-write
    # transaction, which fails at once instead of waiting when another writer got in between.
    if call_id is not None:
        await check_call_in_business(session, business_id, call_id)
    await add_lead_event(
        session,
        lead.business_id,
        lead.id,
        "call",
        {"call_id": _str(call_id), "is_new_lead": is_new},
    )
    log.info("lead.upserted", extra={"lead_id": str(lead.id), "is_new_lead": is_new})
    return lead


async def create_lead_without_phone(
    session: AsyncSession,
    business_id: BusinessId,
    *,
    call_id: CallId | None = None,
    full_name: str | None = None,
    email: str | None = None,
    notes: str | None = None,
    by: Editor = "ai",
) -> Lead:
    """A lead with no number yet (a withheld caller); `attach_phone` adds one later.

    With `call_id`, the timeline starts with that call. Raises ValueError for an invalid email.
    """
    values = clean_details({"full_name": full_name, "email": email, "notes": notes}, by)
    lead = Lead(
        business_id=business_id,
        human_edited_fields=sorted(values) if by == "human" else [],
        last_contact_at=utcnow() if call_id is not None else None,
        **{field: value for field, value in values.items() if value is not None},
    )
    session.add(lead)
    await session.flush()
    # A value the database computes is not returned by the INSERT; read it now, not lazily.
    await session.refresh(lead, ["last_contact_at"])
    if call_id is not None:
        await check_call_in_business(session, business_id, call_id)
        await add_lead_event(
            session,
            lead.business_id,
            lead.id,
            "call",
            {"call_id": str(call_id), "is_new_lead": True},
        )
    log.info("lead.created_without_phone", extra={"lead_id": str(lead.id)})
    return lead


async def attach_phone(
    session: AsyncSession,
    business_id: BusinessId,
    lead_id: LeadId,
    phone_raw: str,
    *,
    by: Editor,
    region: str = DEFAULT_PHONE_REGION,
) -> Lead | None:
    """Give a lead the number the caller spoke (or a person typed). None if no such lead.

    The AI only fills in a missing number; a person may also replace one, which marks it
    human-edited. Raises ValueError if `phone_raw` is no phone number and `PhoneTakenError` if
    another lead of the business has it (the caller may want that lead instead), also when that
    lead got the number a moment ago in a concurrent transaction.
    """
    phone = normalise_phone(phone_raw, region)
    lead = await locked_lead(session, business_id, lead_id)
    if lead is None or lead.phone_e164 == phone:
        return lead
    if by == "ai" and lead.phone_e164 is not None:
        return lead
    await _raise_if_phone_taken(session, business_id, phone)
    previous = lead.phone_e164
    try:
        async with session.begin_nested():
            lead.phone_e164 = phone
            if by == "human":
                lead.human_edited_fields = with_edited_field(lead.human_edited_fields, "phone_e164")
    except IntegrityError:
        await _raise_if_phone_taken(session, business_id, phone)
        raise
    await add_lead_event(
        session,
        lead.business_id,
        lead.id,
        "details_updated",
        {"by": by, "changed": {"phone_e164": phone}, "previous": {"phone_e164": previous}},
    )
    return lead


async def update_lead_details(
    session: AsyncSession,
    business_id: BusinessId,
    lead_id: LeadId,
    *,
    full_name: str | None = None,
    email: str | None = None,
    notes: str | None = None,
    by: Editor,
) -> DetailsUpdate | None:
    """Change a lead's name, email or notes; None if the lead is not in this business.

    A None argument leaves the field alone. The AI never changes a field a person edited, and
    its notes are added to the AI's earlier notes rather than replacing them; an empty value
    from the AI is ignored. A person's value replaces the field (empty clears it) and marks it
    human-edited. Raises ValueError naming the field for an invalid email or an over-long value.
    """
    given = clean_details({"full_name": full_name, "email": email, "notes": notes}, by)
    lead = await locked_lead(session, business_id, lead_id)
    if lead is None:
        return None
    result = _apply(session, lead, given, by)
    await session.flush()
    return result


def name_lead_by_ai(session: AsyncSession, lead: Lead, full_name: str) -> DetailsUpdate:
    """`update_lead_details(full_name=..., by="ai")` on a lead this transaction has already
    locked (`locked_lead`); the change is written with the session's next flush."""
    return _apply(session, lead, clean_details({"full_name": full_name}, "ai"), "ai")


def _apply(
    session: AsyncSession, lead: Lead, given: Mapping[str, str | None], by: Editor
) -> DetailsUpdate:
    update = merge_details(lead, given, by)
    if update.changed:
        change = {"by": by, "changed": update.changed, "previous": update.previous}
        queue_lead_event(session, lead, "details_updated", change)
    return update


async def set_status(
    session: AsyncSession,
    business_id: BusinessId,
    lead_id: LeadId,
    status: LeadStatus,
    *,
    by: Editor,
) -> Lead | None:
    """Move a lead to `status`; None if the lead is not in this business.

    A person's choice sticks: once a person set the status, the AI's changes are ignored (the
    lead is returned unchanged). Raises ValueError for an unknown status.
    """
    if status not in LEAD_STATUSES:
        raise ValueError(f"status must be one of {LEAD_STATUSES}, not {status!r}")
    lead = await locked_lead(session, business_id, lead_id)
    if lead is None:
        return None
    if by == "ai" and "status" in lead.human_edited_fields:
        return lead
    if by == "human":
        lead.human_edited_fields = with_edited_field(lead.human_edited_fields, "status")
    _change_status(session, lead, status, {"by": by})
    await session.flush()
    return lead


def promote_after_booking(session: AsyncSession, lead: Lead, data: Mapping[str, Any]) -> None:
    """Mark a lead `booked` after a booking, unless a person set its status or it is a customer.

    `lead` must come from `locked_lead` in the same transaction; the change is flushed with its
    next write.
    """
    if "status" in lead.human_edited_fields or lead.status in ("booked", "customer"):
        return
    _change_status(session, lead, "booked", {"by": "ai", **data})


async def add_lead_event(
    session: AsyncSession,
    business_id: BusinessId,
    lead_id: LeadId,
    kind: LeadEventKind,
    data: Mapping[str, Any],
) -> LeadEvent:
    """Append an event to a lead's timeline; the database refuses a lead of another business."""
    event = LeadEvent(business_id=business_id, lead_id=lead_id, kind=kind, data=dict(data))
    session.add(event)
    await session.flush()
    return event


def queue_lead_event(
    session: AsyncSession, lead: Lead, kind: LeadEventKind, data: Mapping[str, Any]
) -> None:
    """`add_lead_event` without a round trip of its own: the event is inserted with the
    session's next flush, in one statement with the transaction's other events."""
    event = LeadEvent(business_id=lead.business_id, lead_id=lead.id, kind=kind, data=dict(data))
    session.add(event)


async def locked_lead(
    session: AsyncSession, business_id: BusinessId, lead_id: LeadId
) -> Lead | None:
    """The business's lead, locked against concurrent edits until the transaction ends.

    The lock is taken with an empty write (an UPDATE that changes nothing): on PostgreSQL it
    locks the row like `SELECT … FOR NO KEY UPDATE`; on SQLite, as the transaction's first
    statement, it takes the database write lock, waiting on the busy timeout, so the edit that
    follows cannot fail as a read-then-write transaction would. None if not found.
    """
    lead: Lead | None = await session.scalar(
        update(Lead)
        .where(Lead.id == lead_id, Lead.business_id == business_id)
        .values(updated_at=Lead.updated_at)
        .returning(Lead),
        execution_options=_FRESH,
    )
    return lead


async def _raise_if_phone_taken(session: AsyncSession, business_id: BusinessId, phone: str) -> None:
    other = await session.scalar(
        select(Lead.id).where(Lead.business_id == business_id, Lead.phone_e164 == phone)
    )
    if other is not None:
        raise PhoneTakenError(LeadId(other))


async def check_call_in_business(
    session: AsyncSession, business_id: BusinessId, call_id: CallId
) -> None:
    """Raises `NotInBusinessError` unless the call belongs to `business_id`."""
    found = await session.scalar(
        select(Call.id).where(Call.id == call_id, Call.business_id == business_id)
    )
    if found is None:
        raise NotInBusinessError("call", call_id)


def _change_status(session: AsyncSession, lead: Lead, status: str, data: Mapping[str, Any]) -> None:
    """Set the status and queue its event (written with the session's next flush)."""
    if lead.status != status:
        previous, lead.status = lead.status, status
        change = {"from": previous, "to": status, **data}
        queue_lead_event(session, lead, "status_changed", change)


def _insert(session: AsyncSession) -> postgresql.Insert | sqlite.Insert:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(Lead)
    if dialect == "sqlite":
        return sqlite.insert(Lead)
    raise NotImplementedError(f"unsupported database: {dialect}")


def _str(value: uuid.UUID | None) -> str | None:
    return None if value is None else str(value)
