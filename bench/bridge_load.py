"""Bridge load benchmark: N concurrent simulated phone calls through our real server, in real time.

Two processes, each pinned to its own core:

- the bridge: the AgentLocator app under uvicorn exactly as `agentlocator serve` runs it (this
  file re-executed with `--serve-bridge`), configured through the documented environment
  variables to use the fakes below, with a SQLite database in a temporary folder;
- the load generator (this process): the fake OpenAI Realtime server, the fake Twilio REST API,
  a fake chat-completions endpoint for the after-call summary (nothing leaves the machine) and
  N simulated callers (20 ms inbound frames in real time, real-time playback with mark echoes),
  all in one event loop. Calls are dialled over `--ramp` seconds (voice webhooks concurrently,
  as Twilio sends them; failed ones are counted and retried); once all N are live each talks
  `--seconds` more: a turn every few seconds, a barge-in on ~30 % of the answers, then a quiet
  second and the hang-up.

Every figure is about the bridge process: its CPU time (utime + stime of all its threads, read
from /proc) per call-minute, its RSS growth per call, the latency from a Realtime audio delta
received to the Twilio frame written (every delta of every call: the bridge process wraps
`CallSession.run` to keep `CallOutcome.bridge_latencies_ms`), and the audio the callers heard
compared byte for byte with what the fake model generated: lost audio (an item nobody cut short
that was not heard in full) and duplicated or replayed audio (played bytes no item explains).

A warm-up call runs first, then a 1-call baseline (at most 20 s), then the N-call run, all
against the same bridge process; per-call figures of the N-call run are printed with their ratio
to the baseline (these machines are noisy; the CPU other processes used on each core and the load
generator's own lag are printed too, with warnings when they spoil a figure). Figures
only: nothing passes or fails on timing. The exit code is 1 only when the run itself broke (the
bridge did not start or died, a call could not be set up, a call record was never finalised).

    .venv/bin/python bench/bridge_load.py                          # 100 calls x 30 s
    .venv/bin/python bench/bridge_load.py --calls 10 --seconds 10  # quick check
    .venv/bin/python bench/bridge_load.py --json                   # one JSON object on stdout
    .venv/bin/python bench/bridge_load.py --diagnose               # + bridge loop lag and GC
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import itertools
import json
import logging
import math
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from _shared.bridge import add_bench_route, free_port
from _shared.fake_chat import FakeChatCompletions
from agentlocator import logs
from agentlocator.audio.mulaw import BYTES_PER_MS
from agentlocator.simulator.audio_audit import AudioAudit, common_prefix_bytes
from agentlocator.simulator.local_stack import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    BUSINESS_PHONE,
    CALLER_PHONE,
)
from agentlocator.simulator.realtime_config import FakeRealtimeConfig
from agentlocator.simulator.realtime_engine import FakeRealtimeEngine
from agentlocator.simulator.realtime_script import RealtimeScript, ScriptStep
from agentlocator.simulator.realtime_server import FakeRealtimeServer
from agentlocator.simulator.speech import synthetic_speech
from agentlocator.simulator.twilio_caller import SimulatedCall
from agentlocator.simulator.twilio_network import place_inbound_call, simulated_call_for
from agentlocator.simulator.twilio_rest import FakeTwilioRest

LATENCIES_PATH = "/_bench/latencies"
DIAGNOSTICS_PATH = "/_bench/diagnostics"
PROFILE_ENV = "BRIDGE_LOAD_PROFILE"
DIAGNOSE_ENV = "BRIDGE_LOAD_DIAGNOSE"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
SAMPLE_SECS = 0.5
#: How often a caller looks at its call (coarse: callers react in tenths of seconds anyway).
POLL_SECS = 0.1
TURN_TIMEOUT_SECS = 20.0
WEBHOOK_RETRIES = 40
#: Generous: an overloaded load generator takes long to hear greetings; that is a figure, not
#: a broken run.
GREETING_TIMEOUT_SECS = 60.0
#: The baseline call is at most this long (figures are per call-minute anyway).
BASELINE_MAX_SECS = 20.0
#: Quiet time before a caller hangs up, so audio in flight can arrive.
SETTLE_SECS = 1.0
#: A new caller turn starts only if this much of the call's time is left.
MIN_TURN_SECS = 4.0
WARM_UP_SECS = 4.0
#: Above this, the load generator is too busy to feed the bridge on time: say so.
LOAD_LAG_WARNING_MS = 20.0

#: What the fake model answers, in rotation (65 ms per character: roughly 2.5 to 7 s of audio).
REPLIES = (
    "בשמחה. לאיזה יום ובאיזו שעה נוח לכם להגיע?",
    "יש לנו תורים פנויים ביום שני בבוקר וביום שלישי אחרי הצהריים. מה מתאים לכם יותר?",
    "מצוין, רשמתי אתכם. אפשר לעזור במשהו נוסף?",
    "בשמחה. יש לנו תורים פנויים השבוע ביום שני בבוקר, ביום שלישי אחרי הצהריים וביום חמישי "
    "בשעות הערב.",
    "אני בודקת את היומן, רק רגע. כן, יש מקום פנוי מחר בעשר.",
    "הכתובת שלנו היא רחוב הרצל שתים עשרה, קומה שנייה. יש חניה ברחוב.",
)
GREETING = "שלום, הגעתם למרפאת בדיקה. איך אפשר לעזור?"


class RunBroke(Exception):
    """The run itself failed (not a figure): the bench exits with code 1."""


# -- the bridge process ----------------------------------------------------------------------------


class _BridgeDiagnostics:
    """In the bridge process (`--diagnose`): event-loop stalls and garbage-collector pauses."""

    def __init__(self, interval_secs: float = 0.05) -> None:
        self.interval_secs = interval_secs
        self.lags_ms: list[float] = []
        self.gc_pauses_ms: list[tuple[int, float]] = []
        self._gc_started = 0.0
        self._task: asyncio.Task[None] | None = None
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            pause_ms = (time.perf_counter() - self._gc_started) * 1000
            self.gc_pauses_ms.append((info["generation"], pause_ms))

    async def _watch(self) -> None:
        while True:
            before = time.perf_counter()
            await asyncio.sleep(self.interval_secs)
            self.lags_ms.append((time.perf_counter() - before - self.interval_secs) * 1000)

    def take(self) -> dict[str, Any]:
        """Everything since the last call (the first call starts the loop watcher)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._watch())
        taken = {"loop_lags_ms": self.lags_ms, "gc_pauses_ms": self.gc_pauses_ms}
        self.lags_ms, self.gc_pauses_ms = [], []
        return taken


