"""The barge-in half of the call machine: when caller speech pauses, stops or resumes the agent.

Two sources of speech: with our detector (`watch`), `SpeechSuspected` holds agent audio back (the
phone plays out its short lead), `SpeechLikely` clears the phone, `SpeechConfirmed` commits
(cancel if active, truncate at heard) and `SpeechDismissed` resumes from the first unheard byte.
Without it, the server's `speech_started` commits at once. Either way the policy's knobs (guard,
cooldown, greeting) decide whether speech may interrupt now, and every decision goes on the record.

A mixin of `Conversation`: it shares the machine's state, kept in one object on purpose.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from agentlocator.call import commands as cmd
from agentlocator.call import events as ev
from agentlocator.call.barge_in import BargeInPolicy, SpeechSituation
from agentlocator.call.phone_audio import PhoneAudio
from agentlocator.call.record import CallRecord
from agentlocator.call.replies import Reply
from agentlocator.call.speech_watch import SpeechWatch

if TYPE_CHECKING:
    from agentlocator.call.conversation import ConversationConfig

SERVER_VAD_DELAY_MS = 1500.0
"""How much later than our detector the server may report the same speech starting."""

UNHEARD_TURN_MS = SERVER_VAD_DELAY_MS
"""After a barge-in, how long the caller may be quiet with the server still not having heard
them start before the machine closes their turn itself (commit + reply): quieter speech than
the server's VAD threshold would otherwise leave the caller in silence."""


