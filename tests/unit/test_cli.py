"""The command line, end to end through `agentlocator.cli.main` on a real database."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from agentlocator.cli import build_parser, main
from agentlocator.db.engine import create_engine, session_factory
from agentlocator.db.models import Business

VALID: dict[str, Any] = {
    "name": "סטודיו יוגה שקד",
    "phone": "+972525550123",
    "timezone": "Asia/Jerusalem",
    "call_goal": "lead",
    "greeting": "שלום, הגעתם לסטודיו יוגה שקד",
}


def _stored_phones(database_url: str) -> list[str]:
    async def read() -> list[str]:
        engine = create_engine(database_url)
        try:
            async with session_factory(engine)() as session:
                return list(await session.scalars(select(Business.phone).order_by(Business.phone)))
        finally:
            await engine.dispose()

    return asyncio.run(read())


def _count(database_url: str) -> int:
    async def read() -> int:
        engine = create_engine(database_url)
        try:
            async with engine.connect() as connection:
                return int(await connection.scalar(select(func.count()).select_from(Business)) or 0)
        finally:
            await engine.dispose()

    return asyncio.run(read())


def _write(tmp_path: Path, content: Any, name: str = "business.json") -> Path:
    path = tmp_path / name
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def use_database(monkeypatch: pytest.MonkeyPatch) -> Any:
    def use(url: str) -> str:
        monkeypatch.setenv("AGENTLOCATOR_DATABASE_URL", url)
        return url

    return use


def test_business_create_prints_the_new_business(
    tmp_path: Path, sqlite_url: str, use_database: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    use_database(sqlite_url)
    path = _write(tmp_path, VALID | {"phone": "052-555-0123", "future_field": True})

    assert main(["business", "create", "--from-file", str(path)]) == 0

    out, err = capsys.readouterr()
    printed = json.loads(out)
    assert printed["id"]
    assert printed["name"] == "סטודיו יוגה שקד"
    assert printed["phone"] == "+972525550123"
    assert printed["call_goal"] == "lead"
    assert printed["voice"] == "marin"
    assert err == ""
    assert _stored_phones(sqlite_url) == ["+972525550123"]


def test_business_create_on_postgres(
    tmp_path: Path, postgres_url: str, use_database: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    use_database(postgres_url)
    assert main(["business", "create", "--from-file", str(_write(tmp_path, VALID))]) == 0
    assert json.loads(capsys.readouterr().out)["phone"] == "+972525550123"
    assert _stored_phones(postgres_url) == ["+972525550123"]


def test_business_create_migrates_a_brand_new_database(
    tmp_path: Path, use_database: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    url = use_database(f"sqlite+aiosqlite:///{tmp_path / 'var' / 'fresh.db'}")
    assert main(["business", "create", "--from-file", str(_write(tmp_path, VALID))]) == 0
    assert json.loads(capsys.readouterr().out)["id"]
    assert _count(url) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (VALID | {"phone": "12"}, "phone: not a possible phone number: '12'"),
        (VALID | {"timezone": "Europe/Atlantis"}, "timezone: unknown IANA time zone"),
        (VALID | {"call_goal": "sales"}, "call_goal: Input should be 'booking' or 'lead'"),
        ({k: v for k, v in VALID.items() if k != "greeting"}, "greeting: Field required"),
        (VALID | {"name": ""}, "name: String should have at least 1 character"),
        ("{not json", "is not valid JSON"),
        ('["a list"]', "must hold a JSON object"),
    ],
)
def test_bad_input_exits_2_and_stores_nothing(
    tmp_path: Path,
    sqlite_url: str,
    use_database: Any,
    capsys: pytest.CaptureFixture[str],
    content: Any,
    message: str,
) -> None:
    use_database(sqlite_url)
    assert main(["business", "create", "--from-file", str(_write(tmp_path, content))]) == 2

    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("agentlocator: error: ")
    assert message in err
    assert err.count("\n") == 1
    assert _count(sqlite_url) == 0


def test_missing_file_exits_2(
    tmp_path: Path, sqlite_url: str, use_database: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    use_database(sqlite_url)
    assert main(["business", "create", "--from-file", str(tmp_path / "nope.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_duplicate_phone_exits_2(
    tmp_path: Path, sqlite_url: str, use_database: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    use_database(sqlite_url)
    assert main(["business", "create", "--from-file", str(_write(tmp_path, VALID))]) == 0
    capsys.readouterr()
    again = _write(tmp_path, VALID | {"name": "Another", "phone": "+972 52-555-0123"}, "b.json")

    assert main(["business", "create", "--from-file", str(again)]) == 2

    out, err = capsys.readouterr()
    assert out == ""
    assert err == "agentlocator: error: phone: +972525550123 already belongs to another business\n"
    assert _count(sqlite_url) == 1


def test_db_upgrade(tmp_path: Path, use_database: Any, capsys: pytest.CaptureFixture[str]) -> None:
    use_database(f"sqlite+aiosqlite:///{tmp_path / 'new' / 'agentlocator.db'}")
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out == "database is at revision 0004\n" * 2


def test_demo_seed_is_idempotent(
    sqlite_url: str, use_database: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    use_database(sqlite_url)
    assert main(["demo", "seed"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(["demo", "seed"]) == 0
    second = json.loads(capsys.readouterr().out)

    assert first == second
    assert first["name"] == "מרפאת שיניים דמו"
    assert first["phone"] == "+97235550100"
    assert first["timezone"] == "Asia/Jerusalem"
    assert first["call_goal"] == "booking"
    assert "שלום" in first["greeting"]
    assert _count(sqlite_url) == 1


def test_unreachable_database_is_a_one_line_error(
    use_database: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    use_database("postgresql+asyncpg://postgres@127.0.0.1:9/nowhere")
    assert main(["db", "upgrade"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("agentlocator: database error: ")
    assert err.count("\n") == 1


def test_serve_is_still_a_command() -> None:
    args = build_parser().parse_args(["serve", "--port", "9000"])
    assert (args.host, args.port) == ("127.0.0.1", 9000)


def test_a_command_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([])
    assert exited.value.code == 2
    assert "required" in capsys.readouterr().err