def serve_bridge(port: int, core: int | None, nice: int) -> int:
    """The bridge: `agentlocator serve` as in production, plus read-only bench routes.

    Configuration comes from the environment, as for `agentlocator serve`. `CallSession.run` is
    wrapped to keep each call's `bridge_latencies_ms` (the list the session builds anyway) so the
    whole distribution can be read back, not only the per-call p50/p99 stored on the call row.
    """
    if core is not None:
        os.sched_setaffinity(0, {core})
    if nice:
        os.nice(nice)
    from agentlocator.app import create_app
    from agentlocator.call.session import CallOutcome, CallSession
    from agentlocator.settings import Settings

    latencies: dict[str, list[float]] = {}
    run_call = CallSession.run

    async def run_and_keep_latencies(self: CallSession) -> CallOutcome:
        outcome = await run_call(self)
        latencies[self.call_sid] = outcome.bridge_latencies_ms
        return outcome

    CallSession.run = run_and_keep_latencies  # type: ignore[method-assign]
    app = create_app(Settings())

    async def export_latencies() -> dict[str, list[float]]:
        return latencies

    add_bench_route(app, LATENCIES_PATH, export_latencies)
    if os.environ.get(DIAGNOSE_ENV):
        diagnostics = _BridgeDiagnostics()

        async def export_diagnostics() -> dict[str, Any]:
            return diagnostics.take()

        add_bench_route(app, DIAGNOSTICS_PATH, export_diagnostics)
    profile_path = os.environ.get(PROFILE_ENV)
    if not profile_path:
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="info")
        return 0
    import cProfile

    profiler = cProfile.Profile()
    profiler.runcall(uvicorn.run, app, host="127.0.0.1", port=port, log_level="info")
    profiler.dump_stats(profile_path)
    return 0


