"""The port between a call and a Realtime session: JSON events in both directions.

Two adapters implement it: `realtime.connection.WebSocketRealtimeLink` (the real API, or a fake
server) and `simulator.realtime_inprocess.InProcessRealtimeLink` (the built-in simulated engine).
"""

from __future__ import annotations

from typing import Any, Protocol


class RealtimeClosed(Exception):
    """The Realtime session ended; `code` is the WebSocket close code when there was one."""

    def __init__(self, code: int | None = None, reason: str = "") -> None:
        super().__init__(f"realtime session closed (code={code}, reason={reason!r})")
        self.code = code
        self.reason = reason


class RealtimeLink(Protocol):
    """One live Realtime session."""

    async def send(self, event: dict[str, Any]) -> None:
        """Send one client event (a JSON-serialisable dict)."""

    async def receive(self) -> dict[str, Any]:
        """Wait for the next server event; raises `RealtimeClosed` once the session is over."""

    async def close(self) -> None:
        """Close the session; safe to call more than once."""
