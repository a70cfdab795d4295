"""Alembic environment: runs the revisions on a connection, for PostgreSQL and SQLite alike.

`agentlocator.db.engine.upgrade` hands over an open connection in `config.attributes`. The
`alembic` command line has none, so an async engine is built here from `sqlalchemy.url` (if set)
or from the service settings (`AGENTLOCATOR_DATABASE_URL`). Logging is left as the host set it up.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection

from agentlocator.db.models import Base

target_metadata = Base.metadata


def _database_url() -> str:
    url = context.config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from agentlocator.settings import Settings

    return Settings().database_url


def _run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode rebuilds the table instead.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_own_engine() -> None:
    from agentlocator.db.engine import create_migration_engine

    engine = create_migration_engine(_database_url())
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_run_on)
    finally:
        await engine.dispose()


def _run_offline() -> None:
    context.configure(
        url=_database_url(),
        target_metadata=target_metadata,
        render_as_batch=True,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    _run_offline()
elif (given := context.config.attributes.get("connection")) is not None:
    _run_on(given)
else:
    asyncio.run(_run_with_own_engine())
