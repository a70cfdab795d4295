"""`agentlocator simulate-call` is a contract: the flags and the JSON it prints."""

from __future__ import annotations

import json

import pytest

from agentlocator.cli import main

pytestmark = pytest.mark.slow


def test_simulate_call_booking_json_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate-call", "--scenario", "booking", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["scenario"] == "booking"
    assert report["passed"] is True
    assert report["mode"] == "in-process"
    assert report["figures"]["end_reason"] == "agent_ended"
    assert all(check["passed"] for check in report["checks"])


def test_unknown_scenario_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate-call", "--scenario", "nope"]) == 2
    assert "unknown scenario" in capsys.readouterr().err


def test_list_names_every_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate-call", "--list"]) == 0
    listed = capsys.readouterr().out
    for name in ("booking", "barge_in_every_reply", "realtime_drop", "bad_signature"):
        assert name in listed
