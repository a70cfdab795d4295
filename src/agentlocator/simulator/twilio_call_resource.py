"""Twilio's `Call` resource and error bodies, as the 2010-04-01 REST API serialises them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from starlette.responses import JSONResponse

from agentlocator.simulator.twilio_caller import SimulatedCall
from agentlocator.simulator.twilio_webhooks import API_VERSION


@dataclass(frozen=True)
class RestRequest:
    """One request the fake received, with the form fields (last value per name)."""

    method: str
    path: str
    form: dict[str, str]
    is_authorized: bool
    status_code: int


@dataclass
class CallResource:
    """Twilio's view of one call, serialised like the `Call` resource of the 2010-04-01 API."""

    sid: str
    account_sid: str
    to: str
    from_: str
    direction: str
    status: str
    date_created: datetime
    date_updated: datetime
    start_time: datetime | None = None
    end_time: datetime | None = None
    duration_secs: int | None = None
    url: str | None = None
    twiml: str | None = None
    status_callback: str | None = None
    status_callback_signed_url: str | None = None
    status_callback_events: list[str] = field(default_factory=list)
    simulated: SimulatedCall | None = None
    callbacks_sent: int = 0

    def to_json(self) -> dict[str, Any]:
        """The JSON Twilio answers with for this call."""
        uri = f"/{API_VERSION}/Accounts/{self.account_sid}/Calls/{self.sid}"
        return {
            "account_sid": self.account_sid,
            "annotation": None,
            "answered_by": None,
            "api_version": API_VERSION,
            "caller_name": None,
            "date_created": format_datetime(self.date_created),
            "date_updated": format_datetime(self.date_updated),
            "direction": self.direction,
            "duration": None if self.duration_secs is None else str(self.duration_secs),
            "end_time": format_datetime(self.end_time) if self.end_time else None,
            "forwarded_from": None,
            "from": self.from_,
            "from_formatted": self.from_,
            "group_sid": None,
            "parent_call_sid": None,
            "phone_number_sid": "PN" + self.sid[2:],
            "price": None,
            "price_unit": "USD",
            "queue_time": "0",
            "sid": self.sid,
            "start_time": format_datetime(self.start_time) if self.start_time else None,
            "status": self.status,
            "subresource_uris": {
                name: f"{uri}/{name.title().replace('_', '')}.json"
                for name in ("notifications", "recordings", "payments", "events", "siprec")
            },
            "to": self.to,
            "to_formatted": self.to,
            "trunk_sid": None,
            "uri": f"{uri}.json",
        }


def twilio_error(status: int, code: int, message: str) -> JSONResponse:
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return JSONResponse(body, status_code=status)
