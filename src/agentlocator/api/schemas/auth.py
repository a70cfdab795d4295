"""Login and session bodies."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field


class LoginCreate(BaseModel):
    """`POST /auth/login`: the credentials (checked by the server, not shaped here)."""

    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class UserPublic(BaseModel):
    id: uuid.UUID
    email: str


class BusinessBrief(BaseModel):
    id: uuid.UUID
    name: str
    timezone: str


class SessionPublic(BaseModel):
    """Who is logged in, for which business, and the token to echo in `X-CSRF-Token`."""

    user: UserPublic
    business: BusinessBrief
    csrf_token: str
