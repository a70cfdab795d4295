"""The conversation machine's vocabulary for replies: what a reply is, and the fixed requests."""

from __future__ import annotations

from dataclasses import dataclass, field

from agentlocator.call import events as ev

SAY_EXACTLY = "Say exactly:"
SILENCE_PROMPT = (
    "The caller has been silent for a while. In the language of the call, briefly ask whether "
    "they are still on the line."
)
SILENCE_GOODBYE = (
    "The caller is still silent. In the language of the call, say a short, polite goodbye."
)
# Realtime error codes that a benign race can produce; they are expected, not our bugs.
BENIGN_RACE_ERRORS = frozenset({"response_cancel_not_active"})


@dataclass(slots=True)
class Reply:
    """One Realtime response, from `response.created` on, and why it was asked for."""

    response_id: str
    purpose: str
    is_active: bool = True
    is_cancel_sent: bool = False
    is_interrupted: bool = False
    tool_calls: list[ev.ToolCallReady] = field(default_factory=list)
    has_audio: bool = False


@dataclass(frozen=True, slots=True)
class ReplyRequest:
    """A reply we want (greeting, tool follow-up, silence prompt...), sent or queued."""

    purpose: str
    instructions: str | None
