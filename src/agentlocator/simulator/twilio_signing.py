"""`X-Twilio-Signature` as Twilio computes it, plus forged variants a correct server must reject.

Twilio signs the exact URL it requested: for a form POST the URL followed by every parameter
(sorted, `name+value`), for a GET or a WebSocket upgrade the URL alone. The server recomputes the
signature over its *public* URL, so a simulator must sign that public URL even when it dials a
local address.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from twilio.request_validator import RequestValidator

SIGNATURE_HEADER = "X-Twilio-Signature"

_SCHEME_SWAPS = {"https": "http", "http": "https", "wss": "ws", "ws": "wss"}
_HTTP_SCHEME_FOR_WS = {"wss": "https", "ws": "http"}
_FOREIGN_HOST = "attacker.example.net"
_NON_DEFAULT_PORT = 8443
_WRONG_TOKEN_SUFFIX = "-not-the-token"  # noqa: S105  (deliberately wrong, not a secret)


@dataclass(frozen=True)
class TamperedSignature:
    """A request a correct server must refuse: send `params` (or no body) with `signature`.

    `name` says what was forged, e.g. `wrong_host`; `params` is `None` for a GET or WebSocket
    upgrade.
    """

    name: str
    signature: str
    params: dict[str, str] | None = field(default=None)


def sign_form_post(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """Signature of a form-encoded POST to `url` carrying `params`."""
    return str(RequestValidator(auth_token).compute_signature(url, dict(params)))


def sign_get(auth_token: str, url: str) -> str:
    """Signature of a GET (the URL alone, query string included)."""
    return str(RequestValidator(auth_token).compute_signature(url, {}))


def sign_websocket_upgrade(auth_token: str, stream_url: str) -> str:
    """Signature of the Media Streams upgrade: the exact `<Stream url>` (`wss://…`), like a GET."""
    return sign_get(auth_token, stream_url)


def signature_headers(
    auth_token: str | None, url: str, params: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The `X-Twilio-Signature` header for a request; empty when there is no token to sign with."""
    if auth_token is None:
        return {}
    signature = (
        sign_get(auth_token, url) if params is None else sign_form_post(auth_token, url, params)
    )
    return {SIGNATURE_HEADER: signature}


def is_valid(auth_token: str, url: str, params: Mapping[str, str] | None, signature: str) -> bool:
    """What `twilio.request_validator` decides: the reference a server is checked against."""
    return bool(RequestValidator(auth_token).validate(url, dict(params or {}), signature))


def tampered_signatures(
    auth_token: str, url: str, params: Mapping[str, str] | None = None
) -> list[TamperedSignature]:
    """Forged variants of one request, each refused by Twilio's own validator.

    Pass `params=None` for a GET or WebSocket upgrade. Candidates the reference validator would
    accept (for instance an added `:443` on an `https` URL, which it deliberately tolerates) are
    left out, so every variant returned is one a correct server must reject.
    """
    body = None if params is None else dict(params)
    wrong_token = auth_token + _WRONG_TOKEN_SUFFIX
    candidates = [
        _resigned("wrong_host", auth_token, _with_host(url, _FOREIGN_HOST), body),
        _resigned("wrong_scheme", auth_token, _with_scheme(url, _SCHEME_SWAPS), body),
        _resigned(
            "http_scheme_for_websocket", auth_token, _with_scheme(url, _HTTP_SCHEME_FOR_WS), body
        ),
        _resigned("default_port_443", auth_token, _with_port(url, 443), body),
        _resigned("non_default_port", auth_token, _with_port(url, _NON_DEFAULT_PORT), body),
        _resigned("wrong_path", auth_token, _with_path_suffix(url, "-other"), body),
        _resigned("query_dropped", auth_token, _without_query(url), body),
        _resigned("wrong_token", wrong_token, url, body),
        TamperedSignature("empty", "", body),
    ]
    if body:
        candidates.extend(_param_forgeries(auth_token, url, body))
    return [
        candidate
        for candidate in candidates
        if candidate is not None
        and not is_valid(auth_token, url, candidate.params, candidate.signature)
    ]


def _param_forgeries(
    auth_token: str, url: str, params: dict[str, str]
) -> list[TamperedSignature | None]:
    honest = sign_form_post(auth_token, url, params)
    first = sorted(params)[0]
    changed = {**params, first: params[first] + "0"}
    added = {**params, "ForgedParam": "1"}
    removed = {name: value for name, value in params.items() if name != first}
    return [
        TamperedSignature("changed_param", honest, changed),
        TamperedSignature("added_param", honest, added),
        TamperedSignature("removed_param", honest, removed),
    ]


def _resigned(
    name: str, token: str, signed_url: str | None, params: dict[str, str] | None
) -> TamperedSignature | None:
    if signed_url is None:
        return None
    signature = (
        sign_get(token, signed_url) if params is None else sign_form_post(token, signed_url, params)
    )
    return TamperedSignature(name, signature, params)


def _with_host(url: str, host: str) -> str:
    parts = urlsplit(url)
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def _with_scheme(url: str, swaps: Mapping[str, str]) -> str | None:
    parts = urlsplit(url)
    swapped = swaps.get(parts.scheme)
    return None if swapped is None else urlunsplit(parts._replace(scheme=swapped))


def _with_port(url: str, port: int) -> str | None:
    parts = urlsplit(url)
    if parts.port is not None or parts.hostname is None:
        return None
    return urlunsplit(parts._replace(netloc=f"{parts.netloc}:{port}"))


def _with_path_suffix(url: str, suffix: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=(parts.path or "/") + suffix))


def _without_query(url: str) -> str | None:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query="")) if parts.query else None
