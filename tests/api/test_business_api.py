"""Settings: profile, booking rules (and the slots they give), holidays, barge-in policy."""

from __future__ import annotations

import copy

from api_testkit import BOOKING, MONDAY, Api, Owner, fields_of

from agentlocator.call.barge_in import BargeInSettings
from agentlocator.services.businesses import get_business


async def test_profile_reads_and_changes_field_by_field(owner: Owner) -> None:
    before = (await owner.get("/api/v1/business")).json()

    response = await owner.send(
        "PATCH", "/api/v1/business", {"greeting": "  שלום וברוכים הבאים  ", "phone": "03-555-0199"}
    )

    assert response.status_code == 200, response.text
    after = response.json()
    assert after["greeting"] == "שלום וברוכים הבאים"
    assert after["phone"] == "+97235550199"
    assert after["name"] == before["name"]
    assert (await owner.get("/api/v1/business")).json() == after


async def test_profile_errors_name_the_field(owner: Owner, rival: Owner) -> None:
    taken = (await rival.get("/api/v1/business")).json()["phone"]

    assert fields_of(await owner.send("PATCH", "/api/v1/business", {"phone": "hello"})) == ["phone"]
    assert fields_of(
        await owner.send("PATCH", "/api/v1/business", {"timezone": "Mars/Olympus"})
    ) == ["timezone"]
    assert fields_of(await owner.send("PATCH", "/api/v1/business", {"call_goal": "sell"})) == [
        "call_goal"
    ]
    assert fields_of(await owner.send("PATCH", "/api/v1/business", {"phone": taken})) == ["phone"]
    assert fields_of(await owner.send("PATCH", "/api/v1/business", {"name": None})) == ["name"]
    assert fields_of(await owner.send("PATCH", "/api/v1/business", {"id": "x"})) == ["id"]


async def test_booking_rules_round_trip(owner: Owner) -> None:
    rules = (await owner.get("/api/v1/business/booking")).json()
    assert rules["weekly_hours"]["mon"] == [["09:00", "17:00"]]
    assert rules["slot_minutes"] == 30

    rules["weekly_hours"]["mon"] = [["08:00", "12:00"], ["13:00", "18:00"]]
    rules["buffer_minutes"] = 10
    response = await owner.send("PUT", "/api/v1/business/booking", rules)

    assert response.status_code == 200, response.text
    assert response.json() == rules
    assert (await owner.get("/api/v1/business/booking")).json() == rules


async def test_booking_rule_errors_point_at_the_entry(owner: Owner) -> None:
    def with_monday(*ranges: list[str]) -> dict[str, object]:
        rules = copy.deepcopy(BOOKING)
        rules["weekly_hours"]["mon"] = list(ranges)  # type: ignore[index]
        return rules

    bad_time = with_monday(["09:00", "17:00"], ["18:00", "25:00"])
    overlapping = with_monday(["09:00", "13:00"], ["12:00", "17:00"])
    not_a_pair = with_monday(["09:00"])
    bad_slot = {**BOOKING, "slot_minutes": 20}

    assert fields_of(await owner.send("PUT", "/api/v1/business/booking", bad_time)) == [
        "weekly_hours.mon.1"
    ]
    assert fields_of(await owner.send("PUT", "/api/v1/business/booking", overlapping)) == [
        "weekly_hours.mon"
    ]
    # The pair's missing closing time is the field at fault.
    assert fields_of(await owner.send("PUT", "/api/v1/business/booking", not_a_pair)) == [
        "weekly_hours.mon.0.1"
    ]
    assert fields_of(await owner.send("PUT", "/api/v1/business/booking", bad_slot)) == [
        "slot_minutes"
    ]
    assert (await owner.get("/api/v1/business/booking")).json()["weekly_hours"]["mon"] == [
        ["09:00", "17:00"]
    ]


async def test_changing_weekly_hours_changes_the_slots_the_agent_offers(owner: Owner) -> None:
    monday = MONDAY.isoformat()
    before = (await owner.get("/api/v1/slots", date=monday, time="08:00")).json()
    assert before["requested_time_free"] is False

    rules = (await owner.get("/api/v1/business/booking")).json()
    rules["weekly_hours"]["mon"] = [["08:00", "12:00"]]
    assert (await owner.send("PUT", "/api/v1/business/booking", rules)).status_code == 200

    after = (await owner.get("/api/v1/slots", date=monday, time="08:00")).json()
    assert after["requested_time_free"] is True
    assert after["slots"][0] == "08:00"
    closed = (await owner.get("/api/v1/slots", date=monday, time="15:00")).json()
    assert "15:00" not in closed["slots"]


async def test_holiday_suggestions_and_accepting_one(owner: Owner) -> None:
    listed = (await owner.get("/api/v1/business/holidays", year="2026")).json()["items"]
    yom_kippur = next(item for item in listed if item["name_en"] == "Yom Kippur")
    assert yom_kippur["suggested"] == "closed"
    assert yom_kippur["is_accepted"] is False

    response = await owner.send(
        "POST", "/api/v1/business/holidays/accept", {"date": yom_kippur["date"]}
    )

    assert response.status_code == 200, response.text
    assert response.json()["overrides"] == {yom_kippur["date"]: []}
    relisted = (await owner.get("/api/v1/business/holidays", year="2026")).json()["items"]
    assert next(i for i in relisted if i["date"] == yom_kippur["date"])["is_accepted"] is True
    slots = (await owner.get("/api/v1/slots", date=yom_kippur["date"])).json()
    assert slots.get("status") in ("closed", "beyond_window")


async def test_accepting_a_date_without_a_holiday_is_a_field_error(owner: Owner) -> None:
    response = await owner.send("POST", "/api/v1/business/holidays/accept", {"date": "2026-03-03"})
    assert fields_of(response) == ["date"]


async def test_holidays_without_a_year_start_today(owner: Owner) -> None:
    listed = (await owner.get("/api/v1/business/holidays")).json()["items"]
    assert listed
    assert min(item["date"] for item in listed) >= "2026-03-01"


async def test_barge_in_defaults_then_stored_where_the_call_core_reads_them(
    api: Api, owner: Owner
) -> None:
    defaults = (await owner.get("/api/v1/business/barge-in")).json()
    assert defaults == {
        "min_speech_ms": 300,
        "guard_ms": 0,
        "cooldown_ms": 800,
        "is_greeting_interruptible": True,
        "echo_window_ms": 350,
        "sensitivity": 0.5,
    }
    wanted = {**defaults, "min_speech_ms": 450, "is_greeting_interruptible": False}
    wanted["sensitivity"] = 0.8

    response = await owner.send("PUT", "/api/v1/business/barge-in", wanted)

    assert response.status_code == 200, response.text
    assert response.json() == wanted
    async with api.runtime.db() as session:
        business = await get_business(session, owner.business_id)
    assert business is not None
    settings = BargeInSettings.from_json(business.barge_in)
    assert settings.min_speech_ms == 450
    assert settings.is_greeting_interruptible is False


async def test_barge_in_limits_name_the_field(owner: Owner) -> None:
    for field, value in (
        ("min_speech_ms", 50),
        ("min_speech_ms", 2001),
        ("guard_ms", 3001),
        ("cooldown_ms", -1),
        ("echo_window_ms", 1001),
        ("sensitivity", 1.5),
    ):
        response = await owner.send("PUT", "/api/v1/business/barge-in", {field: value})
        assert fields_of(response) == [field], (field, value)
