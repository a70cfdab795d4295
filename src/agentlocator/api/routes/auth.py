"""`/auth`: log in (sets the session cookie), log out, and who am I."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response

from agentlocator.api.deps import (
    SESSION_COOKIE,
    CurrentLogin,
    Now,
    RuntimeDep,
    WriteSession,
)
from agentlocator.api.schemas.auth import BusinessBrief, LoginCreate, SessionPublic, UserPublic
from agentlocator.services.users import SESSION_LIFETIME, LoggedIn, log_in, log_out

router = APIRouter(prefix="/auth", tags=["auth"])


def session_public(login: LoggedIn) -> SessionPublic:
    return SessionPublic(
        user=UserPublic(id=login.user.id, email=login.user.email),
        business=BusinessBrief(
            id=login.business.id, name=login.business.name, timezone=login.business.timezone
        ),
        csrf_token=login.csrf_token,
    )


@router.post("/login", responses={401: {"description": "invalid_credentials"}})
async def login(
    body: LoginCreate, response: Response, session: WriteSession, runtime: RuntimeDep, now: Now
) -> SessionPublic:
    opened = await log_in(session, body.email, body.password, now=now)
    if opened is None:
        raise HTTPException(401, "invalid_credentials")
    await session.commit()
    response.set_cookie(
        SESSION_COOKIE,
        opened.token,
        max_age=int(SESSION_LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=runtime.settings.public_url.startswith("https://"),
    )
    return session_public(opened.login)


@router.post("/logout", status_code=204)
async def logout(
    _login: CurrentLogin, request: Request, response: Response, session: WriteSession, now: Now
) -> None:
    await log_out(session, request.cookies.get(SESSION_COOKIE, ""), now=now)
    await session.commit()
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")


@router.get("/me", responses={401: {"description": "not_logged_in"}})
async def me(login: CurrentLogin) -> SessionPublic:
    return session_public(login)
