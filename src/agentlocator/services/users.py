"""Dashboard users: one business each, argon2id password hashes, and their login sessions.

A login session is a random token in an HttpOnly cookie; the database keeps only the token's
SHA-256, so a leaked table cannot be replayed. Each session also has a CSRF token the page sends
back in a header on every change. Time is an argument (`now`), never read here.

Functions flush but never commit: the caller owns the transaction.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from agentlocator.db.models import Business, BusinessId, User, UserSession

log = logging.getLogger(__name__)

SESSION_LIFETIME = timedelta(days=14)
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
"""argon2 hashes any length; the cap keeps a request from making the server hash megabytes."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_hasher = PasswordHasher()


class DuplicateEmailError(ValueError):
    """Another user already has this email."""

    def __init__(self, email: str) -> None:
        super().__init__(f"email: {email} already belongs to a user")
        self.email = email


@dataclass(frozen=True)
class LoggedIn:
    """A live login: who, for which business, and the CSRF token of the session."""

    user: User
    business: Business
    csrf_token: str


@dataclass(frozen=True)
class NewSession:
    """A session just opened: `token` goes into the cookie and exists nowhere else."""

    token: str
    login: LoggedIn


def normalise_email(raw: str) -> str:
    """The email as stored (trimmed, lower-cased); ValueError naming the field if malformed."""
    email = raw.strip().lower()
    if len(email) > 320 or not _EMAIL.match(email):
        raise ValueError(f"email: not an email address: {raw!r}")
    return email


def check_password(password: str) -> str:
    """`password` if it is acceptable for a new account, else ValueError naming the field."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise ValueError(
            f"password: must have {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters"
        )
    return password


async def hash_password(password: str) -> str:
    """The argon2id hash; run in a thread, as it takes tens of ms and the loop carries calls."""
    return await asyncio.to_thread(_hasher.hash, password)


async def _matches(password_hash: str, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)


async def create_user(
    session: AsyncSession, business_id: BusinessId, email: str, password: str
) -> User:
    """A new user of the business; raises `DuplicateEmailError`, or ValueError for bad input."""
    user = User(
        business_id=business_id,
        email=normalise_email(email),
        password_hash=await hash_password(check_password(password)),
    )
    try:
        async with session.begin_nested():
            session.add(user)
    except IntegrityError:
        if await find_user_by_email(session, user.email) is not None:
            raise DuplicateEmailError(user.email) from None
        raise
    log.info("user.created", extra={"user_id": str(user.id), "business_id": str(business_id)})
    return user


async def find_user_by_email(session: AsyncSession, email: str) -> User | None:
    """The user with this email (any case), or None."""
    return await session.scalar(select(User).where(User.email == email.strip().lower()))


async def log_in(
    session: AsyncSession, email: str, password: str, *, now: datetime
) -> NewSession | None:
    """Check the credentials and open a session; None for a wrong email or password alike."""
    password = password[:MAX_PASSWORD_LENGTH]
    user = await find_user_by_email(session, email)
    is_valid = await _matches(user.password_hash if user else _decoy_hash(), password)
    if user is None or not is_valid:
        log.info("user.login_refused")
        return None
    business = await session.get(Business, user.business_id)
    if business is None:  # pragma: no cover - the foreign key keeps the business
        return None
    token = secrets.token_urlsafe(32)
    row = UserSession(
        token_hash=_token_hash(token),
        user_id=user.id,
        csrf_token=secrets.token_urlsafe(32),
        expires_at=now + SESSION_LIFETIME,
    )
    session.add(row)
    await session.flush()
    log.info("user.logged_in", extra={"user_id": str(user.id)})
    return NewSession(token, LoggedIn(user, business, row.csrf_token))


async def session_login(session: AsyncSession, token: str, *, now: datetime) -> LoggedIn | None:
    """The login behind a cookie token, or None if it is unknown or expired."""
    row = await session.scalar(
        select(UserSession).where(
            UserSession.token_hash == _token_hash(token), UserSession.expires_at > now
        )
    )
    if row is None:
        return None
    user = await session.get(User, row.user_id)
    business = await session.get(Business, user.business_id) if user is not None else None
    if user is None or business is None:  # pragma: no cover - cascades keep these
        return None
    return LoggedIn(user, business, row.csrf_token)


async def log_out(session: AsyncSession, token: str, *, now: datetime) -> None:
    """End the session behind `token` (and drop expired sessions while at it)."""
    await session.execute(
        delete(UserSession).where(
            (UserSession.token_hash == _token_hash(token)) | (UserSession.expires_at <= now)
        )
    )


@functools.cache
def _decoy_hash() -> str:
    """Verified against when the email is unknown, so both failures take the same time and
    response timing does not reveal which emails have accounts."""
    return _hasher.hash(secrets.token_urlsafe(16))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
