"""Error bodies of the dashboard API: every validation error names the field it is about.

`field` is the dotted path in the request body (or the query parameter's name), e.g.
`weekly_hours.sun.0`. Rule checks that run over a whole document (the booking rules) report their
path at the start of the message (`weekly_hours.mon[0]: '25:00' is not a time`); that path is
lifted into `field` so the page can put the message next to the right input.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from fastapi import HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError

_SOURCES = frozenset({"body", "query", "path", "header", "cookie"})
_PYDANTIC_PREFIXES = ("Value error, ", "Assertion failed, ")
_PATH_IN_MESSAGE = re.compile(r"^([A-Za-z_]\w*(?:\.[\w-]+|\[\d+\])*): (.+)$", re.DOTALL)


def _dotted(parts: Sequence[Any]) -> str:
    return ".".join(str(part) for part in parts)


def field_error(loc: Sequence[Any], message: str, kind: str = "value_error") -> dict[str, Any]:
    """One error entry: `loc` as FastAPI gives it, `field` the dotted path, `msg` the reason."""
    path = list(loc[1:]) if loc and loc[0] in _SOURCES else list(loc)
    for prefix in _PYDANTIC_PREFIXES:
        message = message.removeprefix(prefix)
    found = _PATH_IN_MESSAGE.match(message)
    if found is not None:
        inner = found[1].replace("[", ".").replace("]", "").split(".")
        # The message's path starts at the document the validator saw: the field itself (when
        # it repeats the last step of `loc`) or the whole body.
        if path and path[-1] == inner[0]:
            path = path[:-1]
        path = [*path, *inner]
        message = found[2]
    return {"loc": list(loc), "field": _dotted(path), "msg": message, "type": kind}


def invalid(field: str, message: str) -> HTTPException:
    """A 422 for one body field, for checks made after the schema (in a service)."""
    return HTTPException(422, [field_error(["body", *field.split(".")], message)])


def from_validation_error(
    error: ValidationError, prefix: Sequence[str] = ("body",)
) -> HTTPException:
    """A 422 from a pydantic error raised by a service, located under `prefix`."""
    return HTTPException(
        422,
        [field_error([*prefix, *e["loc"]], e["msg"], e["type"]) for e in error.errors()],
    )


def from_value_error(error: ValueError, default_field: str) -> HTTPException:
    """A 422 from a service's ValueError; such messages start with the field (`email: ...`)."""
    return HTTPException(422, [field_error(["body", default_field], str(error))])


async def validation_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [field_error(e["loc"], str(e["msg"]), str(e["type"])) for e in exc.errors()]
    return JSONResponse({"detail": errors}, status_code=422)
