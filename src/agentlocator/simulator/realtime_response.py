"""One response of the fake Realtime model, streamed in the GA event order (protocols.md §2.4).

A `ResponseRun` is created by the engine with a fixed `ResponsePlan` (what to say, which tool to
call, how fast) and streams it from a task: after the first-delta delay, a spoken message
(`output_index` 0) whose audio arrives faster than real time in irregular chunks with transcript
deltas interleaved, then an optional function call. Cancellation and injected failures close
whatever item and content part are open (status `incomplete`) before `response.done`, so the
event stream is always well formed.
"""

from __future__ import annotations

import base64
import json
import math
import random
import re
from collections.abc import Callable
from typing import Any

from agentlocator.simulator.realtime_audio import VoiceConfig, synthesize_speech
from agentlocator.simulator.realtime_config import Clock
from agentlocator.simulator.realtime_conversation import Conversation
from agentlocator.simulator.realtime_planning import ResponsePlan, plan_chunk_sizes
from agentlocator.simulator.realtime_record import ItemRecord
from agentlocator.simulator.realtime_script import ToolCallStep

Emit = Callable[[dict[str, Any]], None]
NewId = Callable[[str], str]


class InjectedFailure(Exception):
    """Raised inside a run to end it `failed` (fault injection)."""


class ResponseRun:
    """Streams one planned response; the engine owns the task that runs `stream()`."""

    def __init__(
        self,
        plan: ResponsePlan,
        *,
        emit: Emit,
        new_id: NewId,
        conversation: Conversation,
        clock: Clock,
        rng: random.Random,
        delta_ms: tuple[float, float],
        voice: VoiceConfig,
        on_finished: Callable[[ResponseRun], None],
    ) -> None:
        self.plan = plan
        self.status = "in_progress"
        self.output: list[dict[str, Any]] = []
        self.audio_ms = 0.0
        self._emit = emit
        self._new_id = new_id
        self._conversation = conversation
        self._clock = clock
        self._rng = rng
        self._delta_ms = delta_ms
        self._voice = voice
        self._on_finished = on_finished
        self._open: _OpenItem | None = None
        self._output_chars = 0
        self.status_details: dict[str, Any] | None = None

    @property
    def response_id(self) -> str:
        """The `resp_...` id."""
        return self.plan.response_id

    @property
    def is_active(self) -> bool:
        """True until `response.done` has been sent."""
        return self.status == "in_progress"

    def response_object(self, usage: dict[str, Any] | None = None) -> dict[str, Any]:
        """The `response` field of `response.created` / `response.done`."""
        plan = self.plan
        return {
            "object": "realtime.response",
            "id": plan.response_id,
            "status": self.status,
            "status_details": self.status_details,
            "output": [dict(item) for item in self.output],
            "conversation_id": plan.conversation_id,
            "output_modalities": [plan.modality],
            "max_output_tokens": plan.max_output_tokens,
            "audio": {"output": {"format": plan.audio_format.to_wire(), "voice": plan.voice}},
            "usage": usage,
            "metadata": plan.metadata,
        }

    async def stream(self) -> None:
        """Produce the whole response; returns early if it was cancelled meanwhile."""
        plan = self.plan
        try:
            await self._clock.sleep(plan.first_delta_delay_secs)
            if not self.is_active:
                return
            if plan.say:
                await self._stream_message(output_index=0)
            if plan.call is not None and self.is_active:
                if plan.fail_at_fraction is not None and not plan.say:
                    raise InjectedFailure
                await self._stream_call(plan.call, output_index=len(self.output))
        except InjectedFailure:
            self._close_open()
            self._finish(
                "failed",
                {
                    "type": "failed",
                    "error": {
                        "type": "server_error",
                        "code": "server_error",
                        "message": "The server had an error while processing your request.",
                    },
                },
            )
            return
        if self.is_active:
            await self._clock.sleep(plan.done_delay_secs)
        if self.is_active:
            self._finish("completed", None)

    def cancel(self, reason: str) -> bool:
        """Close open parts and items and send `response.done{cancelled}`; False if not active."""
        if not self.is_active:
            return False
        self._close_open()
        self._finish("cancelled", {"type": "cancelled", "reason": reason})
        return True

    async def _stream_message(self, output_index: int) -> None:
        plan = self.plan
        item_id = self._new_id("item")
        is_audio = plan.modality == "audio"
        audio = (
            synthesize_speech(item_id, plan.say, plan.audio_format, self._voice)
            if is_audio
            else b""
        )
        opened = self._open_item(
            {"type": "message", "role": "assistant", "content": []},
            ItemRecord(
                item_id,
                "message",
                role="assistant",
                response_id=plan.response_id,
                text=plan.say,
                bytes_per_ms=plan.audio_format.bytes_per_ms,
                in_conversation=plan.in_conversation,
            ),
            output_index,
        )
        part = {"type": "audio", "transcript": ""} if is_audio else {"type": "text", "text": ""}
        self._emit(self._content_event("response.content_part.added", part=part))
        opened.part_open = True
        words = re.findall(r"\S+\s*", plan.say.strip())
        if is_audio:
            await self._stream_audio(opened, audio, words)
        else:
            await self._stream_text(opened, words)
        if self.is_active:
            self._close_open(status="completed")

    async def _stream_audio(self, opened: _OpenItem, audio: bytes, words: list[str]) -> None:
        plan = self.plan
        total = len(audio)
        starts = _word_start_fractions(words)
        next_word = 0
        sent = 0
        for size in plan_chunk_sizes(total, plan.audio_format, self._rng, self._delta_ms):
            reach = (sent + size) / total
            while next_word < len(words) and starts[next_word] < reach:
                self._send_transcript_delta(opened, words[next_word])
                next_word += 1
            if plan.fail_at_fraction is not None and sent / total >= plan.fail_at_fraction:
                raise InjectedFailure
            chunk = audio[sent : sent + size]
            self._emit(self._content_event("response.output_audio.delta", delta=_b64(chunk)))
            opened.record.audio.extend(chunk)
            sent += size
            chunk_ms = plan.audio_format.duration_ms(size)
            self.audio_ms += chunk_ms
            await self._clock.sleep(chunk_ms / 1000.0 / plan.speed)
            if not self.is_active:
                return
        for word in words[next_word:]:
            self._send_transcript_delta(opened, word)

    async def _stream_text(self, opened: _OpenItem, words: list[str]) -> None:
        for word in words:
            if self.plan.fail_at_fraction is not None and opened.sent_text:
                raise InjectedFailure
            opened.sent_text += word
            self._emit(self._content_event("response.output_text.delta", delta=word))
            await self._clock.sleep(0.03 / self.plan.speed)
            if not self.is_active:
                return

    def _send_transcript_delta(self, opened: _OpenItem, word: str) -> None:
        opened.sent_text += word
        self._emit(self._content_event("response.output_audio_transcript.delta", delta=word))

    async def _stream_call(self, call: ToolCallStep, output_index: int) -> None:
        plan = self.plan
        item_id = self._new_id("item")
        call_id = self._new_id("call")
        arguments = json.dumps(call.arguments, ensure_ascii=False)
        opened = self._open_item(
            {"type": "function_call", "name": call.name, "call_id": call_id, "arguments": ""},
            ItemRecord(
                item_id,
                "function_call",
                response_id=plan.response_id,
                text=arguments,
                in_conversation=plan.in_conversation,
            ),
            output_index,
        )
        position = 0
        while position < len(arguments):
            step = self._rng.randint(4, 16)
            piece = arguments[position : position + step]
            position += step
            opened.sent_text += piece
            self._emit(self._call_event("response.function_call_arguments.delta", delta=piece))
            await self._clock.sleep(0.01 / plan.speed)
            if not self.is_active:
                return
        self._emit(
            self._call_event(
                "response.function_call_arguments.done", name=call.name, arguments=arguments
            )
        )
        self._close_open(status="completed")

    def _open_item(
        self, fields: dict[str, Any], record: ItemRecord, output_index: int
    ) -> _OpenItem:
        item = {"id": record.item_id, "object": "realtime.item", "status": "in_progress", **fields}
        self.output.append(item)
        opened = _OpenItem(item, record, output_index)
        self._open = opened
        self._emit(
            {
                "type": "response.output_item.added",
                "response_id": self.response_id,
                "output_index": output_index,
                "item": item,
            }
        )
        opened.previous_item_id = self._conversation.add(item, record)
        if record.in_conversation:
            self._emit(
                {
                    "type": "conversation.item.added",
                    "previous_item_id": opened.previous_item_id,
                    "item": item,
                }
            )
        return opened

    def _close_open(self, status: str = "incomplete") -> None:
        opened, self._open = self._open, None
        if opened is None:
            return
        item, text = opened.item, opened.sent_text
        self._output_chars += len(text)
        if item["type"] == "message":
            is_audio = self.plan.modality == "audio"
            if opened.part_open:
                if is_audio:
                    self._emit(self._content_event("response.output_audio.done", opened))
                    self._emit(
                        self._content_event(
                            "response.output_audio_transcript.done", opened, transcript=text
                        )
                    )
                    part: dict[str, Any] = {"type": "audio", "transcript": text}
                else:
                    self._emit(self._content_event("response.output_text.done", opened, text=text))
                    part = {"type": "text", "text": text}
                self._emit(self._content_event("response.content_part.done", opened, part=part))
            content = (
                {"type": "output_audio", "transcript": text}
                if is_audio
                else {"type": "output_text", "text": text}
            )
            item["content"] = [content]
            opened.record.transcript = text
        else:
            item["arguments"] = text
        item["status"] = status
        self._emit(
            {
                "type": "response.output_item.done",
                "response_id": self.response_id,
                "output_index": opened.output_index,
                "item": item,
            }
        )
        if opened.record.in_conversation:
            self._emit(
                {
                    "type": "conversation.item.done",
                    "previous_item_id": opened.previous_item_id,
                    "item": item,
                }
            )

    def _finish(self, status: str, details: dict[str, Any] | None) -> None:
        self.status = status
        self.status_details = details
        response = self.response_object(self._usage())
        self._emit({"type": "response.done", "response": response})
        self._on_finished(self)

    def _usage(self) -> dict[str, Any]:
        text_tokens = math.ceil(self._output_chars / 4)
        audio_tokens = math.ceil(self.audio_ms / 50.0)
        output_tokens = text_tokens + audio_tokens
        input_tokens = self.plan.input_tokens
        return {
            "total_tokens": input_tokens + output_tokens,
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "input_token_details": {
                "text_tokens": input_tokens,
                "audio_tokens": 0,
                "image_tokens": 0,
                "cached_tokens": 0,
                "cached_tokens_details": {"text_tokens": 0, "audio_tokens": 0, "image_tokens": 0},
            },
            "output_token_details": {"text_tokens": text_tokens, "audio_tokens": audio_tokens},
        }

    def _content_event(
        self, kind: str, opened: _OpenItem | None = None, **fields: Any
    ) -> dict[str, Any]:
        target = opened or self._open
        assert target is not None
        return {
            "type": kind,
            "response_id": self.response_id,
            "item_id": target.item["id"],
            "output_index": target.output_index,
            "content_index": 0,
            **fields,
        }

    def _call_event(self, kind: str, **fields: Any) -> dict[str, Any]:
        target = self._open
        assert target is not None
        return {
            "type": kind,
            "response_id": self.response_id,
            "item_id": target.item["id"],
            "output_index": target.output_index,
            "call_id": target.item["call_id"],
            **fields,
        }


class _OpenItem:
    """The output item currently being streamed, with what has been sent of it so far."""

    def __init__(self, item: dict[str, Any], record: ItemRecord, output_index: int) -> None:
        self.item = item
        self.record = record
        self.output_index = output_index
        self.previous_item_id: str | None = None
        self.part_open = False
        self.sent_text = ""


def _word_start_fractions(words: list[str]) -> list[float]:
    total = sum(len(w) for w in words) or 1
    starts, position = [], 0
    for word in words:
        starts.append(position / total)
        position += len(word)
    return starts


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
