"""Validate raw client frames the way the real Realtime API does, using the openai SDK's own types.

The SDK never validates what it sends (`conn.send(dict)` passes anything through), so the fake is
where a malformed `session.update` or a beta-era key gets caught. Validation is protocols.md §3:
a discriminated `TypeAdapter` over `RealtimeClientEvent` in strict mode, plus a walk over the
parsed models for keys the schema does not know (the SDK models allow extras, so an unknown key
such as `session.temperature` would otherwise pass). Failures become the real API's `error`
objects (§2.3): `invalid_value`, `unknown_parameter`, `missing_required_parameter`, `invalid_type`.
"""

from __future__ import annotations

import functools
import json
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from openai.types.realtime import RealtimeClientEvent
from pydantic import BaseModel, Field, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from agentlocator.simulator import realtime_errors as errors
from agentlocator.simulator.realtime_errors import RealtimeApiError

_DISCRIMINATOR_KEYS = ("type", "role")
_EXPECTED_BY_ERROR = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "string_type": "a string",
    "bool_type": "a boolean",
    "float_type": "a decimal",
    "list_type": "an array",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
}


@dataclass(frozen=True)
class ValidatedClientEvent:
    """A client event that passed validation: the raw JSON and the SDK model parsed from it."""

    raw: dict[str, Any]
    model: BaseModel

    @property
    def event_id(self) -> str | None:
        """The client's optional `event_id`."""
        value = self.raw.get("event_id")
        return value if isinstance(value, str) else None


class ClientEventRejected(Exception):
    """A client frame the real API would answer with an `error` event."""

    def __init__(self, error: RealtimeApiError, *, raw: dict[str, Any] | None) -> None:
        super().__init__(error.message)
        self.error = error
        self.raw = raw

    @property
    def event_id(self) -> str | None:
        """The offending event's `event_id`, echoed as `error.event_id`."""
        value = self.raw.get("event_id") if self.raw is not None else None
        return value if isinstance(value, str) else None


@functools.cache
def _client_event_adapter() -> TypeAdapter[Any]:
    # Cached because building the schema takes ~25 ms and it never changes: a compiled constant,
    # not shared mutable state. `PropertyInfo(discriminator=...)` is openai metadata that pydantic
    # ignores, so the discriminator is re-declared with pydantic's own `Field`.
    members = typing.get_args(RealtimeClientEvent)[0]
    discriminated: Any = Annotated[members, Field(discriminator="type")]
    return TypeAdapter(discriminated)


def validate_client_frame(frame: str | bytes) -> ValidatedClientEvent:
    """Parse and validate one client frame; raises `ClientEventRejected` with the API's error."""
    if isinstance(frame, bytes):
        try:
            frame = frame.decode("utf-8")
        except UnicodeDecodeError:
            raise ClientEventRejected(_invalid_json(), raw=None) from None
    try:
        raw = json.loads(frame)
    except json.JSONDecodeError:
        raise ClientEventRejected(_invalid_json(), raw=None) from None
    if not isinstance(raw, dict):
        raise ClientEventRejected(
            RealtimeApiError("invalid_json", "Expected a JSON object as the client event."),
            raw=None,
        )
    try:
        model = _client_event_adapter().validate_json(frame, strict=True)
    except ValidationError as exc:
        raise ClientEventRejected(error_from_validation(exc.errors(), raw), raw=raw) from None
    unknown = find_unknown_keys(model)
    if unknown:
        raise ClientEventRejected(errors.unknown_parameter(unknown[0]), raw=raw)
    return ValidatedClientEvent(raw=raw, model=model)


def find_unknown_keys(value: object, path: str = "") -> list[str]:
    """Dotted paths of every key the SDK models accepted as an extra (i.e. not in the schema)."""
    if isinstance(value, BaseModel):
        found = [_join(path, key) for key in (value.model_extra or {})]
        for name in type(value).model_fields:
            found.extend(find_unknown_keys(getattr(value, name), _join(path, name)))
        return found
    if isinstance(value, list | tuple):
        return [x for i, item in enumerate(value) for x in find_unknown_keys(item, f"{path}[{i}]")]
    if isinstance(value, dict):
        return [x for k, v in value.items() for x in find_unknown_keys(v, _join(path, str(k)))]
    return []


