"""One clip, one call: dial through the real server, play the clip over a live reply, measure.

Timeline of a call (phone clock: ms since the Twilio `start` message, the event loop's clock):
a short greeting plays out; the caller says a line; the agent's long reply starts; once the
caller has heard `LEAD_IN_MS` of it, the clip is queued on the microphone (`Microphone.say`
returns where it starts on the inbound timeline, so speech onset = that + the clip's
`onset_ms`). After the clip and `SETTLE_MS`, a call without a commit waits for the reply to
play out (so lost bytes show), then the caller hangs up and the stored call record is read.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from agentlocator.audio.mulaw import BYTES_PER_MS
from agentlocator.simulator.local_stack import LocalStack
from agentlocator.simulator.scenario_kit import (
    QUIET_SECS,
    DialledCall,
    ScenarioFailed,
    dial,
    stored_call,
    wait_until,
)
from barge_in_bench.alignment import align
from barge_in_bench.corpus import BenchClip

GREETING = "שלום, כאן המרפאה."
REPLY = (
    "בשמחה. יש לנו תורים פנויים השבוע ביום שני בבוקר וביום שלישי אחרי הצהריים, "
    "ותוכלו לבחור מה שנוח לכם."
)
"""About 6.5 s of agent audio: room for a 1 s lead-in, the longest clip (3.6 s) and a resume."""
LEAD_IN_MS = 1000.0
SETTLE_MS = 600.0
TURN_GAP_MS = 500.0
"""Silence in the agent's audio at least this long is a turn (the caller's line, the model
thinking); shorter gaps before the clip starts are underruns: the phone ran out of audio."""
CALLER_LINE_MS = 800


class _TimedEvents(list[dict[str, Any]]):
    """The fake Realtime session's client-event log, with the phone-clock arrival of each."""

    def __init__(self, existing: list[dict[str, Any]], now_ms: Callable[[], float]) -> None:
        super().__init__(existing)
        self.times: list[float | None] = [None] * len(existing)
        self._now_ms = now_ms

    def append(self, item: dict[str, Any]) -> None:
        super().append(item)
        self.times.append(self._now_ms())

    def arrivals(self, event_type: str) -> list[float]:
        return [
            at
            for event, at in zip(self, self.times, strict=True)
            if at is not None and event.get("type") == event_type
        ]


@dataclass
class ClipResult:
    """Raw figures of one clip under one policy."""

    clip_id: str
    kind: str
    policy: str
    problem: str | None = None
    decisions: list[str] = field(default_factory=list)
    commits: int = 0
    commits_before_clip: int = 0
    resumes: int = 0
    pauses: int = 0
    clip_start_ms: float | None = None
    """Where the clip starts on the inbound timeline; None if the call never got that far."""
    onset_ms: float | None = None
    pause_latency_ms: float | None = None
    pause_decision_ms: float | None = None
    """Onset -> the server's `paused` decision that led to the commit, its call-elapsed time
    mapped to the phone clock through the call's first clear (approximate: +- the clear's
    transit)."""
    paused_before_onset: bool = False
    commit_latency_ms: float | None = None
    truncate_errors_ms: list[float] = field(default_factory=list)
    repeated_bytes: int = 0
    lost_bytes: int = 0
    slips: list[tuple[str, int]] = field(default_factory=list)
    strict_unexplained_bytes: int = 0
    """The simulator's strict audit (`audit_playback`): a slip makes the rest unexplained."""
    underruns_ms: list[float] = field(default_factory=list)
    """Gaps in the agent's audio before the clip started, shorter than a turn (`_underruns`)."""
    clears_ms: list[float] = field(default_factory=list)
    truncates_ms: list[float] = field(default_factory=list)
    call_ms: float = 0.0

    @property
    def is_committed_on_clip(self) -> bool:
        return self.commits - self.commits_before_clip > 0


def _pause_latency(
    runs: list[tuple[float, bytes]], onset_ms: float, latest_ms: float
) -> tuple[float | None, bool]:
    """Onset -> the end of the agent audio the caller was hearing at onset (a clear or the end
    of the held-back lead). None if it kept playing past `latest_ms`; 0 and True if nothing was
    playing at onset (already paused)."""
    for start_ms, audio in runs:
        end_ms = start_ms + len(audio) / BYTES_PER_MS
        if start_ms <= onset_ms < end_ms:
            return (end_ms - onset_ms, False) if end_ms <= latest_ms else (None, False)
    return 0.0, True


def _underruns(runs: list[tuple[float, bytes]], before_ms: float) -> list[float]:
    """Gaps between the phone's playback runs that ended before `before_ms` and are shorter than
    a turn: nothing held the agent back then (the detector hears only silence before the clip),
    so the phone ran dry because audio reached it late."""
    gaps: list[float] = []
    for (start_ms, audio), (next_start_ms, _) in itertools.pairwise(runs):
        gap_ms = next_start_ms - (start_ms + len(audio) / BYTES_PER_MS)
        if next_start_ms <= before_ms and 0 < gap_ms < TURN_GAP_MS:
            gaps.append(gap_ms)
    return gaps


