"""Businesses: validation at the boundary, phone normalisation, uniqueness and look-ups."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from agentlocator.db.models import Business, BusinessId
from agentlocator.services.businesses import (
    BusinessCreate,
    DuplicatePhoneError,
    business_as_json,
    create_business,
    find_business_by_phone,
    get_business,
    normalise_phone,
)

MakeBusiness = Callable[..., Awaitable[Business]]

VALID: dict[str, Any] = {
    "name": "מספרת רחל",
    "phone": "+97235550199",
    "timezone": "Asia/Jerusalem",
    "call_goal": "lead",
    "greeting": "שלום, הגעתם למספרת רחל",
}


async def _count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(Business)) or 0)


@pytest.mark.parametrize(
    "raw",
    ["+97235550100", "03-555-0100", "035550100", "+972 3-555-0100", "00972 3 555 0100"],
)
def test_phone_spellings_normalise_to_one_e164(raw: str) -> None:
    assert normalise_phone(raw) == "+97235550100"


def test_phone_with_other_country_code_keeps_it() -> None:
    assert normalise_phone("+1 (415) 555-0100") == "+14155550100"


@pytest.mark.parametrize("raw", ["", "12", "not a number", "+972"])
def test_non_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="phone number"):
        normalise_phone(raw)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "  ", "at least 1 character"),
        ("phone", "12345", "not a possible phone number"),
        ("timezone", "Mars/Olympus", "unknown IANA time zone"),
        ("timezone", "../../etc/passwd", "unknown IANA time zone"),
        ("call_goal", "sales", "'booking' or 'lead'"),
        ("greeting", "", "at least 1 character"),
    ],
)
def test_invalid_fields_are_named(field: str, value: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        BusinessCreate.model_validate(VALID | {field: value})
    [error] = caught.value.errors()
    assert error["loc"] == (field,)
    assert message in str(caught.value)


@pytest.mark.parametrize("field", ["name", "phone", "call_goal", "greeting"])
def test_required_fields(field: str) -> None:
    data = dict(VALID)
    del data[field]
    with pytest.raises(ValidationError) as caught:
        BusinessCreate.model_validate(data)
    assert caught.value.errors()[0]["loc"] == (field,)


def test_defaults_and_unknown_keys() -> None:
    data = BusinessCreate.model_validate(
        {key: value for key, value in VALID.items() if key != "timezone"}
        | {"phone": "03-555-0199", "opening_hours": {"sun": "9-17"}}
    )
    assert data.phone == "+97235550199"
    assert data.timezone == "Asia/Jerusalem"
    assert data.voice == "marin"
    assert data.barge_in is None
    assert not hasattr(data, "opening_hours")


async def test_create_and_read_back(db_session: AsyncSession) -> None:
    policy = {"min_speech_ms": 250, "backchannels": ["כן", "אהה"]}
    business = await create_business(
        db_session,
        BusinessCreate.model_validate(
            VALID | {"business_type": "hair salon", "services": "תספורת, צבע", "barge_in": policy}
        ),
    )
    await db_session.commit()
    db_session.expunge_all()

    stored = await get_business(db_session, business.id)
    assert stored is not None
    assert stored.name == "מספרת רחל"
    assert stored.phone == "+97235550199"
    assert stored.call_goal == "lead"
    assert stored.voice == "marin"
    assert stored.barge_in == policy
    assert stored.services == "תספורת, צבע"
    assert stored.created_at.tzinfo is UTC

    as_json = business_as_json(stored)
    assert as_json["id"] == str(business.id)
    assert as_json["phone"] == "+97235550199"
    assert as_json["barge_in"] == policy


async def test_unknown_id_finds_nothing(db_session: AsyncSession, make_business: Any) -> None:
    await make_business()
    assert await get_business(db_session, BusinessId(uuid.uuid4())) is None


async def test_duplicate_phone_is_refused_in_any_spelling(
    db_session: AsyncSession, make_business: MakeBusiness
) -> None:
    await make_business(phone="+97235550199")
    with pytest.raises(DuplicatePhoneError, match=r"phone: \+97235550199 already belongs"):
        await create_business(
            db_session, BusinessCreate.model_validate(VALID | {"phone": "03-5550199"})
        )
    await db_session.rollback()
    assert await _count(db_session) == 1


async def test_unique_constraint_backs_the_check(db_session: AsyncSession) -> None:
    """Even without the friendly pre-check, the database refuses a second business per number."""
    db_session.add(Business(**BusinessCreate.model_validate(VALID).model_dump()))
    await db_session.commit()
    with pytest.raises(IntegrityError, match=r"(?i)unique"):
        async with db_session.begin_nested():
            db_session.add(
                Business(**BusinessCreate.model_validate(VALID | {"name": "B"}).model_dump())
            )
    assert await _count(db_session) == 1


async def test_find_by_dialled_number(
    db_session: AsyncSession, make_business: MakeBusiness
) -> None:
    clinic = await make_business(phone="+97235550100")
    salon = await make_business(phone="+972525550123")

    found = await find_business_by_phone(db_session, "+97235550100")
    assert found is not None
    assert found.id == clinic.id
    assert (await find_business_by_phone(db_session, "052-555-0123")) is salon
    assert await find_business_by_phone(db_session, "+97235550999") is None
    assert await find_business_by_phone(db_session, "client:alice") is None
    assert await find_business_by_phone(db_session, "") is None
