"""A browser on the test-call page, reduced to its protocol: the app served on loopback by
uvicorn, and a WebSocket client that speaks Twilio Media Streams with the session cookie."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI
from websockets.asyncio.client import ClientConnection, connect

from agentlocator.audio import mulaw

FRAME_BYTES = 20 * mulaw.BYTES_PER_MS


class _EmbeddedServer(uvicorn.Server):
    """uvicorn in the test's loop, leaving the process's signal handlers alone."""

    @contextlib.contextmanager
    def capture_signals(self) -> Any:
        yield


@contextlib.asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[str]:
    """Serve `app` (its lifespan already running) on a free loopback port; yields `host:port`."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="off", ws="websockets-sansio"
    )
    server = _EmbeddedServer(config)
    task = asyncio.get_running_loop().create_task(server.serve(sockets=[listener]))
    try:
        while not server.started:
            assert not task.done(), "the server stopped during start-up"
            await asyncio.sleep(0.005)
        yield f"127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        listener.close()


@dataclass
class BrowserPhone:
    """The page's side of `/api/v1/test-call`: sends `connected`, `start`, 20 ms media frames and
    `stop`; plays nothing but echoes every `mark` at once, as if played."""

    websocket: ClientConnection
    stream_sid: str = "MZbrowser0000000000000000000000000"
    received: list[dict[str, Any]] = field(default_factory=list)
    _reader: asyncio.Task[None] | None = None

    @classmethod
    @contextlib.asynccontextmanager
    async def dial(
        cls, url: str, cookie: str, origin: str | None = None
    ) -> AsyncIterator[BrowserPhone]:
        headers = {"Cookie": cookie} if cookie else {}
        if origin is not None:
            headers["Origin"] = origin
        async with connect(url, additional_headers=headers) as websocket:
            phone = cls(websocket)
            await phone._start()
            try:
                yield phone
            finally:
                if phone._reader is not None:
                    phone._reader.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await phone._reader

    async def _start(self) -> None:
        await self._send({"event": "connected", "protocol": "Call", "version": "1.0.0"})
        await self._send(
            {
                "event": "start",
                "streamSid": self.stream_sid,
                "start": {
                    "streamSid": self.stream_sid,
                    "callSid": "CAmadeupbythebrowser000000000000",
                    "accountSid": "",
                    "customParameters": {"business_id": "someone-else's"},
                    "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000},
                },
            }
        )
        self._reader = asyncio.get_running_loop().create_task(self._read())

    async def _send(self, message: dict[str, Any]) -> None:
        await self.websocket.send(json.dumps(message))

    async def _read(self) -> None:
        async for text in self.websocket:
            message = json.loads(text)
            self.received.append(message)
            if message.get("event") == "mark":
                await self._send(
                    {"event": "mark", "streamSid": self.stream_sid, "mark": message["mark"]}
                )

    async def play(self, audio: bytes, *, is_paced: bool) -> None:
        """Send audio as 20 ms frames, in real time when `is_paced`."""
        for offset in range(0, len(audio), FRAME_BYTES):
            frame = audio[offset : offset + FRAME_BYTES].ljust(FRAME_BYTES, b"\xff")
            payload = base64.b64encode(frame).decode()
            await self._send(
                {"event": "media", "streamSid": self.stream_sid, "media": {"payload": payload}}
            )
            if is_paced:
                await asyncio.sleep(0.02)

    async def hang_up(self) -> None:
        await self._send({"event": "stop", "streamSid": self.stream_sid, "stop": {}})

    def events(self, kind: str) -> list[dict[str, Any]]:
        return [message for message in self.received if message.get("event") == kind]
