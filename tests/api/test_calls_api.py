"""The call log: pages, the direction filter, outcomes, and a call's full record."""

from __future__ import annotations

import uuid

from api_testkit import TRANSCRIPT, Api, Owner, Seeded, add_call, fields_of


async def test_calls_are_paged_newest_first(api: Api, owner: Owner) -> None:
    made = [(await add_call(api, owner.business_id, f"+97252400000{n}"))[0] for n in range(5)]

    first = (await owner.get("/api/v1/calls", page_size="2")).json()
    last = (await owner.get("/api/v1/calls", page="3", page_size="2")).json()

    assert first["total"] == 5
    assert [call["id"] for call in first["items"]] == [str(made[4]), str(made[3])]
    assert [call["id"] for call in last["items"]] == [str(made[0])]


async def test_direction_filter(api: Api, owner: Owner) -> None:
    await add_call(api, owner.business_id, "+972524000001")
    outbound, _lead = await add_call(api, owner.business_id, "+972524000002", direction="outbound")

    response = (await owner.get("/api/v1/calls", direction="outbound")).json()

    assert [call["id"] for call in response["items"]] == [str(outbound)]
    assert response["total"] == 1
    assert fields_of(await owner.get("/api/v1/calls", direction="sideways")) == ["direction"]


async def test_list_items_carry_the_outcome(api: Api, owner: Owner, seeded: Seeded) -> None:
    plain, _lead = await add_call(api, owner.business_id, "+972524000009")

    items = {c["id"]: c for c in (await owner.get("/api/v1/calls")).json()["items"]}

    booked = items[str(seeded.a.call_id)]
    assert booked["outcome"] == "booked"
    assert booked["direction"] == "inbound"
    assert booked["from_number"] == "+972521111111"
    assert booked["duration_secs"] == 40.0
    assert booked["lead_id"] == str(seeded.a.lead_id)
    assert items[str(plain)]["outcome"] == "completed"


async def test_a_call_has_transcript_summary_barge_ins_and_latency(
    owner: Owner, seeded: Seeded
) -> None:
    response = await owner.get(f"/api/v1/calls/{seeded.a.call_id}")

    assert response.status_code == 200
    call = response.json()
    assert call["transcript"] == TRANSCRIPT
    assert call["summary"] == "המתקשר ביקש תור."
    assert call["barge_ins"] == [{"at_ms": 1500, "items": [], "cancelled_response": None}]
    assert call["latency"] == {"replies": 1, "reply_p50_ms": 640.0}
    assert call["end_reason"] == "agent_ended"
    assert call["tool_calls"] == []


async def test_unknown_calls_are_not_found(owner: Owner) -> None:
    assert (await owner.get(f"/api/v1/calls/{uuid.uuid4()}")).status_code == 404
