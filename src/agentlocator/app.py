"""Composition root: builds the FastAPI application from one `Settings` and wires every adapter."""

from __future__ import annotations

from fastapi import FastAPI

from agentlocator.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the service. Nothing is global: two apps in one process do not share state."""
    settings = settings or Settings()
    app = FastAPI(title="AgentLocator", version="0.1.0")
    app.state.settings = settings

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
