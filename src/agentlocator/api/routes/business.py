"""`/business`: the logged-in owner's business profile, booking rules, holidays and barge-in."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import ValidationError

from agentlocator.api.deps import CurrentBusiness, CurrentBusinessId, Now, WriteSession
from agentlocator.api.errors import from_validation_error, invalid
from agentlocator.api.schemas.business import (
    BargeInPublic,
    BargeInUpdate,
    BookingRulesPublic,
    BookingRulesUpdate,
    BusinessPublic,
    BusinessUpdate,
    HolidayAccept,
    HolidayPublic,
    HolidaysPublic,
)
from agentlocator.db.models import Business
from agentlocator.scheduling.holidays_il import accept, holiday_suggestions
from agentlocator.scheduling.rules import BookingRules
from agentlocator.scheduling.wallclock import local_date
from agentlocator.services import businesses

router = APIRouter(prefix="/business", tags=["business"])


def _public(business: Business) -> BusinessPublic:
    return BusinessPublic.model_validate(businesses.business_as_json(business))


def _rules(business: Business) -> BookingRules:
    """The stored rules in the business's zone (the seed defaults when none are stored yet)."""
    return BookingRules.model_validate({**(business.booking or {}), "timezone": business.timezone})


def _rules_public(rules: BookingRules) -> BookingRulesPublic:
    return BookingRulesPublic.model_validate(rules.model_dump(mode="json", exclude={"timezone"}))


def _updated(business: Business | None) -> Business:
    if business is None:  # pragma: no cover - the login's business exists
        raise HTTPException(404, "not_found")
    return business


@router.get("")
async def get_business(business: CurrentBusiness) -> BusinessPublic:
    return _public(business)


@router.patch("")
async def update_business(
    body: BusinessUpdate, business_id: CurrentBusinessId, session: WriteSession
) -> BusinessPublic:
    changes = body.model_dump(exclude_unset=True)
    for field, value in changes.items():
        if value is None:
            raise invalid(field, "may not be null")
    try:
        business = await businesses.update_profile(session, business_id, changes)
    except ValidationError as refused:
        raise from_validation_error(refused) from None
    except businesses.DuplicatePhoneError:
        raise invalid("phone", "another business already answers on this number") from None
    await session.commit()
    return _public(_updated(business))


@router.get("/booking")
async def get_booking(business: CurrentBusiness) -> BookingRulesPublic:
    return _rules_public(_rules(business))


@router.put("/booking")
async def put_booking(
    body: BookingRulesUpdate, business_id: CurrentBusinessId, session: WriteSession
) -> BookingRulesPublic:
    business = _updated(await businesses.update_booking(session, business_id, body.document()))
    await session.commit()
    return _rules_public(_rules(business))


@router.get("/holidays")
async def get_holidays(
    business: CurrentBusiness,
    now: Now,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> HolidaysPublic:
    """Israeli holidays to close or shorten; nothing changes until one is accepted."""
    rules = _rules(business)
    today = local_date(now, rules.zone)
    years = [year] if year else [today.year, today.year + 1]
    overridden = {day for day, _ranges in rules.overrides}
    return HolidaysPublic(
        items=[
            HolidayPublic(
                date=s.date,
                name_he=s.name_he,
                name_en=s.name_en,
                suggested=s.suggested,
                is_accepted=s.date in overridden,
            )
            for s in holiday_suggestions(years)
            if year or s.date >= today
        ]
    )


@router.post("/holidays/accept")
async def accept_holiday(
    body: HolidayAccept, business_id: CurrentBusinessId, session: WriteSession
) -> BookingRulesPublic:
    """Write the suggestion for `date` into the booking rules as an override of that date."""
    business = _updated(await businesses.get_business(session, business_id))
    chosen = [s for s in holiday_suggestions([body.date.year]) if s.date == body.date]
    if not chosen:
        raise invalid("date", "there is no holiday suggestion on this date")
    rules = accept(_rules(business), chosen[0], short_day_close=body.short_day_close)
    document: dict[str, Any] = rules.model_dump(mode="json", exclude={"timezone"})
    business = _updated(await businesses.update_booking(session, business_id, document))
    await session.commit()
    return _rules_public(_rules(business))


@router.get("/barge-in")
async def get_barge_in(business: CurrentBusiness) -> BargeInPublic:
    known = set(BargeInPublic.model_fields)
    stored = {key: value for key, value in (business.barge_in or {}).items() if key in known}
    try:
        return BargeInPublic.model_validate(stored)
    except ValidationError:
        # A document written by hand outside the limits shows as the defaults it cannot be.
        return BargeInPublic()


@router.put("/barge-in")
async def put_barge_in(
    body: BargeInUpdate, business_id: CurrentBusinessId, session: WriteSession
) -> BargeInPublic:
    business = _updated(await businesses.update_barge_in(session, business_id, body.model_dump()))
    await session.commit()
    return BargeInPublic.model_validate(business.barge_in)
