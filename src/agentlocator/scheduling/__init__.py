"""The booking slot engine: pure functions from booking rules, a date, `now` and busy time to slots.

No database, no I/O and no clock: the booking layer reads appointments, passes them in as busy
intervals, and asks `check_slot` again (with the same rules) right before it inserts; the database
constraint stays the real guard against two calls booking one slot.

- `rules`: `BookingRules`, the validated, immutable settings (local hours, overrides, slot length,
  step, notice, window, buffer, daily cap) in the business's IANA zone.
- `slots`: `free_slots`, `check_slot`, `start_instant`, `nearest_slots`, `next_open_dates`.
- `wallclock`: local wall-clock ↔ UTC conversions that respect daylight-saving gaps and folds.
- `holidays_il`: Israeli holidays offered as override suggestions, applied only on `accept`.
"""

from agentlocator.scheduling.rules import BookingRules, TimeRange, weekday_number
from agentlocator.scheduling.slots import (
    Interval,
    Reason,
    Slot,
    SlotVerdict,
    check_slot,
    free_slots,
    nearest_slots,
    next_open_dates,
    start_instant,
)

__all__ = [
    "BookingRules",
    "Interval",
    "Reason",
    "Slot",
    "SlotVerdict",
    "TimeRange",
    "check_slot",
    "free_slots",
    "nearest_slots",
    "next_open_dates",
    "start_instant",
    "weekday_number",
]
