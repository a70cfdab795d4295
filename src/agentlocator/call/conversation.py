"""The call state machine: every decision of one phone call, with no I/O and no clock.

`Conversation.handle(event, now_ms)` takes a fact (see `events`) and returns orders (see
`commands`). It owns:

- the reply lifecycle: a reply is active from `ReplyCreated` to `ReplyDone`; a new reply is
  requested only when none is active or being created, otherwise one request waits for `ReplyDone`;
  a cancel is sent only for the active reply and at most once;
- audio forwarding: each audio delta goes to the phone once, in order, followed by a mark; the
  `MarkLedger` turns mark echoes into "milliseconds heard" per item;
- barge-in (in `barge_in_flow`): hold back, clear, resume or commit on caller speech; a commit
  cancels the reply if it is still active and truncates each item in flight at what the caller
  heard (never beyond what was generated, never at 0 ms);
- tools: calls are collected per reply and run only once that reply completed (a reply cut off by a
  barge-in does not get to book or hang up); results go back and one follow-up reply is requested;
- ending: every end signal becomes exactly one `EndCall`; an agent goodbye hangs up only after the
  goodbye audio's last mark came back.

Cancellation has one owner: us. The session is configured with `interrupt_response: false`, so the
server never cancels a reply on its own speech detection.
"""

from __future__ import annotations

from dataclasses import dataclass

from agentlocator.call import commands as cmd
from agentlocator.call import events as ev
from agentlocator.call.barge_in import BargeInPolicy
from agentlocator.call.barge_in_flow import BargeInFlow
from agentlocator.call.phone_audio import PhoneAudio
from agentlocator.call.record import CallRecord
from agentlocator.call.replies import (
    BENIGN_RACE_ERRORS,
    SAY_EXACTLY,
    SILENCE_GOODBYE,
    SILENCE_PROMPT,
    Reply,
    ReplyRequest,
)
from agentlocator.call.speech_watch import SpeechWatch


@dataclass(frozen=True, slots=True)
class ConversationConfig:
    """Per-call settings of the machine."""

    greeting: str
    silence_timeout_ms: float = 6000.0
    max_call_ms: float = 30 * 60 * 1000.0
    goodbye_timeout_ms: float = 15000.0
    end_call_tool: str = "end_call"
    lead_ms: float | None = None
    """Audio kept queued at the phone; None forwards every byte at once (no pause/resume)."""
    chunk_ms: float = 100.0


