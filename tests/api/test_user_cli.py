"""`agentlocator user create`: a dashboard login for a business, usable at once."""

from __future__ import annotations

import json
import uuid

import pytest
from api_testkit import Api

from agentlocator.cli import main
from agentlocator.demo import seed_demo
from agentlocator.services.businesses import find_business_by_phone
from agentlocator.services.users import create_user, find_user_by_email


@pytest.fixture
def business_id(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    monkeypatch.setenv("AGENTLOCATOR_DATABASE_URL", sqlite_url)
    assert main(["demo", "seed"]) == 0
    business: dict[str, str] = json.loads(capsys.readouterr().out)
    return business["id"]


def _create(business_id: str, email: str, password: str) -> int:
    return main(
        ["user", "create", "--business", business_id, "--email", email, "--password", password]
    )


def test_creates_a_user_with_an_argon2_hash(
    business_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _create(business_id, "Owner@Clinic.example", "s3cret-enough") == 0

    created = json.loads(capsys.readouterr().out)
    assert created["email"] == "owner@clinic.example"
    assert created["business_id"] == business_id
    assert uuid.UUID(created["id"])


@pytest.mark.parametrize(
    ("email", "password", "complaint"),
    [
        ("owner@clinic.example", "short", "password:"),
        ("not-an-email", "long enough", "email:"),
        ("demo@agentlocator.local", "long enough", "already belongs to a user"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(
    business_id: str, capsys: pytest.CaptureFixture[str], email: str, password: str, complaint: str
) -> None:
    assert _create(business_id, email, password) == 2

    error = capsys.readouterr().err
    assert complaint in error
    assert error.count("\n") == 1


def test_an_unknown_business_is_refused(
    business_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _create(str(uuid.uuid4()), "a@b.example", "long enough") == 2
    assert _create("clinic", "a@b.example", "long enough") == 2
    assert "--business" in capsys.readouterr().err


async def test_the_new_user_can_log_in(api: Api) -> None:
    async with api.runtime.db() as session:
        business, _created = await seed_demo(session)
        await create_user(session, business.id, "new@clinic.example", "long enough")
        await session.commit()
        assert await find_user_by_email(session, "NEW@clinic.example") is not None
        assert await find_business_by_phone(session, business.phone) is not None

    response = await api.client().post(
        "/api/v1/auth/login", json={"email": "new@clinic.example", "password": "long enough"}
    )
    assert response.status_code == 200
    assert response.json()["business"]["id"] == str(business.id)
