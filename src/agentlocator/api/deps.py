"""Typed dependencies of the dashboard API; the tenant scope is decided here and nowhere else.

Every route takes the business from `CurrentBusiness` / `CurrentBusinessId`, which come from the
login session behind the cookie, never from the URL or the body. So a guessed id of another
business's row is looked up inside the caller's own business and is simply not found.

Changes (anything but GET/HEAD/OPTIONS) also need the session's CSRF token in `X-CSRF-Token`: the
cookie alone, which a browser attaches to cross-site form posts too, is not enough.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, HTTPException, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from agentlocator.db.models import Business, BusinessId, User
from agentlocator.runtime import Runtime
from agentlocator.services.users import LoggedIn, session_login

SESSION_COOKIE = "al_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_runtime(connection: HTTPConnection) -> Runtime:
    runtime: Runtime = connection.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def current_time() -> datetime:
    """The API's one wall clock; tests replace it through `app.dependency_overrides`."""
    return datetime.now(UTC)


Now = Annotated[datetime, Depends(current_time)]


async def db_session(runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    """A session for reads."""
    async with runtime.db() as session:
        yield session


async def write_session(runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    """A session for read-then-write work (on SQLite it takes the write lock up front)."""
    async with runtime.write_session() as session:
        yield session


DbSession = Annotated[AsyncSession, Depends(db_session)]
WriteSession = Annotated[AsyncSession, Depends(write_session)]


async def login_of(connection: HTTPConnection, runtime: Runtime, now: datetime) -> LoggedIn | None:
    """The login behind the session cookie of a request or WebSocket upgrade, if any."""
    token = connection.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    async with runtime.db() as session:
        return await session_login(session, token, now=now)


_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def is_same_origin(connection: HTTPConnection, public_url: str) -> bool:
    """False when the browser says the page came from another site than this server.

    Browsers send `Origin` on WebSocket upgrades and on cross-origin requests; without one the
    request did not come from another site's page. The server's own public URL counts, and on
    a developer's machine any loopback page does (a dev server proxying to this one).
    """
    origin = connection.headers.get("origin")
    if origin is None:
        return True
    page = urlsplit(origin)
    if page.netloc == connection.headers.get("host", ""):
        return True
    if page.netloc == urlsplit(public_url).netloc:
        return True
    called = urlsplit(f"//{connection.headers.get('host', '')}").hostname
    return page.hostname in _LOOPBACK_HOSTS and called in _LOOPBACK_HOSTS


async def current_login(request: Request, runtime: RuntimeDep, now: Now) -> LoggedIn:
    login = await login_of(request, runtime, now)
    if login is None:
        raise HTTPException(401, "not_logged_in")
    if request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not sent or not secrets.compare_digest(sent, login.csrf_token):
            raise HTTPException(403, "csrf")
    return login


CurrentLogin = Annotated[LoggedIn, Depends(current_login)]


def current_user(login: CurrentLogin) -> User:
    return login.user


def current_business(login: CurrentLogin) -> Business:
    return login.business


def current_business_id(login: CurrentLogin) -> BusinessId:
    return BusinessId(login.business.id)


CurrentUser = Annotated[User, Depends(current_user)]
CurrentBusiness = Annotated[Business, Depends(current_business)]
CurrentBusinessId = Annotated[BusinessId, Depends(current_business_id)]
