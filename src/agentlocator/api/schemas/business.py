"""Business settings: profile, booking rules, holiday suggestions and the barge-in policy."""

from __future__ import annotations

import uuid
from datetime import date, time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from agentlocator.scheduling.rules import BookingRules

Weekday = Literal["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
HoursRange = tuple[str, str]
"""`["09:00", "13:00"]`: local wall-clock opening and closing ("24:00" ends the day)."""


class BusinessPublic(BaseModel):
    id: uuid.UUID
    name: str
    phone: str
    timezone: str
    call_goal: Literal["booking", "lead"]
    greeting: str
    business_type: str
    services: str
    voice: str


class BusinessUpdate(BaseModel):
    """`PATCH /business`: only the fields given change; each is validated as at creation."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    phone: str | None = Field(default=None, min_length=1, max_length=40)
    timezone: str | None = Field(default=None, min_length=1, max_length=64)
    call_goal: Literal["booking", "lead"] | None = None
    greeting: str | None = Field(default=None, min_length=1, max_length=2000)
    business_type: str | None = Field(default=None, max_length=64)
    services: str | None = Field(default=None, max_length=4000)
    voice: str | None = Field(default=None, min_length=1, max_length=32)


class BookingRulesPublic(BaseModel):
    """The booking rules document, in the JSON form `BookingRules` reads and writes.

    The business's own time zone applies; it is not part of this document.
    """

    model_config = ConfigDict(extra="forbid")

    weekly_hours: dict[Weekday, list[HoursRange]]
    overrides: dict[date, list[HoursRange]] = Field(default_factory=dict)
    slot_minutes: Literal[30, 45, 60] = 30
    step_minutes: int | None = Field(default=None, ge=5, le=1440)
    min_notice_minutes: int = Field(default=60, ge=0, le=60 * 24 * 365)
    window_days: int = Field(default=30, ge=0, le=3660)
    buffer_minutes: int = Field(default=0, ge=0, le=1440)
    daily_cap: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _rules_hold(self) -> BookingRulesPublic:
        # The agent's own validator decides (overlaps, times of day, "24:00" only as an end);
        # its messages start with the path of the offending entry, which the error handler
        # turns into the error's `field`.
        try:
            BookingRules.model_validate(self.document())
        except ValidationError as refused:
            first = refused.errors()[0]
            message = str(first["msg"]).removeprefix("Value error, ")
            where = ".".join(str(part) for part in first["loc"])
            if where and not message.startswith(where):
                message = f"{where}: {message}"
            raise ValueError(message) from None
        return self

    def document(self) -> dict[str, Any]:
        """The stored JSON form (what `BookingRules.model_validate` reads)."""
        return self.model_dump(mode="json")


BookingRulesUpdate = BookingRulesPublic


class HolidayPublic(BaseModel):
    date: date
    name_he: str
    name_en: str
    suggested: Literal["closed", "short_day"]
    is_accepted: bool
    """True when the booking rules already hold an override for this date."""


class HolidaysPublic(BaseModel):
    items: list[HolidayPublic]


class HolidayAccept(BaseModel):
    """`POST /business/holidays/accept`: turn one suggestion into an override of its date."""

    date: date
    short_day_close: time = time(13, 0)
    """Where a `short_day` suggestion ends the day."""


class BargeInPublic(BaseModel):
    """How callers may interrupt the agent (see `call/barge_in.py`)."""

    model_config = ConfigDict(extra="forbid")

    min_speech_ms: int = Field(default=300, ge=100, le=2000)
    guard_ms: int = Field(default=0, ge=0, le=3000)
    cooldown_ms: int = Field(default=800, ge=0, le=5000)
    is_greeting_interruptible: bool = True
    echo_window_ms: int = Field(default=350, ge=0, le=1000)
    sensitivity: float = Field(default=0.5, ge=0.0, le=1.0)


BargeInUpdate = BargeInPublic
