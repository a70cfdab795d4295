"""A started tool's deadline: exactly one truthful answer for the model, in time.

A read-only tool is cut off at the timeout and answers `TOOL_FAILURE`. A tool with side effects
(a booking) is not cut off: it may commit after any deadline, so saying "failed" could be a lie.
It gets a grace period to give its real answer, and past that the model hears "unconfirmed",
never "failed".

The watch is callbacks on the event loop, not a task of its own: the answer is delivered one
loop turn after the tool finishes. Under load each turn waits behind the audio of every call, so
layers of tasks and shields around a tool cost the caller real milliseconds.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable

log = logging.getLogger(__name__)

TOOL_FAILURE = json.dumps(
    {"status": "error", "reason": "The system could not complete this right now."}
)
TOOL_UNCONFIRMED = json.dumps(
    {
        "status": "unconfirmed",
        "reason": "Could not confirm in time whether this was saved. Do not say it failed or "
        "succeeded; tell the caller the business will confirm.",
    }
)
WRITE_GRACE_SECS = 30.0


class ToolWatch:
    """Watches one running tool (`work`) and hands its answer, or a stand-in, to `answer`."""

    def __init__(
        self,
        work: asyncio.Future[str],
        *,
        timeout_secs: float,
        has_side_effects: bool,
        answer: Callable[[str], None],
        context: dict[str, str],
        grace_secs: float | None = None,
    ) -> None:
        self._work = work
        self._has_side_effects = has_side_effects
        self._answer = answer
        self._context = context
        self._grace_secs = WRITE_GRACE_SECS if grace_secs is None else grace_secs
        self._is_answered = False
        self._loop = asyncio.get_running_loop()
        self._timer: asyncio.TimerHandle | None = self._loop.call_later(timeout_secs, self._overdue)
        work.add_done_callback(self._finished)

    def abandon(self) -> None:
        """The call is over: nobody needs the answer. A read-only tool is stopped; a write
        finishes on its own (its transaction either commits or not, never half)."""
        self._give_up_answering()
        if not self._has_side_effects:
            self._work.cancel()

    def _finished(self, work: asyncio.Future[str]) -> None:
        if work.cancelled():
            output = TOOL_FAILURE
        elif (error := work.exception()) is not None:
            log.error("tool.failed", exc_info=error, extra=self._context)
            output = TOOL_FAILURE
        else:
            output = work.result()
        self._give(output)

    def _overdue(self) -> None:
        self._timer = None
        log.warning("tool.slow", extra=self._context)
        if not self._has_side_effects:
            self._give(TOOL_FAILURE)
            self._work.cancel()
            return
        self._timer = self._loop.call_later(self._grace_secs, self._unconfirmed)

    def _unconfirmed(self) -> None:
        self._timer = None
        log.error("tool.unconfirmed", extra=self._context)
        self._give(TOOL_UNCONFIRMED)

    def _give(self, output: str) -> None:
        if self._is_answered:
            return
        self._give_up_answering()
        self._answer(output)

    def _give_up_answering(self) -> None:
        self._is_answered = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
