"""Twilio request signatures (`X-Twilio-Signature`), checked with the twilio SDK's validator."""

from __future__ import annotations

from collections.abc import Mapping

from twilio.request_validator import RequestValidator


class TwilioSignatureCheck:
    """Validates webhooks and the Media Streams upgrade against our public URLs.

    With no auth token configured (local development, the simulator) every request passes; with one,
    a request without a valid signature is refused.
    """

    def __init__(self, auth_token: str | None) -> None:
        self._validator = RequestValidator(auth_token) if auth_token else None

    @property
    def is_enforced(self) -> bool:
        return self._validator is not None

    def is_valid(self, url: str, params: Mapping[str, str], signature: str | None) -> bool:
        """Check a signature over the exact public URL Twilio requested and its form params."""
        if self._validator is None:
            return True
        if not signature:
            return False
        return bool(self._validator.validate(url, dict(params), signature))
