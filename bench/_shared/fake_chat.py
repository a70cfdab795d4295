"""A fake chat-completions endpoint on loopback, for the bridge's after-call summary job."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator

import uvicorn
from starlette.requests import Request
from starlette.responses import JSONResponse


class EmbeddedServer(uvicorn.Server):
    """uvicorn inside this process's loop: the process keeps its own signal handlers."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class FakeChatCompletions:
    """`POST /v1/chat/completions` with a canned answer, on loopback.

    The bridge's after-call summary job uses the OpenAI SDK, which honours `OPENAI_BASE_URL`:
    pointed here, no request leaves the machine and the job takes its normal, successful path.
    """

    def __init__(self) -> None:
        self.requests = 0
        self.url = ""
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> FakeChatCompletions:
        from starlette.applications import Starlette
        from starlette.routing import Route

        app = Starlette(routes=[Route("/v1/chat/completions", self._answer, methods=["POST"])])
        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, lifespan="off", log_config=None, access_log=False
        )
        self._server = EmbeddedServer(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                await self._task
                raise RuntimeError("the fake chat completions server did not start")
            await asyncio.sleep(0.005)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/v1"
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task

    async def _answer(self, request: Request) -> JSONResponse:
        self.requests += 1
        body = await request.json()
        message = {"role": "assistant", "content": "סיכום: הפונה ביקש לקבוע תור."}
        return JSONResponse(
            {
                "id": f"chatcmpl-bench{self.requests}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "bench"),
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 50, "completion_tokens": 20, "total_tokens": 70},
            }
        )