class Bridge:
    """The bridge subprocess, seen from the load generator."""

    def __init__(self, process: subprocess.Popen[bytes], base_url: str, log_path: Path) -> None:
        self.process = process
        self.base_url = base_url
        self.log_path = log_path
        self.diagnose = False
        self.http = httpx.AsyncClient(base_url=base_url, timeout=30.0)

    @classmethod
    async def start(
        cls, *, env: dict[str, str], port: int, core: int | None, nice: int, log_path: Path
    ) -> Bridge:
        process = _spawn_bridge(env, port, core, nice, log_path)
        bridge = cls(process, f"http://127.0.0.1:{port}", log_path)
        started = time.monotonic()
        while True:
            if process.poll() is not None:
                raise RunBroke(f"the bridge exited during start-up:\n{bridge.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if (await bridge.http.get("/healthz")).status_code == 200:
                    return bridge
            if time.monotonic() - started > 30:
                await bridge.stop()
                raise RunBroke(f"the bridge did not start within 30 s:\n{bridge.log_tail()}")
            await asyncio.sleep(0.1)

    async def latencies(self) -> dict[str, list[float]]:
        response = await self.http.get(LATENCIES_PATH)
        response.raise_for_status()
        data: dict[str, list[float]] = response.json()
        return data

    async def diagnostics(self) -> dict[str, Any] | None:
        """The bridge's loop lags and GC pauses since the last call; None without `--diagnose`."""
        if not self.diagnose:
            return None
        response = await self.http.get(DIAGNOSTICS_PATH)
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise RunBroke(f"the bridge died (exit {self.process.returncode}):\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no bridge log)"
        return "\n".join(text.splitlines()[-lines:])

    async def stop(self) -> None:
        await self.http.aclose()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # uvicorn shuts down gracefully on SIGINT
            try:
                await asyncio.to_thread(self.process.wait, 10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                await asyncio.to_thread(self.process.wait)


def _spawn_bridge(
    env: dict[str, str], port: int, core: int | None, nice: int, log_path: Path
) -> subprocess.Popen[bytes]:
    command = [sys.executable, str(Path(__file__).resolve()), "--serve-bridge"]
    command += ["--bridge-port", str(port), "--bridge-nice", str(nice)]
    if core is not None:
        command += ["--bridge-core", str(core)]
    with log_path.open("wb") as log:
        return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)


# -- what /proc says -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One reading of the bridge process, both cores and this process."""

    at: float
    live_calls: int
    bridge_cpu_secs: float
    bridge_rss: int
    bridge_threads: int
    load_cpu_secs: float
    core_busy_secs: dict[int, float]
    """Per CPU: time neither idle nor waiting for I/O, interrupts included."""
    core_irq_secs: dict[int, float]
    """Per CPU: hard and soft interrupt time (loopback networking lands here)."""


def take_sample(pid: int, live_calls: int) -> Sample:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    status: dict[str, str] = {}
    with open(f"/proc/{pid}/status") as lines:
        for line in lines:
            key, _, value = line.partition(":")
            status[key] = value.strip()
    cores: dict[int, float] = {}
    irqs: dict[int, float] = {}
    with open("/proc/stat") as lines:
        for line in lines:
            name, *values = line.split()
            if name.startswith("cpu") and name != "cpu":
                # user nice system idle iowait irq softirq steal
                numbers = [int(v) for v in values[:8]]
                busy = sum(numbers) - numbers[3] - numbers[4]
                cores[int(name[3:])] = busy / CLOCK_TICKS
                irqs[int(name[3:])] = (numbers[5] + numbers[6]) / CLOCK_TICKS
    return Sample(
        at=time.monotonic(),
        live_calls=live_calls,
        bridge_cpu_secs=(int(fields[11]) + int(fields[12])) / CLOCK_TICKS,
        bridge_rss=int(status.get("VmRSS", "0 kB").split()[0]) * 1024,
        bridge_threads=int(status.get("Threads", "0")),
        load_cpu_secs=time.process_time(),
        core_busy_secs=cores,
        core_irq_secs=irqs,
    )


# -- one simulated call ----------------------------------------------------------------------------


@dataclass
class Fakes:
    """What the load generator runs besides the callers."""

    realtime: FakeRealtimeServer
    rest: FakeTwilioRest
    http: httpx.AsyncClient
    bridge: Bridge
    clips: list[bytes]
    claimed: set[int] = field(default_factory=set)
    """`id()` of the fake Realtime sessions already matched to a call."""
    serial_webhooks: bool = False
    """Voice webhooks one at a time (`--serial-webhooks`), for checkouts where concurrent ones
    fail on SQLite."""
    webhook_lock: asyncio.Lock = field(default_factory=asyncio.Lock)


@dataclass
class CallResult:
    """One call as the caller and the fake model saw it, plus its audio audit."""

    call_sid: str
    webhook_failures: int = 0
    webhook_errors: list[str] = field(default_factory=list)
    summarised: int | None = None
    status_callback_failures: int = 0
    duration_ms: float = 0.0
    turns: int = 0
    barge_ins: int = 0
    turn_timeouts: int = 0
    settled: bool = False
    generated_bytes: int = 0
    heard_bytes: int = 0
    cut_by_barge_in_bytes: int = 0
    cut_by_hang_up_bytes: int = 0
    lost_bytes: int = 0
    lost_frames: int = 0
    lost_items: int = 0
    duplicated_bytes: int = 0
    extra_media_frames: int = 0
    caller_frames: int = 0
    caller_frames_due: int = 0
    audio_deltas: int = 0
    media_frames: int = 0
    marks_received: int = 0
    marks_echoed: int = 0
    clears: int = 0
    truncates: int = 0
    truncate_errors_ms: list[float] = field(default_factory=list)
    realtime_errors: list[str] = field(default_factory=list)
    protocol_errors: list[str] = field(default_factory=list)
    anomaly: dict[str, Any] | None = None
    row: dict[str, Any] = field(default_factory=dict)
    phone: SimulatedCall | None = field(default=None, repr=False)
    engine: FakeRealtimeEngine | None = field(default=None, repr=False)


async def _wait_for(
    predicate: Callable[[], bool], timeout_secs: float, poll_secs: float = POLL_SECS
) -> bool:
    """Poll `predicate`; False if it did not hold within `timeout_secs`."""
    deadline = time.monotonic() + timeout_secs
    while True:
        if predicate():
            return True
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(poll_secs)


@dataclass
class LiveCalls:
    """How many calls of the phase are connected, and since when all of them are."""

    expected: int
    count: int = 0
    all_live_at: float | None = None
    """`time.monotonic()` when the last call connected: every call then talks `seconds` more."""

    def connected(self) -> None:
        self.count += 1
        if self.count == self.expected:
            self.all_live_at = time.monotonic()

    def hanging_up(self) -> None:
        self.count -= 1


class Caller:
    """Drives one call: greeting, a turn every few seconds, an occasional barge-in, hang-up."""

    def __init__(self, fakes: Fakes, *, seconds: float, barge_in_rate: float, seed: int) -> None:
        self.fakes = fakes
        self.seconds = seconds
        self.barge_in_rate = barge_in_rate
        self.rng = random.Random(seed)
        self.seed = seed

    async def dial(self) -> CallResult:
        """Voice webhook, the stream, then find this call's fake Realtime session."""
        fakes = self.fakes
        base_url = fakes.bridge.base_url
        errors: list[str] = []
        while True:
            try:
                async with (
                    fakes.webhook_lock if fakes.serial_webhooks else contextlib.nullcontext()
                ):
                    placed = await place_inbound_call(
                        fakes.http,
                        base_url,
                        from_=CALLER_PHONE,
                        to=BUSINESS_PHONE,
                        auth_token=AUTH_TOKEN,
                    )
            except httpx.TransportError as error:
                problem, is_retryable = f"{type(error).__name__}", True
            else:
                if placed.http_status == 200 and placed.twiml.stream is not None:
                    break
                problem = f"HTTP {placed.http_status}"
                is_retryable = placed.http_status >= 500
            # Twilio would not retry: this caller would hear an application error. Counted,
            # then retried so that the bridge still gets its load.
            errors.append(problem)
            if not is_retryable or len(errors) > WEBHOOK_RETRIES:
                raise RunBroke(f"the voice webhook did not connect a stream: {errors[-3:]}")
            await asyncio.sleep(self.rng.uniform(0.02, 0.1))
        phone = simulated_call_for(
            placed, auth_token=AUTH_TOKEN, base_url=base_url, record_audio=True, seed=self.seed
        )
        fakes.rest.register(
            placed.call_sid,
            phone,
            from_=CALLER_PHONE,
            to=BUSINESS_PHONE,
            status_callback=f"{base_url}/twilio/status",
        )
        await phone.start()
        engine = await self._find_engine(phone)
        return CallResult(
            placed.call_sid,
            webhook_failures=len(errors),
            webhook_errors=errors,
            phone=phone,
            engine=engine,
        )

    async def _find_engine(self, phone: SimulatedCall) -> FakeRealtimeEngine:
        """The session whose greeting this phone is playing.

        Nothing call-specific reaches the Realtime API, but every item's synthetic audio is
        unique, so the first 50 ms the caller hears name the session that generated them.
        """
        fakes = self.fakes
        heard = await _wait_for(
            lambda: phone.heard_ms_at(phone.now_ms()) >= 50, GREETING_TIMEOUT_SECS, 0.02
        )
        if not heard:
            raise RunBroke(
                f"call {phone.call_sid} heard no greeting within {GREETING_TIMEOUT_SECS:g} s"
            )
        prefix = phone.played_audio()[: 50 * BYTES_PER_MS]
        for engine in fakes.realtime.sessions:
            if id(engine) in fakes.claimed:
                continue
            first = next((item.audio for item in engine.record.items.values() if item.audio), b"")
            if first.startswith(prefix):
                fakes.claimed.add(id(engine))
                return engine
        raise RunBroke(f"no fake Realtime session generated what call {phone.call_sid} heard")

    async def converse(
        self, call: CallResult, live: LiveCalls, on_hang_up: Callable[[], None]
    ) -> None:
        """Talk until `seconds` after every call of the phase is live, then hang up."""
        phone, engine = call.phone, call.engine
        assert phone is not None and engine is not None
        await self._wait_idle(call, 0)  # the greeting
        while not phone.is_closed:
            left = math.inf
            if live.all_live_at is not None:
                left = live.all_live_at + self.seconds - time.monotonic()
            if left < MIN_TURN_SECS:
                await asyncio.sleep(max(0.0, left))
                break
            await asyncio.sleep(self.rng.uniform(0.4, 2.0))
            await self._turn(call)
        call.settled = await self._settle(engine, phone)
        on_hang_up()
        await phone.hang_up()
        await _wait_for(lambda: engine.is_closed, 5.0)
        call.duration_ms = phone.closed_at_ms or phone.now_ms()

    async def _turn(self, call: CallResult) -> None:
        phone, engine = call.phone, call.engine
        assert phone is not None and engine is not None
        call.turns += 1
        responses = len(engine.record.responses)
        phone.say(self.rng.choice(self.fakes.clips))
        if self.rng.random() < self.barge_in_rate:
            heard_before = self._heard_ms(phone)
            threshold = self.rng.uniform(500.0, 1500.0)
            is_playing = await _wait_for(
                lambda: (
                    len(engine.record.responses) > responses
                    and phone.queued_ms() > 200
                    and self._heard_ms(phone) - heard_before >= threshold
                ),
                TURN_TIMEOUT_SECS,
            )
            if is_playing and phone.queued_ms() > 200:
                call.barge_ins += 1
                responses = len(engine.record.responses)
                phone.say(self.rng.choice(self.fakes.clips[:2]))
        await self._wait_idle(call, responses)

    async def _wait_idle(self, call: CallResult, responses_before: int) -> None:
        """Wait for a response newer than `responses_before` and for all audio to be played."""
        phone, engine = call.phone, call.engine
        assert phone is not None and engine is not None
        finished = await _wait_for(
            lambda: (
                phone.is_closed
                or (
                    len(engine.record.responses) > responses_before and self._is_idle(engine, phone)
                )
            ),
            TURN_TIMEOUT_SECS,
        )
        if not finished:
            call.turn_timeouts += 1

    async def _settle(self, engine: FakeRealtimeEngine, phone: SimulatedCall) -> bool:
        """Before hanging up: nothing generating, nothing playing, for a whole second.

        The second lets audio still in flight (queued in the bridge or in socket buffers)
        arrive, so that hanging up does not cut an answer the caller was about to hear. False
        if that quiet second never came (the call then ends mid-answer).
        """
        deadline = time.monotonic() + TURN_TIMEOUT_SECS
        quiet_since: float | None = None
        while not phone.is_closed and time.monotonic() < deadline:
            if not self._is_idle(engine, phone):
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= SETTLE_SECS:
                return True
            await asyncio.sleep(POLL_SECS)
        return False

    @staticmethod
    def _is_idle(engine: FakeRealtimeEngine, phone: SimulatedCall) -> bool:
        return engine.active_response_id is None and phone.queued_ms() <= 0

    @staticmethod
    def _heard_ms(phone: SimulatedCall) -> float:
        return phone.heard_ms_at(phone.now_ms())


#: A heard prefix shorter than this may be a coincidence (the first bytes of an item the caller
#: never heard matching whatever followed); it only counts if that explains more audio overall.
SHORT_MATCH_BYTES = 64
#: Likewise the last few bytes of a cut item's prefix may be the next item's first bytes.
OVERSHOOT_BYTES = 8


def align_playback(played: bytes, items: Sequence[tuple[str, bytes]]) -> AudioAudit:
    """`audio_audit.audit_playback`, robust to coincidental short matches.

    The caller hears, item after item, a prefix of each item's audio. `audit_playback` takes the
    longest common prefix at each step, so when an item was never played (or cut) and its next
    byte or two happen to equal the first bytes of the next item played, it advances by those
    bytes and every later item is misaligned: all their audio then counts as unexplained. Here a
    short prefix is also tried as "not heard", and a prefix a few bytes shorter as "cut there";
    the reading that explains the most played bytes wins.
    """
    memo: dict[tuple[int, int], tuple[int, tuple[int, ...]]] = {}

    def best(index: int, position: int) -> tuple[int, tuple[int, ...]]:
        """(bytes explained, heard per item) for items[index:] from played[position:]."""
        if index == len(items):
            return 0, ()
        key = (index, position)
        if key not in memo:
            audio = items[index][1]
            prefix = common_prefix_bytes(played[position : position + len(audio)], audio)
            choices = list(range(prefix, max(-1, prefix - OVERSHOOT_BYTES - 1), -1))
            if 0 < prefix < SHORT_MATCH_BYTES:
                choices.append(0)
            options = []
            for heard in choices:
                explained, rest = best(index + 1, position + heard)
                options.append((heard + explained, (heard, *rest)))
            memo[key] = max(options, key=lambda option: option[0])
        return memo[key]

    explained, heard = best(0, 0)
    audit = AudioAudit()
    for (item_id, audio), count in zip(items, heard, strict=True):
        audit.heard_bytes[item_id] = count
        audit.generated_bytes[item_id] = len(audio)
    audit.unexplained_bytes = len(played) - explained
    return audit


def audit_call(call: CallResult) -> None:
    """Compare what the caller heard with what the model generated, item by item.

    Played bytes that do not continue the generated sequence are duplicated or replayed. An item
    heard only in part is cut by a barge-in when the model saw a truncate for it, its response
    was cancelled, or the bridge listed it in a barge-in; cut by the hang-up when it is the last
    item the caller heard anything of, or a later one, and the call ended while it played, was
    still being generated, or before a quiet second (audio on its way); otherwise its missing
    bytes are lost. A gap inside an item also leaves the audio after it unexplained: it shows
    up as duplicated too.
    """
    phone, engine = call.phone, call.engine
    assert phone is not None and engine is not None
    record = engine.record
    items = [(item_id, bytes(item.audio)) for item_id, item in record.items.items() if item.audio]
    audit = align_playback(phone.played_audio(), items)
    truncated = {t.item_id for t in record.truncates}
    barge_ins = call.row.get("barge_ins") or []
    barged = {i["item_id"] for entry in barge_ins for i in entry.get("items", [])}
    delta_sizes: dict[str, list[int]] = {}
    for event in record.server_events:
        if event.get("type") == "response.output_audio.delta":
            encoded = str(event["delta"])
            size = len(encoded) * 3 // 4 - encoded[-2:].count("=")
            delta_sizes.setdefault(str(event["item_id"]), []).append(size)
    closed = [e for e in phone.events if e.kind == "closed"]
    unplayed_at_close = int(closed[-1].detail.get("unplayed_bytes", 0)) if closed else 0
    # The call ended during the last item the caller heard, or before later ones reached them.
    last_heard = max((n for n, (i, _) in enumerate(items) if audit.heard_bytes[i]), default=-1)
    for index, (item_id, audio) in enumerate(items):
        heard, generated = audit.heard_bytes[item_id], len(audio)
        call.generated_bytes += generated
        call.heard_bytes += heard
        call.audio_deltas += len(delta_sizes.get(item_id, []))
        missing = generated - heard
        if not missing:
            continue
        response = record.responses.get(str(record.items[item_id].response_id))
        if (
            item_id in truncated
            or item_id in barged
            or response is None
            or response.status == "cancelled"
        ):
            call.cut_by_barge_in_bytes += missing
        elif index >= last_heard and (
            unplayed_at_close or not call.settled or response.status == "in_progress"
        ):
            call.cut_by_hang_up_bytes += missing
        else:
            call.lost_bytes += missing
            call.lost_items += 1
            position = 0
            for size in delta_sizes.get(item_id, []):
                position += size
                call.lost_frames += position > heard
    call.duplicated_bytes = audit.unexplained_bytes
    call.caller_frames = phone.frames_sent
    call.caller_frames_due = int((phone.closed_at_ms or phone.now_ms()) // 20)
    call.media_frames = sum(1 for e in phone.events if e.kind == "media_received")
    call.extra_media_frames = max(0, call.media_frames - call.audio_deltas)
    call.marks_received = len(phone.marks)
    call.marks_echoed = sum(1 for m in phone.marks if m.echoed_ms is not None)
    call.clears = len(phone.clears)
    call.truncates = len(record.truncates)
    call.truncate_errors_ms = [t.audio_end_ms - audit.heard_ms(t.item_id) for t in record.truncates]
    call.realtime_errors = [str(e.get("code") or e.get("type")) for e in record.errors_sent]
    call.protocol_errors = [f"{e.kind}: {e.detail}" for e in phone.protocol_errors]
    if call.lost_bytes or call.duplicated_bytes:
        call.anomaly = _describe_anomaly(call, items, audit.heard_bytes, truncated, barged)
        call.anomaly["unplayed_at_close"] = unplayed_at_close


def _describe_anomaly(
    call: CallResult,
    items: list[tuple[str, bytes]],
    heard: dict[str, int],
    truncated: set[str],
    barged: set[str],
) -> dict[str, Any]:
    """What to look at when audio was lost or duplicated (in the JSON output)."""
    phone, engine = call.phone, call.engine
    assert phone is not None and engine is not None
    record = engine.record
    statuses = {rid: r.status for rid, r in record.responses.items()}
    return {
        "call_sid": call.call_sid,
        "lost_bytes": call.lost_bytes,
        "duplicated_bytes": call.duplicated_bytes,
        "items": [
            {
                "item_id": item_id,
                "response_status": statuses.get(str(record.items[item_id].response_id)),
                "generated": len(audio),
                "heard": heard[item_id],
                "truncated": item_id in truncated,
                "in_barge_in": item_id in barged,
            }
            for item_id, audio in items
        ],
        "played_runs_ms_bytes": [(round(at, 1), len(audio)) for at, audio in phone.played],
        "clears_ms_bytes": [(round(c.at_ms, 1), c.dropped_bytes) for c in phone.clears],
        "closed_at_ms": phone.closed_at_ms,
    }


# -- one phase: N calls ----------------------------------------------------------------------------


@dataclass
class PhaseResult:
    """What one phase measured."""

    calls: list[CallResult]
    samples: list[Sample]
    latencies_ms: list[float]
    load_lags_ms: list[float]
    bridge_core: int | None
    load_core: int | None
    diagnostics: dict[str, Any] | None

    @property
    def call_minutes(self) -> float:
        return sum(c.duration_ms for c in self.calls) / 60_000

    def figures(self) -> dict[str, Any]:
        calls, count = self.calls, len(self.calls)
        first, last = self.samples[0], self.samples[-1]
        wall = last.at - first.at
        bridge_cpu = last.bridge_cpu_secs - first.bridge_cpu_secs
        load_cpu = last.load_cpu_secs - first.load_cpu_secs
        peak_live = max(s.live_calls for s in self.samples)
        # "Steady state": the samples with at least 95 % of the calls live.
        steady = [s for s in self.samples if s.live_calls >= max(1, math.floor(0.95 * count))]
        steady_secs = steady[-1].at - steady[0].at if len(steady) > 1 else 0.0
        steady_cpu = steady[-1].bridge_cpu_secs - steady[0].bridge_cpu_secs if steady else 0.0
        values = sorted(self.latencies_ms)
        p99s = sorted(
            v for c in calls if (v := (c.row.get("latency") or {}).get("bridge_p99_ms")) is not None
        )
        total = {name: sum(getattr(c, name) for c in calls) for name in _SUMMED}
        end_reasons: dict[str, int] = {}
        for call in calls:
            reason = str(call.row.get("end_reason"))
            end_reasons[reason] = end_reasons.get(reason, 0) + 1
        truncate_errors = [e for c in calls for e in c.truncate_errors_ms]
        worst_truncate = max(truncate_errors, key=abs, default=0.0)
        lags = sorted(self.load_lags_ms)
        return {
            "calls": count,
            "voice_webhook_failures": total["webhook_failures"],
            "voice_webhook_errors": sorted({e for c in calls for e in c.webhook_errors}),
            "status_callback_failures": total["status_callback_failures"],
            "after_call_summaries": None
            if any(c.summarised is None for c in calls)
            else sum(c.summarised or 0 for c in calls),
            "call_minutes": round(self.call_minutes, 3),
            "mean_call_secs": round(self.call_minutes * 60 / count, 2),
            "wall_secs": round(wall, 2),
            "peak_live_calls": peak_live,
            "cpu": {
                "bridge_cpu_secs": round(bridge_cpu, 2),
                "cpu_secs_per_call_minute": _ratio(bridge_cpu, self.call_minutes, 4),
                "steady_state_secs": round(steady_secs, 1),
                "steady_state_core_utilisation": _ratio(steady_cpu, steady_secs, 3),
                "steady_state_cpu_secs_per_call_minute": _ratio(
                    steady_cpu, count * steady_secs / 60, 4
                ),
                "other_load_on_bridge_core": self._other_load(self.bridge_core, bridge_cpu),
                "interrupts_on_bridge_core": self._irq_load(self.bridge_core),
            },
            "memory": {
                "rss_before_mib": round(first.bridge_rss / 2**20, 1),
                "rss_peak_mib": round(max(s.bridge_rss for s in self.samples) / 2**20, 1),
                "per_call_kib": round(
                    (max(s.bridge_rss for s in self.samples) - first.bridge_rss) / 1024 / count, 1
                ),
                "threads_max": max(s.bridge_threads for s in self.samples),
            },
            "latency_ms": {
                "deltas": len(values),
                "p50": _percentile(values, 50),
                "p90": _percentile(values, 90),
                "p99": _percentile(values, 99),
                "p99_9": _percentile(values, 99.9),
                "max": _round(values[-1] if values else None, 3),
                "deltas_over_5ms": sum(1 for v in values if v > 5.0),
                "per_call_p99_median": _round(statistics.median(p99s) if p99s else None, 3),
                "per_call_p99_max": _round(p99s[-1] if p99s else None, 3),
            },
            "audio": {
                "generated_ms": round(total["generated_bytes"] / BYTES_PER_MS),
                "heard_ms": round(total["heard_bytes"] / BYTES_PER_MS),
                "cut_by_barge_in_ms": round(total["cut_by_barge_in_bytes"] / BYTES_PER_MS),
                "cut_by_hang_up_ms": round(total["cut_by_hang_up_bytes"] / BYTES_PER_MS),
                "lost_bytes": total["lost_bytes"],
                "lost_frames": total["lost_frames"],
                "lost_items": total["lost_items"],
                "duplicated_bytes": total["duplicated_bytes"],
                "extra_media_frames": total["extra_media_frames"],
                "caller_frames_sent": total["caller_frames"],
                "caller_frames_due": total["caller_frames_due"],
                "audio_deltas_from_model": total["audio_deltas"],
                "media_frames_to_phone": total["media_frames"],
                "marks_sent": total["marks_received"],
                "marks_echoed": total["marks_echoed"],
            },
            "conversation": {
                "turns": total["turns"],
                "barge_ins_attempted": total["barge_ins"],
                "clears": total["clears"],
                "truncates": total["truncates"],
                "worst_truncate_error_ms": round(worst_truncate, 1),
                "turn_timeouts": total["turn_timeouts"],
                "realtime_errors": sorted({e for c in calls for e in c.realtime_errors}),
                "realtime_error_count": sum(len(c.realtime_errors) for c in calls),
                "protocol_errors": sum(len(c.protocol_errors) for c in calls),
                "end_reasons": end_reasons,
            },
            "load_generator": {
                "cpu_secs": round(load_cpu, 2),
                "core_utilisation": _ratio(load_cpu, wall, 3),
                "other_load_on_core": self._other_load(self.load_core, load_cpu),
                "loop_lag_p99_ms": _percentile(lags, 99),
                "loop_lag_max_ms": _round(lags[-1] if lags else None, 1),
            },
            "bridge_diagnostics": _diagnostics_figures(self.diagnostics),
            "anomalies": [c.anomaly for c in calls if c.anomaly][:5],
        }

    def _other_load(self, core: int | None, own_cpu_secs: float) -> float | None:
        """Share of `core` used by other processes (other engineers' tests, say).

        Interrupt time is left out: most of it is this benchmark's own loopback traffic.
        """
        first, last = self.samples[0], self.samples[-1]
        if core is None or core not in first.core_busy_secs or last.at <= first.at:
            return None
        busy = last.core_busy_secs[core] - first.core_busy_secs[core]
        busy -= last.core_irq_secs[core] - first.core_irq_secs[core]
        return round(max(0.0, busy - own_cpu_secs) / (last.at - first.at), 3)

    def _irq_load(self, core: int | None) -> float | None:
        first, last = self.samples[0], self.samples[-1]
        if core is None or core not in first.core_irq_secs or last.at <= first.at:
            return None
        irq = last.core_irq_secs[core] - first.core_irq_secs[core]
        return round(irq / (last.at - first.at), 3)


_SUMMED = (
    "webhook_failures",
    "status_callback_failures",
    "generated_bytes",
    "heard_bytes",
    "cut_by_barge_in_bytes",
    "cut_by_hang_up_bytes",
    "lost_bytes",
    "lost_frames",
    "lost_items",
    "duplicated_bytes",
    "extra_media_frames",
    "caller_frames",
    "caller_frames_due",
    "audio_deltas",
    "media_frames",
    "marks_received",
    "marks_echoed",
    "turns",
    "barge_ins",
    "clears",
    "truncates",
    "turn_timeouts",
)


def _diagnostics_figures(data: dict[str, Any] | None) -> dict[str, Any] | None:
    if data is None:
        return None
    lags = sorted(float(v) for v in data["loop_lags_ms"])
    pauses = [(int(g), float(ms)) for g, ms in data["gc_pauses_ms"]]
    return {
        "loop_lag_p50_ms": _percentile(lags, 50),
        "loop_lag_p99_ms": _percentile(lags, 99),
        "loop_lag_max_ms": _round(lags[-1] if lags else None, 2),
        "gc_collections": {str(g): sum(1 for gen, _ in pauses if gen == g) for g in range(3)},
        "gc_pause_total_ms": round(sum(ms for _, ms in pauses), 1),
        "gc_pause_max_ms": round(max((ms for _, ms in pauses), default=0.0), 2),
    }


def _percentile(sorted_values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return round(sorted_values[rank - 1], 3)


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _ratio(numerator: float | None, denominator: float | None, digits: int) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, digits)


async def _watch_loop_lag(lags: list[float], stop: asyncio.Event, interval: float = 0.05) -> None:
    while not stop.is_set():
        before = time.perf_counter()
        await asyncio.sleep(interval)
        lags.append((time.perf_counter() - before - interval) * 1000)


async def _read_rows(database_url: str, call_sids: list[str]) -> dict[str, dict[str, Any]]:
    from sqlalchemy import select

    from agentlocator.db.engine import create_engine, session_factory
    from agentlocator.db.models import Call

    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            result = await session.execute(select(Call).where(Call.call_sid.in_(call_sids)))
            return {
                call.call_sid: {c.name: getattr(call, c.key) for c in Call.__table__.columns}
                for call in result.scalars()
            }
    finally:
        await engine.dispose()


async def _finalised_rows(database_url: str, call_sids: list[str]) -> dict[str, dict[str, Any]]:
    """The call rows once finalised and, where the schema has one, summarised (not required)."""
    started = time.monotonic()
    while True:
        rows = await _read_rows(database_url, call_sids)
        unfinished = [sid for sid in call_sids if not rows.get(sid, {}).get("end_reason")]
        unsummarised = [sid for sid in call_sids if rows.get(sid, {}).get("summary", "") is None]
        if not unfinished and (not unsummarised or time.monotonic() - started > 30):
            return rows
        if unfinished and time.monotonic() - started > 20:
            raise RunBroke(f"{len(unfinished)} call records were never finalised: {unfinished[:3]}")
        await asyncio.sleep(0.2)


async def run_phase(
    fakes: Fakes,
    database_url: str,
    *,
    calls: int,
    seconds: float,
    ramp_secs: float,
    barge_in_rate: float,
    seed: int,
    cores: tuple[int | None, int | None],
) -> PhaseResult:
    """Run `calls` concurrent calls ramped in over `ramp_secs`; watch the bridge meanwhile."""
    bridge = fakes.bridge
    bridge.check_alive()
    pid = bridge.process.pid
    live = LiveCalls(calls)
    samples: list[Sample] = []
    lags: list[float] = []
    stop = asyncio.Event()

    async def sample_bridge() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), SAMPLE_SECS)
            with contextlib.suppress(OSError):
                samples.append(take_sample(pid, live.count))

    async def one_call(index: int) -> CallResult:
        await asyncio.sleep(ramp_secs * index / calls)
        caller = Caller(fakes, seconds=seconds, barge_in_rate=barge_in_rate, seed=seed + index)
        call = await caller.dial()
        live.connected()
        await caller.converse(call, live, live.hanging_up)
        return call

    await bridge.diagnostics()  # starts the bridge's watcher, or forgets the last phase
    # The load generator keeps every frame it saw; full collections over that would stall all
    # callers for hundreds of milliseconds. Reference counting frees the rest meanwhile.
    gc.collect()
    gc.disable()
    samples.append(take_sample(pid, live.count))
    watchers = [
        asyncio.create_task(sample_bridge()),
        asyncio.create_task(_watch_loop_lag(lags, stop)),
    ]
    try:
        results = await asyncio.gather(*(one_call(i) for i in range(calls)))
        call_sids = [c.call_sid for c in results]
        rows = await _finalised_rows(database_url, call_sids)
        await fakes.rest.wait_idle()  # the terminal status callbacks
    finally:
        stop.set()
        await asyncio.gather(*watchers, return_exceptions=True)
        gc.enable()
    bridge.check_alive()
    samples.append(take_sample(pid, live.count))
    diagnostics = await bridge.diagnostics()
    exported = await bridge.latencies()
    latencies = [value for sid in call_sids for value in exported.get(sid, [])]
    callbacks = fakes.rest.status_callbacks
    for call in results:
        call.row = rows[call.call_sid]
        if "summary" in call.row:  # the schema of this checkout may have no summaries yet
            call.summarised = int(bool(call.row["summary"]))
        call.status_callback_failures = sum(
            1 for sid, _, code in callbacks if sid == call.call_sid and not 200 <= code < 300
        )
        audit_call(call)
        call.phone = call.engine = None  # audited: let the audio go
    return PhaseResult(results, samples, latencies, lags, *cores, diagnostics)


# -- the whole run ---------------------------------------------------------------------------------


def _script_factory() -> Callable[[], RealtimeScript]:
    rotation = itertools.count()

    def script() -> RealtimeScript:
        offset = next(rotation)
        replies = [REPLIES[(offset + n) % len(REPLIES)] for n in range(40)]
        return RealtimeScript(steps=[ScriptStep(say=text) for text in replies])

    return script


async def _prepare_database(database_url: str) -> None:
    """Migrate, and create the business the callers dial unless it exists."""
    from agentlocator.db.engine import create_engine, session_factory, upgrade
    from agentlocator.services.businesses import (
        BusinessCreate,
        DuplicatePhoneError,
        create_business,
    )

    await upgrade(database_url)
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            data = {
                "name": "מרפאת בדיקה",
                "phone": BUSINESS_PHONE,
                "timezone": "Asia/Jerusalem",
                "call_goal": "booking",
                "greeting": GREETING,
            }
            with contextlib.suppress(DuplicatePhoneError):
                await create_business(session, BusinessCreate.model_validate(data))
                await session.commit()
    finally:
        await engine.dispose()


def _pick_cores(args: argparse.Namespace) -> tuple[int | None, int | None]:
    if args.no_pin:
        return None, None
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2:
        return None, None
    bridge_core = args.bridge_core if args.bridge_core is not None else available[0]
    load_core = args.load_core
    if load_core is None:
        load_core = next(core for core in available if core != bridge_core)
    return bridge_core, load_core


async def run(args: argparse.Namespace) -> dict[str, Any]:
    cores = _pick_cores(args)
    bridge_core, load_core = cores
    if load_core is not None:
        os.sched_setaffinity(0, {load_core})
    clips = [synthetic_speech(ms, seed=seed) for seed, ms in enumerate((900, 1100, 1300, 1600))]
    with tempfile.TemporaryDirectory(prefix="agentlocator-bench-") as folder:
        database_url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'calls.db'}"
        await _prepare_database(database_url)
        async with (
            FakeRealtimeServer(
                config=FakeRealtimeConfig(), script_factory=_script_factory()
            ) as realtime,
            FakeTwilioRest(ACCOUNT_SID, AUTH_TOKEN) as rest,
            FakeChatCompletions() as chat,
            httpx.AsyncClient(timeout=30.0) as http,
        ):
            port = free_port()
            env = {
                **os.environ,
                "OPENAI_API_KEY": "sk-bench",
                "OPENAI_BASE_URL": chat.url,  # after-call summaries: never the real API
                "AGENTLOCATOR_REALTIME_URL": realtime.url,
                "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
                "AGENTLOCATOR_PUBLIC_URL": f"http://127.0.0.1:{port}",
                "AGENTLOCATOR_TWILIO_API_URL": rest.url,
                "AGENTLOCATOR_DATABASE_URL": database_url,
            }
            env.pop("AGENTLOCATOR_REDIS_URL", None)
            if args.profile_bridge:
                env[PROFILE_ENV] = args.profile_bridge  # the bridge runs in this directory
            if args.diagnose:
                env[DIAGNOSE_ENV] = "1"
            log_path = Path(args.bridge_log or Path(folder) / "bridge.log")
            bridge = await Bridge.start(
                env=env, port=port, core=bridge_core, nice=args.bridge_nice, log_path=log_path
            )
            bridge.diagnose = args.diagnose
            try:
                fakes = Fakes(
                    realtime,
                    rest,
                    http,
                    bridge,
                    clips,
                    serial_webhooks=args.serial_webhooks,
                )

                async def phase(calls: int, seconds: float, ramp: float, seed: int) -> PhaseResult:
                    return await run_phase(
                        fakes,
                        database_url,
                        calls=calls,
                        seconds=seconds,
                        ramp_secs=ramp,
                        barge_in_rate=args.barge_in_rate,
                        seed=seed,
                        cores=cores,
                    )

                _progress(args, "warm-up call")
                await phase(1, WARM_UP_SECS, 0.0, args.seed * 100_000)
                baseline_secs = min(args.seconds, BASELINE_MAX_SECS)
                _progress(args, f"baseline: 1 call x {baseline_secs:g} s")
                baseline = await phase(1, baseline_secs, 0.0, args.seed * 100_000 + 1)
                _progress(args, f"load: {args.calls} calls x {args.seconds:g} s")
                loaded = await phase(args.calls, args.seconds, args.ramp, args.seed * 100_000 + 2)
            except RunBroke as broke:
                raise RunBroke(
                    f"{broke}\n--- bridge log, last lines ---\n{bridge.log_tail()}"
                ) from None
            except Exception:
                print(f"--- bridge log, last lines ---\n{bridge.log_tail()}", file=sys.stderr)
                raise
            finally:
                await bridge.stop()
    return _report(args, cores, baseline.figures(), loaded.figures())


