"""Businesses (tenants): validated creation and look-ups, including by the number callers dial.

Functions flush but never commit: the caller owns the transaction.
"""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from agentlocator.db.models import (
    DEFAULT_TIMEZONE,
    DEFAULT_VOICE,
    Business,
    BusinessId,
    CallGoal,
)

log = logging.getLogger(__name__)

DEFAULT_PHONE_REGION = "IL"
"""Numbers written without a country code (`03-555-0100`) are read as Israeli."""


class DuplicatePhoneError(ValueError):
    """Another business already answers on this number."""

    def __init__(self, phone: str) -> None:
        super().__init__(f"phone: {phone} already belongs to another business")
        self.phone = phone


def normalise_phone(raw: str, region: str = DEFAULT_PHONE_REGION) -> str:
    """`raw` as E.164 (`+97235550100`); raises ValueError naming the input when it is no number.

    Accepts the usual spellings (`03-555-0100`, `+972 3 555 0100`, `00972…`). A number is
    accepted when its length is possible for its country, as Twilio numbers and new ranges may
    not be in the library's allocation tables yet.
    """
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"not a phone number: {raw!r}") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise ValueError(f"not a possible phone number: {raw!r} (use E.164, e.g. +97235550100)")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


class BusinessCreate(BaseModel):
    """What it takes to open a business. Unknown keys are ignored, for forward compatibility."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, frozen=True)

    name: str = Field(min_length=1, max_length=200)
    phone: str = Field(max_length=40)
    timezone: str = DEFAULT_TIMEZONE
    call_goal: CallGoal
    greeting: str = Field(min_length=1)
    business_type: str = Field(default="", max_length=64)
    services: str = ""
    voice: str = Field(default=DEFAULT_VOICE, min_length=1, max_length=32)
    barge_in: dict[str, Any] | None = None
    booking: dict[str, Any] | None = None
    """Booking rules: `slot_minutes`, `weekly_hours` keyed `sun`..`sat`, overrides, notice..."""

    @field_validator("booking")
    @classmethod
    def _booking_rules_are_valid(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        from agentlocator.scheduling.rules import BookingRules

        # The business's own `timezone` field is the zone; the stored document leaves it out.
        document = {key: item for key, item in value.items() if key != "timezone"}
        rules = BookingRules.model_validate(document)
        stored: dict[str, Any] = rules.model_dump(mode="json", exclude={"timezone"})
        return stored

    @field_validator("phone")
    @classmethod
    def _phone_is_e164(cls, value: str) -> str:
        return normalise_phone(value)

    @field_validator("timezone")
    @classmethod
    def _timezone_is_iana(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone: {value!r}") from exc
        return value


async def create_business(session: AsyncSession, data: BusinessCreate) -> Business:
    """Store a new business; raises `DuplicatePhoneError` if its number is taken."""
    if await find_business_by_phone(session, data.phone) is not None:
        raise DuplicatePhoneError(data.phone)
    business = Business(**data.model_dump())
    try:
        # A SAVEPOINT keeps the caller's transaction usable if a concurrent insert wins the race.
        async with session.begin_nested():
            session.add(business)
    except IntegrityError:
        if await find_business_by_phone(session, data.phone) is not None:
            raise DuplicatePhoneError(data.phone) from None
        raise
    log.info("business.created", extra={"business_id": str(business.id)})
    return business


async def get_business(session: AsyncSession, business_id: BusinessId) -> Business | None:
    """The business with this id, or None."""
    return await session.get(Business, business_id)


async def find_business_by_phone(session: AsyncSession, e164: str) -> Business | None:
    """The business answering on the dialled number (Twilio's `To`), or None.

    Anything that is not a phone number (`client:alice`, a SIP URI) finds nothing.
    """
    try:
        phone = normalise_phone(e164)
    except ValueError:
        return None
    return await session.scalar(select(Business).where(Business.phone == phone))


def business_as_json(business: Business) -> dict[str, Any]:
    """A JSON-ready view of the business, as the CLI prints it."""
    return {
        "id": str(business.id),
        "name": business.name,
        "phone": business.phone,
        "timezone": business.timezone,
        "call_goal": business.call_goal,
        "greeting": business.greeting,
        "business_type": business.business_type,
        "services": business.services,
        "voice": business.voice,
        "barge_in": business.barge_in,
        "booking": business.booking,
        "created_at": business.created_at.isoformat(),
    }


async def update_booking(
    session: AsyncSession, business_id: BusinessId, booking: dict[str, Any]
) -> Business | None:
    """Replace the business's booking rules (validated like at creation); None if no business."""
    business = await get_business(session, business_id)
    if business is None:
        return None
    validated = BusinessCreate.model_validate(
        {**business_as_json(business), "booking": booking}
    ).booking
    business.booking = validated
    await session.flush()
    return business


PROFILE_FIELDS = (
    "name",
    "phone",
    "timezone",
    "call_goal",
    "greeting",
    "business_type",
    "services",
    "voice",
)
"""What `update_profile` may change; booking rules and barge-in have their own functions."""


async def update_profile(
    session: AsyncSession, business_id: BusinessId, changes: dict[str, Any]
) -> Business | None:
    """Change profile fields (validated like at creation); None if no business.

    Raises pydantic's ValidationError naming the field, `DuplicatePhoneError` if the new number
    belongs to another business, and ValueError for a field that is not a profile field.
    """
    unknown = sorted(set(changes) - set(PROFILE_FIELDS))
    if unknown:
        raise ValueError(f"{unknown[0]}: not a profile field")
    business = await get_business(session, business_id)
    if business is None:
        return None
    validated = BusinessCreate.model_validate({**business_as_json(business), **changes})
    if validated.phone != business.phone:
        other = await find_business_by_phone(session, validated.phone)
        if other is not None and other.id != business.id:
            raise DuplicatePhoneError(validated.phone)
    for field in changes:
        setattr(business, field, getattr(validated, field))
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        raise DuplicatePhoneError(validated.phone) from None
    return business


async def update_barge_in(
    session: AsyncSession, business_id: BusinessId, settings: dict[str, Any]
) -> Business | None:
    """Replace the business's barge-in policy document; None if no business.

    The caller validates the values (the API's schema does); the call core reads the document
    with `BargeInSettings.from_json`, which ignores keys it does not know.
    """
    business = await get_business(session, business_id)
    if business is None:
        return None
    business.barge_in = dict(settings)
    await session.flush()
    return business
