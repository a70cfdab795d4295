"""The async shell around `Conversation`: pumps both sockets and executes the machine's orders.

One `CallSession` per phone call. Three loops run in a task group: the phone reader, the Realtime
reader and a ticker. Each decoded fact goes through `Conversation.handle`; the orders that come back
are executed without awaiting: socket writes go to one outbox per socket (so they leave in the
order they were decided), tools run in their own tasks, each watched by a deadline (`tool_watch`).
When the machine orders `EndCall`, the group is cancelled, the Twilio hang-up runs if the agent
ended the call, both sockets are closed and the outcome is returned for the call record. Nothing
here touches the database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from agentlocator.call import commands as cmd
from agentlocator.call import events as ev
from agentlocator.call.conversation import Conversation
from agentlocator.call.ports import CallHangUp, PhoneSocket, ToolRunner
from agentlocator.call.tool_watch import ToolWatch
from agentlocator.realtime import protocol as rt
from agentlocator.realtime.link import RealtimeClosed, RealtimeLink
from agentlocator.telephony import media_stream as twilio

log = logging.getLogger(__name__)

TICK_SECS = 0.1
CLOSE_TIMEOUT_SECS = 1.0
HANG_UP_TIMEOUT_SECS = 5.0


class _CallOver(Exception):
    """Raised inside the task group to stop every loop of the call at once."""


@dataclass
class CallOutcome:
    """How the call went, for the call record and the tests."""

    end_reason: str
    started_at_ms: float
    ended_at_ms: float
    malformed_frames: int
    bridge_latencies_ms: list[float] = field(default_factory=list)


class CallSession:
    """Runs one call from Twilio `start` to the end signal."""

    def __init__(
        self,
        *,
        conversation: Conversation,
        phone: PhoneSocket,
        realtime: RealtimeLink,
        session_update: dict[str, Any],
        stream_sid: str,
        call_sid: str,
        tools: ToolRunner,
        hang_up: CallHangUp | None,
        clock_ms: Callable[[], float],
        tool_timeout_secs: float = 8.0,
        read_only_tools: frozenset[str] = frozenset(),
    ) -> None:
        self.conversation = conversation
        self.call_sid = call_sid
        self._phone = phone
        self._realtime = realtime
        self._session_update = session_update
        self._stream_sid = stream_sid
        self._tools = tools
        self._hang_up = hang_up
        self._clock_ms = clock_ms
        self._tool_timeout_secs = tool_timeout_secs
        self._read_only_tools = read_only_tools
        self._phone_out: asyncio.Queue[tuple[str, float | None]] = asyncio.Queue()
        self._realtime_out: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._ended = asyncio.Event()
        self._is_hang_up_requested = False
        self._tool_watches: set[ToolWatch] = set()
        self._malformed_frames = 0
        self._latencies_ms: list[float] = []
        # One timer for the next paced send: the lead is short, so sends must not wait for
        # the next inbound frame or tick, whose arrival jitters.
        self._playout_timer: asyncio.TimerHandle | None = None
        self._playout_due_ms: float | None = None

    def end(self, reason: str) -> None:
        """An end signal from outside the call (status callback, shutdown)."""
        self._feed(ev.CallEnded(reason))

    async def run(self) -> CallOutcome:
        """Run the call to its end and close both sockets."""
        started = self._clock_ms()
        self._feed(ev.CallStarted())
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self._read_phone())
                group.create_task(self._read_realtime())
                group.create_task(self._write_phone())
                group.create_task(self._write_realtime())
                group.create_task(self._tick())
                await self._ended.wait()
                raise _CallOver
        except* _CallOver:
            pass
        finally:
            if self._playout_timer is not None:
                self._playout_timer.cancel()
            for watch in self._tool_watches:
                watch.abandon()
            if not self._ended.is_set():
                self.conversation.handle(ev.CallEnded("internal_error"), self._clock_ms())
            await self._close()
        reason = self.conversation.end_reason or "internal_error"
        return CallOutcome(
            reason, started, self._clock_ms(), self._malformed_frames, self._latencies_ms
        )

    # The machine ---------------------------------------------------------------------------

    def _feed(self, event: ev.Event, received_at_ms: float | None = None) -> None:
        now_ms = self._clock_ms()
        for command in self.conversation.handle(event, now_ms):
            self._execute(command, received_at_ms)
        self._schedule_playout(now_ms)

    def _schedule_playout(self, now_ms: float) -> None:
        due_ms = (
            None
            if self.conversation.is_ended
            else self.conversation.audio.next_release_at_ms(now_ms)
        )
        current_ms = self._playout_due_ms
        if due_ms == current_ms or (
            due_ms is not None and current_ms is not None and abs(due_ms - current_ms) < 0.5
        ):
            return
        if self._playout_timer is not None:
            self._playout_timer.cancel()
            self._playout_timer = None
        self._playout_due_ms = due_ms
        if due_ms is not None:
            self._playout_timer = asyncio.get_running_loop().call_later(
                max(0.0, due_ms - now_ms) / 1000.0, self._playout_due
            )

    def _playout_due(self) -> None:
        self._playout_timer = None
        self._playout_due_ms = None
        self._feed(ev.PlayoutDue())

    def _execute(self, command: cmd.Command, received_at_ms: float | None) -> None:
        match command:
            case cmd.ForwardCallerAudio(audio=audio):
                self._realtime_out.put_nowait(rt.append_audio(audio))
            case cmd.PlayAudio(audio=audio):
                message = twilio.media_message(self._stream_sid, audio)
                self._phone_out.put_nowait((message, received_at_ms))
            case cmd.SendMark(name=name):
                self._phone_out.put_nowait((twilio.mark_message(self._stream_sid, name), None))
            case cmd.ClearPlayback():
                self._phone_out.put_nowait((twilio.clear_message(self._stream_sid), None))
            case cmd.ConfigureSession():
                self._realtime_out.put_nowait(self._session_update)
            case cmd.CommitCallerTurn():
                self._realtime_out.put_nowait(rt.commit_input_audio())
            case cmd.CreateReply(instructions=instructions):
                self._realtime_out.put_nowait(rt.create_response(instructions))
            case cmd.CancelReply(response_id=response_id):
                self._realtime_out.put_nowait(rt.cancel_response(response_id))
            case cmd.TruncateItem(item_id=item_id, audio_end_ms=audio_end_ms):
                self._realtime_out.put_nowait(rt.truncate_item(item_id, audio_end_ms))
            case cmd.SendToolOutput(call_id=call_id, output=output):
                self._realtime_out.put_nowait(rt.function_call_output(call_id, output))
            case cmd.RunTool():
                self._start_tool(command)
            case cmd.HangUp():
                self._is_hang_up_requested = True
            case cmd.EndCall():
                self._ended.set()
            case cmd.LogEvent(name=name, fields=fields):
                level = logging.DEBUG if fields.get("level") == "debug" else logging.INFO
                log.log(level, "call.%s", name, extra={"call_sid": self.call_sid, "fields": fields})

    # The loops -----------------------------------------------------------------------------

    async def _read_phone(self) -> None:
        while True:
            text = await self._phone.receive_text()
            if text is None:
                self._feed(ev.CallEnded("caller_hung_up"))
                return
            frame = twilio.decode_frame(text) if text else twilio.MalformedFrame("binary frame")
            match frame:
                case twilio.MalformedFrame(reason=reason):
                    self._malformed_frames += 1
                    log.debug("twilio.malformed_frame", extra={"reason": reason})
                case twilio.StreamStopped():
                    self._feed(ev.CallEnded("caller_hung_up"))
                    return
                case twilio.StreamConnected() | twilio.StreamStarted():
                    pass
                case _:
                    self._feed(frame)

    async def _read_realtime(self) -> None:
        while True:
            try:
                message = await self._realtime.receive()
            except RealtimeClosed as closed:
                log.warning(
                    "realtime.closed", extra={"code": closed.code, "call_sid": self.call_sid}
                )
                self._feed(ev.CallEnded("realtime_lost"))
                return
            received_at = self._clock_ms()
            try:
                event = rt.decode_server_event(message)
            except (KeyError, TypeError, ValueError):
                log.warning("realtime.undecodable_event", extra={"type": message.get("type")})
                continue
            if event is not None:
                self._feed(event, received_at)

    async def _write_phone(self) -> None:
        while True:
            text, received_at = await self._phone_out.get()
            await self._phone.send_text(text)
            if received_at is not None:
                self._latencies_ms.append(self._clock_ms() - received_at)

    async def _write_realtime(self) -> None:
        while True:
            event = await self._realtime_out.get()
            try:
                await self._realtime.send(event)
            except RealtimeClosed:
                self._feed(ev.CallEnded("realtime_lost"))
                return

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(TICK_SECS)
            self._feed(ev.TimerTicked())

    def _start_tool(self, command: cmd.RunTool) -> None:
        def answered(output: str) -> None:
            self._tool_watches.discard(watch)
            self._feed(ev.ToolFinished(command.call_id, output))

        watch = ToolWatch(
            self._tools.start(command.call_id, command.name, command.arguments),
            timeout_secs=self._tool_timeout_secs,
            has_side_effects=command.name not in self._read_only_tools,
            answer=answered,
            context={"tool": command.name, "call_sid": self.call_sid},
        )
        self._tool_watches.add(watch)

    async def _close(self) -> None:
        if self._is_hang_up_requested and self._hang_up is not None:
            try:
                await asyncio.wait_for(self._hang_up.hang_up(self.call_sid), HANG_UP_TIMEOUT_SECS)
            except Exception:
                log.exception("twilio.hang_up_failed", extra={"call_sid": self.call_sid})
        for close in (self._realtime.close, self._phone.close):
            try:
                await asyncio.wait_for(close(), CLOSE_TIMEOUT_SECS)
            except Exception:
                log.debug("socket.close_failed", exc_info=True)
