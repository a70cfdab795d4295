"""Calendar bodies. Times go out both as UTC instants and as the business's local date and time."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agentlocator.api.schemas.leads import LeadPublic


class AppointmentPublic(BaseModel):
    id: uuid.UUID
    starts_at: datetime
    ends_at: datetime
    local_date: date
    local_time: str
    """`HH:MM` in the business's time zone."""
    status: Literal["booked", "cancelled"]
    customer_name: str | None
    notes: str | None
    lead_id: uuid.UUID | None
    call_id: uuid.UUID | None


class AppointmentDetail(AppointmentPublic):
    """One appointment with what the drawer shows: its lead and the booking call's record."""

    lead: LeadPublic | None
    transcript: list[dict[str, Any]] | None
    summary: str | None


class AppointmentsPublic(BaseModel):
    items: list[AppointmentPublic]


class AppointmentCreate(BaseModel):
    """`POST /appointments`: a local date and time, as a caller would ask for them."""

    model_config = ConfigDict(extra="forbid")

    date: date
    time: time
    customer_name: str = Field(min_length=1, max_length=200)
    notes: str | None = Field(default=None, max_length=2000)
    lead_id: uuid.UUID | None = None


class AppointmentUpdate(BaseModel):
    """`PATCH /appointments/{id}`: move it to another local date and time."""

    model_config = ConfigDict(extra="forbid")

    date: date
    time: time


class AppointmentCancel(BaseModel):
    """`POST /appointments/{id}/cancel` (the body is optional)."""

    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=500)