def _report(
    args: argparse.Namespace,
    cores: tuple[int | None, int | None],
    baseline: dict[str, Any],
    loaded: dict[str, Any],
) -> dict[str, Any]:
    def ratio(section: str, key: str) -> float | None:
        return _ratio(loaded[section][key], baseline[section][key], 2)

    return {
        "benchmark": "bridge_load",
        "config": {
            "calls": args.calls,
            "seconds": args.seconds,
            "ramp_secs": args.ramp,
            "barge_in_rate": args.barge_in_rate,
            "seed": args.seed,
            "bridge_core": cores[0],
            "load_generator_core": cores[1],
            "database": args.database_url.split(":", 1)[0].split("+", 1)[0]
            if args.database_url
            else "sqlite (temporary file)",
            "voice_webhooks": "one at a time" if args.serial_webhooks else "concurrent",
            "bridge_nice": args.bridge_nice,
            "python": sys.version.split()[0],
        },
        "baseline": baseline,
        "run": loaded,
        "ratios_vs_baseline": {
            "cpu_secs_per_call_minute": ratio("cpu", "cpu_secs_per_call_minute"),
            "steady_state_cpu_secs_per_call_minute": ratio(
                "cpu", "steady_state_cpu_secs_per_call_minute"
            ),
            "memory_per_call": ratio("memory", "per_call_kib"),
            "latency_p50": ratio("latency_ms", "p50"),
            "latency_p90": ratio("latency_ms", "p90"),
            "latency_p99": ratio("latency_ms", "p99"),
            "latency_p99_9": ratio("latency_ms", "p99_9"),
            "latency_max": ratio("latency_ms", "max"),
        },
        "warnings": _warnings(loaded),
    }


