"""Finding leads: by id, by number, by a search, and a lead's timeline; reads only.

Every function takes the business id and reads only that business's rows: another business's
lead id reads as "not found".
"""

from __future__ import annotations

import re

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from agentlocator.db.models import BusinessId, Lead, LeadEvent, LeadId
from agentlocator.services.businesses import DEFAULT_PHONE_REGION
from agentlocator.services.caller_id import caller_phone_e164

MAX_PAGE_SIZE = 200
_FRESH = {"populate_existing": True}


async def get_lead(session: AsyncSession, business_id: BusinessId, lead_id: LeadId) -> Lead | None:
    """The lead with this id if it belongs to `business_id`; another business's lead is None."""
    return await session.scalar(
        select(Lead).where(Lead.id == lead_id, Lead.business_id == business_id),
        execution_options=_FRESH,
    )


async def find_lead_by_phone(
    session: AsyncSession,
    business_id: BusinessId,
    phone_raw: str,
    region: str = DEFAULT_PHONE_REGION,
) -> Lead | None:
    """The business's lead with this number, in any spelling; None if there is none."""
    phone = caller_phone_e164(phone_raw, region)
    if phone is None:
        return None
    return await session.scalar(
        select(Lead).where(Lead.business_id == business_id, Lead.phone_e164 == phone),
        execution_options=_FRESH,
    )


async def list_leads(
    session: AsyncSession,
    business_id: BusinessId,
    search: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[Lead]:
    """The business's leads, most recently active first, optionally filtered by `search`.

    `search` matches part of the name or email (case-insensitive), part of the number as
    stored (`+97252…`), or the number in any spelling (`052-…`).
    """
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE_SIZE}")
    if offset < 0:
        raise ValueError("offset must not be negative")
    statement = _matching(business_id, search)
    rows = await session.scalars(
        statement.order_by(Lead.updated_at.desc(), Lead.id.desc()).limit(limit).offset(offset),
        execution_options=_FRESH,
    )
    return list(rows)


async def lead_page(
    session: AsyncSession,
    business_id: BusinessId,
    *,
    search: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Lead], int]:
    """One page of `list_leads` (same search and order), optionally of one status, and the total.

    The total counts every lead matching the search and status, not only this page.
    """
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE_SIZE}")
    if offset < 0:
        raise ValueError("offset must not be negative")
    statement = _matching(business_id, search)
    if status is not None:
        statement = statement.where(Lead.status == status)
    total = await session.scalar(select(func.count()).select_from(statement.subquery()))
    rows = await session.scalars(
        statement.order_by(Lead.updated_at.desc(), Lead.id.desc()).limit(limit).offset(offset),
        execution_options=_FRESH,
    )
    return list(rows), int(total or 0)


def _matching(business_id: BusinessId, search: str | None) -> Select[Lead]:
    """The business's leads whose name, email or number matches `search` (all when empty)."""
    statement = select(Lead).where(Lead.business_id == business_id)
    term = (search or "").strip()
    if term:
        pattern = "%" + re.sub(r"([\\%_])", r"\\\1", term) + "%"
        matches: list[ColumnElement[bool]] = [
            Lead.full_name.ilike(pattern, escape="\\"),
            Lead.email.ilike(pattern, escape="\\"),
            Lead.phone_e164.like(pattern, escape="\\"),
        ]
        phone = caller_phone_e164(term)
        if phone is not None:
            matches.append(Lead.phone_e164 == phone)
        statement = statement.where(or_(*matches))
    return statement


async def lead_timeline(
    session: AsyncSession, business_id: BusinessId, lead_id: LeadId
) -> list[LeadEvent]:
    """The lead's events, oldest first; empty for a lead of another business."""
    rows = await session.scalars(
        select(LeadEvent)
        .where(LeadEvent.business_id == business_id, LeadEvent.lead_id == lead_id)
        .order_by(LeadEvent.at, LeadEvent.id)
    )
    return list(rows)
