"""What a call leaves behind: transcript, tool calls, barge-ins, latency figures and errors.

The conversation machine appends to it as the call goes; the shell stores it when the call ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


MAX_BARGE_IN_EVENTS = 500


@dataclass
class CallRecord:
    """The call's log, in JSON-ready shapes."""

    transcript: list[dict[str, Any]] = field(default_factory=list)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    barge_ins: list[dict[str, Any]] = field(default_factory=list)
    """Every barge-in decision in order, each with its `kind`: candidate, paused, resumed,
    dismissed, committed (with the ms heard of each item cut)."""
    realtime_errors: list[dict[str, Any]] = field(default_factory=list)
    reply_latencies_ms: list[float] = field(default_factory=list)
    dtmf_digits: list[str] = field(default_factory=list)
    audio_bytes_sent: int = 0
    audio_bytes_dropped: int = 0

    def add_turn(self, role: str, text: str, at_ms: float, item_id: str) -> None:
        """Keep the transcript in spoken order: a caller's transcript arrives late."""
        turn = {"role": role, "text": text, "at_ms": round(at_ms), "item_id": item_id}
        index = len(self.transcript)
        while index > 0 and self.transcript[index - 1]["at_ms"] > turn["at_ms"]:
            index -= 1
        self.transcript.insert(index, turn)

    def add_barge_in_event(self, entry: dict[str, Any]) -> None:
        """Keep one barge-in decision; a noisy line cannot grow the record without bound."""
        if len(self.barge_ins) < MAX_BARGE_IN_EVENTS:
            self.barge_ins.append(entry)

    @property
    def committed_barge_ins(self) -> list[dict[str, Any]]:
        return [entry for entry in self.barge_ins if entry.get("kind") == "committed"]

    def mark_interrupted(self, item_id: str, heard_ms: int) -> None:
        """Flag the agent turn of an item the caller cut off (its text was not all heard)."""
        for turn in self.transcript:
            if turn["item_id"] == item_id and turn["role"] == "agent":
                turn["interrupted_at_ms"] = heard_ms

    def latency(self) -> dict[str, Any]:
        """Reply latency: caller stops speaking -> first agent audio sent to the phone."""
        values = self.reply_latencies_ms
        if not values:
            return {"replies": 0}
        return {
            "replies": len(values),
            "reply_p50_ms": round(_percentile(values, 0.5), 1),
            "reply_p95_ms": round(_percentile(values, 0.95), 1),
            "reply_max_ms": round(max(values), 1),
        }
