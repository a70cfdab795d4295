"""The dashboard API under `/api/v1`: every resource router, behind the login session."""

from __future__ import annotations

from fastapi import APIRouter

from agentlocator.api.routes import appointments, auth, business, calls, leads, slots, test_call

API_PREFIX = "/api/v1"


def build_api_router() -> APIRouter:
    """All `/api/v1` dashboard routes (the operator endpoint in `api/outbound.py` is separate)."""
    api = APIRouter(prefix=API_PREFIX)
    for module in (auth, business, appointments, leads, calls, slots, test_call):
        api.include_router(module.router)
    return api
