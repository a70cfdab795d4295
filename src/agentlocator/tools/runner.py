"""Runs the model's tools for one call of one business, off the audio path.

Every tool is thin: parse the arguments strictly, call one service, shape a short answer the model
can speak from. Expected failures (a taken slot, a closed day, garbage arguments) are answers, not
exceptions. A retried tool call (same Realtime `call_id`) gets the same answer without running the
side effect twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agentlocator.db.engine import write_turn
from agentlocator.db.models import BusinessId, LeadId
from agentlocator.prompt.instructions import hebrew_weekday
from agentlocator.scheduling.rules import BookingRules
from agentlocator.scheduling.slots import Interval, check_slot, start_instant
from agentlocator.scheduling.wallclock import local_date
from agentlocator.services import appointments, leads
from agentlocator.tools.arguments import (
    ToolArgumentError,
    optional_text,
    parse_date,
    parse_object,
    parse_time,
    required_text,
)
from agentlocator.tools.availability import alternatives, availability

log = logging.getLogger(__name__)

REFUSAL_REASONS = {
    "past": "That time has already passed.",
    "beyond_window": "That date is too far ahead to book.",
    "closed": "The business is closed that day.",
    "outside_hours": "That time is outside opening hours.",
    "not_on_step": "Appointments start only at the times offered.",
    "too_soon": "That is too soon to book; a later time is needed.",
    "daily_cap": "That day is fully booked.",
}


@dataclass
class CallScope:
    """Everything the tools of one call may touch: one business, one call, one lead."""

    business_id: BusinessId
    call_sid: str
    rules: BookingRules | None
    db: async_sessionmaker[AsyncSession]
    now: Callable[[], datetime]
    lead_id: Callable[[], Awaitable[LeadId | None]]
    call_row_id: Callable[[], Awaitable[Any]]


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False)


class CallTools:
    """The `ToolRunner` of one call."""

    def __init__(self, scope: CallScope) -> None:
        self.scope = scope
        self._answers: dict[str, asyncio.Task[str]] = {}

    def start(self, call_id: str, name: str, arguments: str) -> asyncio.Task[str]:
        """Start a tool once per `call_id`; a retry gets the first run's task (and answer)."""
        task = self._answers.get(call_id)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._dispatch(call_id, name, arguments))
            self._answers[call_id] = task
            task.add_done_callback(partial(self._forget_if_cancelled, call_id))
        return task

    async def run(self, call_id: str, name: str, arguments: str) -> str:
        """`start`, then wait for the answer (the run goes on if this wait is cancelled)."""
        return await asyncio.shield(self.start(call_id, name, arguments))

    def _forget_if_cancelled(self, call_id: str, task: asyncio.Task[str]) -> None:
        # A run stopped before its end (a read that missed its deadline) answered nothing: a
        # retry of that call id runs afresh.
        if task.cancelled() and self._answers.get(call_id) is task:
            del self._answers[call_id]

    async def _dispatch(self, call_id: str, name: str, arguments: str) -> str:
        handlers = {
            "check_availability": self._check_availability,
            "schedule_appointment": self._schedule_appointment,
            "update_lead_details": self._update_lead_details,
        }
        handler = handlers.get(name)
        if handler is None:
            return _json({"status": "error", "reason": f"There is no tool named {name!r}."})
        try:
            return _json(await handler(call_id, parse_object(arguments)))
        except ToolArgumentError as refused:
            return _json(refused.as_result())

    def _rules(self) -> BookingRules:
        if self.scope.rules is None:
            raise ToolArgumentError("unavailable", "Booking is not available in this call.")
        return self.scope.rules

    async def _busy(self, rules: BookingRules, now: datetime) -> list[Interval]:
        start = now - timedelta(days=2)
        end = now + timedelta(days=rules.window_days + 3)
        async with self.scope.db() as session:
            spans = await appointments.appointment_spans(
                session, self.scope.business_id, start, end
            )
        return [Interval(a, b) for a, b in spans]

    async def _check_availability(self, _call_id: str, args: dict[str, Any]) -> dict[str, Any]:
        rules = self._rules()
        day = parse_date(args.get("date"))
        wanted = parse_time(args["time"]) if args.get("time") else None
        now = self.scope.now()
        return availability(rules, day, wanted, now, await self._busy(rules, now))

    async def _schedule_appointment(self, call_id: str, args: dict[str, Any]) -> dict[str, Any]:
        rules = self._rules()
        try:
            day, wanted = parse_date(args.get("date")), parse_time(args.get("time"))
        except ToolArgumentError as refused:
            # The booking tool answers in its own vocabulary: a date or time it cannot use is an
            # invalid time, with the reason to speak.
            return {"status": "invalid_time", "reason": refused.reason}
        customer_name = required_text(args.get("customer_name"), "customer_name")
        notes = optional_text(args.get("notes"), "notes")
        now = self.scope.now()
        start = start_instant(rules, day, wanted)
        if start is None:
            return {"status": "invalid_time", "reason": "That time does not exist that day."}
        # Busy time matters to the rules only for a daily cap ("taken" is the database's call):
        # without one, the booking goes straight to its transaction, one round trip fewer.
        busy = await self._busy(rules, now) if rules.daily_cap is not None else []
        verdict = check_slot(rules, start, now, busy)
        # "taken" is left to the database: it may be this very booking, retried (same tool call
        # id, or the same call asking for the same start again), which must answer "booked".
        if verdict.reason not in (None, "taken"):
            if rules.daily_cap is None:
                busy = await self._busy(rules, now)
            return {
                "status": "invalid_time",
                "reason": REFUSAL_REASONS.get(verdict.reason, verdict.reason),
                "alternatives": alternatives(rules, day, wanted, now, busy),
            }
        lead_id = await self.scope.lead_id()
        result = await appointments.book_appointment(
            self.scope.db,
            self.scope.business_id,
            starts_at=start,
            duration_minutes=rules.slot_minutes,
            buffer_minutes=rules.buffer_minutes,
            lead_id=lead_id,
            call_id=await self.scope.call_row_id(),
            customer_name=customer_name,
            notes=notes,
            idempotency_key=f"{self.scope.call_sid}:{call_id}",
            # The caller's name goes on the lead in the booking's own transaction.
            lead_full_name=customer_name if lead_id is not None else None,
        )
        if isinstance(result, appointments.SlotTaken):
            busy = await self._busy(rules, now)
            return {
                "status": "slot_taken",
                "alternatives": alternatives(rules, day, wanted, now, busy),
            }
        appointment = result.appointment
        local = appointment.starts_at.astimezone(rules.zone)
        return {
            "status": "booked",
            "appointment_id": str(appointment.id),
            "date": local.date().isoformat(),
            "time": f"{local:%H:%M}",
            "weekday": hebrew_weekday(local_date(appointment.starts_at, rules.zone)),
        }

    async def _update_lead_details(self, _call_id: str, args: dict[str, Any]) -> dict[str, Any]:
        full_name = optional_text(args.get("full_name"), "full_name", 200)
        email = optional_text(args.get("email"), "email", 200)
        notes = optional_text(args.get("notes"), "notes", 2000)
        if full_name is None and email is None and notes is None:
            raise ToolArgumentError(
                "missing_field", "Give at least one of full_name, email, notes."
            )
        lead_id = await self.scope.lead_id()
        if lead_id is None:
            return {"status": "no_lead", "reason": "The caller's number is unknown; ask for it."}
        sessions = self.scope.db
        async with write_turn(sessions.kw.get("bind")), sessions() as session:
            try:
                await leads.update_lead_details(
                    session, self.scope.business_id, lead_id,
                    full_name=full_name, email=email, notes=notes, by="ai",
                )  # fmt: skip
            except ValueError as invalid:
                raise ToolArgumentError("invalid_arguments", str(invalid)) from invalid
            await session.commit()
        return {"status": "ok"}
