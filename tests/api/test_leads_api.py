"""The CRM: paged and searchable leads, the lead page, and a person's edits outranking the AI."""

from __future__ import annotations

import uuid

from api_testkit import Api, Owner, Seeded, add_call, fields_of

from agentlocator.db.models import LeadId
from agentlocator.services import leads


async def test_pages_count_every_match(api: Api, owner: Owner) -> None:
    for n in range(7):
        await add_call(api, owner.business_id, f"+97252300000{n}")

    first = (await owner.get("/api/v1/leads", page_size="3")).json()
    third = (await owner.get("/api/v1/leads", page="3", page_size="3")).json()
    beyond = (await owner.get("/api/v1/leads", page="4", page_size="3")).json()

    assert (first["total"], first["page"], first["page_size"]) == (7, 1, 3)
    assert len(first["items"]) == 3
    assert len(third["items"]) == 1
    assert beyond["items"] == []
    everything = (await owner.get("/api/v1/leads", page_size="100")).json()["items"]
    assert len({lead["id"] for lead in everything}) == 7


async def test_page_parameters_are_checked(owner: Owner) -> None:
    assert fields_of(await owner.get("/api/v1/leads", page="0")) == ["page"]
    assert fields_of(await owner.get("/api/v1/leads", page_size="101")) == ["page_size"]
    assert fields_of(await owner.get("/api/v1/leads", status="vip")) == ["status"]


async def test_search_and_status_filter(api: Api, owner: Owner, seeded: Seeded) -> None:
    _call, other = await add_call(api, owner.business_id, "+972547777777")
    assert other is not None
    url = f"/api/v1/leads/{other}"
    assert (await owner.send("PATCH", url, {"full_name": "מיכל ברק"})).status_code == 200

    by_name = (await owner.get("/api/v1/leads", q="ברק")).json()
    by_number = (await owner.get("/api/v1/leads", q="054-777-7777")).json()
    booked = (await owner.get("/api/v1/leads", status="booked")).json()

    assert [lead["id"] for lead in by_name["items"]] == [str(other)]
    assert by_name["total"] == 1
    assert [lead["id"] for lead in by_number["items"]] == [str(other)]
    assert [lead["id"] for lead in booked["items"]] == [str(seeded.a.lead_id)]


async def test_the_lead_page_has_timeline_calls_and_appointments(
    owner: Owner, seeded: Seeded
) -> None:
    response = await owner.get(f"/api/v1/leads/{seeded.a.lead_id}")

    assert response.status_code == 200
    lead = response.json()
    assert lead["phone_e164"] == "+972521111111"
    assert lead["status"] == "booked"
    assert [e["kind"] for e in lead["events"]] == ["call", "appointment_booked", "status_changed"]
    [call] = lead["calls"]
    assert call["id"] == str(seeded.a.call_id)
    assert call["outcome"] == "booked"
    assert call["summary"] == "המתקשר ביקש תור."
    [appointment] = lead["appointments"]
    assert appointment["id"] == str(seeded.a.appointment_id)


async def test_human_edits_are_not_overwritten_by_the_ai(
    api: Api, owner: Owner, seeded: Seeded
) -> None:
    url = f"/api/v1/leads/{seeded.a.lead_id}"

    edited = await owner.send(
        "PATCH",
        url,
        {"full_name": "דנה לוי", "email": "Dana@Example.com", "status": "customer", "notes": "VIP"},
    )

    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert (body["full_name"], body["email"], body["status"]) == (
        "דנה לוי",
        "Dana@Example.com",
        "customer",
    )
    assert set(body["human_edited_fields"]) == {"full_name", "email", "status", "notes"}
    # Later, during a call, the agent hears another name and a new note.
    async with api.runtime.db() as session:
        update = await leads.update_lead_details(
            session,
            owner.business_id,
            LeadId(seeded.a.lead_id),
            full_name="דנה כהן",
            email="other@example.com",
            notes="ביקשה תור נוסף",
            by="ai",
        )
        await leads.set_status(
            session, owner.business_id, LeadId(seeded.a.lead_id), "contacted", by="ai"
        )
        await session.commit()
    assert update is not None
    assert set(update.kept) == {"full_name", "email", "notes"}
    after = (await owner.get(url)).json()
    assert (after["full_name"], after["email"], after["status"], after["notes"]) == (
        "דנה לוי",
        "Dana@Example.com",
        "customer",
        "VIP",
    )
    kinds = [event["kind"] for event in after["events"]]
    assert "details_updated" in kinds


async def test_an_empty_value_clears_a_field(owner: Owner, seeded: Seeded) -> None:
    url = f"/api/v1/leads/{seeded.a.lead_id}"
    await owner.send("PATCH", url, {"notes": "להתקשר בערב"})

    cleared = await owner.send("PATCH", url, {"notes": ""})

    assert cleared.json()["notes"] is None


async def test_lead_edit_errors_name_the_field(owner: Owner, seeded: Seeded) -> None:
    url = f"/api/v1/leads/{seeded.a.lead_id}"

    assert fields_of(await owner.send("PATCH", url, {"email": "not-an-email"})) == ["email"]
    assert fields_of(await owner.send("PATCH", url, {"status": "vip"})) == ["status"]
    assert fields_of(await owner.send("PATCH", url, {"phone_e164": "+1"})) == ["phone_e164"]
    assert fields_of(await owner.send("PATCH", url, {"full_name": "א" * 201})) == ["full_name"]


async def test_unknown_leads_are_not_found(owner: Owner) -> None:
    guessed = f"/api/v1/leads/{uuid.uuid4()}"

    assert (await owner.get(guessed)).status_code == 404
    assert (await owner.send("PATCH", guessed, {"full_name": "x"})).status_code == 404
