"""`agentlocator user create --business ID --email E --password P`: a dashboard login."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid
from typing import Any

EXIT_BAD_INPUT = 2


class _Refused(Exception):
    """Bad input: one line on stderr, exit code 2, nothing stored."""


async def _create(
    database_url: str, business_ref: str, email: str, password: str
) -> dict[str, str]:
    from agentlocator.db.engine import create_engine, session_factory, upgrade
    from agentlocator.db.models import BusinessId
    from agentlocator.services.businesses import get_business
    from agentlocator.services.users import DuplicateEmailError, create_user

    try:
        business_id = BusinessId(uuid.UUID(business_ref))
    except ValueError:
        raise _Refused(f"--business: not a business id: {business_ref!r}") from None
    await upgrade(database_url)
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)(
            execution_options={"sqlite_begin": "IMMEDIATE"}
        ) as session:
            if await get_business(session, business_id) is None:
                raise _Refused(f"--business: no business {business_ref}")
            try:
                user = await create_user(session, business_id, email, password)
            except DuplicateEmailError as error:
                raise _Refused(str(error)) from None
            except ValueError as error:
                raise _Refused(str(error)) from None
            await session.commit()
            return {"id": str(user.id), "business_id": str(business_id), "email": user.email}
    finally:
        await engine.dispose()


def _user_create(args: argparse.Namespace) -> int:
    from agentlocator.settings import Settings

    try:
        created = asyncio.run(
            _create(Settings().database_url, args.business, args.email, args.password)
        )
    except _Refused as error:
        print(f"agentlocator: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(json.dumps(created))
    return 0


def add_user(commands: Any) -> None:
    """Register the `user` command group."""
    user = commands.add_parser("user", help="manage dashboard users")
    actions = user.add_subparsers(dest="user_command", required=True)
    create = actions.add_parser("create", help="create a dashboard login for a business")
    create.add_argument("--business", required=True, help="the business id")
    create.add_argument("--email", required=True)
    create.add_argument(
        "--password", required=True, help="at least 8 characters; stored as an argon2id hash"
    )
    create.set_defaults(handler=_user_create)
