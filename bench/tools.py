"""Tool latency benchmark: `check_availability` and `schedule_appointment` as the model sees them.

N concurrent booking calls (default 50) run through `LocalStack` (our real server under uvicorn,
the fake OpenAI Realtime server and the fake Twilio REST API, all in this process and one event
loop), on SQLite (a temporary file) and on PostgreSQL (a fresh database, dropped afterwards).
Each call comes from its own number (a lead per caller). Its scripted model says a short filler
and calls `check_availability` for a date and time, answers, hears a name, says a filler and
calls `schedule_appointment`, then says goodbye and hangs up (`end_call`). Most calls ask for
slots of their own (the clinic is open every day 08:00-20:00, 30-minute slots), so most
bookings succeed and exercise the write path; a group (`--same-slot`, default 10) asks for one
shared slot: exactly one of them must get `booked`, the others `slot_taken`.

What is measured, in this process only (nothing in src/ changes):

- **tool latency as the model experiences it**: `FakeRealtimeEngine.emit` and
  `FakeRealtimeEngine.receive_client_frame` are wrapped to stamp, with `time.perf_counter()`,
  the `response.function_call_arguments.done` the fake model emits and the matching
  `conversation.item.create{function_call_output}` it receives (same `call_id`). The bridge
  runs a tool only once the response's `response.done` has arrived, and the fake model pauses
  20-120 ms between its last output and `response.done` (`response_done_delay_ms`), so the same
  latency is also given from `response.done` (delivery to the bridge, the tool, the output's
  way back) and for the tool alone (`CallTools.run`, wrapped);
- **audio forwarding**: `latency.bridge_p99_ms` of every call row (median and max of the per-call
  p99s), plus every Realtime delta -> Twilio frame latency of every call (`CallSession.run` is
  wrapped to keep `CallOutcome.bridge_latencies_ms`, each value stamped when it was written),
  split into frames written while some tool of some call was running and the others;
- **the answers**: booked / slot_taken / error per tool, against what is expected and against
  the appointments the database actually gained;
- **context**: call set-up (webhook -> greeting heard) and voice webhook times, this process's
  CPU, PostgreSQL's and other processes' CPU (/proc), event-loop lag (everything shares the
  loop), full garbage collections, the server's database pool peak, and the server's own
  warnings and errors.

Phases, per backend, against one stack and one database: a warm-up call (not reported), a
baseline of single calls one after the other (`--baseline-calls`, default 3: the "1 call"
column), a control run of N calls whose script calls no database tool (same turns, same audio),
and the N-call run with tools, ramped in over `--ramp` seconds (voice webhooks concurrent, as
Twilio sends them). Tool figures are given with their ratio to the 1-call baseline. Audio is
compared with the no-tools control (same load, only the tools differ: the headline ratio) and,
beside it, with the 1-call baseline. Figures only: nothing passes or fails on timing; warnings
at the end say what the figures alone do not (a saturated loop, other processes, answers that
do not add up). Exit code 1 only when the run itself broke (a call could not be set up, a call
record was never finalised).

    .venv/bin/python bench/tools.py                    # both backends, 50 calls (~2.5 minutes)
    .venv/bin/python bench/tools.py --backend sqlite --calls 20
    .venv/bin/python bench/tools.py --json             # one JSON object on stdout
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import gc
import json
import logging
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from agentlocator.audio.mulaw import BYTES_PER_MS
from agentlocator.call.session import CallOutcome, CallSession
from agentlocator.db.engine import create_engine, session_factory
from agentlocator.db.models import Appointment, Call
from agentlocator.simulator.local_stack import AUTH_TOKEN, BUSINESS_PHONE, LocalStack
from agentlocator.simulator.realtime_config import FakeRealtimeConfig
from agentlocator.simulator.realtime_engine import FakeRealtimeEngine
from agentlocator.simulator.realtime_script import RealtimeScript, ScriptStep, ToolCallStep
from agentlocator.simulator.scenario_kit import DialledCall, ScenarioFailed, wait_until
from agentlocator.simulator.twilio_caller import SimulatedCall
from agentlocator.simulator.twilio_network import place_inbound_call, simulated_call_for
from agentlocator.tools.runner import CallTools

TOOLS = ("check_availability", "schedule_appointment")
DEFAULT_POSTGRES_SERVER = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
POSTGRES_ENV = "AGENTLOCATOR_TEST_POSTGRES_URL"
ZONE = ZoneInfo("Asia/Jerusalem")
CUSTOMER = "דנה כהן"
GREETING = "שלום, מרפאת בדיקה."
WINDOW_DAYS = 30
#: The clinic is open every day 08:00-20:00 in 30-minute slots, bookable 30 days ahead.
BOOKING_RULES = {
    "slot_minutes": 30,
    "min_notice_minutes": 60,
    "window_days": WINDOW_DAYS,
    "weekly_hours": {
        day: [["08:00", "20:00"]] for day in ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
    },
}
SLOTS_PER_DAY = 24
#: The warm-up and baseline calls book on these days, far from the N-call run's slots.
QUIET_DAYS_FROM = 20
#: How long the caller speaks each turn.
SPEECH_MS = 700
#: The fake model's first audio after 100-400 ms (its default is 200-800 ms): shorter calls.
FIRST_DELTA_MS = (100.0, 400.0)
TURN_TIMEOUT_SECS = 60.0
SETUP_TIMEOUT_SECS = 30.0
WEBHOOK_ATTEMPTS = 20
RECORD_TIMEOUT_SECS = 30.0
#: How often a simulated caller looks at its call.
POLL_SECS = 0.05
LOOP_LAG_INTERVAL_SECS = 0.01
POOL_SAMPLE_SECS = 0.01
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
#: Above this share of one core, this process's event loop is saturated: say so.
SATURATED_CPU = 0.85
_SAFE_DATABASE_NAME = re.compile(r"^[a-z0-9_]+$")


class RunBroke(Exception):
    """The run itself failed (not a figure): the bench exits with code 1."""


# -- what the instruments record ------------------------------------------------------------------


class StampedLatencies(list[float]):
    """`CallSession._latencies_ms` that also keeps when each value was appended (written)."""

    def __init__(self) -> None:
        super().__init__()
        self.written_at: list[float] = []

    def append(self, value: float, /) -> None:
        super().append(value)
        self.written_at.append(time.perf_counter())


@dataclass
class Probe:
    """Everything the instruments saw during one phase, on `time.perf_counter()`."""

    arguments_done: dict[str, float] = field(default_factory=dict)
    """call_id -> when the fake model emitted `response.function_call_arguments.done`."""
    tool_of: dict[str, str] = field(default_factory=dict)
    response_of: dict[str, str] = field(default_factory=dict)
    response_done: dict[str, float] = field(default_factory=dict)
    """response_id -> when the fake model emitted `response.done`."""
    output_received: dict[str, float] = field(default_factory=dict)
    """call_id -> when the fake model received the `function_call_output` item."""
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    tool_runs: dict[str, tuple[float, float]] = field(default_factory=dict)
    """call_id -> (start, end) of `CallTools.run` inside the bridge."""
    audio: dict[str, StampedLatencies] = field(default_factory=dict)
    """call_sid -> every delta-in -> frame-out latency of that call, stamped."""
    loop_lags_ms: list[float] = field(default_factory=list)
    pool_checked_out_max: int = 0
    setup_ms: list[float] = field(default_factory=list)
    """Per call: voice webhook sent -> the caller hears the greeting (50 ms of it)."""
    webhook_ms: list[float] = field(default_factory=list)
    """How long each successful voice webhook took, as the caller's side saw it."""
    gc_pauses_ms: list[tuple[int, float]] = field(default_factory=list)
    """(generation, pause) of every garbage collection during the phase."""
    warnings: collections.Counter[str] = field(default_factory=collections.Counter)


