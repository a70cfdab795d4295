"""Caller ID as the carrier delivers it: an E.164 number, withheld, or something unusable.

A withheld number arrives as a word (`anonymous`, `restricted`, …) or as its keypad spelling
(`+266696687` is ANONYMOUS), some of which are possible numbers in some country, so they are
recognised before parsing. Browser and SIP callers (`client:alice`, `sip:…`) are no number.
"""

from __future__ import annotations

import re
from typing import Literal

from agentlocator.services.businesses import DEFAULT_PHONE_REGION, normalise_phone

CallerIdStatus = Literal["present", "withheld", "unparseable"]

WITHHELD_WORDS = frozenset(
    {"anonymous", "restricted", "unknown", "private", "unavailable", "withheld", "blocked"}
)
"""Spellings of a hidden caller ID, compared in lower case."""

WITHHELD_KEYPAD_NUMBERS = frozenset({"+266696687", "+7378742833", "+86282452253", "+8656696"})
"""ANONYMOUS, RESTRICTED, UNAVAILABLE and UNKNOWN typed on a phone keypad, as carriers send them."""

_NON_DIGITS = re.compile(r"\D")


def classify_caller_id(raw: str | None, region: str = DEFAULT_PHONE_REGION) -> CallerIdStatus:
    """Whether a caller ID carries a number, is deliberately hidden, or cannot be read."""
    return _read(raw, region)[0]


def caller_phone_e164(raw: str | None, region: str = DEFAULT_PHONE_REGION) -> str | None:
    """The caller's number in E.164, or None when it is withheld or not a phone number.

    Local spellings (`052-…`) are read in `region`, the business's country.
    """
    return _read(raw, region)[1]


def _read(raw: str | None, region: str) -> tuple[CallerIdStatus, str | None]:
    text = (raw or "").strip()
    if not text or text.lower() in WITHHELD_WORDS:
        return "withheld", None
    if text.startswith("+") and "+" + _NON_DIGITS.sub("", text) in WITHHELD_KEYPAD_NUMBERS:
        return "withheld", None
    try:
        return "present", normalise_phone(text, region)
    except ValueError:
        return "unparseable", None
