"""What runs inside the bridge process: the app as `agentlocator serve` builds it, instrumented.

Stamps are `time.monotonic()` (CLOCK_MONOTONIC, one clock for every process of the machine), so
the load generator can line them up with its own. Wrapped, in this process only:

- `WebSocketRealtimeLink.receive`: when the bridge receives `response.function_call_arguments.done`
  (the tool call) and `response.done` (the bridge runs tools only after it);
- `WebSocketRealtimeLink.send`: when the `function_call_output` has been written to the socket;
- `CallTools.start`: the tool itself (started -> its task done);
- `CallSession.run`: keeps every delta-in -> frame-out latency of the call with when it was
  written, so audio frames can be split by whether a tool was running.

Plus the event loop's lag (a 20 ms sleep's overshoot), garbage-collector pauses, the database
pool's peak checked-out connections and the server's warnings. `GET /_bench/tools` returns all of
it and starts afresh (one phase per read).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import gc
import logging
import os
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from _shared import bridge as shared_bridge

ROUTE = "/_bench/tools"
NO_WRITE_TURN_ENV = "AGENTLOCATOR_BENCH_NO_WRITE_TURN"
LAG_INTERVAL_SECS = 0.02
POOL_SAMPLE_SECS = 0.02


class StampedLatencies(list[float]):
    """`CallSession._latencies_ms` that also keeps when each value was appended (written)."""

    def __init__(self) -> None:
        super().__init__()
        self.written_at: list[float] = []

    def append(self, value: float, /) -> None:
        super().append(value)
        self.written_at.append(time.monotonic())


@dataclass
class BridgeProbe:
    """One phase as the bridge saw it (times: `time.monotonic()` seconds)."""

    tool_call_received: dict[str, float] = field(default_factory=dict)
    tool_name: dict[str, str] = field(default_factory=dict)
    response_of: dict[str, str] = field(default_factory=dict)
    response_done_received: dict[str, float] = field(default_factory=dict)
    output_sent: dict[str, float] = field(default_factory=dict)
    tool_runs: dict[str, tuple[float, float]] = field(default_factory=dict)
    audio: dict[str, tuple[list[float], list[float]]] = field(default_factory=dict)
    """call_sid -> (latencies ms, written at)."""
    loop_lags_ms: list[float] = field(default_factory=list)
    gc_pauses_ms: list[tuple[int, float]] = field(default_factory=list)
    pool_checked_out_max: int = 0
    pool_capacity: int | None = None
    warnings: collections.Counter[str] = field(default_factory=collections.Counter)


class _WarningCounter(logging.Handler):
    def __init__(self, holder: _Instruments) -> None:
        super().__init__(logging.WARNING)
        self._holder = holder

    def emit(self, record: logging.LogRecord) -> None:
        line = f"{record.levelname} {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            detail = (str(error).splitlines() or [""])[0][:160]
            line += f" ({type(error).__name__}: {detail})"
        self._holder.probe.warnings[line] += 1


class _Instruments:
    def __init__(self) -> None:
        self.probe = BridgeProbe()
        self._live_audio: dict[str, StampedLatencies] = {}
        self._gc_started = 0.0
        self._watchers: list[asyncio.Task[None]] = []
        self.engine: Any = None

    def take(self) -> dict[str, Any]:
        probe, self.probe = self.probe, BridgeProbe()
        if not self._watchers:
            loop = asyncio.get_running_loop()
            self._watchers = [loop.create_task(self._lag()), loop.create_task(self._pool())]
        taken = asdict(probe)
        taken["warnings"] = dict(probe.warnings)
        taken["pool_capacity"] = self._pool_capacity()
        return taken

    def on_gc(self, stage: str, info: dict[str, int]) -> None:
        if stage == "start":
            self._gc_started = time.perf_counter()
        else:
            pause = (time.perf_counter() - self._gc_started) * 1000
            self.probe.gc_pauses_ms.append((info["generation"], pause))

    async def _lag(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(LAG_INTERVAL_SECS)
            lag = time.perf_counter() - before - LAG_INTERVAL_SECS
            self.probe.loop_lags_ms.append(lag * 1000)

    async def _pool(self) -> None:
        while True:
            checked_out = getattr(getattr(self.engine, "pool", None), "checkedout", None)
            if checked_out is not None:
                peak = max(self.probe.pool_checked_out_max, checked_out())
                self.probe.pool_checked_out_max = peak
            await asyncio.sleep(POOL_SAMPLE_SECS)

    def _pool_capacity(self) -> int | None:
        pool = getattr(self.engine, "pool", None)
        size = getattr(pool, "size", None)
        if pool is None or size is None:
            return None
        return int(size()) + max(0, int(getattr(pool, "_max_overflow", 0)))


def _install(instruments: _Instruments) -> None:
    from agentlocator.call.session import CallOutcome, CallSession
    from agentlocator.realtime.connection import WebSocketRealtimeLink
    from agentlocator.tools.runner import CallTools

    receive, send = WebSocketRealtimeLink.receive, WebSocketRealtimeLink.send
    start_tool, run_call = CallTools.start, CallSession.run

    async def stamped_receive(link: WebSocketRealtimeLink) -> dict[str, Any]:
        event = await receive(link)
        kind = event.get("type")
        if kind == "response.function_call_arguments.done":
            probe, call_id = instruments.probe, str(event.get("call_id"))
            probe.tool_call_received[call_id] = time.monotonic()
            probe.tool_name[call_id] = str(event.get("name"))
            probe.response_of[call_id] = str(event.get("response_id"))
        elif kind == "response.done":
            response_id = str((event.get("response") or {}).get("id"))
            instruments.probe.response_done_received[response_id] = time.monotonic()
        return event

    async def stamped_send(link: WebSocketRealtimeLink, event: dict[str, Any]) -> None:
        await send(link, event)
        if event.get("type") == "conversation.item.create":
            item = event.get("item") or {}
            if item.get("type") == "function_call_output":
                sent = instruments.probe.output_sent
                sent.setdefault(str(item.get("call_id")), time.monotonic())

    def timed_tool(tools: CallTools, call_id: str, name: str, arguments: str) -> Any:
        started = time.monotonic()
        task = start_tool(tools, call_id, name, arguments)

        def ended(_task: object) -> None:
            instruments.probe.tool_runs.setdefault(call_id, (started, time.monotonic()))

        task.add_done_callback(ended)
        return task

    async def stamped_call(session: CallSession) -> CallOutcome:
        samples = StampedLatencies()
        session._latencies_ms = samples
        try:
            return await run_call(session)
        finally:
            instruments.probe.audio[session.call_sid] = (list(samples), samples.written_at)

    WebSocketRealtimeLink.receive = stamped_receive  # type: ignore[method-assign]
    WebSocketRealtimeLink.send = stamped_send  # type: ignore[method-assign]
    CallTools.start = timed_tool  # type: ignore[method-assign]
    CallSession.run = stamped_call  # type: ignore[method-assign]


def _without_write_turn() -> None:
    """Experiment (`--no-write-turn`): SQLite writers skip the asyncio queue and wait on
    SQLite's busy handler alone, as before the queue existed."""
    import contextlib

    from agentlocator import runtime
    from agentlocator.services import booking_guard
    from agentlocator.tools import runner

    def no_turn(_bind: object) -> contextlib.AbstractAsyncContextManager[None]:
        return contextlib.nullcontext()

    for module in (runtime, booking_guard, runner):
        module.write_turn = no_turn  # type: ignore[attr-defined]


def serve_bridge(args: argparse.Namespace) -> int:
    """`bench/tools.py --serve-bridge`: configuration from the environment, as `serve` reads it."""
    from agentlocator import logs
    from agentlocator.app import create_app
    from agentlocator.settings import Settings

    logs.configure()
    if os.environ.get(NO_WRITE_TURN_ENV):
        _without_write_turn()
    instruments = _Instruments()
    _install(instruments)
    logging.getLogger().addHandler(_WarningCounter(instruments))
    gc.callbacks.append(instruments.on_gc)
    app = create_app(Settings())
    instruments.engine = app.state.runtime.engine

    async def take() -> dict[str, Any]:
        return instruments.take()

    shared_bridge.add_bench_route(app, ROUTE, take)
    return shared_bridge.serve(
        app, port=args.bridge_port, core=args.bridge_core, nice=args.bridge_nice
    )