class Instruments:
    """Wraps the fake model and the bridge, in this process only; `probe` is the current phase."""

    def __init__(self) -> None:
        self.probe = Probe()
        self._undo: list[Callable[[], None]] = []

    def new_phase(self) -> Probe:
        self.probe = Probe()
        return self.probe

    @contextlib.contextmanager
    def installed(self) -> Iterator[Instruments]:
        self._install()
        handler = _WarningCounter(self)
        root = logging.getLogger()
        root.addHandler(handler)
        try:
            yield self
        finally:
            root.removeHandler(handler)
            for undo in reversed(self._undo):
                undo()
            self._undo.clear()

    def _patch(self, owner: type, name: str, replacement: object) -> None:
        original = owner.__dict__[name]
        setattr(owner, name, replacement)
        self._undo.append(lambda: setattr(owner, name, original))

    def _install(self) -> None:
        instruments = self
        emit = FakeRealtimeEngine.emit
        receive = FakeRealtimeEngine.receive_client_frame
        run_tool = CallTools.run
        run_call = CallSession.run

        def stamped_emit(engine: FakeRealtimeEngine, event: dict[str, Any]) -> None:
            emit(engine, event)
            kind = event.get("type")
            if kind == "response.function_call_arguments.done":
                probe = instruments.probe
                call_id = str(event["call_id"])
                probe.arguments_done[call_id] = time.perf_counter()
                probe.tool_of[call_id] = str(event["name"])
                probe.response_of[call_id] = str(event["response_id"])
            elif kind == "response.done":
                instruments.probe.response_done[str(event["response"]["id"])] = time.perf_counter()

        async def stamped_receive(engine: FakeRealtimeEngine, frame: str | bytes) -> None:
            at = time.perf_counter()
            if isinstance(frame, str) and "function_call_output" in frame:
                instruments._note_output(frame, at)
            await receive(engine, frame)

        async def timed_tool(tools: CallTools, call_id: str, name: str, arguments: str) -> str:
            started = time.perf_counter()
            try:
                return await run_tool(tools, call_id, name, arguments)
            finally:
                instruments.probe.tool_runs.setdefault(call_id, (started, time.perf_counter()))

        async def stamped_call(session: CallSession) -> CallOutcome:
            samples = StampedLatencies()
            session._latencies_ms = samples
            instruments.probe.audio[session.call_sid] = samples
            return await run_call(session)

        self._patch(FakeRealtimeEngine, "emit", stamped_emit)
        self._patch(FakeRealtimeEngine, "receive_client_frame", stamped_receive)
        self._patch(CallTools, "run", timed_tool)
        self._patch(CallSession, "run", stamped_call)

    def _note_output(self, frame: str, at: float) -> None:
        try:
            event = json.loads(frame)
        except ValueError:
            return
        if not isinstance(event, dict) or event.get("type") != "conversation.item.create":
            return
        item = event.get("item")
        if not isinstance(item, dict):
            return
        if item.get("type") != "function_call_output":
            return
        call_id = str(item.get("call_id"))
        self.probe.output_received.setdefault(call_id, at)
        try:
            output = json.loads(item.get("output") or "{}")
        except ValueError:
            output = {"status": "unparseable"}
        self.probe.outputs[call_id] = output if isinstance(output, dict) else {}


class _WarningCounter(logging.Handler):
    """Counts the server's warnings and errors by message (`call.lead_upsert_failed`, ...)."""

    def __init__(self, instruments: Instruments) -> None:
        super().__init__(logging.WARNING)
        self._instruments = instruments

    def emit(self, record: logging.LogRecord) -> None:
        line = f"{record.levelname} {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            detail = (str(error).splitlines() or [""])[0][:160]
            line += f" ({type(error).__name__}: {detail})"
        self._instruments.probe.warnings[line] += 1


