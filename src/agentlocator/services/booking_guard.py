"""The write transactions that take or move a slot, and how to read the database's refusals.

The overlap guard itself is in the schema (migration 0002): an exclusion constraint on
PostgreSQL, triggers on SQLite. This module makes writers meet it well:

- On SQLite the writer first waits for this process's turn to write (`db.engine.write_turn`, an
  asyncio queue: no pooled connection held while waiting), then the transaction begins
  IMMEDIATE, taking the write lock before it reads, so writers of other processes queue on the
  busy timeout instead of failing when a read turns into a write.
- On PostgreSQL the transaction first takes advisory locks. Two concurrent inserts that
  overlap can otherwise deadlock inside the exclusion constraint (each waits for the other's
  uncommitted row) until `deadlock_timeout` ends one. A booking with a known span takes the
  business lock *shared* plus one exclusive lock per quarter hour (UTC) its span touches, in key
  order: bookings that could overlap share a quarter hour and queue, the others run side by side
  (back-to-back slots on quarter-hour boundaries share no lock). Writers without a span (moves,
  very long spans) take the business lock exclusively. The locks only order the writers; the
  constraint still decides. A deadlock or serialisation failure with a writer that takes no
  lock is retried a few times.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from agentlocator.db.engine import write_turn
from agentlocator.db.models import (
    APPOINTMENT_OVERLAP_CONSTRAINT,
    APPOINTMENT_OVERLAP_MESSAGE,
    BusinessId,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

LOCK_BLOCK_SECS = 15 * 60
"""The span of time one advisory lock stands for."""
MAX_SPAN_BLOCKS = 48
"""Longer spans (over 12 hours) lock the whole business (exclusive) rather than block by block."""

ATTEMPTS = 3
"""Tries of one write transaction when PostgreSQL aborts it as a deadlock victim."""

_WRITE = {"sqlite_begin": "IMMEDIATE"}
_EXCLUSION_VIOLATION = "23P01"
_TRANSIENT = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure
_LOCK_NAMESPACE = int.from_bytes(b"appt", signed=True)
"""First key of `pg_advisory_xact_lock(int, int)`; the second is taken from the business id."""


async def write_transaction(
    sessions: async_sessionmaker[AsyncSession],
    business_id: BusinessId,
    work: Callable[[AsyncSession], Awaitable[T]],
    span: tuple[datetime, datetime] | None = None,
) -> T:
    """Run `work` in a committed transaction of its own that changes the business's booked time.

    Raises `IntegrityError` when the database refuses the write (see `is_overlap`).
    """
    check_factory(sessions)
    for attempt in range(1, ATTEMPTS + 1):
        async with (
            write_turn(sessions.kw.get("bind")),
            sessions(execution_options=_WRITE) as session,
        ):
            try:
                async with session.begin():
                    await _lock_business(session, business_id, span)
                    return await work(session)
            except IntegrityError:
                raise
            except DBAPIError as exc:
                if _sqlstate(exc) not in _TRANSIENT or attempt == ATTEMPTS:
                    raise
                log.info("appointment.write_retried", extra={"attempt": attempt})
    raise AssertionError("unreachable")  # pragma: no cover


def is_overlap(error: IntegrityError) -> bool:
    """Whether the database refused an overlap (PostgreSQL 23P01 here, or the SQLite trigger)."""
    if _sqlstate(error) == _EXCLUSION_VIOLATION:
        return APPOINTMENT_OVERLAP_CONSTRAINT in str(error.orig)
    return APPOINTMENT_OVERLAP_MESSAGE in str(error.orig)


def check_factory(sessions: async_sessionmaker[AsyncSession]) -> None:
    """Results outlive their session, so its objects must stay loaded after commit."""
    if sessions.kw.get("expire_on_commit", True):
        raise ValueError(
            "sessions must be made with expire_on_commit=False (db.engine.session_factory)"
        )


async def _lock_business(
    session: AsyncSession, business_id: BusinessId, span: tuple[datetime, datetime] | None
) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    key = int.from_bytes(business_id.bytes[:4], signed=True)
    params = {"namespace": _LOCK_NAMESPACE, "key": key}
    blocks = _blocks(span) if span is not None else None
    if blocks is None or len(blocks) > MAX_SPAN_BLOCKS:
        await session.execute(text("SELECT pg_advisory_xact_lock(:namespace, :key)"), params)
        return
    # One round trip: PostgreSQL evaluates a select list left to right, so the locks are still
    # taken business first, then blocks in key order (the order that rules out deadlocks).
    locks = ["pg_advisory_xact_lock_shared(:namespace, :key)"]
    for index, block_key in enumerate(sorted(_block_key(business_id, block) for block in blocks)):
        locks.append(f"pg_advisory_xact_lock(:block_{index})")
        params[f"block_{index}"] = block_key
    await session.execute(text(f"SELECT {', '.join(locks)}"), params)


def _blocks(span: tuple[datetime, datetime]) -> list[int]:
    """The lock blocks (quarter hours since the epoch) that `[start, end)` touches."""
    start, end = (int(moment.timestamp()) for moment in span)
    first, last = start // LOCK_BLOCK_SECS, max(start, end - 1) // LOCK_BLOCK_SECS
    return list(range(first, last + 1))


def _block_key(business_id: BusinessId, block: int) -> int:
    digest = hashlib.blake2b(
        business_id.bytes + block.to_bytes(8, "big", signed=True), digest_size=8
    )
    return int.from_bytes(digest.digest(), "big", signed=True)


def _sqlstate(error: DBAPIError) -> str | None:
    state = getattr(error.orig, "sqlstate", None)
    return state if isinstance(state, str) else None
