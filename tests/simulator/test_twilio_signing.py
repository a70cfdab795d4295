"""X-Twilio-Signature: the verified vector, and forgeries Twilio's own validator rejects."""

import pytest

from agentlocator.simulator.twilio_signing import (
    SIGNATURE_HEADER,
    is_valid,
    sign_form_post,
    sign_websocket_upgrade,
    signature_headers,
    tampered_signatures,
)

# protocols.md §5.3, checked against twilio 9.13's RequestValidator.
VECTOR_TOKEN = "12345"
VECTOR_URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
VECTOR_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+12349013030",
    "Digits": "1234",
    "From": "+12349013030",
    "To": "+18005551212",
}
VECTOR_SIGNATURE = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="

STREAM_URL = "wss://bridge.example.com/twilio/media"
VOICE_URL = "https://bridge.example.com/twilio/voice"


def test_form_post_matches_the_verified_vector() -> None:
    assert sign_form_post(VECTOR_TOKEN, VECTOR_URL, VECTOR_PARAMS) == VECTOR_SIGNATURE
    assert is_valid(VECTOR_TOKEN, VECTOR_URL, VECTOR_PARAMS, VECTOR_SIGNATURE)


def test_websocket_upgrade_is_signed_like_a_get_over_the_wss_url() -> None:
    signature = sign_websocket_upgrade("token", STREAM_URL)
    assert is_valid("token", STREAM_URL, None, signature)
    assert not is_valid("token", STREAM_URL.replace("wss://", "https://"), None, signature)
    assert signature_headers("token", STREAM_URL) == {SIGNATURE_HEADER: signature}
    assert signature_headers(None, STREAM_URL) == {}


def test_form_forgeries_are_all_rejected() -> None:
    forged = tampered_signatures(VECTOR_TOKEN, VECTOR_URL, VECTOR_PARAMS)
    names = {variant.name for variant in forged}
    assert {
        "wrong_host",
        "wrong_scheme",
        "non_default_port",
        "wrong_path",
        "query_dropped",
        "wrong_token",
        "empty",
        "changed_param",
        "added_param",
        "removed_param",
    } <= names
    for variant in forged:
        assert variant.params is not None
        assert not is_valid(VECTOR_TOKEN, VECTOR_URL, variant.params, variant.signature), variant


def test_forgeries_the_validator_tolerates_are_left_out() -> None:
    # RequestValidator tries the URL with and without the scheme's default port: `:443` on an
    # https URL is accepted, so it is not a forgery.
    names = {variant.name for variant in tampered_signatures("token", VOICE_URL, {"A": "1"})}
    assert "default_port_443" not in names
    assert is_valid(
        "token",
        VOICE_URL,
        {"A": "1"},
        sign_form_post("token", "https://bridge.example.com:443/twilio/voice", {"A": "1"}),
    )


@pytest.mark.parametrize("url", [STREAM_URL, "ws://127.0.0.1:8000/twilio/media"])
def test_websocket_forgeries_are_all_rejected(url: str) -> None:
    forged = tampered_signatures("token", url)
    names = {variant.name for variant in forged}
    assert {"wrong_host", "wrong_scheme", "http_scheme_for_websocket", "wrong_token"} <= names
    for variant in forged:
        assert variant.params is None
        assert not is_valid("token", url, None, variant.signature), variant