def _warnings(run_: dict[str, Any]) -> list[str]:
    warnings = []
    load = run_["load_generator"]
    if (load["loop_lag_p99_ms"] or 0) > LOAD_LAG_WARNING_MS:
        warnings.append(
            f"the load generator was overloaded (loop lag p99 {load['loop_lag_p99_ms']:.0f} ms, "
            f"core {100 * (load['core_utilisation'] or 0):.0f}% busy): callers sent frames and "
            "echoed marks late, so the bridge was fed unevenly and truncate errors are inflated"
        )
    for name, share in (
        ("bridge", run_["cpu"]["other_load_on_bridge_core"]),
        ("load generator", load["other_load_on_core"]),
    ):
        if share is not None and share > 0.05:
            warnings.append(
                f"other processes used {100 * share:.0f}% of the {name}'s core during the run"
            )
    if run_["voice_webhook_failures"]:
        warnings.append(
            f"{run_['voice_webhook_failures']} voice webhook requests failed "
            f"({', '.join(run_['voice_webhook_errors'])}) and were retried; Twilio does not "
            "retry, so each one is a caller hearing an application error"
        )
    return warnings


def _progress(args: argparse.Namespace, message: str) -> None:
    if not args.quiet:
        print(f"[bridge_load] {message}", file=sys.stderr, flush=True)


