"""What the fake Realtime model says: a queue of scripted steps, one per response.

A test writes the conversation it wants (what the caller "said" according to input
transcription, what the model answers, which tool it calls) and the engine plays it back.
Responses the bridge asks for with `response.instructions` containing `Say exactly:` speak the
text after the marker instead, which is how a bridge asks for a fixed greeting.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

SAY_EXACTLY_MARKER = "Say exactly:"


@dataclass(frozen=True)
class ToolCallStep:
    """A function call the model makes: `name` must be one of the session's tools to be made."""

    name: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ScriptStep:
    """One model response, plus what the caller's turn before it transcribes to."""

    say: str = ""
    call: ToolCallStep | None = None
    caller_transcript: str = ""


@dataclass
class RealtimeScript:
    """The content of one session; steps are consumed front to back, one per response."""

    steps: Iterable[ScriptStep] = ()
    fallback_reply: str = "כן, אני כאן. איך אפשר לעזור?"
    idle_reply: str = "אתם עדיין על הקו?"
    _queue: deque[ScriptStep] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._queue = deque(self.steps)

    @property
    def remaining(self) -> int:
        """Steps not yet used."""
        return len(self._queue)

    def peek_step(self) -> ScriptStep | None:
        """The step the next response will use, without using it."""
        return self._queue[0] if self._queue else None

    def next_step(self) -> ScriptStep | None:
        """Use up the next step; None once the script has run out."""
        return self._queue.popleft() if self._queue else None

    @staticmethod
    def say_exactly(instructions: str | None) -> str | None:
        """The text after `Say exactly:` in response-level instructions, if the marker is there."""
        if not instructions or SAY_EXACTLY_MARKER not in instructions:
            return None
        text = instructions.split(SAY_EXACTLY_MARKER, 1)[1].strip()
        return text.strip("\"'“”„") or None

    @classmethod
    def receptionist(cls) -> RealtimeScript:
        """A short clinic-receptionist call for the built-in simulated engine.

        The bridge greets with `Say exactly:`; the caller then asks for an appointment, picks a
        time, and says goodbye, and the model answers the goodbye by calling `end_call` (made only
        when the session declares that tool).
        """
        return cls(
            steps=[
                ScriptStep(
                    caller_transcript="שלום, אני רוצה לקבוע תור.",
                    say="בשמחה. לאיזה יום ובאיזו שעה נוח לכם?",
                ),
                ScriptStep(
                    caller_transcript="מחר בעשר בבוקר, אם אפשר.",
                    say="מצוין, אעביר את הבקשה ונחזור אליכם לאישור. עוד משהו?",
                ),
                ScriptStep(
                    caller_transcript="לא, זה הכל. תודה, להתראות.",
                    say="תודה שהתקשרתם, יום טוב ולהתראות!",
                    call=ToolCallStep("end_call", {}),
                ),
            ]
        )
