"""A sans-socket fake of one OpenAI Realtime (GA) session, faithful to protocols.md §6.1.

`FakeRealtimeEngine` takes raw client frames and produces server events on an outbound queue;
transports (`realtime_server.FakeRealtimeServer` over a WebSocket, `realtime_inprocess` in
process) only move frames. It validates every frame with the SDK's own types, keeps the input
audio timeline and runs an energy VAD on it, allows one active response at a time, streams
scripted replies faster than real time, honours cancel/truncate/barge-in exactly as the real API
does (and no more: it never truncates on its own), and can inject faults. Everything it did is in
`engine.record`.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import random
import string
from collections.abc import Coroutine
from typing import Any

from openai.types.realtime import (
    ConversationItemCreateEvent,
    ConversationItemDeleteEvent,
    ConversationItemRetrieveEvent,
    ConversationItemTruncateEvent,
    InputAudioBufferAppendEvent,
    InputAudioBufferClearEvent,
    InputAudioBufferCommitEvent,
    OutputAudioBufferClearEvent,
    ResponseCancelEvent,
    ResponseCreateEvent,
    SessionUpdateEvent,
)

from agentlocator.realtime.link import RealtimeClosed
from agentlocator.simulator import realtime_errors as errors
from agentlocator.simulator import realtime_session as sessions
from agentlocator.simulator.realtime_config import Clock, FakeRealtimeConfig, LoopClock
from agentlocator.simulator.realtime_conversation import Conversation
from agentlocator.simulator.realtime_errors import RealtimeApiError
from agentlocator.simulator.realtime_outbox import ServerEventOutbox
from agentlocator.simulator.realtime_planning import PlanContext, plan_response, rate_limits_event
from agentlocator.simulator.realtime_record import (
    CancelRecord,
    EngineRecord,
    ResponseRecord,
    TruncateRecord,
)
from agentlocator.simulator.realtime_response import ResponseRun
from agentlocator.simulator.realtime_script import RealtimeScript, ScriptStep
from agentlocator.simulator.realtime_turns import InputTurns
from agentlocator.simulator.realtime_validation import (
    ClientEventRejected,
    ValidatedClientEvent,
    validate_client_frame,
)

log = logging.getLogger(__name__)

_ID_ALPHABET = string.ascii_letters + string.digits


class FakeRealtimeEngine:
    """One fake Realtime session: feed it client frames, read server events from it."""

    def __init__(
        self,
        *,
        config: FakeRealtimeConfig | None = None,
        script: RealtimeScript | None = None,
        clock: Clock | None = None,
        model: str = "gpt-realtime",
    ) -> None:
        self.config = config or FakeRealtimeConfig()
        self.script = script if script is not None else RealtimeScript.receptionist()
        self.clock: Clock = clock or LoopClock()
        self.model = model
        self.record = EngineRecord()
        self._rng = random.Random(self.config.seed)
        self.session_id = self.new_id("sess")
        self.conversation_id = self.new_id("conv")
        self.conversation = Conversation(self.record.items)
        self._session: dict[str, Any] = {}
        self._outbox = ServerEventOutbox(self.record, self.new_id)
        self._tasks: set[asyncio.Task[None]] = set()
        self._response_tasks: dict[str, asyncio.Task[None]] = {}
        self._response_numbers: dict[str, int] = {}
        self._active: ResponseRun | None = None
        self._started = False
        self.turns = InputTurns(self)

    # -- public API -------------------------------------------------------------------------

    @property
    def session(self) -> dict[str, Any]:
        """The effective session configuration (a copy)."""
        return copy.deepcopy(self._session)

    @property
    def active_response_id(self) -> str | None:
        """The response still generating, if any."""
        return self._active.response_id if self._active is not None else None

    @property
    def is_closed(self) -> bool:
        """True once the session has ended, from either side."""
        return self._outbox.is_closed

    async def start(self) -> None:
        """Send `session.created` and start the session timers; idempotent."""
        if self._started:
            return
        self._started = True
        expires_at = int(self.clock.wall() + self.config.faults.session_max_secs)
        self._session = sessions.default_session(self.session_id, self.model, expires_at)
        self.turns.reconfigure()
        self.emit({"type": "session.created", "session": self._session})
        faults = self.config.faults
        self.spawn(self._expire_after(faults.session_max_secs))
        if faults.close_after_secs is not None:
            self.spawn(self._drop_after(faults.close_after_secs))

    async def receive_client_frame(self, frame: str | bytes) -> None:
        """Handle one client frame; raises `RealtimeClosed` if the session is over."""
        await self.start()
        if self._outbox.is_closed:
            raise RealtimeClosed(self.record.close_code, "session closed")
        try:
            event = validate_client_frame(frame)
        except ClientEventRejected as rejected:
            if rejected.raw is not None:
                self.record.client_events.append(rejected.raw)
            log.debug("realtime_fake.client_event_rejected", extra={"code": rejected.error.code})
            self.send_error(rejected.error, rejected.event_id)
            return
        self.record.client_events.append(event.raw)
        self._dispatch(event)

    async def next_server_event(self) -> dict[str, Any]:
        """The next server event; raises `RealtimeClosed(code)` once the session has closed."""
        await self.start()
        return await self._outbox.next()

    async def close(self, code: int = 1000, reason: str = "") -> None:
        """End the session from the client side and wait for its tasks to stop."""
        self.shutdown(code, reason)
        self._outbox.stop_delivery()
        current = asyncio.current_task()
        pending = [task for task in self._tasks if task is not current]
        await asyncio.gather(*pending, return_exceptions=True)

    async def wait_closed(self) -> None:
        """Wait until the session has ended, from either side."""
        await self._outbox.wait_closed()

    async def __aenter__(self) -> FakeRealtimeEngine:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- services for the collaborators (turns, responses) ---------------------------------

    def new_id(self, prefix: str) -> str:
        """An id shaped like the real ones: `prefix_` plus 21 letters and digits."""
        return prefix + "_" + "".join(self._rng.choices(_ID_ALPHABET, k=21))

    def uniform(self, low: float, high: float) -> float:
        """A draw from the session's seeded random source."""
        return self._rng.uniform(low, high)

    def emit(self, event: dict[str, Any]) -> None:
        """Send a server event (a snapshot: later changes to its dicts don't leak into it)."""
        self._outbox.emit(event)

    def send_error(self, error: RealtimeApiError, event_id: str | None) -> None:
        """Send an `error` event echoing the client's `event_id`."""
        self._outbox.send_error(error, event_id)

    def spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        """Run a background task the engine owns and cancels on close."""
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def shutdown(self, code: int, reason: str = "") -> None:
        """Stop emitting, queue the close, cancel every task but the caller's."""
        if not self._outbox.close(code, reason):
            return
        current = asyncio.current_task()
        for task in list(self._tasks):
            if task is not current:
                task.cancel()

    def session_config(self) -> dict[str, Any]:
        """The live session object (not a copy; collaborators only read it)."""
        return self._session

    def start_response(
        self, trigger: str, step: ScriptStep | None, params: dict[str, Any] | None = None
    ) -> ResponseRun | None:
        """Create a response (the caller has checked that none is active)."""
        if self._active is not None or self._outbox.is_closed:
            return None
        step = step or ScriptStep(say=self.script.fallback_reply)
        response_id = self.new_id("resp")
        number = len(self._response_numbers) + 1
        self._response_numbers[response_id] = number
        context = PlanContext(
            response_id, number, self.conversation_id, input_tokens=20 + 8 * len(self.record.items)
        )
        plan = plan_response(
            context,
            step,
            trigger=trigger,
            session=self._session,
            params=params or {},
            config=self.config,
            rng=self._rng,
        )
        run = ResponseRun(
            plan,
            emit=self.emit,
            new_id=self.new_id,
            conversation=self.conversation,
            clock=self.clock,
            rng=random.Random(self._rng.getrandbits(64)),
            delta_ms=self.config.delta_ms,
            voice=self.config.voice,
            on_finished=self._response_finished,
        )
        self._active = run
        self.record.responses[plan.response_id] = ResponseRecord(plan.response_id, trigger)
        self.turns.response_started()
        self.emit({"type": "response.created", "response": run.response_object()})
        self.emit(rate_limits_event(number))
        self._response_tasks[plan.response_id] = self.spawn(run.stream())
        return run

    def cancel_active(self, reason: str) -> bool:
        """Cancel the response still generating; False if there is none."""
        run = self._active
        if run is None:
            return False
        task = self._response_tasks.get(run.response_id)
        self.record.cancels.append(CancelRecord(run.response_id, reason, accepted=True))
        run.cancel(reason)
        if task is not None:
            task.cancel()
        return True

    # -- client events ----------------------------------------------------------------------

    def _dispatch(self, event: ValidatedClientEvent) -> None:
        raw, event_id = event.raw, event.event_id
        match event.model:
            case InputAudioBufferAppendEvent(audio=audio):
                self.turns.append_encoded(audio, event_id)
            case InputAudioBufferCommitEvent():
                self.turns.commit_manually(event_id)
            case InputAudioBufferClearEvent():
                self.turns.clear()
                self.emit({"type": "input_audio_buffer.cleared"})
            case OutputAudioBufferClearEvent():
                self.send_error(errors.webrtc_only("output_audio_buffer.clear"), event_id)
            case SessionUpdateEvent():
                self._update_session(raw["session"], event_id)
            case ResponseCreateEvent():
                self._create_response(raw.get("response") or {}, event_id)
            case ResponseCancelEvent(response_id=response_id):
                self._cancel(response_id, event_id)
            case ConversationItemCreateEvent():
                self._create_item(raw["item"], raw.get("previous_item_id"), event_id)
            case ConversationItemTruncateEvent(
                item_id=item_id, content_index=content_index, audio_end_ms=audio_end_ms
            ):
                self._truncate(item_id, content_index, audio_end_ms, event_id)
            case ConversationItemDeleteEvent(item_id=item_id):
                if self.conversation.delete(item_id):
                    self.emit({"type": "conversation.item.deleted", "item_id": item_id})
                else:
                    self.send_error(errors.item_not_found(item_id, code="invalid_value"), event_id)
            case ConversationItemRetrieveEvent(item_id=item_id):
                if item_id in self.conversation:
                    item = self.conversation.wire_item(item_id)
                    self.emit({"type": "conversation.item.retrieved", "item": item})
                else:
                    self.send_error(errors.item_not_found(item_id, code="invalid_value"), event_id)
            case _:
                log.warning("realtime_fake.unhandled_event", extra={"type": raw.get("type")})

    def _update_session(self, update: dict[str, Any], event_id: str | None) -> None:
        try:
            updated = sessions.apply_session_update(
                self._session, update, has_assistant_audio=self.conversation.has_assistant_audio
            )
        except sessions.SessionUpdateRefused as refused:
            self.send_error(refused.error, event_id)
            return
        self._session = updated
        self.turns.reconfigure()
        self.emit({"type": "session.updated", "session": self._session})

    def _create_response(self, params: dict[str, Any], event_id: str | None) -> None:
        if self._active is not None:
            self.send_error(errors.active_response(self._active.response_id), event_id)
            return
        modalities = params.get("output_modalities") or []
        if len(set(modalities)) > 1:
            error = errors.invalid_modalities(modalities, "response.output_modalities")
            self.send_error(error, event_id)
            return
        text = self.script.say_exactly(params.get("instructions"))
        step = ScriptStep(say=text) if text is not None else self.script.next_step()
        self.start_response("client", step, params)

    def _cancel(self, response_id: str | None, event_id: str | None) -> None:
        active = self._active
        if active is not None and response_id in (None, active.response_id):
            self.cancel_active("client_cancelled")
            return
        self.record.cancels.append(CancelRecord(response_id, "client_cancelled", accepted=False))
        self.send_error(errors.cancel_not_active(), event_id)

    def _truncate(
        self, item_id: str, content_index: int, audio_end_ms: int, event_id: str | None
    ) -> None:
        error = self.conversation.truncate(item_id, content_index, audio_end_ms)
        self.record.truncates.append(
            TruncateRecord(
                item_id, content_index, audio_end_ms, error is None, error.code if error else None
            )
        )
        if error is not None:
            self.send_error(error, event_id)
            return
        self.emit(
            {
                "type": "conversation.item.truncated",
                "item_id": item_id,
                "content_index": content_index,
                "audio_end_ms": audio_end_ms,
            }
        )

    def _create_item(
        self, item: dict[str, Any], previous_item_id: str | None, event_id: str | None
    ) -> None:
        created = self.conversation.create(item, previous_item_id, self.new_id)
        if isinstance(created, RealtimeApiError):
            self.send_error(created, event_id)
            return
        wire, previous = created
        for kind in ("conversation.item.added", "conversation.item.done"):
            self.emit({"type": kind, "previous_item_id": previous, "item": wire})

    # -- responses --------------------------------------------------------------------------

    def _response_finished(self, run: ResponseRun) -> None:
        record = self.record.responses[run.response_id]
        record.status = run.status
        details = run.status_details or {}
        record.reason = details.get("reason") or (details.get("error") or {}).get("code")
        record.output_item_ids = [str(item["id"]) for item in run.output]
        self._response_tasks.pop(run.response_id, None)
        if self._active is run:
            self._active = None
        self.turns.response_finished(run.audio_ms)
        number = self._response_numbers[run.response_id]
        faults = self.config.faults
        if number == faults.server_error_after_responses:
            self.send_error(errors.server_error(), None)
        if number == faults.close_after_responses:
            log.info("realtime_fake.injected_close", extra={"code": faults.close_code})
            self.shutdown(faults.close_code, "injected fault")

    # -- timers -----------------------------------------------------------------------------

    async def _expire_after(self, seconds: float) -> None:
        await self.clock.sleep(seconds)
        self.send_error(errors.session_expired(), None)
        self.shutdown(self.config.faults.expired_close_code, "session expired")

    async def _drop_after(self, seconds: float) -> None:
        await self.clock.sleep(seconds)
        log.info("realtime_fake.injected_close", extra={"code": self.config.faults.close_code})
        self.shutdown(self.config.faults.close_code, "injected fault")

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            # A bug in the fake must not look like a quiet, healthy session.
            log.error("realtime_fake.task_failed", exc_info=exc)
            self.shutdown(1011, "fake engine error")
