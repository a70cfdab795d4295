"""What the call shell needs from the outside world, as small protocols."""

from __future__ import annotations

import asyncio
from typing import Protocol


class PhoneSocket(Protocol):
    """The Twilio Media Streams WebSocket, after `start`."""

    async def receive_text(self) -> str | None:
        """The next text frame; None once the socket is closed. Binary frames come back as ''."""

    async def send_text(self, text: str) -> None:
        """Send one text frame; a closed socket is not an error here."""

    async def close(self) -> None:
        """Close the socket; safe to call more than once."""


class ToolRunner(Protocol):
    """Executes the model's tools for one call (the business scope is bound in)."""

    def start(self, call_id: str, name: str, arguments: str) -> asyncio.Future[str]:
        """Start a tool; the future resolves to the JSON string sent back to the model.

        `call_id` is the Realtime function-call id: the idempotency key of the tool's effect (a
        second start with the same id joins the first run).
        """


class CallHangUp(Protocol):
    """Ends a live call at the phone network (Twilio REST)."""

    async def hang_up(self, call_sid: str) -> None:
        """Complete the call; errors are the caller's to log."""