class Conversation(BargeInFlow):
    """One call's decisions. Feed it events with the current time; execute what it returns."""

    def __init__(
        self, config: ConversationConfig, policy: BargeInPolicy, watch: SpeechWatch | None = None
    ) -> None:
        """`watch` (our detector on the caller's audio) makes barge-in local: the server's speech
        events then neither interrupt nor start replies; the machine asks for each reply itself."""
        self.config = config
        self.policy = policy
        self.watch = watch
        self.record = CallRecord()
        self.audio = PhoneAudio(config.lead_ms, config.chunk_ms)
        self.is_ended = False
        self.end_reason: str | None = None
        self._started_at_ms: float | None = None
        self._is_configured = False
        self._replies: dict[str, Reply] = {}
        self._paused_heard: dict[str, int] = {}
        self._active: Reply | None = None
        self._create_in_flight: ReplyRequest | None = None
        self._queued_request: ReplyRequest | None = None
        self._running_tools: dict[str, str] = {}  # call_id -> response_id
        self._is_caller_speaking = False
        self._speech_started_at_ms = 0.0
        self._speech_stopped_at_ms: float | None = None
        self._paused_at_ms = 0.0
        self._turn_started_ms: dict[str, float] = {}
        self._is_playback_cleared = False
        self._last_barge_in_at_ms: float | None = None
        self._unheard_barge_in_at_ms: float | None = None
        self._idle_since_ms: float | None = None
        self._silence_stage = 0
        self._ending_reason: str | None = None
        self._ending_deadline_ms = 0.0

    def handle(self, event: ev.Event, now_ms: float) -> list[cmd.Command]:
        """Apply one fact and return the orders it implies."""
        if self.is_ended:
            return []
        commands = self._dispatch(event, now_ms)
        if not self.is_ended:
            commands += self._maybe_finish_ending(now_ms)
            self._track_idle(now_ms)
        return commands

    def _dispatch(self, event: ev.Event, now_ms: float) -> list[cmd.Command]:
        match event:
            case ev.CallerAudioReceived(audio=audio):
                return [cmd.ForwardCallerAudio(audio), *self._watch_caller(audio, now_ms)]
            case ev.ReplyAudioReceived():
                return self._on_reply_audio(event, now_ms)
            case ev.MarkPlayed(name=name):
                return self._sent(self.audio.mark_played(name, now_ms))
            case ev.CallStarted():
                self._started_at_ms = now_ms
                return [cmd.ConfigureSession()]
            case ev.SessionConfigured():
                return self._on_session_configured()
            case ev.CallerSpeechStarted(item_id=item_id):
                self._turn_started_ms[item_id] = self._elapsed(now_ms)
                return self._on_speech_started(now_ms)
            case ev.SpeechSuspected(speech_ms=speech_ms):
                return self._on_speech_suspected(now_ms, speech_ms)
            case ev.SpeechLikely():
                return self._on_speech_likely(now_ms)
            case ev.SpeechConfirmed(speech_ms=speech_ms):
                return self._on_speech_confirmed(now_ms, speech_ms)
            case ev.SpeechDismissed():
                return self._on_speech_dismissed(now_ms)
            case ev.CallerSpeechStopped():
                return self._on_speech_stopped(now_ms)
            case ev.ReplyCreated(response_id=response_id):
                return self._on_reply_created(response_id)
            case ev.ReplyDone():
                return self._on_reply_done(event, now_ms)
            case ev.ToolCallReady():
                return self._on_tool_call(event)
            case ev.ToolFinished():
                return self._on_tool_finished(event)
            case ev.CallerTranscribed(item_id=item_id, text=text):
                # Dated when the caller began, not when the transcript came (after the answer).
                at_ms = self._turn_started_ms.pop(item_id, self._elapsed(now_ms))
                self.record.add_turn("caller", text, at_ms, item_id)
                return []
            case ev.AgentTranscribed(item_id=item_id, text=text):
                at_ms = self._turn_started_ms.pop(item_id, self._elapsed(now_ms))
                self.record.add_turn("agent", text, at_ms, item_id)
                return []
            case ev.RealtimeFailed():
                return self._on_realtime_error(event)
            case ev.DtmfPressed(digit=digit):
                self.record.dtmf_digits.append(digit)
                return [cmd.LogEvent("dtmf", {"digit_count": len(self.record.dtmf_digits)})]
            case ev.PlayoutDue():
                return self._sent(self.audio.pump(now_ms))
            case ev.TimerTicked():
                return self._sent(self.audio.pump(now_ms)) + self._on_tick(now_ms)
            case ev.CallEnded(reason=reason):
                return self._finish(reason, hang_up=False)

    # Replies -------------------------------------------------------------------------------

    def _request_reply(self, purpose: str, instructions: str | None = None) -> list[cmd.Command]:
        request = ReplyRequest(purpose, instructions)
        if self._active is not None or self._create_in_flight is not None:
            if self._queued_request is None:
                self._queued_request = request
            return []
        self._create_in_flight = request
        return [cmd.CreateReply(instructions)]

    def _on_session_configured(self) -> list[cmd.Command]:
        if self._is_configured:
            return []
        self._is_configured = True
        return self._request_reply("greeting", f"{SAY_EXACTLY} {self.config.greeting}")

    def _on_reply_created(self, response_id: str) -> list[cmd.Command]:
        request = self._create_in_flight
        self._create_in_flight = None
        reply = Reply(response_id, request.purpose if request else "turn")
        self._replies[response_id] = reply
        self._active = reply
        return []

    def _on_reply_done(self, event: ev.ReplyDone, now_ms: float) -> list[cmd.Command]:
        reply = self._replies.get(event.response_id)
        if reply is None:
            return []
        reply.is_active = False
        if self._active is reply:
            self._active = None
        commands: list[cmd.Command] = []
        if event.status == "completed" and not reply.is_interrupted:
            commands += self._start_tools(reply, now_ms)
            if reply.purpose == "silence_goodbye":
                self._begin_ending("silence_timeout", now_ms)
        elif reply.tool_calls:
            commands.append(
                cmd.LogEvent(
                    "tools_skipped", {"reason": "reply_cancelled", "count": len(reply.tool_calls)}
                )
            )
        if self._queued_request is not None and self._create_in_flight is None:
            request, self._queued_request = self._queued_request, None
            commands += self._request_reply(request.purpose, request.instructions)
        return commands

    def _on_reply_audio(self, event: ev.ReplyAudioReceived, now_ms: float) -> list[cmd.Command]:
        reply = self._replies.get(event.response_id)
        if reply is None or reply.is_interrupted:
            # Audio of a reply the caller cut off: it must never reach the phone.
            self.record.audio_bytes_dropped += len(event.audio)
            return []
        # The agent's turn is dated when its audio began, like the caller's when they began.
        self._turn_started_ms.setdefault(event.item_id, self._elapsed(now_ms))
        if not reply.has_audio:
            reply.has_audio = True
            if self._speech_stopped_at_ms is not None and reply.purpose == "turn":
                self.record.reply_latencies_ms.append(now_ms - self._speech_stopped_at_ms)
                self._speech_stopped_at_ms = None
        return self._sent(self.audio.add(event.item_id, event.response_id, event.audio, now_ms))

    def _sent(self, commands: list[cmd.Command]) -> list[cmd.Command]:
        self.record.audio_bytes_sent = self.audio.bytes_sent
        if self.watch is not None:
            # The detector must know what the caller hears, to tell its echo from the caller.
            for command in commands:
                if isinstance(command, cmd.PlayAudio):
                    self.watch.agent_audio(command.audio, command.plays_at_ms)
        return commands

    # Tools ---------------------------------------------------------------------------------

    def _on_tool_call(self, event: ev.ToolCallReady) -> list[cmd.Command]:
        reply = self._replies.get(event.response_id)
        if reply is None or reply.is_interrupted:
            return []
        reply.tool_calls.append(event)
        return []

    def _start_tools(self, reply: Reply, now_ms: float) -> list[cmd.Command]:
        commands: list[cmd.Command] = []
        for call in reply.tool_calls:
            self.record.tool_calls.append(
                {"call_id": call.call_id, "name": call.name, "arguments": call.arguments}
            )
            commands.append(cmd.LogEvent("tool_called", {"tool": call.name}))
            if call.name == self.config.end_call_tool:
                self._begin_ending("agent_ended", now_ms)
                continue
            self._running_tools[call.call_id] = reply.response_id
            commands.append(cmd.RunTool(call.call_id, call.name, call.arguments))
        return commands

    def _on_tool_finished(self, event: ev.ToolFinished) -> list[cmd.Command]:
        response_id = self._running_tools.pop(event.call_id, None)
        if response_id is None:
            return []
        for entry in self.record.tool_calls:
            if entry["call_id"] == event.call_id:
                entry["output"] = event.output
        commands: list[cmd.Command] = [
            cmd.SendToolOutput(event.call_id, event.output),
            cmd.LogEvent("tool_result", {"call_id": event.call_id}),
        ]
        if response_id not in self._running_tools.values():
            commands += self._request_reply("tool_followup")
        return commands

    # Errors, time, ending ------------------------------------------------------------------

    def _on_realtime_error(self, event: ev.RealtimeFailed) -> list[cmd.Command]:
        self.record.realtime_errors.append({"code": event.code, "message": event.message})
        if event.code == "conversation_already_has_active_response" and self._create_in_flight:
            # Our create crossed a reply the server started by itself: send it after that one.
            self._queued_request = self._queued_request or self._create_in_flight
            self._create_in_flight = None
        level = "debug" if event.code in BENIGN_RACE_ERRORS else "error"
        return [cmd.LogEvent("realtime_error", {"code": event.code, "level": level})]

    def _on_tick(self, now_ms: float) -> list[cmd.Command]:
        unheard = self._close_unheard_turn(now_ms)
        if unheard:
            return unheard
        started = self._started_at_ms
        if started is not None and now_ms - started >= self.config.max_call_ms:
            return self._finish("max_duration", hang_up=True)
        if self._ending_reason is not None and now_ms >= self._ending_deadline_ms:
            return self._finish(self._ending_reason, hang_up=True)
        idle_since = self._idle_since_ms
        if idle_since is None or now_ms - idle_since < self.config.silence_timeout_ms:
            return []
        self._idle_since_ms = None
        if self._silence_stage == 0:
            self._silence_stage = 1
            return self._request_reply("silence_prompt", SILENCE_PROMPT)
        if self._silence_stage == 1:
            self._silence_stage = 2
            return self._request_reply("silence_goodbye", SILENCE_GOODBYE)
        return []

    def _track_idle(self, now_ms: float) -> None:
        is_idle = (
            self._is_configured
            and self._ending_reason is None
            and self._active is None
            and self._create_in_flight is None
            and self._queued_request is None
            and not self._running_tools
            and not self._is_caller_speaking
            and not self.audio.has_pending_audio
        )
        if not is_idle:
            self._idle_since_ms = None
        elif self._idle_since_ms is None:
            self._idle_since_ms = now_ms

    def _begin_ending(self, reason: str, now_ms: float) -> None:
        if self._ending_reason is None:
            self._ending_reason = reason
            self._ending_deadline_ms = now_ms + self.config.goodbye_timeout_ms

    def _maybe_finish_ending(self, now_ms: float) -> list[cmd.Command]:
        del now_ms  # the deadline is checked on ticks; here only "has the goodbye played?"
        if self._ending_reason is None:
            return []
        if self._active or self._create_in_flight or self._running_tools:
            return []
        if self.audio.has_pending_audio:
            return []
        return self._finish(self._ending_reason, hang_up=True)

    def _finish(self, reason: str, *, hang_up: bool) -> list[cmd.Command]:
        self.is_ended = True
        self.end_reason = reason
        commands: list[cmd.Command] = [cmd.LogEvent("call_ending", {"reason": reason})]
        if hang_up:
            commands.append(cmd.HangUp(reason))
        commands.append(cmd.EndCall(reason))
        return commands

    def _elapsed(self, now_ms: float) -> float:
        return now_ms - (self._started_at_ms if self._started_at_ms is not None else now_ms)
