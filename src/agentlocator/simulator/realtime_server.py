"""`FakeRealtimeServer`: the fake Realtime engine behind a real WebSocket on 127.0.0.1.

It checks the handshake the way the real endpoint does (`/v1/realtime?model=...`, a non-empty
`Authorization: Bearer` key, refused with HTTP 401 otherwise; an `OpenAI-Beta` header gets the
`beta_api_shape_disabled` error and a close), then pumps frames between the socket and one
`FakeRealtimeEngine` per connection. When the engine ends the session, the socket closes with the
engine's code; code 1006 is emulated by dropping the TCP connection without a close frame.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from http import HTTPStatus
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.protocol import State

from agentlocator.realtime.link import RealtimeClosed
from agentlocator.simulator import realtime_errors as errors
from agentlocator.simulator.realtime_config import ABRUPT_CLOSE, Clock, FakeRealtimeConfig
from agentlocator.simulator.realtime_engine import FakeRealtimeEngine
from agentlocator.simulator.realtime_script import RealtimeScript

log = logging.getLogger(__name__)

REALTIME_PATH = "/v1/realtime"
_MAX_FRAME_BYTES = 32 * 1024 * 1024  # a 15 MiB append is ~20 MiB once base64-encoded


class FakeRealtimeServer:
    """A local Realtime endpoint; use as `async with FakeRealtimeServer(...) as server:`."""

    def __init__(
        self,
        *,
        config: FakeRealtimeConfig | None = None,
        script_factory: Callable[[], RealtimeScript] | None = None,
        clock: Clock | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.config = config or FakeRealtimeConfig()
        self._script_factory = script_factory or RealtimeScript.receptionist
        self._clock = clock
        self._host = host
        self._port = port
        self._server: Server | None = None
        self.sessions: list[FakeRealtimeEngine] = []
        """One engine per accepted connection, in connection order."""
        self.rejected_handshakes: list[int] = []
        """HTTP statuses of refused upgrades (401, 404, 400)."""
        self.beta_connections = 0
        """Connections refused for sending `OpenAI-Beta`."""

    @property
    def port(self) -> int:
        """The port actually bound."""
        if self._server is None:
            raise RuntimeError("the server is not running")
        port: int = next(iter(self._server.sockets)).getsockname()[1]
        return port

    @property
    def url(self) -> str:
        """`ws://127.0.0.1:PORT/v1/realtime` (add `?model=...`)."""
        return f"ws://{self._host}:{self.port}{REALTIME_PATH}"

    @property
    def websocket_base_url(self) -> str:
        """For `AsyncOpenAI(websocket_base_url=...)`, which appends `/realtime` itself."""
        return f"ws://{self._host}:{self.port}/v1"

    async def start(self) -> None:
        """Bind and start accepting connections."""
        self._server = await serve(
            self._handle,
            self._host,
            self._port,
            process_request=self._check_handshake,
            max_size=_MAX_FRAME_BYTES,
        )

    async def stop(self) -> None:
        """Close every session and stop listening."""
        for engine in self.sessions:
            await engine.close(1001, "server shutting down")
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> FakeRealtimeServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    def _check_handshake(self, connection: ServerConnection, request: Request) -> Response | None:
        url = urlsplit(request.path)
        refusal: tuple[HTTPStatus, str] | None = None
        if url.path != REALTIME_PATH:
            refusal = (HTTPStatus.NOT_FOUND, "Not Found\n")
        elif not parse_qs(url.query).get("model", [""])[0]:
            refusal = (HTTPStatus.BAD_REQUEST, "Missing required parameter: 'model'.\n")
        else:
            scheme, _, key = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not key.strip():
                refusal = (HTTPStatus.UNAUTHORIZED, "Missing bearer authentication.\n")
        if refusal is None:
            return None
        self.rejected_handshakes.append(refusal[0].value)
        return connection.respond(*refusal)

    async def _handle(self, connection: ServerConnection) -> None:
        request = connection.request
        assert request is not None  # set once the handshake has succeeded
        if request.headers.get("OpenAI-Beta") is not None:
            await self._refuse_beta(connection)
            return
        model = parse_qs(urlsplit(request.path).query)["model"][0]
        engine = FakeRealtimeEngine(
            config=self.config, script=self._script_factory(), clock=self._clock, model=model
        )
        self.sessions.append(engine)
        await engine.start()
        try:
            async with asyncio.TaskGroup() as tasks:
                tasks.create_task(_pump_to_socket(engine, connection))
                tasks.create_task(_pump_to_engine(connection, engine))
        finally:
            await engine.close(connection.close_code or 1000)

    async def _refuse_beta(self, connection: ServerConnection) -> None:
        self.beta_connections += 1
        event = {
            "type": "error",
            "event_id": "event_beta_api_shape_disabled",
            "error": errors.beta_disabled().to_wire(None),
        }
        try:
            await connection.send(json.dumps(event))
            await connection.close(1000, "beta interface disabled")
        except ConnectionClosed:
            return


async def _pump_to_engine(connection: ServerConnection, engine: FakeRealtimeEngine) -> None:
    try:
        async for message in connection:
            await engine.receive_client_frame(message)
    except (ConnectionClosed, RealtimeClosed):
        pass
    await engine.close(connection.close_code or 1000)


async def _pump_to_socket(engine: FakeRealtimeEngine, connection: ServerConnection) -> None:
    while True:
        try:
            event = await engine.next_server_event()
        except RealtimeClosed as closed:
            await _close_socket(connection, closed)
            return
        try:
            await connection.send(json.dumps(event, ensure_ascii=False))
        except ConnectionClosed:
            return


async def _close_socket(connection: ServerConnection, closed: RealtimeClosed) -> None:
    if connection.state is not State.OPEN:
        return
    code = closed.code or 1000
    if code == ABRUPT_CLOSE:
        # 1006 is never sent on the wire: it is what a peer sees when TCP just goes away.
        connection.transport.abort()
        return
    await connection.close(code, closed.reason)
