"""The built dashboard served at `/` as a single-page app, without shadowing the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from agentlocator.app import create_app
from agentlocator.settings import REPO_ROOT, Settings

INDEX = "<!doctype html><html lang='he' dir='rtl'><div id='root'></div></html>"


@pytest.fixture
async def client(sqlite_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX, encoding="utf-8")
    (dist / "assets" / "index-abc123.js").write_text("console.log(1);" * 200, encoding="utf-8")
    (dist / "favicon.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("outside the build", encoding="utf-8")
    app = create_app(Settings(database_url=sqlite_url, dashboard_dir=dist))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as client,
    ):
        yield client


async def test_the_index_and_deep_links_get_the_app(client: httpx.AsyncClient) -> None:
    for path in ("/", "/calendar", "/calls/7f1c2a/transcript", "/leads?q=x"):
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.text == INDEX
        assert response.headers["cache-control"] == "no-cache"


async def test_built_files_are_served_and_hashed_assets_cached(client: httpx.AsyncClient) -> None:
    script = await client.get("/assets/index-abc123.js", headers={"Accept-Encoding": "gzip"})
    icon = await client.get("/favicon.svg")

    assert script.status_code == 200
    assert "immutable" in script.headers["cache-control"]
    assert script.headers["content-encoding"] == "gzip"
    assert script.text.startswith("console.log(1);")
    assert icon.text == "<svg/>"


async def test_paths_outside_the_build_are_not_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/..%2Fsecret.txt")
    assert "outside the build" not in response.text


async def test_api_twilio_and_health_are_not_shadowed(client: httpx.AsyncClient) -> None:
    unknown_api = await client.get("/api/v1/nothing-here")
    unknown_twilio = await client.get("/twilio/nothing")

    assert (await client.get("/healthz")).json()["status"] == "ok"
    assert (await client.get("/api/v1/auth/me")).status_code == 401
    assert (await client.get("/api/v1/openapi.json")).status_code == 200
    for response in (unknown_api, unknown_twilio):
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/json"


async def test_without_a_build_there_is_no_page(sqlite_url: str, tmp_path: Path) -> None:
    app = create_app(Settings(database_url=sqlite_url, dashboard_dir=tmp_path / "missing"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        response = await client.get("/")
    await app.state.runtime.close()
    assert response.status_code == 404


def test_the_default_build_folder_is_the_repository_dashboard(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AGENTLOCATOR_DASHBOARD_DIR", raising=False)
    settings = Settings()
    assert settings.dashboard_path == REPO_ROOT / "dashboard" / "dist"
    assert Settings(dashboard_dir=Path("/srv/ui")).dashboard_path == Path("/srv/ui")
