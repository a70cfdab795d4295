"""The Realtime API over a WebSocket: the only module that opens the client socket."""

from __future__ import annotations

import json
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection, connect

from agentlocator.realtime.link import RealtimeClosed


class WebSocketRealtimeLink:
    """A `RealtimeLink` over the GA WebSocket interface (`<url>?model=<model>`, bearer auth)."""

    def __init__(self, socket: ClientConnection) -> None:
        self._socket = socket

    @classmethod
    async def open(cls, url: str, model: str, api_key: str) -> WebSocketRealtimeLink:
        """Connect; raises `RealtimeClosed` when the server refuses or cannot be reached."""
        try:
            socket = await connect(
                f"{url}?model={model}",
                additional_headers={"Authorization": f"Bearer {api_key}"},
                max_size=16 * 1024 * 1024,
                open_timeout=10,
                # Base64 audio barely compresses; permessage-deflate costs ~30-40 us of CPU per
                # 20 ms frame sent.
                compression=None,
            )
        except (OSError, websockets.InvalidHandshake, TimeoutError) as error:
            raise RealtimeClosed(None, f"connect failed: {type(error).__name__}") from error
        return cls(socket)

    async def send(self, event: dict[str, Any]) -> None:
        try:
            await self._socket.send(json.dumps(event))
        except websockets.ConnectionClosed as closed:
            raise RealtimeClosed(closed.rcvd.code if closed.rcvd else None) from closed

    async def receive(self) -> dict[str, Any]:
        try:
            frame = await self._socket.recv()
        except websockets.ConnectionClosed as closed:
            raise RealtimeClosed(closed.rcvd.code if closed.rcvd else None) from closed
        decoded: dict[str, Any] = json.loads(frame)
        return decoded

    async def close(self) -> None:
        await self._socket.close()
