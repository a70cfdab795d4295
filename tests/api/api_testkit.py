"""Helpers for the dashboard API tests: the app harness, logged-in owners and seeded rows."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI

from agentlocator.api.deps import current_time
from agentlocator.db.models import AppointmentId, BusinessId, CallDirection, CallId, LeadId, User
from agentlocator.runtime import Runtime
from agentlocator.services import appointments, call_log, leads
from agentlocator.services.businesses import BusinessCreate, create_business
from agentlocator.services.users import hash_password

ZONE = ZoneInfo("Asia/Jerusalem")
NOW = datetime(2026, 3, 1, 7, 0, tzinfo=ZONE).astimezone(UTC)
"""Sunday 1 March 2026, 07:00 in Jerusalem: before opening, the whole week ahead."""
MONDAY = date(2026, 3, 2)
PASSWORD = "correct horse battery"
BOOKING = {
    "slot_minutes": 30,
    "min_notice_minutes": 60,
    "window_days": 30,
    "weekly_hours": {
        "sun": [["09:00", "17:00"]],
        "mon": [["09:00", "17:00"]],
        "tue": [["09:00", "17:00"]],
        "wed": [["09:00", "17:00"]],
        "thu": [["09:00", "17:00"]],
        "fri": [["09:00", "13:00"]],
        "sat": [],
    },
}
TRANSCRIPT = [
    {"role": "agent", "text": "שלום, במה אפשר לעזור?", "at_ms": 0},
    {"role": "caller", "text": "אני רוצה לקבוע תור ליום שני.", "at_ms": 2100},
]

_call_numbers = itertools.count(1)
_password_hashes: dict[str, str] = {}


async def password_hash(password: str) -> str:
    """argon2 takes a fifth of a second by design; tests hash each password once."""
    if password not in _password_hashes:
        _password_hashes[password] = await hash_password(password)
    return _password_hashes[password]


def local(day: date, hh_mm: str) -> datetime:
    """The UTC instant of a Jerusalem wall-clock time."""
    return datetime.combine(day, time.fromisoformat(hh_mm), tzinfo=ZONE).astimezone(UTC)


@dataclass
class Api:
    """The app under test and its fixed clock (`api.now = ...` moves it)."""

    app: FastAPI
    now: datetime
    clients: list[httpx.AsyncClient] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.app.dependency_overrides[current_time] = lambda: self.now

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.app.state.runtime
        return runtime

    def client(self) -> httpx.AsyncClient:
        """A fresh client with its own cookie jar, as a separate browser would be."""
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://testserver"
        )
        self.clients.append(client)
        return client

    async def close_clients(self) -> None:
        for client in self.clients:
            await client.aclose()


@dataclass(frozen=True)
class Credentials:
    business_id: BusinessId
    email: str
    password: str


@dataclass
class Owner:
    """A logged-in browser: its client (holding the cookie) and the CSRF token to send back."""

    client: httpx.AsyncClient
    csrf: str
    business_id: BusinessId
    email: str

    async def get(self, url: str, **params: Any) -> httpx.Response:
        return await self.client.get(url, params=params or None)

    async def send(self, method: str, url: str, body: Any = None) -> httpx.Response:
        """A change, with the CSRF header as the dashboard sends it."""
        return await self.client.request(
            method, url, json=body, headers={"X-CSRF-Token": self.csrf}
        )


@dataclass(frozen=True)
class BusinessRows:
    """One business's seeded rows: a finished call by a lead, who booked Monday 10:00 in it."""

    call_id: CallId
    lead_id: LeadId
    appointment_id: AppointmentId


@dataclass(frozen=True)
class Seeded:
    a: BusinessRows
    b: BusinessRows


async def create_owner(api: Api, *, phone: str, email: str) -> Credentials:
    async with api.runtime.db() as session:
        business = await create_business(
            session,
            BusinessCreate(
                name=f"מרפאה {phone[-3:]}",
                phone=phone,
                call_goal="booking",
                greeting="שלום, במה אפשר לעזור?",
                booking=BOOKING,
            ),
        )
        # `create_user` itself is covered by the CLI tests; here the hash is reused.
        session.add(
            User(business_id=business.id, email=email, password_hash=await password_hash(PASSWORD))
        )
        await session.commit()
        return Credentials(BusinessId(business.id), email, PASSWORD)


async def login_client(api: Api, credentials: Credentials) -> Owner:
    client = api.client()
    response = await client.post(
        "/api/v1/auth/login", json={"email": credentials.email, "password": credentials.password}
    )
    assert response.status_code == 200, response.text
    return Owner(client, response.json()["csrf_token"], credentials.business_id, credentials.email)


async def add_call(
    api: Api,
    business_id: BusinessId,
    caller: str,
    *,
    direction: CallDirection = "inbound",
    summary: str | None = "המתקשר ביקש תור.",
) -> tuple[CallId, LeadId | None]:
    """A finished call with a transcript, linked to the caller's lead."""
    call_sid = f"CA{next(_call_numbers):032d}"
    async with api.runtime.write_session() as session:
        call = await call_log.open_call(
            session,
            business_id=business_id,
            call_sid=call_sid,
            direction=direction,
            from_number=caller,
            to_number="+97235550000",
        )
        await call_log.mark_stream_started(session, call_sid, "MZ" + call_sid[2:], NOW)
        lead = await leads.upsert_lead_for_call(session, business_id, caller, call_id=call.id)
        if lead is not None:
            await call_log.link_lead(session, business_id, CallId(call.id), LeadId(lead.id))
        await call_log.finalise_call(
            session,
            call_sid,
            ended_at=NOW + timedelta(seconds=40),
            end_reason=call_log.EndReason.AGENT_ENDED,
            duration_secs=40.0,
            transcript=TRANSCRIPT,
            tool_calls=[],
            barge_ins=[{"at_ms": 1500, "items": [], "cancelled_response": None}],
            latency={"replies": 1, "reply_p50_ms": 640.0},
        )
        if summary is not None:
            await call_log.store_summary(session, business_id, CallId(call.id), summary)
        await session.commit()
        return CallId(call.id), None if lead is None else LeadId(lead.id)


async def seed_business_rows(api: Api, business_id: BusinessId, caller: str) -> BusinessRows:
    call_id, lead_id = await add_call(api, business_id, caller)
    assert lead_id is not None
    booked = await appointments.book_appointment(
        api.runtime.db,
        business_id,
        starts_at=local(MONDAY, "10:00"),
        duration_minutes=30,
        lead_id=lead_id,
        call_id=call_id,
        customer_name="דנה כהן",
    )
    assert isinstance(booked, appointments.Booked)
    return BusinessRows(call_id, lead_id, AppointmentId(booked.appointment.id))


def fields_of(response: httpx.Response) -> list[str]:
    """The `field` of every validation error in a 422 answer."""
    assert response.status_code == 422, response.text
    return [error["field"] for error in response.json()["detail"]]