def postgres_cpu_secs() -> float:
    """CPU seconds used so far by the processes named `postgres` on this machine (if visible)."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                head, _, tail = stat.read().rpartition(")")
        except OSError:
            continue
        if head.endswith("(postgres"):
            # utime + stime, and cutime + cstime: the postmaster's reaped backends count too.
            fields = tail.split()
            total += sum(int(value) for value in fields[11:15])
    return total / CLOCK_TICKS


def machine_busy_secs() -> float:
    """CPU seconds every core has spent neither idle nor waiting for I/O (/proc/stat)."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(v) for v in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return 0.0
    return (sum(fields) - fields[3] - fields[4]) / CLOCK_TICKS


@contextlib.asynccontextmanager
async def watching(probe: Probe, engine: AsyncEngine) -> AsyncIterator[None]:
    """Loop lag (a 10 ms sleep's overshoot), garbage-collector pauses, and the server pool's peak
    checked-out connections."""

    async def lag() -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(LOOP_LAG_INTERVAL_SECS)
            overshoot = time.perf_counter() - before - LOOP_LAG_INTERVAL_SECS
            probe.loop_lags_ms.append(overshoot * 1000)

    async def pool() -> None:
        while True:
            checked_out = getattr(engine.pool, "checkedout", None)
            if checked_out is not None:
                probe.pool_checked_out_max = max(probe.pool_checked_out_max, checked_out())
            await asyncio.sleep(POOL_SAMPLE_SECS)

    gc_started = [0.0]

    def on_gc(stage: str, info: dict[str, int]) -> None:
        if stage == "start":
            gc_started[0] = time.perf_counter()
        else:
            pause = (time.perf_counter() - gc_started[0]) * 1000
            probe.gc_pauses_ms.append((info["generation"], pause))

    tasks = [asyncio.create_task(lag()), asyncio.create_task(pool())]
    gc.callbacks.append(on_gc)
    try:
        yield
    finally:
        gc.callbacks.remove(on_gc)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


# -- the calls -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallPlan:
    caller: str
    day: str
    at: str
    shared_slot: bool = False


def slot_list(first_day_offset: int, count: int) -> list[tuple[str, str]]:
    """`count` bookable (date, HH:MM) slots from `first_day_offset` days ahead, in order."""
    today = datetime.now(UTC).astimezone(ZONE).date()
    slots: list[tuple[str, str]] = []
    offset = first_day_offset
    while len(slots) < count:
        if offset >= WINDOW_DAYS:
            raise ValueError(f"more than the booking window's slots asked for ({count})")
        day: date = today + timedelta(days=offset)
        for index in range(SLOTS_PER_DAY):
            minutes = 8 * 60 + 30 * index
            slots.append((day.isoformat(), f"{minutes // 60:02d}:{minutes % 60:02d}"))
        offset += 1
    return slots[:count]


def caller_number(serial: int) -> str:
    """A distinct Israeli mobile number per call: a lead per caller, as in real traffic."""
    return f"+97250{3_000_000 + serial:07d}"


def tool_script(plan: CallPlan) -> list[ScriptStep]:
    """Filler + availability, answer, filler + booking, goodbye + hang-up: 5 audio items."""
    return [
        ScriptStep(
            caller_transcript=f"אפשר תור ב-{plan.day} ב-{plan.at}?",
            say="רק רגע, בודקת.",
            call=ToolCallStep("check_availability", {"date": plan.day, "time": plan.at}),
        ),
        ScriptStep(say="פנוי. על איזה שם?"),
        ScriptStep(
            caller_transcript=CUSTOMER,
            say="רושמת.",
            call=ToolCallStep(
                "schedule_appointment",
                {"date": plan.day, "time": plan.at, "customer_name": CUSTOMER},
            ),
        ),
        ScriptStep(say="תודה, להתראות!", call=ToolCallStep("end_call", {})),
    ]


def no_tool_script(plan: CallPlan) -> list[ScriptStep]:
    """The same turns and words, with no database tool: 3 audio items."""
    return [
        ScriptStep(
            caller_transcript=f"אפשר תור ב-{plan.day} ב-{plan.at}?",
            say="רק רגע, בודקת. פנוי. על איזה שם?",
        ),
        ScriptStep(
            caller_transcript=CUSTOMER,
            say="רושמת. תודה, להתראות!",
            call=ToolCallStep("end_call", {}),
        ),
    ]


@dataclass
class CallResult:
    call_sid: str
    completed: bool = False
    problem: str = ""
    row: dict[str, Any] = field(default_factory=dict)


