"""Which calls this instance holds, and how an end signal reaches the instance holding a call.

A Twilio status callback can land on any instance behind the load balancer, not necessarily the
one holding the call's Media Stream. `publish_end` therefore goes through an end-signal bus: in
process by default (one instance), Redis pub/sub in production (`AGENTLOCATOR_REDIS_URL`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from typing import Protocol

log = logging.getLogger(__name__)

CHANNEL = "agentlocator:call-end"


class EndableCall(Protocol):
    def end(self, reason: str) -> None: ...


class LiveCalls:
    """The calls running on this instance, by CallSid."""

    def __init__(self) -> None:
        self._calls: dict[str, EndableCall] = {}

    def add(self, call_sid: str, call: EndableCall) -> None:
        self._calls[call_sid] = call

    def remove(self, call_sid: str) -> None:
        self._calls.pop(call_sid, None)

    def __len__(self) -> int:
        return len(self._calls)

    def end_local(self, call_sid: str, reason: str) -> bool:
        """End the call if this instance holds it; True when it did."""
        call = self._calls.get(call_sid)
        if call is None:
            return False
        call.end(reason)
        return True


class EndSignalBus(Protocol):
    async def start(self) -> None: ...
    async def publish_end(self, call_sid: str, reason: str) -> None: ...
    async def stop(self) -> None: ...


class InProcessEndBus:
    """Single-instance signalling: the end signal goes straight to the local registry."""

    def __init__(self, live_calls: LiveCalls) -> None:
        self._live_calls = live_calls

    async def start(self) -> None:
        return None

    async def publish_end(self, call_sid: str, reason: str) -> None:
        self._live_calls.end_local(call_sid, reason)

    async def stop(self) -> None:
        return None


class RedisEndBus:
    """Cross-instance signalling over Redis pub/sub: every instance hears every end signal."""

    def __init__(self, live_calls: LiveCalls, redis_url: str) -> None:
        import redis.asyncio as redis_asyncio

        self._live_calls = live_calls
        self._redis = redis_asyncio.from_url(redis_url)
        self._pubsub = self._redis.pubsub()
        self._listener: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    async def start(self) -> None:
        await self._pubsub.subscribe(CHANNEL)
        # Wait for Redis to confirm: a signal published before that would be missed.
        for _ in range(50):
            message = await self._pubsub.get_message(timeout=0.1)
            if message is not None and message.get("type") == "subscribe":
                break
        else:
            raise ConnectionError("Redis did not confirm the call-end subscription")
        self._listener = asyncio.get_running_loop().create_task(self._listen())

    async def publish_end(self, call_sid: str, reason: str) -> None:
        # Ending locally first saves a round trip when this instance holds the call.
        if not self._live_calls.end_local(call_sid, reason):
            await self._redis.publish(CHANNEL, json.dumps({"call_sid": call_sid, "reason": reason}))

    async def _listen(self) -> None:
        while True:
            message = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            if message is None or message.get("type") != "message":
                continue
            try:
                signal = json.loads(message["data"])
                self._live_calls.end_local(str(signal["call_sid"]), str(signal["reason"]))
            except (KeyError, TypeError, ValueError):
                log.warning("signals.bad_message")

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await self._pubsub.aclose()  # type: ignore[no-untyped-call]
        await self._redis.aclose()


def build_end_bus(live_calls: LiveCalls, redis_url: str | None) -> EndSignalBus:
    """Redis when configured, in-process otherwise."""
    if redis_url:
        return RedisEndBus(live_calls, redis_url)
    return InProcessEndBus(live_calls)
