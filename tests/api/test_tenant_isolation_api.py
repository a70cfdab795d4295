"""Tenant isolation through the API: the owner of business A, holding business B's ids (as if
guessed), can neither read nor change any of B's rows, and no list of A ever shows B's rows."""

from __future__ import annotations

import pytest
from api_testkit import Api, Owner, Seeded


def b_reads(seeded: Seeded) -> list[str]:
    return [
        f"/api/v1/appointments/{seeded.b.appointment_id}",
        f"/api/v1/leads/{seeded.b.lead_id}",
        f"/api/v1/calls/{seeded.b.call_id}",
    ]


async def test_reads_of_another_business_rows_are_not_found(owner: Owner, seeded: Seeded) -> None:
    for url in b_reads(seeded):
        response = await owner.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "not_found"}


async def test_writes_to_another_business_rows_are_not_found_and_change_nothing(
    owner: Owner, rival: Owner, seeded: Seeded
) -> None:
    appointment = f"/api/v1/appointments/{seeded.b.appointment_id}"
    lead = f"/api/v1/leads/{seeded.b.lead_id}"
    before = {url: (await rival.get(url)).json() for url in (appointment, lead)}

    attempts = [
        ("PATCH", appointment, {"date": "2026-03-03", "time": "12:00"}),
        ("POST", f"{appointment}/cancel", None),
        ("PATCH", lead, {"full_name": "פורץ", "status": "spam", "notes": "x"}),
        (
            "POST",
            "/api/v1/appointments",
            {
                "date": "2026-03-04",
                "time": "12:00",
                "customer_name": "פורץ",
                "lead_id": str(seeded.b.lead_id),
            },
        ),
    ]
    for method, url, body in attempts:
        response = await owner.send(method, url, body)
        assert response.status_code == 404, (method, url, response.text)

    for url, seen in before.items():
        assert (await rival.get(url)).json() == seen, url
    mine = (await owner.get("/api/v1/appointments", start="2026-03-01", end="2026-03-08")).json()
    assert str(seeded.b.appointment_id) not in {item["id"] for item in mine["items"]}


async def test_lists_never_show_another_business_rows(
    owner: Owner, rival: Owner, seeded: Seeded
) -> None:
    week = {"start": "2026-03-01", "end": "2026-03-08"}
    for who, mine, theirs in ((owner, seeded.a, seeded.b), (rival, seeded.b, seeded.a)):
        appointments = (await who.get("/api/v1/appointments", **week)).json()["items"]
        leads = (await who.get("/api/v1/leads")).json()
        calls = (await who.get("/api/v1/calls")).json()
        searched = (await who.get("/api/v1/leads", q="+9725")).json()

        assert [a["id"] for a in appointments] == [str(mine.appointment_id)]
        assert [lead["id"] for lead in leads["items"]] == [str(mine.lead_id)]
        assert leads["total"] == 1
        assert [call["id"] for call in calls["items"]] == [str(mine.call_id)]
        assert calls["total"] == 1
        assert str(theirs.lead_id) not in {lead["id"] for lead in searched["items"]}


async def test_settings_are_the_logged_in_business_only(owner: Owner, rival: Owner) -> None:
    assert (await owner.get("/api/v1/business")).json()["id"] == str(owner.business_id)

    await owner.send("PATCH", "/api/v1/business", {"name": "המרפאה של א"})
    rules = (await owner.get("/api/v1/business/booking")).json()
    rules["weekly_hours"]["mon"] = []
    await owner.send("PUT", "/api/v1/business/booking", rules)
    await owner.send("PUT", "/api/v1/business/barge-in", {"guard_ms": 900})

    theirs = (await rival.get("/api/v1/business")).json()
    assert theirs["id"] == str(rival.business_id)
    assert theirs["name"] != "המרפאה של א"
    assert (await rival.get("/api/v1/business/booking")).json()["weekly_hours"]["mon"] != []
    assert (await rival.get("/api/v1/business/barge-in")).json()["guard_ms"] == 0
    slots = (await rival.get("/api/v1/slots", date="2026-03-02")).json()
    assert slots["slots"]


async def test_a_business_slot_is_not_taken_by_another_business_booking(
    owner: Owner, rival: Owner, seeded: Seeded
) -> None:
    # B holds Monday 10:00 too (seeded); A's own booking of that time is its own business.
    response = await owner.send(
        "POST",
        "/api/v1/appointments",
        {"date": "2026-03-02", "time": "10:30", "customer_name": "דנה"},
    )
    assert response.status_code == 201
    their_slots = (await rival.get("/api/v1/slots", date="2026-03-02", time="10:30")).json()
    assert their_slots["requested_time_free"] is True


@pytest.mark.parametrize("field", ["business_id", "businessId"])
async def test_a_business_id_in_the_body_or_query_is_ignored_or_refused(
    api: Api, owner: Owner, rival: Owner, seeded: Seeded, field: str
) -> None:
    leads = (await owner.get("/api/v1/leads", **{field: str(rival.business_id)})).json()
    assert {lead["id"] for lead in leads["items"]} == {str(seeded.a.lead_id)}

    refused = await owner.send("PATCH", "/api/v1/business", {field: str(rival.business_id)})
    assert refused.status_code == 422
    assert (await rival.get("/api/v1/business")).json()["id"] == str(rival.business_id)


async def test_the_session_does_not_open_the_operator_endpoint(
    owner: Owner, seeded: Seeded
) -> None:
    # `POST /api/v1/businesses/{id}/leads/{id}/call` takes the operator's bearer token only.
    url = f"/api/v1/businesses/{owner.business_id}/leads/{seeded.a.lead_id}/call"
    response = await owner.send("POST", url)
    assert response.status_code in (401, 503)
