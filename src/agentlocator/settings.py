"""Service configuration, read from environment variables.

There is no module-level instance: the composition root (`app.create_app`, the CLI) builds one
`Settings` and passes it down, so tests can run several differently configured apps side by side.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_PATH = Path("var") / "agentlocator.db"
REPO_ROOT = Path(__file__).resolve().parents[2]
"""The checkout this package runs from (`src/agentlocator/settings.py` is two levels down)."""


class Settings(BaseSettings):
    """Every knob of the service; field names map to the documented environment variables."""

    model_config = SettingsConfigDict(
        env_prefix="AGENTLOCATOR_", extra="ignore", populate_by_name=True
    )

    database_url: str = Field(default=f"sqlite+aiosqlite:///{DEFAULT_SQLITE_PATH}")
    openai_api_key: SecretStr | None = Field(default=None, validation_alias="OPENAI_API_KEY")
    realtime_url: str = "wss://api.openai.com/v1/realtime"
    realtime_model: str = "gpt-realtime"
    twilio_account_sid: str | None = Field(default=None, validation_alias="TWILIO_ACCOUNT_SID")
    twilio_auth_token: SecretStr | None = Field(default=None, validation_alias="TWILIO_AUTH_TOKEN")
    public_url: str = "http://127.0.0.1:8000"
    twilio_api_url: str = "https://api.twilio.com"
    redis_url: str | None = None
    api_token: SecretStr | None = None
    summary_model: str = "gpt-4.1-mini"
    dashboard_dir: Path = Path("dashboard") / "dist"
    """The built dashboard served at `/`; a relative path is taken from the repository root."""

    silence_timeout_secs: float = 6.0
    max_call_secs: float = 30 * 60.0
    goodbye_mark_timeout_secs: float = 15.0
    realtime_connect_timeout_secs: float = 10.0
    tool_timeout_secs: float = 8.0
    playout_lead_ms: float = Field(default=40.0, ge=20.0, le=1000.0)
    """Agent audio kept queued at Twilio when our barge-in detector runs (see voice/detectors.py):
    longer rides out more network and loop jitter, shorter stops the agent sooner on a pause."""

    @property
    def uses_simulated_realtime(self) -> bool:
        """True when no OpenAI key is set: calls run against the built-in simulated engine."""
        return self.openai_api_key is None or not self.openai_api_key.get_secret_value()

    @property
    def dashboard_path(self) -> Path:
        """`dashboard_dir` as an absolute path."""
        if self.dashboard_dir.is_absolute():
            return self.dashboard_dir
        return REPO_ROOT / self.dashboard_dir

    @property
    def public_wss_url(self) -> str:
        """The WebSocket base Twilio opens, derived from the public https base."""
        base = self.public_url.rstrip("/")
        if base.startswith("https://"):
            return "wss://" + base.removeprefix("https://")
        if base.startswith("http://"):
            return "ws://" + base.removeprefix("http://")
        return base

    @property
    def media_stream_url(self) -> str:
        """The `<Stream url>` in our TwiML, and the URL Twilio signs the upgrade over."""
        return f"{self.public_wss_url}/twilio/media"
