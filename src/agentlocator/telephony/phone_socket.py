"""Starlette's WebSocket as the call's `PhoneSocket`."""

from __future__ import annotations

import contextlib

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState


class StarlettePhoneSocket:
    """Adapts a FastAPI/Starlette WebSocket: disconnects become None, closes are idempotent."""

    def __init__(self, websocket: WebSocket) -> None:
        self._websocket = websocket
        self._is_closed = False

    async def receive_text(self) -> str | None:
        if self._is_closed:
            return None
        try:
            message = await self._websocket.receive()
        except (WebSocketDisconnect, RuntimeError):
            self._is_closed = True
            return None
        if message["type"] == "websocket.disconnect":
            self._is_closed = True
            return None
        text = message.get("text")
        # Twilio only sends text frames; a binary frame is malformed, reported as "".
        return text if isinstance(text, str) else ""

    async def send_text(self, text: str) -> None:
        if self._is_closed or self._websocket.application_state != WebSocketState.CONNECTED:
            return
        try:
            await self._websocket.send_text(text)
        except (WebSocketDisconnect, RuntimeError, OSError):
            self._is_closed = True

    async def close(self) -> None:
        if self._websocket.application_state == WebSocketState.CONNECTED:
            with contextlib.suppress(RuntimeError, OSError):
                await self._websocket.close()
        self._is_closed = True
