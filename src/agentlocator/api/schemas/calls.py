"""Call log bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

CallDirectionName = Literal["inbound", "outbound", "browser"]
CallOutcomeName = Literal["booked", "in_progress", "failed", "completed"]


class CallPublic(BaseModel):
    id: uuid.UUID
    direction: CallDirectionName
    from_number: str
    to_number: str
    started_at: datetime | None
    duration_secs: float | None
    outcome: CallOutcomeName
    lead_id: uuid.UUID | None


class CallsPublic(BaseModel):
    items: list[CallPublic]
    total: int
    page: int
    page_size: int


class CallDetail(CallPublic):
    transcript: list[dict[str, Any]]
    """`[{"role": "caller" | "agent", "text", "at_ms", ...}]`."""
    summary: str | None
    barge_ins: list[dict[str, Any]]
    latency: dict[str, Any]
    tool_calls: list[dict[str, Any]]
    end_reason: str | None
    ended_at: datetime | None
