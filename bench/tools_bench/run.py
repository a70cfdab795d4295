"""One backend: a fresh database, the fakes here, the bridge in its own process, four phases."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import tempfile
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx

from _shared.bridge import Bridge, BridgeFailed, bridge_environment, free_port
from _shared.fake_chat import FakeChatCompletions
from _shared.procfs import machine_busy_secs, postgres_cpu_secs, process_cpu_secs
from agentlocator.simulator.local_stack import ACCOUNT_SID, AUTH_TOKEN
from agentlocator.simulator.realtime_config import FakeRealtimeConfig
from agentlocator.simulator.realtime_server import FakeRealtimeServer
from agentlocator.simulator.twilio_rest import FakeTwilioRest
from tools_bench import database
from tools_bench.callers import CallResult, Dialler, RunBroke, run_calls
from tools_bench.caveats import warnings
from tools_bench.figures import phase_figures, ratios, verdict
from tools_bench.model_side import ModelInstruments, ModelProbe
from tools_bench.plans import QUIET_DAYS_FROM, CallPlan, caller_number, plans_for_run, slot_list

ENTRY_POINT = Path(__file__).resolve().parent.parent / "tools.py"
#: The fake model's first audio after 100-400 ms (its default is 200-800 ms): shorter calls.
FIRST_DELTA_MS = (100.0, 400.0)
LAG_INTERVAL_SECS = 0.02


async def _watch_lag(probe: ModelProbe) -> None:
    while True:
        before = time.perf_counter()
        await asyncio.sleep(LAG_INTERVAL_SECS)
        probe.loop_lags_ms.append((time.perf_counter() - before - LAG_INTERVAL_SECS) * 1000)


@contextlib.asynccontextmanager
async def _bridge(
    args: argparse.Namespace, env: dict[str, str], port: int, folder: str
) -> AsyncIterator[Bridge]:
    command = [str(ENTRY_POINT), "--serve-bridge", "--bridge-port", str(port)]
    command += ["--bridge-nice", str(args.bridge_nice)]
    if args.cores[0] is not None:
        command += ["--bridge-core", str(args.cores[0])]
    log_path = Path(args.bridge_log or Path(folder) / "bridge.log")
    try:
        bridge = await Bridge.start(command, env=env, port=port, log_path=log_path)
    except BridgeFailed as failed:
        raise RunBroke(str(failed)) from None
    try:
        yield bridge
    except (RunBroke, BridgeFailed) as broke:
        raise RunBroke(f"{broke}\n--- bridge log, last lines ---\n{bridge.log_tail()}") from None
    finally:
        await bridge.stop()


async def bench_backend(
    backend: str, args: argparse.Namespace, progress: Callable[[str], None]
) -> dict[str, Any]:
    """Warm-up, 1-call baseline, N calls without tools, N calls with tools: one bridge, one DB."""
    instruments = ModelInstruments()
    quiet_slots = iter(slot_list(QUIET_DAYS_FROM, 1 + args.baseline_calls))
    serials = iter(range(1000, 10_000))

    def quiet_plan() -> CallPlan:
        return CallPlan(caller_number(next(serials)), *next(quiet_slots))

    phases: dict[str, Any] = {}
    dialler: Dialler | None = None

    def next_script() -> Any:
        assert dialler is not None
        return dialler.next_script()

    realtime_config = FakeRealtimeConfig(
        first_delta_delay_ms=FIRST_DELTA_MS,
        response_done_delay_ms=(args.response_done_delay[0], args.response_done_delay[1]),
    )
    with tempfile.TemporaryDirectory(prefix="agentlocator-bench-tools-") as folder:
        async with (
            database.fresh_database(backend) as database_url,
            FakeRealtimeServer(config=realtime_config, script_factory=next_script) as realtime,
            FakeTwilioRest(ACCOUNT_SID, AUTH_TOKEN) as rest,
            FakeChatCompletions() as chat,
            httpx.AsyncClient(timeout=10.0) as http,
        ):
            port = free_port()
            env = bridge_environment(
                port=port,
                database_url=database_url,
                realtime_url=realtime.url,
                twilio_api_url=rest.url,
                chat_url=chat.url,
            )
            if args.no_write_turn:
                env["AGENTLOCATOR_BENCH_NO_WRITE_TURN"] = "1"
            if args.profile_bridge:
                env["AGENTLOCATOR_BENCH_PROFILE"] = f"{args.profile_bridge}.{backend}"
            async with _bridge(args, env, port, folder) as bridge:
                dialler = Dialler(
                    base_url=bridge.base_url,
                    realtime=realtime,
                    rest=rest,
                    http=http,
                    instruments=instruments,
                    serial_webhooks=args.serial_webhooks,
                )

                async def phase(
                    name: str, plans: list[CallPlan], *, with_tools: bool, ramp: float | None
                ) -> dict[str, Any]:
                    assert dialler is not None
                    progress(f"{backend}: {name} ({len(plans)} calls)")
                    dialler.new_phase()
                    # The fakes keep every event and byte of every call: freeze what is left so
                    # full collections here walk this phase's objects only.
                    gc.collect()
                    gc.freeze()
                    probe = instruments.new_phase()
                    booked_before = await database.booked_appointments(database_url)
                    await bridge.get_json("/_bench/tools")  # forget what came before
                    cpu = _CpuMeter(bridge.pid)
                    lag = asyncio.create_task(_watch_lag(probe))
                    try:
                        results = await run_calls(
                            dialler,
                            plans,
                            with_tools=with_tools,
                            ramp_secs=ramp,
                            seed=args.seed * 100_000 + len(phases) * 1000,
                        )
                        await database.load_rows(database_url, results)
                    finally:
                        lag.cancel()
                    used = cpu.read()
                    bridge.check_alive()
                    seen = await bridge.get_json("/_bench/tools")
                    booked = await database.booked_appointments(database_url) - booked_before
                    return phase_figures(seen, probe, results, used, booked=booked)

                with instruments.installed():
                    await phase("warm-up", [quiet_plan()], with_tools=True, ramp=None)
                    baseline_plans = [quiet_plan() for _ in range(args.baseline_calls)]
                    phases["baseline"] = await phase(
                        "baseline, 1 call at a time", baseline_plans, with_tools=True, ramp=None
                    )
                    run_plans = plans_for_run(args.calls, args.same_slot, args.seed)
                    control = [
                        CallPlan(caller_number(next(serials)), p.day, p.at) for p in run_plans
                    ]
                    phases["no_tools"] = await phase(
                        "control, no tools", control, with_tools=False, ramp=args.ramp
                    )
                    phases["run"] = await phase(
                        "with tools", run_plans, with_tools=True, ramp=args.ramp
                    )
                shared = min(args.same_slot, args.calls)
                phases["run"]["expected"] = {
                    "booked": args.calls - shared + (1 if shared else 0),
                    "slot_taken": max(0, shared - 1),
                }
                phases["voice_webhook_failures"] = dict(dialler.webhook_failures)
    report = {
        "backend": backend,
        "database": "sqlite (temporary file)"
        if backend == "sqlite"
        else f"postgresql (fresh database on {database.hidden(database.postgres_server())})",
        **phases,
        "ratios": ratios(phases),
        "verdict": verdict(phases),
    }
    report["warnings"] = warnings(report)
    return report


class _CpuMeter:
    """CPU used during a phase: the bridge process, this process, PostgreSQL, everything else."""

    def __init__(self, bridge_pid: int) -> None:
        self.pid = bridge_pid
        self.started = time.perf_counter()
        self.bridge = process_cpu_secs(bridge_pid)
        self.load = time.process_time()
        self.postgres = postgres_cpu_secs()
        self.machine = machine_busy_secs()

    def read(self) -> dict[str, float]:
        bridge = process_cpu_secs(self.pid) - self.bridge
        load = time.process_time() - self.load
        postgres = postgres_cpu_secs() - self.postgres
        machine = machine_busy_secs() - self.machine
        return {
            "wall_secs": time.perf_counter() - self.started,
            "bridge": bridge,
            "load_generator": load,
            "postgres": postgres,
            "others": max(0.0, machine - bridge - load - postgres),
        }


def cores_for(args: argparse.Namespace) -> tuple[int | None, int | None]:
    from _shared.bridge import pick_cores

    cores = pick_cores(no_pin=args.no_pin, bridge_core=args.bridge_core, load_core=args.load_core)
    if cores[1] is not None:
        os.sched_setaffinity(0, {cores[1]})
    return cores


__all__ = ["CallResult", "bench_backend", "cores_for"]
