"""`InProcessRealtimeLink`: the fake Realtime engine behind the `RealtimeLink` port, no socket.

This is the service's built-in "simulated Realtime engine" for running without an OpenAI key.
Every client event still goes through JSON and the same validator as the WebSocket fake, so code
that works against the simulated engine does not trip over the real API's strictness later.
"""

from __future__ import annotations

import json
from typing import Any

from agentlocator.realtime.link import RealtimeLink
from agentlocator.simulator.realtime_config import Clock, FakeRealtimeConfig
from agentlocator.simulator.realtime_engine import FakeRealtimeEngine
from agentlocator.simulator.realtime_script import RealtimeScript

__all__ = ["InProcessRealtimeLink", "RealtimeLink"]


class InProcessRealtimeLink:
    """A `RealtimeLink` to a `FakeRealtimeEngine` running in this event loop."""

    def __init__(
        self,
        engine: FakeRealtimeEngine | None = None,
        *,
        config: FakeRealtimeConfig | None = None,
        script: RealtimeScript | None = None,
        clock: Clock | None = None,
        model: str = "gpt-realtime",
    ) -> None:
        self.engine = engine or FakeRealtimeEngine(
            config=config, script=script, clock=clock, model=model
        )

    async def send(self, event: dict[str, Any]) -> None:
        """Send one client event; raises `RealtimeClosed` once the session is over."""
        await self.engine.receive_client_frame(json.dumps(event))

    async def receive(self) -> dict[str, Any]:
        """The next server event, as freshly parsed JSON; raises `RealtimeClosed` when closed."""
        event = await self.engine.next_server_event()
        parsed: dict[str, Any] = json.loads(json.dumps(event))
        return parsed

    async def close(self) -> None:
        """End the session; safe to call more than once."""
        await self.engine.close()