async def play_clip(
    stack: LocalStack,
    clip: BenchClip,
    policy: str,
    min_speech_ms: float,
    dial_lock: asyncio.Lock,
) -> ClipResult:
    """Place one call and play `clip` over the agent's reply; see the module docstring."""
    result = ClipResult(clip.id, clip.kind, policy)
    # `dial` takes the newest Realtime session: one dial in flight at a time keeps that exact.
    try:
        async with dial_lock:
            call = await dial(stack, echo=clip.echo) if clip.echo else await dial(stack)
    except (ScenarioFailed, httpx.HTTPError) as error:
        # A call that could not even be placed is reported, not allowed to end the whole run.
        result.problem = f"dial failed: {error!r}"
        return result
    record = call.engine.record
    events = _TimedEvents(record.client_events, call.phone.now_ms)
    record.client_events = events
    try:
        await _play(call, clip, result, min_speech_ms, events)
    except ScenarioFailed as error:
        result.problem = str(error)
    finally:
        if not call.phone.is_closed:
            await call.phone.hang_up()
    row = await stored_call(stack, call.call_sid, timeout_secs=15.0)
    result.clears_ms = [clear.at_ms for clear in call.phone.clears]
    result.truncates_ms = events.arrivals("conversation.item.truncate")
    _from_record(result, row["barge_ins"])
    result.call_ms = call.phone.closed_at_ms or call.phone.now_ms()
    return result


async def _play(
    call: DialledCall,
    clip: BenchClip,
    result: ClipResult,
    min_speech_ms: float,
    events: _TimedEvents,
) -> None:
    # The greeting, to its end: a caller does not take a gap in it (an underrun) for the end.
    await call.wait_agent_finished(timeout_secs=20.0)
    call.speak(CALLER_LINE_MS)
    await call.wait_agent_speaking(LEAD_IN_MS, timeout_secs=20.0)
    reply_index = len(call.assistant_items()) - 1
    start_ms = call.phone.say(clip.audio)
    result.clip_start_ms = start_ms
    clip_end_ms = start_ms + clip.duration_ms
    await wait_until(
        lambda: call.phone.now_ms() >= clip_end_ms + SETTLE_MS, "the clip played", 30.0
    )
    truncated_at = [at for at in events.arrivals("conversation.item.truncate") if at >= start_ms]
    if not truncated_at:
        # Quiet for a while: a hold on a noise can leave the phone's queue empty mid-reply.
        await call.wait_agent_finished(timeout_secs=30.0, quiet_secs=QUIET_SECS)
    runs = call.phone.played
    result.underruns_ms = _underruns(runs, start_ms)
    items = call.assistant_items()
    heard = align(call.phone.played_audio(), items)
    result.strict_unexplained_bytes = call.audit().unexplained_bytes
    result.repeated_bytes = heard.repeated_bytes
    result.slips = heard.slips
    truncates = call.engine.record.truncates
    result.truncate_errors_ms = [
        round(t.audio_end_ms - heard.heard_ms(t.item_id), 2) for t in truncates
    ]
    truncated = {t.item_id for t in truncates}
    for item_id, audio in items[: reply_index + 1]:
        result.lost_bytes += heard.skipped_bytes(item_id)
        if item_id not in truncated:
            result.lost_bytes += len(audio) - heard.reached_bytes.get(item_id, 0)
    if clip.onset_ms is not None:
        onset = start_ms + clip.onset_ms
        result.onset_ms = onset
        latency, before = _pause_latency(runs, onset, clip_end_ms + SETTLE_MS)
        result.pause_latency_ms = latency
        result.paused_before_onset = before
        if truncated_at:
            result.commit_latency_ms = truncated_at[0] - (onset + min_speech_ms)


def _from_record(result: ClipResult, decisions: list[dict[str, Any]]) -> None:
    result.decisions = [str(entry.get("kind")) for entry in decisions]
    result.pauses = result.decisions.count("paused")
    result.resumes = result.decisions.count("resumed")
    result.commits = result.decisions.count("committed")
    start = result.clip_start_ms
    result.commits_before_clip = sum(1 for at in result.truncates_ms if start is None or at < start)
    if start is None:
        result.commits_before_clip = result.commits
    result.pause_decision_ms = _pause_decision(result, decisions)


def _pause_decision(result: ClipResult, decisions: list[dict[str, Any]]) -> float | None:
    """See `ClipResult.pause_decision_ms`. The server's `at_ms` counts from when its call
    machine started, which trails the phone's `start` by the call set-up (tens of ms, varying),
    so it is anchored on the first decision that sent a `clear` and the phone's first clear."""
    if result.onset_ms is None or not result.clears_ms:
        return None
    clearing = [
        index
        for index, entry in enumerate(decisions)
        if entry.get("kind") == "cleared"
        or (
            entry.get("kind") == "committed"
            and (index == 0 or decisions[index - 1].get("kind") != "cleared")
        )
    ]
    if not clearing:
        return None
    offset = result.clears_ms[0] - float(decisions[clearing[0]]["at_ms"])
    paused_at: float | None = None
    for entry in decisions:
        if entry.get("kind") == "paused":
            paused_at = float(entry["at_ms"])
        if entry.get("kind") == "committed" and paused_at is not None:
            if paused_at + offset >= result.onset_ms - 1000.0:
                return paused_at + offset - result.onset_ms
            paused_at = None
    return None