# -- the table ------------------------------------------------------------------------------------


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def _get(figures: dict[str, Any], path: str) -> Any:
    value: Any = figures
    for key in path.split("."):
        if value is None:
            return None
        value = value[key]
    return value


Cell = Callable[[dict[str, Any]], object]


def _at(*paths: str, scale: float = 1.0, percent: bool = False) -> Cell:
    """A table cell: one figure, or several joined with " / "."""

    def cell(figures: dict[str, Any]) -> object:
        values = [_get(figures, path) for path in paths]
        if percent:
            values = [None if v is None else f"{v * 100:.1f}%" for v in values]
        elif scale != 1.0:
            values = [None if v is None else round(v * scale, 1) for v in values]
        return values[0] if len(values) == 1 else " / ".join(_fmt(v) for v in values)

    return cell


def _end_reasons(figures: dict[str, Any]) -> str:
    reasons = figures["conversation"]["end_reasons"]
    return ", ".join(f"{reason}={count}" for reason, count in sorted(reasons.items()))


#: (label, cell, key in `ratios_vs_baseline`)
TABLE: list[tuple[str, Cell, str | None]] = [
    ("calls / call-minutes", _at("calls", "call_minutes"), None),
    (
        "peak live calls / seconds with >= 95% live",
        _at("peak_live_calls", "cpu.steady_state_secs"),
        None,
    ),
    ("voice webhook failures (retried)", _at("voice_webhook_failures"), None),
    ("status callback failures", _at("status_callback_failures"), None),
    ("after-call summaries stored", _at("after_call_summaries"), None),
    ("bridge CPU, s", _at("cpu.bridge_cpu_secs"), None),
    ("CPU s per call-minute", _at("cpu.cpu_secs_per_call_minute"), "cpu_secs_per_call_minute"),
    (
        "  steady state (>= 95% of calls live)",
        _at("cpu.steady_state_cpu_secs_per_call_minute"),
        "steady_state_cpu_secs_per_call_minute",
    ),
    (
        "bridge core busy, steady state",
        _at("cpu.steady_state_core_utilisation", percent=True),
        None,
    ),
    (
        "bridge core: other processes / interrupts",
        _at("cpu.other_load_on_bridge_core", "cpu.interrupts_on_bridge_core", percent=True),
        None,
    ),
    ("bridge RSS before / peak, MiB", _at("memory.rss_before_mib", "memory.rss_peak_mib"), None),
    ("memory per call, KiB", _at("memory.per_call_kib"), "memory_per_call"),
    ("bridge threads, max", _at("memory.threads_max"), None),
    ("audio deltas measured", _at("latency_ms.deltas"), None),
    ("latency p50, ms (delta in -> frame out)", _at("latency_ms.p50"), "latency_p50"),
    ("latency p90, ms", _at("latency_ms.p90"), "latency_p90"),
    ("latency p99, ms", _at("latency_ms.p99"), "latency_p99"),
    ("latency p99.9, ms", _at("latency_ms.p99_9"), "latency_p99_9"),
    ("latency max, ms", _at("latency_ms.max"), "latency_max"),
    ("deltas over 5 ms", _at("latency_ms.deltas_over_5ms"), None),
    (
        "per-call p99 from the rows: median / max, ms",
        _at("latency_ms.per_call_p99_median", "latency_ms.per_call_p99_max"),
        None,
    ),
    ("agent audio generated, s", _at("audio.generated_ms", scale=0.001), None),
    ("  heard by callers, s", _at("audio.heard_ms", scale=0.001), None),
    ("  cut by barge-ins, s", _at("audio.cut_by_barge_in_ms", scale=0.001), None),
    ("  cut by hang-ups, s", _at("audio.cut_by_hang_up_ms", scale=0.001), None),
    (
        "LOST bytes / frames / items",
        _at("audio.lost_bytes", "audio.lost_frames", "audio.lost_items"),
        None,
    ),
    (
        "DUPLICATED bytes / extra frames",
        _at("audio.duplicated_bytes", "audio.extra_media_frames"),
        None,
    ),
    (
        "model deltas / media frames to phone",
        _at("audio.audio_deltas_from_model", "audio.media_frames_to_phone"),
        None,
    ),
    ("marks sent / echoed", _at("audio.marks_sent", "audio.marks_echoed"), None),
    ("caller frames sent / due", _at("audio.caller_frames_sent", "audio.caller_frames_due"), None),
    ("turns / barge-ins", _at("conversation.turns", "conversation.barge_ins_attempted"), None),
    ("clears / truncates", _at("conversation.clears", "conversation.truncates"), None),
    ("worst truncate error, ms (+ = ahead)", _at("conversation.worst_truncate_error_ms"), None),
    (
        "Realtime errors / protocol errors",
        _at("conversation.realtime_error_count", "conversation.protocol_errors"),
        None,
    ),
    ("turn timeouts", _at("conversation.turn_timeouts"), None),
    ("end reasons", _end_reasons, None),
    ("load generator core busy", _at("load_generator.core_utilisation", percent=True), None),
    (
        "load generator loop lag p99 / max, ms",
        _at("load_generator.loop_lag_p99_ms", "load_generator.loop_lag_max_ms"),
        None,
    ),
]

