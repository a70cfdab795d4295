"""`GET /slots`: the agent's `check_availability` answer, passed through unchanged."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class SlotsPublic(BaseModel):
    """Keys as the tool answers them; absent ones are left out of the JSON.

    `status` (`past`, `beyond_window`, `closed`, `unavailable`) is set when nothing can be booked
    that day; otherwise `slots` holds up to three `HH:MM` starts, spread over the day or nearest
    the asked `time` (with `requested_time_free`).
    """

    model_config = ConfigDict(extra="allow")

    date: str | None = None
    status: str | None = None
    weekday: str | None = None
    slots: list[str] | None = None
    requested_time_free: bool | None = None
    next_open_dates: list[str] | None = None
    reason: str | None = None
