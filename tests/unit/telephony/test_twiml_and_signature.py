"""TwiML we answer with, and Twilio signature checks (the SDK validator, our public URLs)."""

import xml.etree.ElementTree as ET

from twilio.request_validator import RequestValidator

from agentlocator.telephony import twiml
from agentlocator.telephony.signature import TwilioSignatureCheck


def test_connect_stream_uses_parameters_not_a_query_string() -> None:
    root = ET.fromstring(
        twiml.connect_stream(
            "wss://x.example/twilio/media", {"business_id": "b1", "direction": "inbound"}
        )
    )
    stream = root.find("./Connect/Stream")
    assert stream is not None and stream.get("url") == "wss://x.example/twilio/media"
    assert {p.get("name"): p.get("value") for p in stream.findall("Parameter")} == {
        "business_id": "b1",
        "direction": "inbound",
    }


def test_unknown_number_gets_an_apology_and_a_hang_up() -> None:
    root = ET.fromstring(twiml.apologise_and_hang_up())
    assert [child.tag for child in root] == ["Say", "Hangup"]


def test_signature_check_uses_the_sdk_validator_and_the_verified_vector() -> None:
    check = TwilioSignatureCheck("12345")
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+12349013030",
        "Digits": "1234",
        "From": "+12349013030",
        "To": "+18005551212",
    }
    assert check.is_valid(url, params, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    assert not check.is_valid(url, {**params, "Digits": "9"}, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
    assert not check.is_valid(url, params, None)


def test_upgrade_signature_is_over_the_wss_url_alone() -> None:
    url = "wss://bridge.example.com/twilio/media"
    signature = RequestValidator("tok").compute_signature(url, {})
    check = TwilioSignatureCheck("tok")
    assert check.is_valid(url, {}, signature)
    assert not check.is_valid("https://bridge.example.com/twilio/media", {}, signature)


def test_without_a_token_nothing_is_enforced() -> None:
    assert TwilioSignatureCheck(None).is_valid("https://x", {}, None)
