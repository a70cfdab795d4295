"""The `agentlocator` command line."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import AsyncIterator, Coroutine, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeAlias, TypeVar

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from agentlocator.cli_calls import add_call_lead
from agentlocator.cli_holidays import add_holidays
from agentlocator.cli_simulate import add_simulate
from agentlocator.cli_users import add_user
from agentlocator.db.engine import create_engine, session_factory, upgrade
from agentlocator.demo import DEMO_EMAIL, DEMO_PASSWORD, seed_demo, seed_demo_data
from agentlocator.services.businesses import (
    BusinessCreate,
    DuplicatePhoneError,
    business_as_json,
    create_business,
)
from agentlocator.settings import Settings

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

T = TypeVar("T")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


class CommandError(Exception):
    """Bad input from the user: printed as one line on stderr, exit code 2, nothing stored."""


class DatabaseUnavailableError(Exception):
    """The database could not be reached or used: one line on stderr, exit code 1."""


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a database coroutine; connection and driver failures become one-line errors."""
    try:
        return asyncio.run(coroutine)
    except (SQLAlchemyError, OSError) as exc:
        first_line = (str(exc).splitlines() or [""])[0]
        raise DatabaseUnavailableError(f"{type(exc).__name__}: {first_line}") from exc


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from agentlocator import logs
    from agentlocator.app import create_app

    logs.configure()
    app = create_app(Settings())  # its start-up freezes what it loaded out of the GC
    uvicorn.run(app, host=args.host, port=args.port, log_config=None, access_log=False)
    return 0


def _add_serve(commands: Commands) -> None:
    serve = commands.add_parser("serve", help="serve the HTTP and WebSocket endpoints")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(handler=_serve)


def _db_upgrade(_args: argparse.Namespace) -> int:
    revision = _run(upgrade(Settings().database_url))
    print(f"database is at revision {revision}")
    return EXIT_OK


def _add_db(commands: Commands) -> None:
    db = commands.add_parser("db", help="manage the database")
    actions = db.add_subparsers(dest="db_command", required=True)
    upgrade_parser = actions.add_parser("upgrade", help="migrate the database to the newest schema")
    upgrade_parser.set_defaults(handler=_db_upgrade)


def _business_create(args: argparse.Namespace) -> int:
    path: Path = args.from_file
    try:
        data = BusinessCreate.model_validate(_read_json_object(path))
    except ValidationError as exc:
        raise CommandError(f"invalid business in {path}: {_describe(exc)}") from None

    async def store(database_url: str) -> dict[str, Any]:
        async with _migrated_session(database_url) as session:
            try:
                business = await create_business(session, data)
            except DuplicatePhoneError as exc:
                raise CommandError(str(exc)) from None
            await session.commit()
            return business_as_json(business)

    _print_json(_run(store(Settings().database_url)))
    return EXIT_OK


def _add_business(commands: Commands) -> None:
    business = commands.add_parser("business", help="manage businesses")
    actions = business.add_subparsers(dest="business_command", required=True)
    create = actions.add_parser("create", help="create a business from a JSON file")
    create.add_argument(
        "--from-file",
        type=Path,
        required=True,
        metavar="FILE.json",
        help="name, phone (E.164), timezone, call_goal (booking|lead), greeting, …",
    )
    create.set_defaults(handler=_business_create)
    add_holidays(actions)


def _demo_seed(_args: argparse.Namespace) -> int:
    async def seed(database_url: str) -> dict[str, Any]:
        await upgrade(database_url)
        engine = create_engine(database_url)
        try:
            sessions = session_factory(engine)
            async with sessions() as session:
                business, _created = await seed_demo(session)
                await session.commit()
            # The command line is where the wall clock enters: the demo week is this week.
            await seed_demo_data(sessions, business, now=datetime.now(UTC))
        finally:
            await engine.dispose()
        return {
            **business_as_json(business),
            "login": {"email": DEMO_EMAIL, "password": DEMO_PASSWORD},
        }

    _print_json(_run(seed(Settings().database_url)))
    return EXIT_OK


def _add_demo(commands: Commands) -> None:
    demo = commands.add_parser("demo", help="demo data")
    actions = demo.add_subparsers(dest="demo_command", required=True)
    seed = actions.add_parser(
        "seed",
        help="create the demo dental clinic with a week of data unless it exists; prints the login",
    )
    seed.set_defaults(handler=_demo_seed)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="agentlocator", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands_added = (
        _add_serve,
        _add_db,
        _add_business,
        _add_demo,
        add_simulate,
        add_call_lead,
        add_user,
    )
    for add_command in commands_added:
        add_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except CommandError as exc:
        print(f"agentlocator: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except DatabaseUnavailableError as exc:
        print(f"agentlocator: database error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return code


@asynccontextmanager
async def _migrated_session(database_url: str) -> AsyncIterator[AsyncSession]:
    """Migrate (idempotent, so the command just works), then one session; engine disposed after."""
    await upgrade(database_url)
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            yield session
    finally:
        await engine.dispose()


def _read_json_object(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise CommandError(f"{path} is not UTF-8 text") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"{path} is not valid JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(value, dict):
        raise CommandError(f"{path} must hold a JSON object")
    return value


def _describe(exc: ValidationError) -> str:
    """Pydantic errors as `field: reason; field: reason`, on one line."""
    parts = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"]) or "input"
        reason = error["msg"]
        if error["type"] == "value_error" and "error" in error.get("ctx", {}):
            reason = str(error["ctx"]["error"])
        parts.append(f"{field}: {reason}")
    return "; ".join(parts)


def _print_json(value: dict[str, Any]) -> None:
    print(json.dumps(value, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    sys.exit(main())