class Dialler:
    """Places calls concurrently and finds each call's fake Realtime session.

    Voice webhooks go concurrently, as Twilio sends them (or one at a time with
    `--serial-webhooks`); a failed one is counted and retried.
    The fake model takes the next script from `scripts` when the bridge connects, so each
    session's script is known; the caller finds its session by the greeting it hears (every
    item's synthetic audio is unique), as `bridge_load.py` does.
    """

    def __init__(
        self, stack: LocalStack, instruments: Instruments, *, serial_webhooks: bool
    ) -> None:
        self.stack = stack
        self.instruments = instruments
        self.serial_webhooks = serial_webhooks
        self.scripts: collections.deque[list[ScriptStep]] = collections.deque()
        self.webhook_lock = asyncio.Lock()
        self.webhook_failures: collections.Counter[str] = collections.Counter()
        self._claimed: set[int] = set()

    def new_phase(self) -> None:
        """Forget the sessions of earlier calls (all ended by now)."""
        self.stack.realtime.sessions.clear()
        self._claimed.clear()

    def next_script(self) -> RealtimeScript:
        """The `script_factory` of the fake Realtime server."""
        return RealtimeScript(steps=self.scripts.popleft())

    async def dial(self, caller: str, seed: int) -> DialledCall:
        stack = self.stack
        dialled = time.perf_counter()
        async with self.webhook_lock if self.serial_webhooks else contextlib.nullcontext():
            problem = ""
            for _attempt in range(WEBHOOK_ATTEMPTS):
                posted = time.perf_counter()
                try:
                    placed = await place_inbound_call(
                        stack.http,
                        stack.base_url,
                        from_=caller,
                        to=BUSINESS_PHONE,
                        auth_token=AUTH_TOKEN,
                    )
                except httpx.TransportError as error:  # the client's 10 s timeout, mostly
                    problem = type(error).__name__
                else:
                    if placed.http_status == 200 and placed.twiml.stream is not None:
                        took_ms = (time.perf_counter() - posted) * 1000
                        self.instruments.probe.webhook_ms.append(took_ms)
                        break
                    problem = f"HTTP {placed.http_status}"
                # Twilio would not retry: this caller hears an application error. Counted,
                # then retried so that the server still gets its load.
                self.webhook_failures[problem] += 1
                await asyncio.sleep(0.05)
            else:
                raise RunBroke(f"the voice webhook did not connect a stream: {problem}")
        phone = simulated_call_for(
            placed, auth_token=AUTH_TOKEN, base_url=stack.base_url, seed=seed
        )
        stack.rest.register(
            placed.call_sid,
            phone,
            from_=caller,
            to=BUSINESS_PHONE,
            status_callback=f"{stack.base_url}/twilio/status",
        )
        await phone.start()
        try:
            await wait_until(
                lambda: phone.heard_ms_at(phone.now_ms()) >= 50,
                "the greeting",
                SETUP_TIMEOUT_SECS,
                poll_secs=0.02,
            )
        except ScenarioFailed as failed:
            raise RunBroke(f"call {placed.call_sid}: {failed}") from None
        self.instruments.probe.setup_ms.append((time.perf_counter() - dialled) * 1000)
        return DialledCall(stack, placed, phone, self._engine_for(phone), speech_seed=seed)

    def _engine_for(self, phone: SimulatedCall) -> FakeRealtimeEngine:
        prefix = phone.played_audio()[: 50 * BYTES_PER_MS]
        for engine in self.stack.realtime.sessions:
            if id(engine) in self._claimed:
                continue
            first = next((item.audio for item in engine.record.items.values() if item.audio), b"")
            if first.startswith(prefix):
                self._claimed.add(id(engine))
                return engine
        raise RunBroke(f"no fake Realtime session generated what call {phone.call_sid} heard")


def _agent_items(call: DialledCall) -> int:
    return sum(1 for item in call.engine.record.items.values() if item.audio)


def _agent_finished(call: DialledCall) -> bool:
    """No reply generating and nothing left to play (and the caller has heard something)."""
    phone = call.phone
    return (
        call.engine.active_response_id is None
        and phone.queued_ms() <= 0
        and phone.heard_ms_at(phone.now_ms()) > 0
    )


async def converse(call: DialledCall, items_before_second_turn: int) -> CallResult:
    """Hear the greeting, ask, hear the answer, give the name, wait for the agent's hang-up.

    The caller looks every `POLL_SECS` (not `DialledCall`'s 5 ms, which with 50 callers costs
    the shared loop thousands of wake-ups a second): its reaction time is not measured.
    """
    result = CallResult(call.call_sid)
    try:
        await wait_until(
            lambda: _agent_finished(call), "the greeting", TURN_TIMEOUT_SECS, POLL_SECS
        )
        call.speak(SPEECH_MS)
        await wait_until(
            lambda: _agent_items(call) >= items_before_second_turn and _agent_finished(call),
            f"{items_before_second_turn} agent items, played",
            TURN_TIMEOUT_SECS,
            POLL_SECS,
        )
        call.speak(SPEECH_MS)
        result.completed = await call.phone.wait_closed(TURN_TIMEOUT_SECS)
        if not result.completed:
            result.problem = "the agent did not hang up"
    except ScenarioFailed as failed:
        result.problem = str(failed)
    if not call.phone.is_closed:
        await call.phone.hang_up()
    return result


async def run_calls(
    dialler: Dialler,
    plans: Sequence[CallPlan],
    *,
    with_tools: bool,
    ramp_secs: float | None,
    seed: int,
) -> list[CallResult]:
    """All calls, started `ramp_secs / len(plans)` apart, or one after the other when
    `ramp_secs` is None."""
    dialler.scripts.extend(tool_script(p) if with_tools else no_tool_script(p) for p in plans)

    async def one(index: int, plan: CallPlan) -> CallResult:
        if ramp_secs is not None:
            await asyncio.sleep(ramp_secs * index / max(1, len(plans)))
        call = await dialler.dial(plan.caller, seed + index)
        return await converse(call, 3 if with_tools else 2)

    if ramp_secs is None:
        results = [await one(i, plan) for i, plan in enumerate(plans)]
    else:
        results = list(await asyncio.gather(*(one(i, plan) for i, plan in enumerate(plans))))
    if dialler.scripts:
        raise RunBroke(f"{len(dialler.scripts)} scripts were never used: calls and sessions differ")
    return results


async def load_rows(database_url: str, results: list[CallResult]) -> None:
    """Each call's finalised row (end reason, tool calls, latency figures)."""
    engine = create_engine(database_url)
    wanted = {result.call_sid: result for result in results}
    deadline = time.monotonic() + RECORD_TIMEOUT_SECS
    try:
        while True:
            async with session_factory(engine)() as session:
                calls = (
                    await session.execute(select(Call).where(Call.call_sid.in_(list(wanted))))
                ).scalars()
                for call in calls:
                    if call.end_reason:
                        wanted[call.call_sid].row = {
                            "end_reason": call.end_reason,
                            "latency": dict(call.latency or {}),
                            "tool_calls": list(call.tool_calls or []),
                        }
            missing = [sid for sid, result in wanted.items() if not result.row]
            if not missing:
                return
            if time.monotonic() > deadline:
                raise RunBroke(f"{len(missing)} call records were never finalised: {missing[:3]}")
            await asyncio.sleep(0.1)
    finally:
        await engine.dispose()


