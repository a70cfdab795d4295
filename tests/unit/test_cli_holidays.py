"""`agentlocator business holidays`: suggestions listed, applied only when accepted."""

from __future__ import annotations

import json

import pytest

from agentlocator.cli import main


def test_holidays_are_suggested_and_applied_only_on_accept(
    sqlite_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: object,
) -> None:
    monkeypatch.setenv("AGENTLOCATOR_DATABASE_URL", sqlite_url)
    assert main(["demo", "seed"]) == 0
    business = json.loads(capsys.readouterr().out)
    assert main(["business", "holidays", "--business", business["id"], "--year", "2027"]) == 0
    listed = json.loads(capsys.readouterr().out)["suggestions"]
    yom_kippur = [s for s in listed if s["name_en"] == "Yom Kippur"]
    assert yom_kippur and yom_kippur[0]["suggested"] == "closed"
    assert main(["demo", "seed"]) == 0  # nothing was applied by listing
    assert json.loads(capsys.readouterr().out)["booking"]["overrides"] == {}
    day = yom_kippur[0]["date"]
    assert (
        main(
            [
                "business",
                "holidays",
                "--business",
                business["id"],
                "--year",
                "2027",
                "--accept",
                day,
            ]
        )
        == 0
    )
    applied = json.loads(capsys.readouterr().out)
    assert applied["booking"]["overrides"] == {day: []}
    assert (
        main(["business", "holidays", "--business", business["id"], "--accept", "2027-01-05"]) == 2
    )
