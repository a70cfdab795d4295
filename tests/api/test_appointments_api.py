"""The calendar: listing a week, the drawer, and booking, moving and cancelling under the agent's
rules and overlap guard."""

from __future__ import annotations

import json
import uuid

from api_testkit import MONDAY, NOW, TRANSCRIPT, Api, Owner, Seeded, fields_of, local

from agentlocator.db.models import BusinessId, CallId, LeadId
from agentlocator.services.businesses import get_business
from agentlocator.telephony.call_setup import booking_rules
from agentlocator.tools.runner import CallScope, CallTools

WEEK = {"start": "2026-03-01", "end": "2026-03-08"}


async def agent_books(api: Api, owner: Owner, day: str, hh_mm: str) -> dict[str, object]:
    """The agent's own `schedule_appointment` tool, as a phone call runs it."""
    async with api.runtime.db() as session:
        business = await get_business(session, owner.business_id)
    assert business is not None

    async def no_lead() -> LeadId | None:
        return None

    async def no_call() -> CallId | None:
        return None

    tools = CallTools(
        CallScope(
            business_id=BusinessId(business.id),
            call_sid="CA" + uuid.uuid4().hex,
            rules=booking_rules(business),
            db=api.runtime.db,
            now=lambda: NOW,
            lead_id=no_lead,
            call_row_id=no_call,
        )
    )
    arguments = {"date": day, "time": hh_mm, "customer_name": "יוסי לוי"}
    answer: dict[str, object] = json.loads(
        await tools.run("tool-1", "schedule_appointment", json.dumps(arguments))
    )
    return answer


async def test_the_week_lists_booked_appointments_in_local_time(
    owner: Owner, seeded: Seeded
) -> None:
    response = await owner.get("/api/v1/appointments", **WEEK)

    assert response.status_code == 200
    [item] = response.json()["items"]
    assert item["id"] == str(seeded.a.appointment_id)
    assert item["local_date"] == "2026-03-02"
    assert item["local_time"] == "10:00"
    assert item["starts_at"].startswith("2026-03-02T08:00:00")
    assert item["status"] == "booked"
    assert item["lead_id"] == str(seeded.a.lead_id)
    assert item["call_id"] == str(seeded.a.call_id)
    next_week = await owner.get("/api/v1/appointments", start="2026-03-08", end="2026-03-15")
    assert next_week.json()["items"] == []


async def test_the_drawer_shows_lead_transcript_and_summary(owner: Owner, seeded: Seeded) -> None:
    response = await owner.get(f"/api/v1/appointments/{seeded.a.appointment_id}")

    assert response.status_code == 200
    body = response.json()
    assert body["lead"]["id"] == str(seeded.a.lead_id)
    assert body["lead"]["phone_e164"] == "+972521111111"
    assert body["transcript"] == TRANSCRIPT
    assert body["summary"] == "המתקשר ביקש תור."


async def test_listing_needs_a_valid_range(owner: Owner) -> None:
    assert fields_of(
        await owner.get("/api/v1/appointments", start="2026-03-08", end="2026-03-01")
    ) == ["end"]
    assert fields_of(
        await owner.get("/api/v1/appointments", start="2026-03-01", end="2026-09-01")
    ) == ["end"]
    assert fields_of(await owner.get("/api/v1/appointments", start="March", end="2026-03-08")) == [
        "start"
    ]


async def test_booking_from_the_dashboard(owner: Owner) -> None:
    response = await owner.send(
        "POST",
        "/api/v1/appointments",
        {"date": "2026-03-03", "time": "11:30", "customer_name": "רונית אברהם", "notes": "ניקוי"},
    )

    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["local_date"], body["local_time"]) == ("2026-03-03", "11:30")
    assert body["call_id"] is None
    assert body["notes"] == "ניקוי"
    listed = (await owner.get("/api/v1/appointments", **WEEK)).json()["items"]
    assert [item["id"] for item in listed] == [body["id"]]


async def test_a_slot_the_agent_booked_is_refused_with_alternatives(api: Api, owner: Owner) -> None:
    assert (await agent_books(api, owner, "2026-03-03", "11:30"))["status"] == "booked"

    response = await owner.send(
        "POST",
        "/api/v1/appointments",
        {"date": "2026-03-03", "time": "11:30", "customer_name": "רונית אברהם"},
    )

    assert response.status_code == 409, response.text
    detail = response.json()["detail"]
    assert detail["status"] == "slot_taken"
    assert detail["message"]
    assert detail["alternatives"] == ["10:30", "11:00", "12:00"]
    slots = (await owner.get("/api/v1/slots", date="2026-03-03", time="11:30")).json()
    assert slots["requested_time_free"] is False