async def booked_appointments(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            count = await session.scalar(
                select(func.count()).select_from(Appointment).where(Appointment.status == "booked")
            )
            return int(count or 0)
    finally:
        await engine.dispose()


# -- figures ---------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest rank, as the call record computes its p99 (`sorted[int(n * q)]`)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def distribution(values: Sequence[float]) -> dict[str, Any]:
    return {
        "n": len(values),
        "p50": _round(percentile(values, 0.50)),
        "p95": _round(percentile(values, 0.95)),
        "p99": _round(percentile(values, 0.99)),
        "max": _round(max(values, default=None)),
    }


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def ratio(run: float | None, baseline: float | None) -> float | None:
    if run is None or not baseline:
        return None
    return round(run / baseline, 2)


def tool_figures(probe: Probe) -> dict[str, Any]:
    """Per tool: the three latencies (ms), and how the answers went."""
    figures: dict[str, Any] = {}
    for tool in TOOLS:
        calls = [c for c, name in probe.tool_of.items() if name == tool]
        from_arguments, from_done, running, answers = [], [], [], collections.Counter[str]()
        unanswered = 0
        for call_id in calls:
            received = probe.output_received.get(call_id)
            if received is None:
                unanswered += 1
                continue
            from_arguments.append((received - probe.arguments_done[call_id]) * 1000)
            done = probe.response_done.get(probe.response_of[call_id])
            if done is not None:
                from_done.append((received - done) * 1000)
            run = probe.tool_runs.get(call_id)
            if run is not None:
                running.append((run[1] - run[0]) * 1000)
            answers[_answer(tool, probe.outputs.get(call_id, {}))] += 1
        figures[tool] = {
            "model_wait_ms": distribution(from_arguments),
            "after_response_done_ms": distribution(from_done),
            "tool_run_ms": distribution(running),
            "answers": dict(sorted(answers.items())),
            "unanswered": unanswered,
        }
    return figures


def _answer(tool: str, output: dict[str, Any]) -> str:
    if "status" in output:
        return str(output["status"])
    if tool == "check_availability" and "requested_time_free" in output:
        return "free" if output["requested_time_free"] else "not_free"
    return "other"


def audio_figures(probe: Probe, results: list[CallResult]) -> dict[str, Any]:
    """Per-call p99 from the rows, and every frame's latency split by whether a tool ran."""
    per_call = [
        float(r.row["latency"]["bridge_p99_ms"])
        for r in results
        if r.row.get("latency", {}).get("bridge_p99_ms") is not None
    ]
    windows = sorted(probe.tool_runs.values())
    during: list[float] = []
    outside: list[float] = []
    for samples in probe.audio.values():
        for value, written in zip(samples, samples.written_at, strict=True):
            (during if _inside(windows, written) else outside).append(value)
    return {
        "per_call_p99_median_ms": _round(statistics.median(per_call)) if per_call else None,
        "per_call_p99_max_ms": _round(max(per_call, default=None)),
        "calls_with_figures": len(per_call),
        "all_frames_ms": distribution(during + outside),
        "while_a_tool_ran_ms": distribution(during),
        "while_no_tool_ran_ms": distribution(outside),
    }


def _inside(windows: list[tuple[float, float]], at: float) -> bool:
    # Few windows (2 per call): a linear scan is plenty.
    return any(start <= at <= end for start, end in windows)


def phase_figures(
    probe: Probe,
    results: list[CallResult],
    *,
    wall_secs: float,
    cpu_secs: float,
    postgres_cpu_secs: float,
    other_cpu_secs: float,
    booked_before: int,
    booked_after: int,
) -> dict[str, Any]:
    lags = probe.loop_lags_ms
    end_reasons = collections.Counter(str(r.row.get("end_reason")) for r in results)
    return {
        "calls": len(results),
        "calls_completed": sum(r.completed for r in results),
        "problems": [f"{r.call_sid}: {r.problem}" for r in results if r.problem][:5],
        "end_reasons": dict(sorted(end_reasons.items())),
        "wall_secs": round(wall_secs, 2),
        "process_cpu_cores": round(cpu_secs / wall_secs, 2) if wall_secs else None,
        "postgres_cpu_cores": round(postgres_cpu_secs / wall_secs, 2) if wall_secs else None,
        "other_processes_cpu_cores": round(max(0.0, other_cpu_secs) / wall_secs, 2)
        if wall_secs
        else None,
        "call_setup_ms": distribution(probe.setup_ms),
        "voice_webhook_ms": distribution(probe.webhook_ms),
        "tools": tool_figures(probe),
        "audio": audio_figures(probe, results),
        "appointments_booked_in_db": booked_after - booked_before,
        "loop_lag_ms": {
            "p50": _round(percentile(lags, 0.5)),
            "p99": _round(percentile(lags, 0.99)),
            "max": _round(max(lags, default=None)),
        },
        "pool_checked_out_max": probe.pool_checked_out_max,
        "gc": {
            f"gen{generation}": {
                "collections": len(pauses),
                "total_ms": _round(sum(pauses)),
                "max_ms": _round(max(pauses, default=None)),
            }
            for generation in (0, 1, 2)
            for pauses in [[p for g, p in probe.gc_pauses_ms if g == generation]]
        },
        "server_warnings": dict(probe.warnings.most_common(8)),
    }


# -- one backend -----------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def fresh_database(backend: str) -> AsyncIterator[str]:
    """A temporary SQLite file, or a new PostgreSQL database dropped (WITH (FORCE)) afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="agentlocator-bench-tools-") as folder:
            yield f"sqlite+aiosqlite:///{Path(folder) / 'calls.db'}"
        return
    server = os.environ.get(POSTGRES_ENV) or DEFAULT_POSTGRES_SERVER
    name = f"agentlocator_bench_tools_{uuid.uuid4().hex[:16]}"
    if not _SAFE_DATABASE_NAME.match(name):
        raise ValueError(f"unsafe database name: {name!r}")
    try:
        await _admin(server, f'CREATE DATABASE "{name}"')
    except Exception as error:
        raise RunBroke(
            f"cannot create a PostgreSQL database on {_hidden(server)}: {error}"
        ) from None
    try:
        yield make_url(server).set(database=name).render_as_string(hide_password=False)
    finally:
        await _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _hidden(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


async def _admin(server_url: str, statement: str) -> None:
    engine = create_async_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


def plans_for_run(calls: int, same_slot: int, seed: int) -> list[CallPlan]:
    """`same_slot` calls share the first slot; every other call has a slot of its own."""
    same_slot = min(same_slot, calls)
    slots = slot_list(1, calls - same_slot + 1)
    shared = slots[0]
    plans = [CallPlan(caller_number(i), *shared, shared_slot=True) for i in range(same_slot)]
    plans += [
        CallPlan(caller_number(i), *slot)
        for i, slot in zip(range(same_slot, calls), slots[1:], strict=False)
    ]
    # Interleave the contended calls with the others over the ramp.
    random.Random(seed).shuffle(plans)
    return plans


async def bench_backend(
    backend: str, args: argparse.Namespace, progress: Callable[[str], None]
) -> dict[str, Any]:
    """Warm-up, 1-call baseline, N calls without tools, N calls with tools: one stack, one DB."""
    instruments = Instruments()
    quiet_slots = iter(slot_list(QUIET_DAYS_FROM, 1 + args.baseline_calls))
    serials = iter(range(1000, 10_000))

    def quiet_plan() -> CallPlan:
        return CallPlan(caller_number(next(serials)), *next(quiet_slots))

    phases: dict[str, Any] = {}
    async with fresh_database(backend) as database_url:
        dialler: Dialler | None = None

        def next_script() -> RealtimeScript:
            assert dialler is not None
            return dialler.next_script()

        stack = LocalStack(
            database_url=database_url,
            realtime_config=FakeRealtimeConfig(first_delta_delay_ms=FIRST_DELTA_MS),
            script_factory=next_script,
            business={"booking": BOOKING_RULES, "greeting": GREETING},
        )
        with instruments.installed():
            async with stack:
                dialler = Dialler(stack, instruments, serial_webhooks=args.serial_webhooks)
                server_engine: AsyncEngine = stack.app.state.runtime.engine

                async def phase(
                    name: str, plans: list[CallPlan], *, with_tools: bool, ramp: float | None
                ) -> dict[str, Any]:
                    progress(f"{backend}: {name} ({len(plans)} calls)")
                    # The fakes keep every event and every byte of audio of every call. Earlier
                    # phases' sessions are dropped, and what is left is frozen out of the
                    # collector, so a full collection during this phase walks this phase's
                    # objects only, not the harness's history.
                    dialler.new_phase()
                    gc.collect()
                    gc.freeze()
                    probe = instruments.new_phase()
                    booked_before = await booked_appointments(database_url)
                    started, cpu_before = time.perf_counter(), time.process_time()
                    machine_before, postgres_before = machine_busy_secs(), postgres_cpu_secs()
                    async with watching(probe, server_engine):
                        results = await run_calls(
                            dialler,
                            plans,
                            with_tools=with_tools,
                            ramp_secs=ramp,
                            seed=args.seed * 100_000 + len(phases) * 1000,
                        )
                        await stack.wait_for_jobs()
                    wall = time.perf_counter() - started
                    cpu = time.process_time() - cpu_before
                    postgres = postgres_cpu_secs() - postgres_before
                    others = machine_busy_secs() - machine_before - cpu - postgres
                    await load_rows(database_url, results)
                    booked_after = await booked_appointments(database_url)
                    return phase_figures(
                        probe,
                        results,
                        wall_secs=wall,
                        cpu_secs=cpu,
                        postgres_cpu_secs=postgres,
                        other_cpu_secs=others,
                        booked_before=booked_before,
                        booked_after=booked_after,
                    )

                await phase("warm-up", [quiet_plan()], with_tools=True, ramp=None)
                baseline_plans = [quiet_plan() for _ in range(args.baseline_calls)]
                phases["baseline"] = await phase(
                    "baseline, 1 call at a time", baseline_plans, with_tools=True, ramp=None
                )
                run_plans = plans_for_run(args.calls, args.same_slot, args.seed)
                control_plans = [
                    CallPlan(caller_number(next(serials)), plan.day, plan.at) for plan in run_plans
                ]
                phases["no_tools"] = await phase(
                    "control, no tools", control_plans, with_tools=False, ramp=args.ramp
                )
                phases["run"] = await phase(
                    "with tools", run_plans, with_tools=True, ramp=args.ramp
                )
                shared = min(args.same_slot, args.calls)
                phases["run"]["expected"] = {
                    "booked": args.calls - shared + (1 if shared else 0),
                    "slot_taken": max(0, shared - 1),
                }
                phases["voice_webhook_failures"] = dict(dialler.webhook_failures)
    server = os.environ.get(POSTGRES_ENV) or DEFAULT_POSTGRES_SERVER
    return {
        "backend": backend,
        "database": "sqlite (temporary file)"
        if backend == "sqlite"
        else f"postgresql (fresh database on {_hidden(server)})",
        **phases,
        "ratios": ratios(phases),
        "warnings": warnings(phases),
    }


def warnings(phases: dict[str, Any]) -> list[str]:
    """What the figures alone do not say, or say only in passing."""
    found: list[str] = []
    run = phases["run"]
    answers = run["tools"]["schedule_appointment"]["answers"]
    told_booked = answers.get("booked", 0)
    if run["appointments_booked_in_db"] != told_booked:
        found.append(
            f"the database gained {run['appointments_booked_in_db']} appointments but the model "
            f"was told `booked` {told_booked} times ({answers}): a timed-out "
            "`schedule_appointment` (status error) still booked"
        )
    if (
        told_booked != run["expected"]["booked"]
        or answers.get("slot_taken", 0) != run["expected"]["slot_taken"]
    ):
        found.append(f"answers differ from the expected {run['expected']}")
    for name in ("baseline", "no_tools", "run"):
        phase = phases[name]
        if (phase["process_cpu_cores"] or 0) >= SATURATED_CPU:
            found.append(
                f"{name}: this process used {phase['process_cpu_cores']:.2f} cores: the one event "
                "loop (server, fake model, fake Twilio, callers) was saturated, so every latency "
                "includes waiting for the loop (lag p50 "
                f"{_fmt(phase['loop_lag_ms']['p50'])} ms per await)"
            )
        if (phase["other_processes_cpu_cores"] or 0) > 0.3:
            found.append(
                f"{name}: other processes used {phase['other_processes_cpu_cores']:.2f} cores "
                f"of the machine's {os.cpu_count()} meanwhile"
            )
        if phase["calls_completed"] != phase["calls"]:
            found.append(f"{name}: {phase['calls'] - phase['calls_completed']} calls did not end")
    failures = phases.get("voice_webhook_failures") or {}
    if failures:
        found.append(
            "voice webhooks failed and were retried (Twilio would not retry): "
            + ", ".join(f"{problem} x{count}" for problem, count in failures.items())
        )
    return found


def ratios(phases: dict[str, Any]) -> dict[str, Any]:
    """Tools against the 1-call baseline; audio against the no-tools control (and baseline)."""
    run, baseline, control = phases["run"], phases["baseline"], phases["no_tools"]
    tools = {
        tool: {
            key: {
                q: ratio(run["tools"][tool][key][q], baseline["tools"][tool][key][q])
                for q in ("p50", "p95", "p99")
            }
            for key in LATENCY_KINDS
        }
        for tool in TOOLS
    }
    audio = {}
    for name, other in (("no_tools", control), ("baseline", baseline)):
        audio[f"per_call_p99_median_vs_{name}"] = ratio(
            run["audio"]["per_call_p99_median_ms"], other["audio"]["per_call_p99_median_ms"]
        )
        audio[f"per_call_p99_max_vs_{name}"] = ratio(
            run["audio"]["per_call_p99_max_ms"], other["audio"]["per_call_p99_max_ms"]
        )
        audio[f"all_frames_p99_vs_{name}"] = ratio(
            run["audio"]["all_frames_ms"]["p99"], other["audio"]["all_frames_ms"]["p99"]
        )
    return {"tools_vs_baseline": tools, "audio": audio}


LATENCY_KINDS = ("model_wait_ms", "after_response_done_ms", "tool_run_ms")
LATENCY_LABELS = {
    "model_wait_ms": "arguments.done -> output (model waits)",
    "after_response_done_ms": "  response.done -> output (bridge)",
    "tool_run_ms": "  CallTools.run (the tool itself)",
}


# -- the table -------------------------------------------------------------------------------------


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return str(value)


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _pair(d: dict[str, Any], second: str = "max") -> str:
    return f"{_fmt(d['p50'])} / {_fmt(d[second])}"


def _gc(d: dict[str, Any]) -> str:
    return f"{d['collections']} / {_fmt(d['max_ms'])}"


def print_backend(report: dict[str, Any], args: argparse.Namespace) -> None:
    run, baseline, control = report["run"], report["baseline"], report["no_tools"]
    tool_ratios = report["ratios"]["tools_vs_baseline"]
    print(
        f"\n== {report['database']}: {run['calls']} concurrent calls "
        f"({min(args.same_slot, args.calls)} on one slot), ramp {args.ramp:g} s; "
        f"baseline {baseline['calls']} calls one at a time =="
    )
    head = f"{'latency, ms':44}{'n':>5}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}"
    print(f"{head}{'base p50':>10}{'base p95':>10}{'p95 ratio':>11}")
    for tool in TOOLS:
        print(tool)
        for kind in LATENCY_KINDS:
            d, b = run["tools"][tool][kind], baseline["tools"][tool][kind]
            cells = "".join(f"{_fmt(d[q]):>8}" for q in ("p50", "p95", "p99", "max"))
            print(
                f"  {LATENCY_LABELS[kind]:42}{d['n']:>5}{cells}"
                f"{_fmt(b['p50']):>10}{_fmt(b['p95']):>10}{_x(tool_ratios[tool][kind]['p95']):>11}"
            )
    schedule = run["tools"]["schedule_appointment"]["answers"]
    expected = run["expected"]
    counts = [f"booked={schedule.get('booked', 0)}", f"slot_taken={schedule.get('slot_taken', 0)}"]
    counts += [f"{k}={v}" for k, v in schedule.items() if k not in ("booked", "slot_taken")]
    print(
        f"schedule_appointment answers: {' '.join(counts)} "
        f"(expected booked={expected['booked']} slot_taken={expected['slot_taken']}); "
        f"appointments added to the database: {run['appointments_booked_in_db']}"
    )
    availability = run["tools"]["check_availability"]["answers"]
    print(
        "check_availability answers: "
        + ", ".join(f"{k}={v}" for k, v in availability.items())
        + f"; unanswered tool calls: "
        f"{sum(run['tools'][t]['unanswered'] for t in TOOLS)}"
    )
    audio_ratios = report["ratios"]["audio"]
    print(
        f"{'audio, Realtime delta in -> Twilio frame out, ms':44}"
        f"{'tools run':>16}{'no tools':>16}{'1 call':>16}{'vs no tools':>13}{'vs 1 call':>11}"
    )
    rows = [
        ("per-call p99 (call rows), median", "per_call_p99_median_ms", "per_call_p99_median"),
        ("per-call p99 (call rows), max", "per_call_p99_max_ms", "per_call_p99_max"),
    ]
    for label, key, ratio_key in rows:
        print(
            f"  {label:42}{_fmt(run['audio'][key]):>16}{_fmt(control['audio'][key]):>16}"
            f"{_fmt(baseline['audio'][key]):>16}"
            f"{_x(audio_ratios[f'{ratio_key}_vs_no_tools']):>13}"
            f"{_x(audio_ratios[f'{ratio_key}_vs_baseline']):>11}"
        )
    frames = ("all_frames_ms", "p99")
    print(
        f"  {'every frame, p99':42}{_fmt(run['audio'][frames[0]][frames[1]]):>16}"
        f"{_fmt(control['audio'][frames[0]][frames[1]]):>16}"
        f"{_fmt(baseline['audio'][frames[0]][frames[1]]):>16}"
        f"{_x(audio_ratios['all_frames_p99_vs_no_tools']):>13}"
        f"{_x(audio_ratios['all_frames_p99_vs_baseline']):>11}"
    )
    during, outside = run["audio"]["while_a_tool_ran_ms"], run["audio"]["while_no_tool_ran_ms"]
    print(
        f"  frames written while a tool ran: n={during['n']} p50={_fmt(during['p50'])} "
        f"p99={_fmt(during['p99'])} max={_fmt(during['max'])}; while none ran: "
        f"n={outside['n']} p50={_fmt(outside['p50'])} p99={_fmt(outside['p99'])} "
        f"max={_fmt(outside['max'])}"
    )
    print(
        f"{'context':44}{'tools run':>18}{'no tools':>18}{'1 call':>18}"
        "   (1 call: the baseline calls, one at a time)"
    )
    phases = (run, control, baseline)
    context: list[tuple[str, Callable[[dict[str, Any]], object]]] = [
        ("calls completed", lambda p: f"{p['calls_completed']}/{p['calls']}"),
        ("set-up, webhook -> greeting, p50 / max, ms", lambda p: _pair(p["call_setup_ms"])),
        ("voice webhook p50 / max, ms", lambda p: _pair(p["voice_webhook_ms"])),
        ("process CPU, cores", lambda p: p["process_cpu_cores"]),
        ("PostgreSQL CPU (all its clients), cores", lambda p: p["postgres_cpu_cores"]),
        ("other processes' CPU, cores", lambda p: p["other_processes_cpu_cores"]),
        ("event loop lag p50 / p99, ms", lambda p: _pair(p["loop_lag_ms"], "p99")),
        ("event loop lag max, ms", lambda p: p["loop_lag_ms"]["max"]),
        ("full GCs / longest, ms", lambda p: _gc(p["gc"]["gen2"])),
        ("server DB pool peak (of 15)", lambda p: p["pool_checked_out_max"]),
        ("wall, s", lambda p: p["wall_secs"]),
    ]
    for label, cell in context:
        row = (f"{_fmt(cell(p)):>{w}}" for p, w in zip(phases, (18, 18, 18), strict=True))
        print(f"  {label:42}" + "".join(row))
    for name, phase in (("tools run", run), ("no tools", control), ("1 call", baseline)):
        for problem in phase["problems"]:
            print(f"{name}: problem: {problem}")
        for message, count in phase["server_warnings"].items():
            print(f"{name}: server log x{count}: {message}")
    for warning in report["warnings"]:
        print(f"WARNING: {warning}")


# -- main ------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Latency of the booking tools under N concurrent calls, and audio meanwhile."
    )
    parser.add_argument(
        "--backend", choices=("sqlite", "postgres", "both"), default="both", help="default both"
    )
    parser.add_argument("--calls", type=int, default=50, help="concurrent calls (default 50)")
    parser.add_argument(
        "--same-slot",
        type=int,
        default=10,
        help="calls that ask for one shared slot (default 10): one booked, the rest slot_taken",
    )
    parser.add_argument("--ramp", type=float, default=1.0, help="ramp-in seconds (default 1)")
    parser.add_argument(
        "--baseline-calls",
        type=int,
        default=3,
        help="single calls, one after the other, for the baseline (default 3)",
    )
    parser.add_argument(
        "--serial-webhooks",
        action="store_true",
        help="send voice webhooks one at a time (default: concurrently, as Twilio does)",
    )
    parser.add_argument(
        "--switch-interval",
        type=float,
        metavar="SECS",
        help="experiment: sys.setswitchinterval for this process (Python's default 0.005); how "
        "long aiosqlite's threads wait for the GIL held by the busy event loop",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the callers' speech")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return parser


async def run(args: argparse.Namespace) -> dict[str, Any]:
    def progress(message: str) -> None:
        if not args.quiet:
            print(f"[tools] {message}", file=sys.stderr, flush=True)

    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    started = time.perf_counter()
    reports = [await bench_backend(backend, args, progress) for backend in backends]
    return {
        "benchmark": "tools",
        "config": {
            "calls": args.calls,
            "same_slot": min(args.same_slot, args.calls),
            "ramp_secs": args.ramp,
            "baseline_calls": args.baseline_calls,
            "first_delta_delay_ms": list(FIRST_DELTA_MS),
            "speech_ms": SPEECH_MS,
            "python": sys.version.split()[0],
            "loop": type(asyncio.get_running_loop()).__module__,
            "switch_interval_secs": sys.getswitchinterval(),
        },
        "backends": reports,
        "total_secs": round(time.perf_counter() - started, 1),
    }


def _run_loop(args: argparse.Namespace) -> dict[str, Any]:
    logging.getLogger().setLevel(logging.WARNING)
    try:
        import uvloop
    except ImportError:
        return asyncio.run(run(args))
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(run(args))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.calls < 1 or args.baseline_calls < 1 or args.ramp < 0 or args.same_slot < 0:
        print("tools: --calls and --baseline-calls must be >= 1, --ramp and --same-slot >= 0")
        return 2
    own_slots = args.calls - min(args.same_slot, args.calls) + 1
    quiet_slots = (WINDOW_DAYS - QUIET_DAYS_FROM) * SLOTS_PER_DAY - 1
    if own_slots > (QUIET_DAYS_FROM - 1) * SLOTS_PER_DAY or args.baseline_calls > quiet_slots:
        print("tools: too many calls for the slots of the booking window")
        return 2
    if args.switch_interval is not None:
        sys.setswitchinterval(args.switch_interval)
    try:
        report = _run_loop(args)
    except RunBroke as broke:
        print(f"tools: the run broke: {broke}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(
            f"Tool latency bench: {report['config']['calls']} concurrent booking calls per "
            f"backend, {report['total_secs']:g} s in all ({report['config']['loop']} loop)"
        )
        for backend in report["backends"]:
            print_backend(backend, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
