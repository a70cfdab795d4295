"""What a booking or a move can come to (`services.appointments` returns and re-exports them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from agentlocator.db.models import Appointment


@dataclass(frozen=True)
class Booked:
    """The slot was free and is now this appointment (committed)."""

    appointment: Appointment


@dataclass(frozen=True)
class AlreadyBooked:
    """A retry: this idempotency key, or this call at this start, booked `appointment` before."""

    appointment: Appointment


@dataclass(frozen=True)
class SlotTaken:
    """Another booked appointment overlaps the requested time (buffers included)."""

    starts_at: datetime


@dataclass(frozen=True)
class Moved:
    """The appointment now has its new time (committed)."""

    appointment: Appointment


BookingResult = Booked | AlreadyBooked | SlotTaken
MoveResult = Moved | SlotTaken
