"""The outbound side of a fake Realtime session: server events in order, then the close.

Every event is stamped with an `event_id`, snapshotted (collaborators keep mutating the item
dicts they emit), recorded, and queued for the transport. A close from the server side (a fault,
session expiry) is queued behind the events already sent, so an `error` still arrives before the
socket closes; a close from the client side ends delivery at once.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agentlocator.realtime.link import RealtimeClosed
from agentlocator.simulator.realtime_errors import RealtimeApiError
from agentlocator.simulator.realtime_record import EngineRecord


@dataclass(frozen=True)
class _CloseMarker:
    code: int
    reason: str


class ServerEventOutbox:
    """Queue of server events ending in a close; `next()` raises `RealtimeClosed` after it."""

    def __init__(self, record: EngineRecord, new_id: Callable[[str], str]) -> None:
        self._record = record
        self._new_id = new_id
        self._queue: asyncio.Queue[dict[str, Any] | _CloseMarker] = asyncio.Queue()
        self._closed: _CloseMarker | None = None
        self._closed_event = asyncio.Event()

    @property
    def is_closed(self) -> bool:
        """True once a close has been queued: nothing more is emitted."""
        return self._closed_event.is_set()

    def emit(self, event: dict[str, Any]) -> None:
        """Stamp, record and queue one server event; dropped once closed."""
        if self.is_closed:
            return
        body = copy.deepcopy(event)
        sent = {"type": body.pop("type"), "event_id": self._new_id("event"), **body}
        self._record.server_events.append(sent)
        self._queue.put_nowait(sent)

    def send_error(self, error: RealtimeApiError, event_id: str | None) -> None:
        """Emit an `error` event echoing the client's `event_id`."""
        if self.is_closed:
            return
        payload = error.to_wire(event_id)
        self._record.errors_sent.append(payload)
        self.emit({"type": "error", "error": payload})

    def close(self, code: int, reason: str) -> bool:
        """Queue the close behind the events already emitted; False if already closed."""
        if self.is_closed:
            return False
        self._closed_event.set()
        self._record.close_code = code
        self._queue.put_nowait(_CloseMarker(code, reason))
        return True

    def stop_delivery(self) -> None:
        """The client is gone: `next()` raises from now on, undelivered events are dropped."""
        if self._closed is None:
            self._closed = _CloseMarker(self._record.close_code or 1000, "closed by client")
            self._queue.put_nowait(self._closed)

    async def next(self) -> dict[str, Any]:
        """The next event, or `RealtimeClosed` once the close has been reached."""
        if self._closed is None:
            item = await self._queue.get()
            if not isinstance(item, _CloseMarker):
                return item
            self._closed = item
        raise RealtimeClosed(self._closed.code, self._closed.reason)

    async def wait_closed(self) -> None:
        """Wait until a close has been queued."""
        await self._closed_event.wait()
