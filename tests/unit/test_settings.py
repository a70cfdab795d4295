import pytest

from agentlocator.settings import Settings


def test_defaults_use_sqlite_and_simulated_realtime(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    settings = Settings()
    assert settings.database_url.startswith("sqlite+aiosqlite:///")
    assert settings.uses_simulated_realtime
    assert settings.realtime_url == "wss://api.openai.com/v1/realtime"
    assert settings.realtime_model == "gpt-realtime"


def test_environment_names_are_the_documented_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "tok")
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC1")
    monkeypatch.setenv("AGENTLOCATOR_PUBLIC_URL", "https://bridge.example.com/")
    monkeypatch.setenv("AGENTLOCATOR_TWILIO_API_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AGENTLOCATOR_REDIS_URL", "redis://127.0.0.1:6379/0")
    settings = Settings()
    assert not settings.uses_simulated_realtime
    assert settings.twilio_auth_token is not None
    assert settings.twilio_auth_token.get_secret_value() == "tok"
    assert settings.twilio_account_sid == "AC1"
    assert settings.media_stream_url == "wss://bridge.example.com/twilio/media"
    assert settings.twilio_api_url == "http://127.0.0.1:9"
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
