"""CRM bodies: leads, their timeline, and a person's edits."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

LeadStatusName = Literal["new", "contacted", "booked", "customer", "lost", "spam"]


class LeadPublic(BaseModel):
    id: uuid.UUID
    phone_e164: str | None
    full_name: str | None
    email: str | None
    notes: str | None
    status: LeadStatusName
    human_edited_fields: list[str]
    """Fields a person set; the AI leaves them alone from then on."""
    last_contact_at: datetime | None
    created_at: datetime
    updated_at: datetime


class LeadsPublic(BaseModel):
    items: list[LeadPublic]
    total: int
    page: int
    page_size: int


class LeadEventPublic(BaseModel):
    id: int
    kind: str
    data: dict[str, Any]
    at: datetime


class LeadCallPublic(BaseModel):
    """A call on the lead's page (the full record is `GET /calls/{id}`)."""

    id: uuid.UUID
    direction: str
    started_at: datetime | None
    duration_secs: float | None
    outcome: str
    summary: str | None


class LeadAppointmentPublic(BaseModel):
    id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    status: str
    notes: str | None


class LeadDetail(LeadPublic):
    events: list[LeadEventPublic]
    calls: list[LeadCallPublic]
    appointments: list[LeadAppointmentPublic]


class LeadUpdate(BaseModel):
    """`PATCH /leads/{id}`: a person's edit. Empty text clears a field; absent leaves it."""

    model_config = ConfigDict(extra="forbid")

    full_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    status: LeadStatusName | None = None
    notes: str | None = Field(default=None, max_length=4000)
