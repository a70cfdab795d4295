"""The demo data `make run` seeds, as the dashboard sees it, and `demo seed` run twice."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from api_testkit import Api

from agentlocator.cli import main
from agentlocator.demo import (
    DEMO_EMAIL,
    DEMO_LEADS,
    DEMO_PASSWORD,
    seed_demo,
    seed_demo_data,
)
from agentlocator.scheduling.rules import BookingRules

ZONE = ZoneInfo("Asia/Jerusalem")
NOW = datetime(2026, 3, 3, 12, 0, tzinfo=ZONE).astimezone(UTC)
"""Tuesday noon: the demo week runs Sunday 1 to Saturday 7 March 2026."""


async def _seed(api: Api) -> bool:
    async with api.runtime.db() as session:
        business, _created = await seed_demo(session)
        await session.commit()
    return await seed_demo_data(api.runtime.db, business, now=NOW)


async def test_the_demo_owner_sees_a_full_week(api: Api) -> None:
    assert await _seed(api) is True
    client = api.client()
    login = await client.post(
        "/api/v1/auth/login", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD}
    )
    assert login.status_code == 200

    week = await client.get(
        "/api/v1/appointments", params={"start": "2026-03-01", "end": "2026-03-08"}
    )
    items = week.json()["items"]
    rules_json = (await client.get("/api/v1/business/booking")).json()
    rules = BookingRules.model_validate({**rules_json, "timezone": "Asia/Jerusalem"})
    assert len(items) >= 10
    assert {item["local_date"] for item in items} >= {"2026-03-01", "2026-03-02", "2026-03-06"}
    for item in items:
        day = datetime.fromisoformat(item["local_date"]).date()
        minute = int(item["local_time"][:2]) * 60 + int(item["local_time"][3:])
        assert any(r.start_min <= minute < r.end_min for r in rules.hours_on(day)), item
    booked_by_phone = [item for item in items if item["call_id"]]
    assert booked_by_phone
    drawer = (await client.get(f"/api/v1/appointments/{booked_by_phone[0]['id']}")).json()
    assert drawer["transcript"] and drawer["summary"] and drawer["lead"]["full_name"]

    leads = (await client.get("/api/v1/leads", params={"page_size": "50"})).json()
    assert leads["total"] == len(DEMO_LEADS)
    assert {lead["full_name"] for lead in leads["items"]} == {p.name for p in DEMO_LEADS}
    lead = (await client.get(f"/api/v1/leads/{booked_by_phone[0]['lead_id']}")).json()
    assert [e["kind"] for e in lead["events"]][:1] == ["call"]
    assert "appointment_booked" in [e["kind"] for e in lead["events"]]

    calls = (await client.get("/api/v1/calls")).json()
    assert 8 <= calls["total"] <= 12
    details = [(await client.get(f"/api/v1/calls/{c['id']}")).json() for c in calls["items"]]
    assert all(d["transcript"] and d["summary"] and d["latency"]["replies"] for d in details)
    assert any(d["barge_ins"] for d in details)
    assert any(c["outcome"] == "booked" for c in calls["items"])
    started = [c["started_at"] for c in calls["items"]]
    assert started == sorted(started, reverse=True)
    assert all(s < NOW.isoformat() for s in started)


async def test_seeding_again_adds_nothing(api: Api) -> None:
    assert await _seed(api) is True
    client = api.client()
    await client.post("/api/v1/auth/login", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    before = [
        (await client.get(url, params=params)).json()
        for url, params in (
            ("/api/v1/leads", {}),
            ("/api/v1/calls", {}),
            ("/api/v1/appointments", {"start": "2026-03-01", "end": "2026-03-08"}),
        )
    ]

    assert await _seed(api) is False

    after = [
        (await client.get(url, params=params)).json()
        for url, params in (
            ("/api/v1/leads", {}),
            ("/api/v1/calls", {}),
            ("/api/v1/appointments", {"start": "2026-03-01", "end": "2026-03-08"}),
        )
    ]
    assert after == before


def test_the_command_prints_the_login_and_is_idempotent(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AGENTLOCATOR_DATABASE_URL", sqlite_url)

    assert main(["demo", "seed"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(["demo", "seed"]) == 0
    second = json.loads(capsys.readouterr().out)

    assert first == second
    assert first["login"] == {"email": DEMO_EMAIL, "password": DEMO_PASSWORD}


@pytest.mark.parametrize(
    "local_now",
    [
        datetime(2026, 3, 1, 8, 0, tzinfo=ZONE),  # Sunday morning: the whole week ahead
        datetime(2026, 3, 6, 16, 0, tzinfo=ZONE),  # Friday after closing
        datetime(2026, 3, 7, 21, 0, tzinfo=ZONE),  # Saturday night: this week is all past
    ],
)
async def test_calls_bookings_are_in_the_shown_week_and_ahead_on_any_day(
    api: Api, local_now: datetime
) -> None:
    async with api.runtime.db() as session:
        business, _created = await seed_demo(session)
        await session.commit()
    assert await seed_demo_data(api.runtime.db, business, now=local_now.astimezone(UTC))
    client = api.client()
    await client.post("/api/v1/auth/login", json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    listed = await client.get(
        "/api/v1/appointments", params={"start": "2026-03-01", "end": "2026-03-15"}
    )
    by_call = [item for item in listed.json()["items"] if item["call_id"]]
    this_week = [item for item in by_call if item["local_date"] < "2026-03-08"]
    ahead = [item for item in by_call if datetime.fromisoformat(item["starts_at"]) > local_now]
    assert this_week, "a call's booking to open in the week the calendar shows"
    assert ahead, "an upcoming call's booking for a hand booking to collide with"