async def test_times_the_rules_refuse_are_invalid_times(owner: Owner) -> None:
    saturday = {"date": "2026-03-07", "time": "10:00", "customer_name": "דנה"}
    evening = {"date": "2026-03-03", "time": "19:00", "customer_name": "דנה"}
    off_step = {"date": "2026-03-03", "time": "10:10", "customer_name": "דנה"}
    past = {"date": "2026-02-26", "time": "10:00", "customer_name": "דנה"}

    for body, reason in (
        (saturday, "closed"),
        (evening, "outside_hours"),
        (off_step, "not_on_step"),
        (past, "past"),
    ):
        response = await owner.send("POST", "/api/v1/appointments", body)
        assert response.status_code == 422, response.text
        detail = response.json()["detail"]
        assert detail["status"] == "invalid_time"
        assert detail["reason"] == reason
        assert detail["message"]


async def test_booking_validation_names_the_field(owner: Owner) -> None:
    no_name = {"date": "2026-03-03", "time": "11:00"}
    bad_time = {"date": "2026-03-03", "time": "25:00", "customer_name": "דנה"}
    empty_name = {"date": "2026-03-03", "time": "11:00", "customer_name": ""}

    assert fields_of(await owner.send("POST", "/api/v1/appointments", no_name)) == ["customer_name"]
    assert fields_of(await owner.send("POST", "/api/v1/appointments", bad_time)) == ["time"]
    assert fields_of(await owner.send("POST", "/api/v1/appointments", empty_name)) == [
        "customer_name"
    ]


async def test_booking_for_a_lead_adds_to_its_timeline(owner: Owner, seeded: Seeded) -> None:
    response = await owner.send(
        "POST",
        "/api/v1/appointments",
        {
            "date": "2026-03-04",
            "time": "09:00",
            "customer_name": "דנה",
            "lead_id": str(seeded.a.lead_id),
        },
    )
    assert response.status_code == 201, response.text

    lead = (await owner.get(f"/api/v1/leads/{seeded.a.lead_id}")).json()
    assert len(lead["appointments"]) == 2
    assert [e["kind"] for e in lead["events"]].count("appointment_booked") == 2


async def test_moving_an_appointment(owner: Owner, seeded: Seeded) -> None:
    url = f"/api/v1/appointments/{seeded.a.appointment_id}"

    moved = await owner.send("PATCH", url, {"date": "2026-03-02", "time": "10:30"})

    assert moved.status_code == 200, moved.text
    assert (moved.json()["local_date"], moved.json()["local_time"]) == ("2026-03-02", "10:30")
    assert moved.json()["starts_at"] == local(MONDAY, "10:30").isoformat().replace("+00:00", "Z")
    slots = (await owner.get("/api/v1/slots", date="2026-03-02", time="10:00")).json()
    assert slots["requested_time_free"] is True
    lead = (await owner.get(f"/api/v1/leads/{seeded.a.lead_id}")).json()
    assert "appointment_moved" in [event["kind"] for event in lead["events"]]


async def test_moving_onto_a_taken_or_closed_time_is_refused(
    api: Api, owner: Owner, seeded: Seeded
) -> None:
    assert (await agent_books(api, owner, "2026-03-02", "14:00"))["status"] == "booked"
    url = f"/api/v1/appointments/{seeded.a.appointment_id}"

    taken = await owner.send("PATCH", url, {"date": "2026-03-02", "time": "14:00"})
    closed = await owner.send("PATCH", url, {"date": "2026-03-07", "time": "10:00"})

    assert taken.status_code == 409
    assert taken.json()["detail"]["status"] == "slot_taken"
    assert closed.status_code == 422
    assert closed.json()["detail"]["reason"] == "closed"
    unchanged = (await owner.get(url)).json()
    assert unchanged["local_time"] == "10:00"


async def test_cancelling_frees_the_slot_and_is_idempotent(owner: Owner, seeded: Seeded) -> None:
    url = f"/api/v1/appointments/{seeded.a.appointment_id}"

    first = await owner.send("POST", f"{url}/cancel", {"reason": "המטופל ביקש"})
    second = await owner.send("POST", f"{url}/cancel")

    assert first.status_code == second.status_code == 200
    assert first.json()["status"] == second.json()["status"] == "cancelled"
    assert (await owner.get("/api/v1/appointments", **WEEK)).json()["items"] == []
    with_cancelled = await owner.get("/api/v1/appointments", **WEEK, include_cancelled="true")
    assert [i["status"] for i in with_cancelled.json()["items"]] == ["cancelled"]
    slots = (await owner.get("/api/v1/slots", date="2026-03-02", time="10:00")).json()
    assert slots["requested_time_free"] is True
    lead = (await owner.get(f"/api/v1/leads/{seeded.a.lead_id}")).json()
    assert [e["kind"] for e in lead["events"]].count("appointment_cancelled") == 1
    moved = await owner.send("PATCH", url, {"date": "2026-03-03", "time": "10:00"})
    assert moved.status_code == 404


async def test_unknown_ids_are_not_found(owner: Owner) -> None:
    guessed = f"/api/v1/appointments/{uuid.uuid4()}"

    assert (await owner.get(guessed)).status_code == 404
    assert (
        await owner.send("PATCH", guessed, {"date": "2026-03-03", "time": "10:00"})
    ).status_code == 404
    assert (await owner.send("POST", f"{guessed}/cancel")).status_code == 404
    assert fields_of(await owner.get("/api/v1/appointments/not-a-uuid")) == ["appointment_id"]
