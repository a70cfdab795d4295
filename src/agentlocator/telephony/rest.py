"""Twilio REST calls, through the twilio SDK (run in a thread: the SDK's client is synchronous)."""

from __future__ import annotations

import asyncio

from twilio.rest import Client


class TwilioRest:
    """Hang-ups and outbound calls; `api_url` lets tests point the SDK at a local fake."""

    def __init__(self, account_sid: str, auth_token: str, api_url: str) -> None:
        self._client = Client(account_sid, auth_token)
        self._client.api.base_url = api_url.rstrip("/")

    async def hang_up(self, call_sid: str) -> None:
        """Complete a live call (`Status=completed`)."""
        await asyncio.to_thread(self._complete, call_sid)

    def _complete(self, call_sid: str) -> None:
        self._client.calls(call_sid).update(status="completed")

    async def create_call(self, *, to: str, from_: str, twiml: str, status_callback: str) -> str:
        """Place an outbound call that runs `twiml` when answered; returns its CallSid."""
        return await asyncio.to_thread(self._create, to, from_, twiml, status_callback)

    def _create(self, to: str, from_: str, twiml: str, status_callback: str) -> str:
        call = self._client.calls.create(
            to=to,
            from_=from_,
            twiml=twiml,
            status_callback=status_callback,
            status_callback_event=["initiated", "ringing", "answered", "completed"],
        )
        return str(call.sid)
