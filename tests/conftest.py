"""Shared fixtures: migrated databases on SQLite and PostgreSQL, sessions, and test businesses.

- `sqlite_url`: a fresh, migrated SQLite file for this test.
- `postgres_url`: a fresh, migrated PostgreSQL database for this test, dropped afterwards. The
  server comes from AGENTLOCATOR_TEST_POSTGRES_URL (`make test` sets it) or the local default;
  an unreachable server fails the test, it never skips. Tests using it get the `postgres` marker.
- `database_url`: parametrised over both (ids `sqlite`, `postgres`), so a test runs on each.
- `db_engine`, `db_session`: an engine and an `AsyncSession` on `database_url`.
- `make_business`: creates and commits a valid business, with overrides.

Migrating is done once per session into a template (a SQLite file that is copied, a PostgreSQL
database used as `CREATE DATABASE … TEMPLATE`), so each test's database costs milliseconds.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from agentlocator.db.engine import create_engine, session_factory, upgrade
from agentlocator.db.models import Business
from agentlocator.services.businesses import BusinessCreate, create_business

DEFAULT_TEST_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
_SAFE_DATABASE_NAME = re.compile(r"^[a-z0-9_]+$")

T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion on a private loop in a worker thread.

    Safe from sync fixtures and tests whether or not this thread already runs an event loop.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def sqlite_url_for(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Anything that uses a PostgreSQL database is marked `postgres` (`-m "not postgres"`)."""
    for item in items:
        if "postgres_url" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgres)


# SQLite


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    run_async(upgrade(sqlite_url_for(path)))
    return path


@pytest.fixture
def sqlite_url(tmp_path: Path, _sqlite_template: Path) -> str:
    """A fresh SQLite database file, migrated to head, private to this test."""
    path = tmp_path / "agentlocator.db"
    for suffix in ("", "-wal", "-shm"):
        source = _sqlite_template.with_name(_sqlite_template.name + suffix)
        if source.exists():
            shutil.copyfile(source, path.with_name(path.name + suffix))
    return sqlite_url_for(path)


# PostgreSQL


@pytest.fixture(scope="session")
def postgres_server_url() -> str:
    """The maintenance database URL of the test server (databases are created beside it)."""
    return os.environ.get("AGENTLOCATOR_TEST_POSTGRES_URL") or DEFAULT_TEST_POSTGRES_URL


def _database_url(server_url: str, name: str) -> str:
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def _admin(server_url: str, *statements: str) -> None:
    engine = create_async_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            for statement in statements:
                await connection.execute(text(statement))
    finally:
        await engine.dispose()


def _quoted(name: str) -> str:
    if not _SAFE_DATABASE_NAME.match(name):
        raise ValueError(f"unsafe database name: {name!r}")
    return f'"{name}"'


def _new_database_name(kind: str) -> str:
    return f"agentlocator_test_{kind}_{uuid.uuid4().hex[:16]}"


@pytest.fixture(scope="session")
def _postgres_template(postgres_server_url: str) -> Iterator[str]:
    name = _new_database_name("template")
    run_async(_admin(postgres_server_url, f"CREATE DATABASE {_quoted(name)}"))
    try:
        run_async(upgrade(_database_url(postgres_server_url, name)))
        yield name
    finally:
        run_async(
            _admin(postgres_server_url, f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)")
        )


@pytest.fixture
def postgres_url(postgres_server_url: str, _postgres_template: str) -> Iterator[str]:
    """A fresh PostgreSQL database, migrated to head, dropped (WITH (FORCE)) after the test."""
    name = _new_database_name("db")
    run_async(
        _admin(
            postgres_server_url,
            f"CREATE DATABASE {_quoted(name)} TEMPLATE {_quoted(_postgres_template)}",
        )
    )
    try:
        yield _database_url(postgres_server_url, name)
    finally:
        run_async(
            _admin(postgres_server_url, f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)")
        )


# Either backend


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh migrated database; the test runs once on SQLite and once on PostgreSQL."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture
async def db_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def sessions(db_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """A session factory as the services use it (objects stay readable after commit)."""
    return session_factory(db_engine)


@pytest.fixture
async def db_session(db_engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with session_factory(db_engine)() as session:
        yield session


@pytest.fixture
def make_business(db_session: AsyncSession) -> Callable[..., Awaitable[Business]]:
    """`await make_business(call_goal="lead", ...)`: a committed business with a unique phone."""
    numbers = itertools.count(1)

    async def make(**overrides: Any) -> Business:
        n = next(numbers)
        fields: dict[str, Any] = {
            "name": f"עסק בדיקה {n}",
            "phone": f"+9723666{n:04d}",
            "timezone": "Asia/Jerusalem",
            "call_goal": "booking",
            "greeting": "שלום, במה אפשר לעזור?",
        }
        fields.update(overrides)
        business = await create_business(db_session, BusinessCreate.model_validate(fields))
        await db_session.commit()
        return business

    return make
