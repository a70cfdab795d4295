"""Composition root: builds the FastAPI application from one `Settings` and wires every adapter."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError

from agentlocator import collector
from agentlocator.api import outbound
from agentlocator.api.dashboard_files import dashboard_app
from agentlocator.api.errors import validation_error_handler
from agentlocator.api.router import API_PREFIX, build_api_router
from agentlocator.runtime import build_runtime
from agentlocator.settings import Settings
from agentlocator.telephony import media_route, webhooks
from agentlocator.voice import detectors
from agentlocator.voice.silero_model import SileroModelMissing

log = logging.getLogger(__name__)


async def warm_up_detector() -> None:
    """Load the barge-in model before the first call, off the event loop. A server without the
    model still starts and says why (the dashboard, and calls with the `server` detector, work
    without it)."""
    try:
        await asyncio.to_thread(detectors.warm_up)
    except SileroModelMissing as missing:
        log.warning("barge_in.model_missing", extra={"reason": str(missing)})


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the service. Nothing is global: two apps in one process do not share state."""
    settings = settings or Settings()
    runtime = build_runtime(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await runtime.end_bus.start()
        await warm_up_detector()
        collector.settle_after_start_up()
        try:
            yield
        finally:
            await runtime.close()

    app = FastAPI(
        title="AgentLocator",
        version="0.1.0",
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.include_router(webhooks.router)
    app.include_router(media_route.router)
    app.include_router(outbound.router)
    app.include_router(build_api_router())

    @app.get("/healthz")
    async def healthz() -> dict[str, object]:
        return {
            "status": "ok",
            "live_calls": len(runtime.live_calls),
            "realtime": "simulated" if settings.uses_simulated_realtime else "openai",
        }

    # Last, so every route above wins; it answers only what nothing else did.
    app.mount("/", dashboard_app(settings.dashboard_path))
    return app