class BargeInFlow:
    """Barge-in decisions of `Conversation` (see the module docstring)."""

    # The machine's state and helpers this half reads and writes (set up by `Conversation`).
    config: ConversationConfig
    policy: BargeInPolicy
    watch: SpeechWatch | None
    audio: PhoneAudio
    record: CallRecord
    _replies: dict[str, Reply]
    _active: Reply | None
    _paused_heard: dict[str, int]
    _paused_at_ms: float
    _is_playback_cleared: bool
    _is_caller_speaking: bool
    _speech_started_at_ms: float
    _speech_stopped_at_ms: float | None
    _last_barge_in_at_ms: float | None
    _unheard_barge_in_at_ms: float | None
    _ending_reason: str | None
    _silence_stage: int
    _dispatch: Callable[[ev.Event, float], list[cmd.Command]]
    _request_reply: Callable[[str], list[cmd.Command]]
    _sent: Callable[[list[cmd.Command]], list[cmd.Command]]
    _elapsed: Callable[[float], float]

    @property
    def active_response_id(self) -> str | None:
        """The reply between `ReplyCreated` and `ReplyDone`, if any."""
        return self._active.response_id if self._active else None

    def _audible_reply(self) -> Reply | None:
        playing = self.audio.ledger.playing_item_id
        if playing is not None:
            return self._replies.get(self.audio.response_of(playing))
        if self._active is not None and not self._active.is_interrupted:
            return self._active
        return None

    def _may_interrupt(self, now_ms: float) -> bool:
        audible = self._audible_reply()
        situation = SpeechSituation(
            now_ms=now_ms,
            is_agent_audible=audible is not None and self._ending_reason is None,
            is_greeting=audible is not None and audible.purpose == "greeting",
            agent_started_speaking_at_ms=self.audio.audible_since_ms,
            last_barge_in_at_ms=self._last_barge_in_at_ms,
        )
        return self.policy.should_interrupt(situation)

    def _watch_caller(self, audio: bytes, now_ms: float) -> list[cmd.Command]:
        if self.watch is None:
            return []
        is_audible = self._audible_reply() is not None or self.audio.is_paused
        commands: list[cmd.Command] = []
        for speech in self.watch.observe(audio, now_ms, is_agent_audible=is_audible):
            commands += self._dispatch(speech, now_ms)
        return commands

    def _on_speech_started(self, now_ms: float) -> list[cmd.Command]:
        self._is_caller_speaking = True
        self._speech_started_at_ms = now_ms
        self._unheard_barge_in_at_ms = None  # the server heard the caller: its turn will close
        self._silence_stage = 0
        if self.watch is not None or self.config.lead_ms is not None:
            return []  # the local detector decides (suspected / confirmed / dismissed)
        if not self._may_interrupt(now_ms):
            return []
        commands, heard = self.audio.stop(now_ms, self.active_response_id)
        return commands + self._cut_off(now_ms, heard, clear_sent=_clears(commands))

    def _on_speech_stopped(self, now_ms: float) -> list[cmd.Command]:
        """The server heard the caller's turn end. With local barge-in, the machine answers it
        unless it was only a sound over the agent: the agent is still talking and the caller did
        not interrupt (a cough, a "mm-hm"). A caller who started before the agent's last words
        and goes on after them is answered."""
        self._is_caller_speaking = False
        self._speech_stopped_at_ms = now_ms
        if self.watch is None:
            return []  # the server answers by itself
        started = self._speech_started_at_ms
        was_barge_in = self._last_barge_in_at_ms is not None and (
            self._last_barge_in_at_ms >= started - SERVER_VAD_DELAY_MS
        )
        is_over_agent = self._audible_reply() is not None or self.audio.is_paused
        if was_barge_in or not is_over_agent:
            return self._request_reply("turn")
        self._speech_stopped_at_ms = None
        return [cmd.LogEvent("caller_turn_ignored", {"at_ms": round(self._elapsed(now_ms))})]

    def _on_speech_suspected(self, now_ms: float, speech_ms: float) -> list[cmd.Command]:
        """Hold back: send the phone nothing more. It plays out its short lead meanwhile, so a
        false alarm dismissed within the lead is never heard at all, and resuming is exact."""
        log = self._barge_in_event("candidate", now_ms, speech_ms=round(speech_ms))
        if self.config.lead_ms is None or self.audio.is_paused or not self._may_interrupt(now_ms):
            return [log]
        marks = self.audio.hold()
        self._is_playback_cleared = False
        self._paused_at_ms = now_ms
        return [log, *marks, self._barge_in_event("paused", now_ms)]

    def _on_speech_likely(self, now_ms: float) -> list[cmd.Command]:
        """It sounds like speech: silence the phone now (clear), keeping every unheard byte."""
        if not self.audio.is_paused or self._is_playback_cleared:
            return []
        commands, self._paused_heard = self.audio.pause(now_ms, self.active_response_id)
        self._is_playback_cleared = True
        if self.watch is not None:
            self.watch.playback_cleared(now_ms)
        # With a short lead the phone may have played all it held already: no `clear` needed.
        cleared = self._barge_in_event(
            "cleared", now_ms, heard_ms=dict(self._paused_heard), clear_sent=_clears(commands)
        )
        return [*commands, cleared]

    def _on_speech_dismissed(self, now_ms: float) -> list[cmd.Command]:
        if not self.audio.is_paused:
            return [self._barge_in_event("dismissed", now_ms)]
        self._paused_heard = {}
        log = self._barge_in_event(
            "resumed",
            now_ms,
            paused_ms=round(now_ms - self._paused_at_ms),
            was_cleared=self._is_playback_cleared,
        )
        return [log, *self._sent(self.audio.resume(now_ms))]

    def _on_speech_confirmed(self, now_ms: float, speech_ms: float) -> list[cmd.Command]:
        if self.audio.is_paused and self._is_playback_cleared:
            heard, self._paused_heard = self._paused_heard, {}
            self.audio.is_paused = False
            return self._cut_off(now_ms, heard, speech_ms)
        if not self.audio.is_paused and not self._may_interrupt(now_ms):
            return []
        # Held back but not cleared, or not paused at all (plain forwarding): stop now.
        self.audio.is_paused = False
        commands, heard = self.audio.stop(now_ms, self.active_response_id)
        if self.watch is not None:
            self.watch.playback_cleared(now_ms)
        return commands + self._cut_off(now_ms, heard, speech_ms, clear_sent=_clears(commands))

    def _close_unheard_turn(self, now_ms: float) -> list[cmd.Command]:
        """A barge-in the server's VAD never heard: once the caller has been quiet a while,
        commit their audio and ask for the reply ourselves (called on every timer tick)."""
        since = self._unheard_barge_in_at_ms
        if since is None or now_ms - since < UNHEARD_TURN_MS:
            return []
        if self.watch is not None and self.watch.is_suspected:
            return []  # still talking: wait for the end of it
        self._unheard_barge_in_at_ms = None
        if self._ending_reason is not None:
            return []  # the call is ending: no new reply
        log = cmd.LogEvent("caller_turn_closed_locally", {"at_ms": round(self._elapsed(now_ms))})
        return [log, cmd.CommitCallerTurn(), *self._request_reply("turn")]

    def _barge_in_event(self, kind: str, now_ms: float, **fields: object) -> cmd.LogEvent:
        """One structured decision (candidate, paused, cleared, resumed, dismissed), logged and
        kept on the record; commits are recorded by `_cut_off`."""
        entry = {"kind": kind, "at_ms": round(self._elapsed(now_ms)), **fields}
        self.record.add_barge_in_event(entry)
        return cmd.LogEvent(f"barge_in_{kind}", entry)

    def _cut_off(
        self,
        now_ms: float,
        heard: dict[str, int],
        speech_ms: float | None = None,
        *,
        clear_sent: bool = False,
    ) -> list[cmd.Command]:
        """The caller interrupts: cancel the reply if active, truncate at what was heard, and
        forget every byte of the interrupted replies that was not sent."""
        if not heard and (self._active is None or self._active.is_cancel_sent):
            # The agent finished while the speech was being confirmed (the caller began as its
            # last words played): nothing to cut, and the caller's turn is an ordinary one.
            return [self._barge_in_event("nothing_to_cut", now_ms)]
        self._last_barge_in_at_ms = now_ms
        if self.watch is not None and not self._is_caller_speaking:
            self._unheard_barge_in_at_ms = now_ms  # until the server reports the speech
        commands: list[cmd.Command] = []
        cancelled = None
        if self._active is not None and not self._active.is_cancel_sent:
            self._active.is_cancel_sent = True
            cancelled = self._active.response_id
            commands.append(cmd.CancelReply(cancelled))
        interrupted = {self.audio.response_of(item) for item in heard}
        if self._active is not None:
            interrupted.add(self._active.response_id)
        for response_id in interrupted:
            self._replies[response_id].is_interrupted = True
            self.record.audio_bytes_dropped += self.audio.drop_response(response_id)
        for item_id, heard_ms in heard.items():
            if heard_ms > 0:
                commands.append(cmd.TruncateItem(item_id, heard_ms))
                self.record.mark_interrupted(item_id, heard_ms)
        entry = {
            "kind": "committed",
            "at_ms": round(self._elapsed(now_ms)),
            "items": [{"item_id": item, "heard_ms": ms} for item, ms in heard.items()],
            "cancelled_response": cancelled,
            "clear_sent": clear_sent,  # False after a pause that cleared (or had nothing to)
        }
        if speech_ms is not None:
            entry["speech_ms"] = round(speech_ms)
        self.record.add_barge_in_event(entry)
        commands.append(cmd.LogEvent("barge_in", entry))
        return commands


def _clears(commands: list[cmd.Command]) -> bool:
    return any(isinstance(command, cmd.ClearPlayback) for command in commands)