def error_from_validation(details: Sequence[ErrorDetails], raw: dict[str, Any]) -> RealtimeApiError:
    """Turn pydantic's errors into the single error the real API would report.

    Smart unions report one error per union member. Members whose own `type`/`role` literal did
    not match are dropped (they are the wrong branch, not the mistake), then the error at the
    deepest parameter wins, as the API names the most specific parameter.
    """
    first = details[0]
    if first["type"] == "union_tag_not_found":
        return errors.missing_parameter("type")
    if first["type"] == "union_tag_invalid":
        tags = str(first.get("ctx", {}).get("expected_tags", ""))
        return errors.invalid_value("type", raw.get("type"), [t.strip() for t in tags.split(",")])
    located = [_locate(detail, raw) for detail in details]
    candidates = _drop_mismatched_branches(located)
    deepest = max(len(c.keys) for c in candidates)
    chosen = [c for c in candidates if len(c.keys) == deepest]
    best = chosen[0]
    kind = best.detail["type"]
    if kind == "missing":
        return errors.missing_parameter(best.param)
    if kind == "literal_error":
        supported: list[str] = []
        for candidate in chosen:
            if candidate.detail["type"] == "literal_error" and candidate.param == best.param:
                expected = str(candidate.detail.get("ctx", {}).get("expected", ""))
                supported.extend(e.strip() for e in expected.replace(" or ", ", ").split(","))
        return errors.invalid_value(
            best.param, best.detail["input"], list(dict.fromkeys(supported))
        )
    if kind in _EXPECTED_BY_ERROR:
        got = _describe_json_type(best.detail["input"])
        return errors.invalid_type(best.param, _EXPECTED_BY_ERROR[kind], got)
    return RealtimeApiError(
        "invalid_value", f"Invalid value for '{best.param}': {best.detail['msg']}.", best.param
    )


@dataclass(frozen=True)
class _Located:
    detail: ErrorDetails
    keys: tuple[str | int, ...]  # the path through the JSON document
    branches: tuple[tuple[Any, ...], ...]  # loc prefixes ending at a union-member label
    mismatched_branch: tuple[Any, ...] | None  # set when this error is a member's type/role clash

    @property
    def param(self) -> str:
        text = ""
        for key in self.keys:
            text = f"{text}[{key}]" if isinstance(key, int) else _join(text, key)
        return text


def _locate(detail: ErrorDetails, raw: dict[str, Any]) -> _Located:
    # pydantic's loc mixes real keys with union-member labels ("RealtimeSessionCreateRequest",
    # "literal['inf']"); walking the raw JSON alongside tells them apart.
    loc = detail["loc"]
    keys: list[str | int] = []
    branches: list[tuple[Any, ...]] = []
    current: Any = raw
    for index, element in enumerate(loc):
        is_last = index == len(loc) - 1
        is_key = isinstance(current, dict) and element in current
        is_index = isinstance(current, list) and isinstance(element, int) and element < len(current)
        if is_key or is_index:
            keys.append(element)
            current = current[element]
        elif is_last and detail["type"] == "missing":
            keys.append(element)
        else:
            branches.append(tuple(loc[: index + 1]))
    mismatched = None
    if (
        detail["type"] == "literal_error"
        and branches
        and len(loc) >= 2
        and loc[-1] in _DISCRIMINATOR_KEYS
        and tuple(loc[:-1]) == branches[-1]
    ):
        mismatched = branches[-1]
    return _Located(detail, tuple(keys), tuple(branches), mismatched)


def _drop_mismatched_branches(located: list[_Located]) -> list[_Located]:
    mismatched = {c.mismatched_branch for c in located if c.mismatched_branch is not None}
    labels_by_union: dict[tuple[Any, ...], set[tuple[Any, ...]]] = {}
    for candidate in located:
        for branch in candidate.branches:
            labels_by_union.setdefault(branch[:-1], set()).add(branch)
    # A member is only dropped when a sibling member in the same union fits better.
    droppable = {
        branch for branch in mismatched if not labels_by_union.get(branch[:-1], set()) <= mismatched
    }
    kept = [c for c in located if not any(b in droppable for b in c.branches)]
    return kept or located


def _join(path: str, key: str | int) -> str:
    return f"{path}.{key}" if path else str(key)


def _describe_json_type(value: object) -> str:
    match value:
        case None:
            return "null"
        case bool():
            return "a boolean"
        case int():
            return "an integer"
        case float():
            return "a decimal"
        case str():
            return "a string"
        case list():
            return "an array"
        case _:
            return "an object"


def _invalid_json() -> RealtimeApiError:
    # Code and wording unverified against the real API; the bridge only ever sends JSON.
    return RealtimeApiError("invalid_json", "The client event could not be parsed as JSON.")
