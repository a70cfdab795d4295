"""What the load generator sees: the fake model's side of each tool call, and call set-up.

`FakeRealtimeEngine.emit` and `receive_client_frame` are wrapped (in the load generator only) to
stamp, with `time.monotonic()` like the bridge, when the fake model emitted
`response.function_call_arguments.done` and `response.done`, and when it received the matching
`function_call_output` (whose answer is kept: booked, slot_taken...).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from agentlocator.simulator.realtime_engine import FakeRealtimeEngine


@dataclass
class ModelProbe:
    """One phase as the fake model and the callers saw it (`time.monotonic()` seconds)."""

    arguments_done: dict[str, float] = field(default_factory=dict)
    tool_of: dict[str, str] = field(default_factory=dict)
    response_of: dict[str, str] = field(default_factory=dict)
    response_done: dict[str, float] = field(default_factory=dict)
    output_received: dict[str, float] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    setup_ms: list[float] = field(default_factory=list)
    """Per call: voice webhook sent -> the caller hears the greeting (50 ms of it)."""
    webhook_ms: list[float] = field(default_factory=list)
    loop_lags_ms: list[float] = field(default_factory=list)


class ModelInstruments:
    """`probe` is the current phase's; `installed()` wraps the fake engine while it lasts."""

    def __init__(self) -> None:
        self.probe = ModelProbe()

    def new_phase(self) -> ModelProbe:
        self.probe = ModelProbe()
        return self.probe

    @contextlib.contextmanager
    def installed(self) -> Iterator[ModelInstruments]:
        emit, receive = FakeRealtimeEngine.emit, FakeRealtimeEngine.receive_client_frame
        instruments = self

        def stamped_emit(engine: FakeRealtimeEngine, event: dict[str, Any]) -> None:
            emit(engine, event)
            kind = event.get("type")
            if kind == "response.function_call_arguments.done":
                probe, call_id = instruments.probe, str(event["call_id"])
                probe.arguments_done[call_id] = time.monotonic()
                probe.tool_of[call_id] = str(event["name"])
                probe.response_of[call_id] = str(event["response_id"])
            elif kind == "response.done":
                instruments.probe.response_done[str(event["response"]["id"])] = time.monotonic()

        async def stamped_receive(engine: FakeRealtimeEngine, frame: str | bytes) -> None:
            at = time.monotonic()
            if isinstance(frame, str) and "function_call_output" in frame:
                instruments._note_output(frame, at)
            await receive(engine, frame)

        undo: list[Callable[[], None]] = [
            lambda: setattr(FakeRealtimeEngine, "emit", emit),
            lambda: setattr(FakeRealtimeEngine, "receive_client_frame", receive),
        ]
        FakeRealtimeEngine.emit = stamped_emit  # type: ignore[method-assign]
        FakeRealtimeEngine.receive_client_frame = stamped_receive  # type: ignore[method-assign]
        try:
            yield self
        finally:
            for step in undo:
                step()

    def _note_output(self, frame: str, at: float) -> None:
        try:
            event = json.loads(frame)
        except ValueError:
            return
        if not isinstance(event, dict) or event.get("type") != "conversation.item.create":
            return
        item = event.get("item")
        if not isinstance(item, dict) or item.get("type") != "function_call_output":
            return
        call_id = str(item.get("call_id"))
        self.probe.output_received.setdefault(call_id, at)
        try:
            output = json.loads(item.get("output") or "{}")
        except ValueError:
            output = {"status": "unparseable"}
        self.probe.outputs[call_id] = output if isinstance(output, dict) else {}