DIAGNOSTICS_TABLE: list[tuple[str, Cell, str | None]] = [
    (
        "bridge loop lag p50 / p99 / max, ms",
        _at(
            "bridge_diagnostics.loop_lag_p50_ms",
            "bridge_diagnostics.loop_lag_p99_ms",
            "bridge_diagnostics.loop_lag_max_ms",
        ),
        None,
    ),
    (
        "bridge GC collections gen0 / 1 / 2",
        _at(
            "bridge_diagnostics.gc_collections.0",
            "bridge_diagnostics.gc_collections.1",
            "bridge_diagnostics.gc_collections.2",
        ),
        None,
    ),
    (
        "bridge GC pauses total / max, ms",
        _at("bridge_diagnostics.gc_pause_total_ms", "bridge_diagnostics.gc_pause_max_ms"),
        None,
    ),
]


def print_table(report: dict[str, Any]) -> None:
    config, ratios = report["config"], report["ratios_vs_baseline"]
    pinning = (
        f"bridge on CPU {config['bridge_core']}, load generator on CPU "
        f"{config['load_generator_core']}"
        if config["bridge_core"] is not None
        else "processes not pinned"
    )
    print(
        f"Bridge load: {config['calls']} concurrent calls x {config['seconds']:g} s, "
        f"ramp {config['ramp_secs']:g} s, {config['database']} ({pinning})"
    )
    table = TABLE + (DIAGNOSTICS_TABLE if report["run"]["bridge_diagnostics"] else [])
    width = max(len(label) for label, _, _ in table) + 2
    loaded_title = f"{config['calls']} calls"
    print(f"{'':{width}}{'baseline (1 call)':>20}{loaded_title:>24}{'ratio':>9}")
    for label, cell, ratio_key in table:
        ratio = ratios.get(ratio_key) if ratio_key else None
        ratio_text = f"{ratio:.2f}x" if isinstance(ratio, float) else ""
        base_text, run_text = _fmt(cell(report["baseline"])), _fmt(cell(report["run"]))
        print(f"{label:{width}}{base_text:>20}{run_text:>24}{ratio_text:>9}")
    codes = report["run"]["conversation"]["realtime_errors"]
    if codes:
        print(f"Realtime error codes in the run: {', '.join(codes)}")
    for warning in report["warnings"]:
        print(f"WARNING: {warning}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="N concurrent simulated calls through the bridge, at real-time pacing."
    )
    parser.add_argument("--calls", type=int, default=100, help="concurrent calls (default 100)")
    parser.add_argument(
        "--seconds",
        type=float,
        default=30.0,
        help="conversation once all calls are live (default 30)",
    )
    parser.add_argument("--ramp", type=float, default=2.0, help="ramp-in seconds (default 2)")
    parser.add_argument(
        "--barge-in-rate",
        type=float,
        default=0.3,
        help="share of caller turns that interrupt the agent's reply (default 0.3)",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the callers' behaviour")
    parser.add_argument("--bridge-core", type=int, help="CPU for the bridge (default: first)")
    parser.add_argument("--load-core", type=int, help="CPU for the load generator")
    parser.add_argument("--no-pin", action="store_true", help="do not pin processes to CPUs")
    parser.add_argument(
        "--bridge-nice",
        type=int,
        default=0,
        metavar="N",
        help="run the bridge at this nice level (negative needs root): on a shared machine, "
        "keeps other processes on the bridge's core out of its latency figures",
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="the bridge's database (default: a temporary SQLite file); migrated, and the "
        "benchmark business is created unless its phone number exists",
    )
    parser.add_argument(
        "--serial-webhooks",
        action="store_true",
        help="send voice webhooks one at a time (default: concurrently, as Twilio does)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    parser.add_argument(
        "--diagnose",
        action="store_true",
        help="measure the bridge's event-loop lag and GC pauses too (adds a little bridge work)",
    )
    parser.add_argument("--bridge-log", metavar="FILE", help="keep the bridge's log in this file")
    parser.add_argument(
        "--profile-bridge",
        metavar="FILE",
        help="run the bridge under cProfile and write its stats here (slows the bridge down)",
    )
    parser.add_argument("--serve-bridge", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--bridge-port", type=int, default=0, help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.serve_bridge:
        return serve_bridge(args.bridge_port, args.bridge_core, args.bridge_nice)
    if args.calls < 1 or args.seconds <= 0:
        print("bridge_load: --calls must be >= 1 and --seconds > 0", file=sys.stderr)
        return 2
    try:
        report = _run_loop(args)
    except RunBroke as broke:
        print(f"bridge_load: the run broke: {broke}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print_table(report)
    return 0


def _run_loop(args: argparse.Namespace) -> dict[str, Any]:
    logs.configure(logging.WARNING)  # the simulators' warnings, with their fields
    try:
        import uvloop
    except ImportError:  # uvicorn then runs the bridge on asyncio too (its loop="auto")
        return asyncio.run(run(args))
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
