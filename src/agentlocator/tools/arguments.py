"""Parsing the model's tool arguments: strict formats, speakable refusals, never an exception.

The model sometimes sends "tomorrow", "25:00", a missing field or a JSON string that is not an
object. Each becomes a `ToolArgumentError` whose text the model can say or act on.
"""

from __future__ import annotations

import json
import re
from datetime import date, time
from typing import Any

DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIME_PATTERN = re.compile(r"^\d{1,2}:\d{2}$")


class ToolArgumentError(ValueError):
    """A refusal the model can speak from."""

    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason

    def as_result(self) -> dict[str, Any]:
        return {"status": self.status, "reason": self.reason}


def parse_object(arguments: str) -> dict[str, Any]:
    try:
        parsed = json.loads(arguments or "{}")
    except json.JSONDecodeError as error:
        raise ToolArgumentError(
            "invalid_arguments", "The arguments were not valid JSON."
        ) from error
    if not isinstance(parsed, dict):
        raise ToolArgumentError("invalid_arguments", "The arguments must be a JSON object.")
    return parsed


def parse_date(raw: object, field: str = "date") -> date:
    if raw is None or raw == "":
        raise ToolArgumentError("invalid_date", f"'{field}' is required, as YYYY-MM-DD.")
    if not isinstance(raw, str) or not DATE_PATTERN.match(raw.strip()):
        raise ToolArgumentError(
            "invalid_date",
            f"'{field}' must be a calendar date as YYYY-MM-DD (use the dates table), not {raw!r}.",
        )
    try:
        return date.fromisoformat(raw.strip())
    except ValueError as error:
        raise ToolArgumentError("invalid_date", f"{raw!r} is not a real date.") from error


def parse_time(raw: object, field: str = "time") -> time:
    if raw is None or raw == "":
        raise ToolArgumentError("invalid_time", f"'{field}' is required, as HH:MM (24-hour).")
    if not isinstance(raw, str) or not TIME_PATTERN.match(raw.strip()):
        raise ToolArgumentError("invalid_time", f"'{field}' must be HH:MM (24-hour), not {raw!r}.")
    hours, minutes = (int(part) for part in raw.strip().split(":"))
    if hours > 23 or minutes > 59:
        raise ToolArgumentError("invalid_time", f"{raw!r} is not a time of day.")
    return time(hours, minutes)


def optional_text(raw: object, field: str, max_length: int = 500) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise ToolArgumentError("invalid_arguments", f"'{field}' must be text.")
    text = raw.strip()
    if len(text) > max_length:
        raise ToolArgumentError("invalid_arguments", f"'{field}' is too long.")
    return text or None


def required_text(raw: object, field: str, max_length: int = 200) -> str:
    text = optional_text(raw, field, max_length)
    if text is None:
        raise ToolArgumentError("missing_field", f"'{field}' is required; ask the caller for it.")
    return text
