"""Engines, sessions and schema migrations, for PostgreSQL (asyncpg) and SQLite (aiosqlite).

SQLite connections are tuned on connect: foreign keys on, WAL journal, a busy timeout, and
SQLAlchemy emits `BEGIN` itself so reads, DDL and SAVEPOINTs take part in transactions (the
`sqlite3` driver's legacy mode skips them). A transaction that reads and then must write without
racing another writer can ask for `BEGIN IMMEDIATE` with the `sqlite_begin` execution option,
for example `session_factory(engine)(execution_options={"sqlite_begin": "IMMEDIATE"})`;
PostgreSQL ignores the option.

SQLite has one writer at a time. Writers of this process queue on `write_turn(engine)` (an
asyncio lock per engine, first come first served) before they take a connection, instead of
each holding a pooled connection and a driver thread while SQLite's busy handler polls for the
lock with growing sleeps. The busy timeout still orders writers of other processes. On
PostgreSQL `write_turn` waits for nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 15_000
SQLITE_BEGIN_MODES = frozenset({"DEFERRED", "IMMEDIATE", "EXCLUSIVE"})
PING_AFTER_IDLE_SECS = 5.0
"""A pooled PostgreSQL connection idle this long is pinged before use (see `_ping_when_idle`)."""
_MIGRATION_LOCK_KEY = int.from_bytes(b"agentloc")  # any fixed bigint, ours alone


def create_engine(database_url: str) -> AsyncEngine:
    """An async engine for `database_url` (`postgresql+asyncpg://…` or `sqlite+aiosqlite:///…`).

    For a SQLite file the parent folder is created, so the default `var/agentlocator.db` works
    on a fresh checkout. The caller owns the engine and must `await engine.dispose()`.
    """
    return _build_engine(database_url, enforce_foreign_keys=True)


class _WriteTurn:
    """An asyncio lock of one event loop that a task may re-enter (a nested write waits for
    nothing it holds itself). Waiting is bounded like SQLite's own busy timeout."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None

    @contextlib.asynccontextmanager
    async def held(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if task is not None and task is self._owner:
            yield
            return
        try:
            async with asyncio.timeout(SQLITE_BUSY_TIMEOUT_MS / 1000):
                await self._lock.acquire()
        except TimeoutError:
            raise TimeoutError(
                f"no turn to write to SQLite within {SQLITE_BUSY_TIMEOUT_MS} ms"
            ) from None
        self._owner = task
        try:
            yield
        finally:
            self._owner = None
            self._lock.release()


_write_turns: weakref.WeakKeyDictionary[Any, _WriteTurn] = weakref.WeakKeyDictionary()


def write_turn(bind: object) -> contextlib.AbstractAsyncContextManager[None]:
    """Wait for this process's turn to write to `bind`'s database (SQLite); hold it meanwhile.

    `bind` is an `AsyncEngine` (anything else, or PostgreSQL, waits for nothing). Take it before
    opening the session that writes, and keep it until that session has committed.
    """
    if not isinstance(bind, AsyncEngine) or bind.dialect.name != "sqlite":
        return contextlib.nullcontext()
    loop = asyncio.get_running_loop()
    turn = _write_turns.get(bind.sync_engine)
    if turn is None or turn.loop is not loop:
        turn = _write_turns[bind.sync_engine] = _WriteTurn(loop)
    return turn.held()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose objects stay readable after commit (no lazy reloads under asyncio)."""
    return async_sessionmaker(engine, expire_on_commit=False)


async def upgrade(database_url: str) -> str | None:
    """Migrate the database to the newest schema; returns the revision it is at afterwards.

    Idempotent and safe to run on every start. Works from an installed package, whatever the
    current directory.
    """
    return await _run_alembic(database_url, "upgrade", "head")


async def downgrade(database_url: str, revision: str = "base") -> str | None:
    """Migrate the database down to `revision` (`base` removes every table we own)."""
    return await _run_alembic(database_url, "downgrade", revision)


def upgrade_sync(database_url: str) -> str | None:
    """`upgrade` for synchronous callers; must not be called from a running event loop."""
    return asyncio.run(upgrade(database_url))


def create_migration_engine(database_url: str) -> AsyncEngine:
    """An engine for schema changes only: on SQLite, foreign keys are not enforced.

    Batch mode rebuilds SQLite tables by copy, drop and rename, which an enforcing connection
    would turn into cascades or failures; `upgrade` checks `PRAGMA foreign_key_check` afterwards.
    """
    return _build_engine(database_url, enforce_foreign_keys=False)


def alembic_config() -> Config:
    """The Alembic configuration shipped inside the package (`migrations/alembic.ini`)."""
    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


async def _run_alembic(database_url: str, direction: str, revision: str) -> str | None:
    engine = create_migration_engine(database_url)
    try:
        async with engine.connect() as connection:
            # Instances starting together migrate one after the other: SQLite takes the write
            # lock up front, PostgreSQL an advisory lock held until the migration commits.
            await connection.execution_options(sqlite_begin="IMMEDIATE")
            async with connection.begin():
                return await connection.run_sync(_migrate, direction, revision)
    finally:
        await engine.dispose()


def _migrate(connection: Connection, direction: str, revision: str) -> str | None:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_KEY})")
    config = alembic_config()
    config.attributes["connection"] = connection
    if direction == "upgrade":
        command.upgrade(config, revision)
    else:
        command.downgrade(config, revision)
    if connection.dialect.name == "sqlite":
        violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if violations:
            raise RuntimeError(f"migration left {len(violations)} foreign key violations")
    current = MigrationContext.configure(connection).get_current_revision()
    log.info("db.migrated", extra={"direction": direction, "revision": current})
    return current


def _build_engine(database_url: str, *, enforce_foreign_keys: bool) -> AsyncEngine:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        # Every live call may hold a connection for a moment at once (lead upsert, tools, records):
        # a pool of 5 + 10 was full at 50 calls. Waiting longer than a tool's timeout is pointless.
        engine = _create_async_engine(url, pool_size=20, max_overflow=30, pool_timeout=5)
        _ping_when_idle(engine)
        return engine
    _create_sqlite_folder(url)
    engine = _create_async_engine(url)
    _tune_sqlite(engine, enforce_foreign_keys=enforce_foreign_keys)
    return engine


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Ping a connection before use only if it sat idle in the pool.

    `pool_pre_ping` pings on every checkout: one more round trip for every tool call, where
    latency is what the caller hears. A connection that was in use a moment ago is alive (a
    restart in between fails that one statement either way); one idle for a while may be
    stale after a database restart or a dropped connection, so it is pinged, and a failed ping
    makes the pool replace it before anyone uses it.
    """

    @event.listens_for(engine.sync_engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as exc:
            raise DisconnectionError("the pooled connection failed its ping") from exc


def _create_sqlite_folder(url: URL) -> None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    Path(database).parent.mkdir(parents=True, exist_ok=True)


def _tune_sqlite(engine: AsyncEngine, *, enforce_foreign_keys: bool) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # The driver must not issue BEGIN itself: `_on_begin` does, for every statement kind.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA foreign_keys = {'ON' if enforce_foreign_keys else 'OFF'}")
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA journal_mode = WAL")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        mode = str(connection.get_execution_options().get("sqlite_begin", "DEFERRED")).upper()
        if mode not in SQLITE_BEGIN_MODES:
            raise ValueError(f"sqlite_begin must be one of {sorted(SQLITE_BEGIN_MODES)}")
        connection.exec_driver_sql(f"BEGIN {mode}")
