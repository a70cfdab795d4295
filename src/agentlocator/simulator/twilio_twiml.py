"""Reading the TwiML our server answers the voice webhook with, as Twilio would act on it."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TwimlStream:
    """A `<Connect><Stream>` from the TwiML answer."""

    url: str
    name: str | None = None
    status_callback: str | None = None
    custom_parameters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Twiml:
    """What Twilio would do with a TwiML document.

    `verbs` are the top-level verbs in order; `after_stream` are the ones Twilio runs when the
    server closes the stream (none means it hangs up). `error` is set when the text is not TwiML.
    """

    verbs: list[str] = field(default_factory=list)
    stream: TwimlStream | None = None
    says: list[str] = field(default_factory=list)
    has_hangup: bool = False
    after_stream: list[str] = field(default_factory=list)
    error: str | None = None


def parse_twiml(text: str) -> Twiml:
    """Read a TwiML answer; never raises, a malformed document gives `Twiml(error=...)`."""
    try:
        # The document comes from the server under test, not from an untrusted third party.
        root = ET.fromstring(text)  # noqa: S314
    except ET.ParseError as error:
        return Twiml(error=f"not XML: {error}")
    if root.tag != "Response":
        return Twiml(error=f"root element is <{root.tag}>, not <Response>")
    verbs: list[str] = []
    says: list[str] = []
    stream: TwimlStream | None = None
    after_stream: list[str] = []
    for verb in root:
        verbs.append(verb.tag)
        if stream is not None:
            after_stream.append(verb.tag)
        if verb.tag == "Say":
            says.append((verb.text or "").strip())
        elif verb.tag == "Connect" and stream is None:
            stream = _parse_stream(verb)
    return Twiml(verbs, stream, says, "Hangup" in verbs, after_stream)


def _parse_stream(connect: ET.Element) -> TwimlStream | None:
    element = connect.find("Stream")
    if element is None or not element.get("url"):
        return None
    parameters = {
        parameter.get("name", ""): parameter.get("value", "")
        for parameter in element.findall("Parameter")
    }
    return TwimlStream(
        url=element.get("url", ""),
        name=element.get("name"),
        status_callback=element.get("statusCallback"),
        custom_parameters=parameters,
    )
