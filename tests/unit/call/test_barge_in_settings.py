"""Per-business barge-in knobs: strict for what an owner submits, forgiving for a live call."""

from __future__ import annotations

import pytest

from agentlocator.call.barge_in import BargeInSettings, InvalidBargeInSetting


def test_defaults_follow_the_spec() -> None:
    settings = BargeInSettings()
    assert (settings.min_speech_ms, settings.cooldown_ms, settings.echo_window_ms) == (
        300,
        800,
        350,
    )
    assert settings.is_greeting_interruptible
    assert settings.detector == "local"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"min_speech_ms": 50}, "min_speech_ms"),
        ({"min_speech_ms": 300.5}, "min_speech_ms"),
        ({"cooldown_ms": True}, "cooldown_ms"),
        ({"sensitivity": 1.5}, "sensitivity"),
        ({"is_greeting_interruptible": "yes"}, "is_greeting_interruptible"),
        ({"detector": "magic"}, "detector"),
        ({"volume": 3}, "volume"),
    ],
)
def test_a_submitted_bad_knob_is_refused_by_name(data: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidBargeInSetting) as refused:
        BargeInSettings.parse(data)
    assert refused.value.field == field


def test_a_stored_bad_knob_falls_back_to_its_default_and_keeps_the_rest() -> None:
    settings = BargeInSettings.from_json(
        {"min_speech_ms": -1, "cooldown_ms": 1200, "sensitivity": 0.8, "unknown": 1}
    )
    assert settings == BargeInSettings(cooldown_ms=1200, sensitivity=0.8)


def test_parse_round_trips_through_json() -> None:
    settings = BargeInSettings.parse({"guard_ms": 200, "detector": "rms"})
    assert BargeInSettings.parse(settings.as_json()) == settings
