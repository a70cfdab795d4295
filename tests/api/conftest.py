"""The dashboard API in-process, on SQLite and PostgreSQL, with two businesses and their owners.

- `api`: the app (lifespan running) on `database_url`, its clock fixed at `NOW` (settable).
- `owner` / `rival`: logged-in clients of business A and business B, each with its CSRF token.
- `seeded`: rows of both businesses (a call, a lead, an appointment each) for reads.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from api_testkit import (
    NOW,
    Api,
    Owner,
    Seeded,
    create_owner,
    login_client,
    seed_business_rows,
)

from agentlocator.app import create_app
from agentlocator.settings import Settings


@pytest.fixture
async def api(database_url: str, tmp_path: Path) -> AsyncIterator[Api]:
    settings = Settings(
        database_url=database_url,
        openai_api_key=None,
        api_token=None,
        dashboard_dir=tmp_path / "no-dashboard",
        public_url="http://testserver",
    )
    app = create_app(settings)
    harness = Api(app=app, now=NOW)
    async with app.router.lifespan_context(app):
        yield harness
        await harness.close_clients()


@pytest.fixture
async def owner(api: Api) -> Owner:
    """The logged-in owner of business A (phone +97235550111)."""
    credentials = await create_owner(api, phone="+97235550111", email="owner@clinic-a.example")
    return await login_client(api, credentials)


@pytest.fixture
async def rival(api: Api) -> Owner:
    """The logged-in owner of business B, which must never see A's rows nor A see B's."""
    credentials = await create_owner(api, phone="+97235550122", email="owner@clinic-b.example")
    return await login_client(api, credentials)


@pytest.fixture
async def seeded(api: Api, owner: Owner, rival: Owner) -> Seeded:
    return Seeded(
        a=await seed_business_rows(api, owner.business_id, caller="+972521111111"),
        b=await seed_business_rows(api, rival.business_id, caller="+972522222222"),
    )
