"""Persistence: async SQLAlchemy 2 models, engines and Alembic migrations (PostgreSQL, SQLite)."""

from agentlocator.db.engine import (
    create_engine,
    downgrade,
    session_factory,
    upgrade,
    upgrade_sync,
)
from agentlocator.db.models import Base, Business, BusinessId, Call, CallId

__all__ = [
    "Base",
    "Business",
    "BusinessId",
    "Call",
    "CallId",
    "create_engine",
    "downgrade",
    "session_factory",
    "upgrade",
    "upgrade_sync",
]
