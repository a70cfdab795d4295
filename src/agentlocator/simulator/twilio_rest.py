"""A fake of the slice of Twilio's REST API our server calls: end a call, place an outbound call.

`FakeTwilioRest` serves `/2010-04-01/Accounts/{AccountSid}/Calls[/{CallSid}].json` on 127.0.0.1
from inside the current event loop, so the real twilio SDK can be pointed at it
(`client.api.base_url = rest.url`). Simulated calls registered with it behave like live Twilio
calls: `Status=completed` makes the caller's side send `stop` and close, and when a call ends,
however it ends, the terminal status callback is posted if a callback URL is known.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import hmac
import logging
from collections.abc import Callable, Coroutine, Generator
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self

import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from agentlocator.simulator.twilio_call_resource import CallResource, RestRequest, twilio_error
from agentlocator.simulator.twilio_caller import SimulatedCall, new_sid
from agentlocator.simulator.twilio_webhooks import (
    API_VERSION,
    call_duration_secs,
    is_terminal,
    post_signed_form,
    status_callback_params,
)

logger = logging.getLogger(__name__)

_CALLS_PATH = f"/{API_VERSION}/Accounts/{{account_sid}}/Calls.json"
_CALL_PATH = f"/{API_VERSION}/Accounts/{{account_sid}}/Calls/{{call_sid}}.json"
_SHUTDOWN_WAIT_SECS = 5.0


def _utc_now() -> datetime:
    return datetime.now(UTC)


class _EmbeddedServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        # The host process (pytest, the CLI, a benchmark) owns SIGINT and SIGTERM.
        yield


class FakeTwilioRest:
    """Twilio's REST API for calls, on 127.0.0.1 with HTTP basic auth (account SID + token).

    Use it as `async with FakeTwilioRest(account_sid, auth_token) as rest:` and read `rest.url`.
    Every request lands in `rest.requests`; calls live in `rest.calls`. Status callbacks are
    posted with `http` when given (an ASGI-transport client reaches an in-process server), else
    with a client of its own.
    """

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        http: httpx.AsyncClient | None = None,
        now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.url = ""
        self.requests: list[RestRequest] = []
        self.calls: dict[str, CallResource] = {}
        self.status_callbacks: list[tuple[str, str, int]] = []
        self._http = http
        self._owns_http = http is None
        self._now = now
        self._server: _EmbeddedServer | None = None
        self._server_task: asyncio.Task[None] | None = None
        self._jobs: set[asyncio.Task[None]] = set()
        self._watchers: dict[str, asyncio.Task[None]] = {}

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Listen on an ephemeral port of 127.0.0.1; sets `url`."""
        app = Starlette(
            routes=[
                Route(_CALLS_PATH, self._create_call, methods=["POST"]),
                Route(_CALL_PATH, self._update_call, methods=["POST"]),
                Route(_CALL_PATH, self._fetch_call, methods=["GET"]),
            ]
        )
        config = uvicorn.Config(
            app, host="127.0.0.1", port=0, lifespan="off", ws="none", log_config=None,
            access_log=False,
        )  # fmt: skip
        self._server = _EmbeddedServer(config)
        self._server_task = asyncio.create_task(self._server.serve(), name="fake-twilio-rest")
        while not self._server.started:  # uvicorn offers a flag, not an event, for this
            if self._server_task.done():
                await self._server_task
                raise RuntimeError("the fake Twilio REST server stopped during startup")
            await asyncio.sleep(0.005)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        if self._http is None:
            self._http = httpx.AsyncClient(timeout=10.0)

    async def stop(self) -> None:
        """Finish in-flight hang-ups and callbacks, then shut the server down."""
        await self.wait_idle()
        for watcher in self._watchers.values():
            watcher.cancel()
        await asyncio.gather(*self._watchers.values(), return_exceptions=True)
        self._watchers.clear()
        if self._server is not None and self._server_task is not None:
            self._server.should_exit = True
            await self._server_task
        if self._owns_http and self._http is not None:
            await self._http.aclose()
            self._http = None

    async def wait_idle(self) -> None:
        """Wait for hang-ups in progress and for the callbacks of calls that have ended."""
        while True:
            ended = [
                watcher
                for sid, watcher in self._watchers.items()
                if (call := self.calls[sid].simulated) is not None and call.is_closed
            ]
            pending = [task for task in (*self._jobs, *ended) if not task.done()]
            if not pending:
                return
            _, still = await asyncio.wait(pending, timeout=_SHUTDOWN_WAIT_SECS)
            for task in still:
                task.cancel()

    def register(
        self,
        call_sid: str,
        call: SimulatedCall,
        *,
        from_: str = "",
        to: str = "",
        status_callback: str | None = None,
        status_callback_signed_url: str | None = None,
    ) -> CallResource:
        """Make a live (in-progress, inbound) simulated call known to the REST API.

        `status_callback` is where to POST the terminal callback when the call ends, signed over
        `status_callback_signed_url` (default: the same URL).
        """
        now = self._now()
        resource = CallResource(
            sid=call_sid, account_sid=self.account_sid, to=to, from_=from_, direction="inbound",
            status="in-progress", date_created=now, date_updated=now, start_time=now,
            status_callback=status_callback,
            status_callback_signed_url=status_callback_signed_url, simulated=call,
        )  # fmt: skip
        self.calls[call_sid] = resource
        self._watchers[call_sid] = asyncio.create_task(
            self._watch(resource, call), name=f"fake-twilio-watch-{call_sid}"
        )
        return resource

    # -- endpoints -------------------------------------------------------------------------------

    async def _update_call(self, request: Request) -> JSONResponse:
        form, refusal = await self._admit(request)
        if refusal is not None:
            return refusal
        resource = self.calls.get(request.path_params["call_sid"])
        if resource is None:
            return self._answer(request, form, _not_found(request))
        status = form.get("Status")
        if status is not None and status not in ("completed", "canceled"):
            message = f"Invalid value for Status: {status}. Valid values: canceled, completed"
            return self._answer(request, form, twilio_error(400, 20001, message))
        resource.date_updated = self._now()
        if status == "completed":
            self._complete(resource)
        elif status == "canceled" and resource.status in ("queued", "ringing"):
            self._end(resource, "canceled")
        elif "Twiml" in form or "Url" in form:
            self._replace_twiml(resource, form.get("Twiml"), form.get("Url"))
        answer = resource.to_json()
        if status == "completed":
            answer["status"] = "completed"  # what Twilio answers while the hang-up is under way
        return self._answer(request, form, JSONResponse(answer))

    async def _create_call(self, request: Request) -> JSONResponse:
        form, refusal = await self._admit(request)
        if refusal is not None:
            return refusal
        if not form.get("To"):
            return self._answer(
                request, form, twilio_error(400, 21201, "No 'To' number is specified")
            )
        if not form.get("From"):
            error = twilio_error(400, 21603, "A 'From' phone number is required.")
            return self._answer(request, form, error)
        if not any(form.get(name) for name in ("Url", "Twiml", "ApplicationSid")):
            error = twilio_error(400, 21205, "Url parameter is required.")
            return self._answer(request, form, error)
        now = self._now()
        resource = CallResource(
            sid=new_sid("CA"), account_sid=self.account_sid, to=form["To"], from_=form["From"],
            direction="outbound-api", status="queued", date_created=now, date_updated=now,
            url=form.get("Url"), twiml=form.get("Twiml"),
            status_callback=form.get("StatusCallback"),
            status_callback_events=[
                value for value in (await request.form()).getlist("StatusCallbackEvent")
                if isinstance(value, str)
            ],
        )  # fmt: skip
        self.calls[resource.sid] = resource
        return self._answer(request, form, JSONResponse(resource.to_json(), status_code=201))

    async def _fetch_call(self, request: Request) -> JSONResponse:
        _, refusal = await self._admit(request)
        if refusal is not None:
            return refusal
        resource = self.calls.get(request.path_params["call_sid"])
        answer = _not_found(request) if resource is None else JSONResponse(resource.to_json())
        return self._answer(request, {}, answer)

    async def _admit(self, request: Request) -> tuple[dict[str, str], JSONResponse | None]:
        """Parse the form and check basic auth and the account in the path, like Twilio."""
        raw = await request.form()
        form = {name: value for name, value in raw.items() if isinstance(value, str)}
        if not self._is_authorized(request.headers.get("authorization", "")):
            error = twilio_error(401, 20003, "Authenticate")
            self.requests.append(RestRequest(request.method, request.url.path, form, False, 401))
            return form, error
        if request.path_params["account_sid"] != self.account_sid:
            return form, self._answer(request, form, _not_found(request))
        return form, None

    def _is_authorized(self, header: str) -> bool:
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            username, _, password = base64.b64decode(encoded).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return hmac.compare_digest(username, self.account_sid) and hmac.compare_digest(
            password, self.auth_token
        )

    def _answer(
        self, request: Request, form: dict[str, str], response: JSONResponse
    ) -> JSONResponse:
        record = RestRequest(request.method, request.url.path, form, True, response.status_code)
        self.requests.append(record)
        return response

    # -- call lifecycle --------------------------------------------------------------------------

    def _replace_twiml(self, resource: CallResource, twiml: str | None, url: str | None) -> None:
        """New TwiML replaces the running verbs: the stream ends (`stop`), the call goes on."""
        resource.twiml, resource.url = twiml, url
        call = resource.simulated
        if call is not None and not call.is_closed:
            watcher = self._watchers.pop(resource.sid, None)
            if watcher is not None:
                watcher.cancel()
            self._spawn(call.hang_up())

    def _complete(self, resource: CallResource) -> None:
        call = resource.simulated
        if call is not None and not call.is_closed:
            self._spawn(call.hang_up())  # the watcher finishes the resource once the stream ends
        elif not is_terminal(resource.status):
            self._end(resource, "completed")

    async def _watch(self, resource: CallResource, call: SimulatedCall) -> None:
        await call.wait_closed()
        if not is_terminal(resource.status):
            self._end(resource, "completed")

    def _end(self, resource: CallResource, status: str) -> None:
        now = self._now()
        resource.status, resource.date_updated, resource.end_time = status, now, now
        if resource.start_time is not None:
            elapsed_ms = (now - resource.start_time).total_seconds() * 1000
            call = resource.simulated
            if call is not None and call.closed_at_ms is not None:
                elapsed_ms = call.closed_at_ms
            resource.duration_secs = call_duration_secs(elapsed_ms)
        else:
            resource.duration_secs = 0
        if resource.status_callback is not None:
            self._spawn(self._post_status(resource))

    async def _post_status(self, resource: CallResource) -> None:
        assert self._http is not None and resource.status_callback is not None
        params = status_callback_params(
            call_sid=resource.sid, account_sid=resource.account_sid, status=resource.status,
            duration_secs=resource.duration_secs, sequence_number=resource.callbacks_sent,
            from_=resource.from_ or None, to=resource.to or None, direction=resource.direction,
            timestamp=self._now(),
        )  # fmt: skip
        resource.callbacks_sent += 1
        try:
            response = await post_signed_form(
                self._http,
                resource.status_callback,
                params,
                auth_token=self.auth_token,
                signed_url=resource.status_callback_signed_url,
            )
        except httpx.HTTPError as error:
            logger.warning("simulator.status_callback_failed", extra={"error": repr(error)})
            self.status_callbacks.append((resource.sid, resource.status, 0))
            return
        self.status_callbacks.append((resource.sid, resource.status, response.status_code))

    def _spawn(self, job: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(job)
        self._jobs.add(task)
        task.add_done_callback(self._jobs.discard)


def _not_found(request: Request) -> JSONResponse:
    message = f"The requested resource {request.url.path} was not found"
    return twilio_error(404, 20404, message)
