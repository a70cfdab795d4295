"""The bridge (our server) in a process of its own, pinned to its own core.

The load generator starts it as a subprocess of a bench script (`--serve-bridge`), waits for
`/healthz`, reads the bench's read-only routes over HTTP and stops it with SIGINT. In the child,
`serve` runs the app under uvicorn as `agentlocator serve` does (start-up objects frozen out of
the garbage collector, uvloop and httptools when installed), optionally under cProfile.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from agentlocator.simulator.local_stack import ACCOUNT_SID, AUTH_TOKEN

PROFILE_ENV = "AGENTLOCATOR_BENCH_PROFILE"
START_TIMEOUT_SECS = 30.0


class BridgeFailed(Exception):
    """The bridge did not start, or died."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def pick_cores(
    *, no_pin: bool, bridge_core: int | None = None, load_core: int | None = None
) -> tuple[int | None, int | None]:
    """(bridge core, load generator core), or (None, None) with fewer than 2 CPUs to use."""
    if no_pin:
        return None, None
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2:
        return None, None
    bridge = bridge_core if bridge_core is not None else available[0]
    load = load_core if load_core is not None else next(c for c in available if c != bridge)
    return bridge, load


def bridge_environment(
    *,
    port: int,
    database_url: str,
    realtime_url: str,
    twilio_api_url: str,
    chat_url: str,
) -> dict[str, str]:
    """The environment `agentlocator serve` reads, pointed at the fakes (nothing leaves)."""
    env = {
        **os.environ,
        "OPENAI_API_KEY": "sk-bench",
        "OPENAI_BASE_URL": chat_url,  # after-call summaries: never the real API
        "AGENTLOCATOR_REALTIME_URL": realtime_url,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "AGENTLOCATOR_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "AGENTLOCATOR_TWILIO_API_URL": twilio_api_url,
        "AGENTLOCATOR_DATABASE_URL": database_url,
    }
    env.pop("AGENTLOCATOR_REDIS_URL", None)
    return env


def add_bench_route(app: Any, path: str, endpoint: Any) -> None:
    """A read-only `GET` route for the load generator, ahead of every other route (the app
    mounts its dashboard on `/` last, which would otherwise answer it)."""
    app.add_api_route(path, endpoint, methods=["GET"])
    routes = app.router.routes
    routes.insert(0, routes.pop())


def serve(app: Any, *, port: int, core: int | None, nice: int) -> int:
    """In the bridge process: pin, renice, then uvicorn until SIGINT (cProfile when asked)."""
    import uvicorn

    if core is not None:
        os.sched_setaffinity(0, {core})
    if nice:
        os.nice(nice)
    gc.collect()
    gc.freeze()
    profile_path = os.environ.get(PROFILE_ENV)
    options: dict[str, Any] = {"host": "127.0.0.1", "port": port, "log_config": None}
    options["access_log"] = False
    if not profile_path:
        uvicorn.run(app, **options)
        return 0
    import cProfile

    profiler = cProfile.Profile()
    profiler.runcall(uvicorn.run, app, **options)
    profiler.dump_stats(profile_path)
    return 0


def _spawn(command: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("wb") as log:
        return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)


class Bridge:
    """The bridge subprocess, seen from the load generator."""

    def __init__(self, process: subprocess.Popen[bytes], base_url: str, log_path: Path) -> None:
        self.process = process
        self.base_url = base_url
        self.log_path = log_path
        self.http = httpx.AsyncClient(base_url=base_url, timeout=30.0)

    @property
    def pid(self) -> int:
        return self.process.pid

    @classmethod
    async def start(
        cls, command: list[str], *, env: dict[str, str], port: int, log_path: Path
    ) -> Bridge:
        """Run `command` (a bench script with `--serve-bridge ...`) and wait for `/healthz`."""
        process = _spawn([sys.executable, *command], env, log_path)
        bridge = cls(process, f"http://127.0.0.1:{port}", log_path)
        started = time.monotonic()
        while True:
            if process.poll() is not None:
                raise BridgeFailed(f"the bridge exited during start-up:\n{bridge.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if (await bridge.http.get("/healthz")).status_code == 200:
                    return bridge
            if time.monotonic() - started > START_TIMEOUT_SECS:
                await bridge.stop()
                raise BridgeFailed(f"the bridge did not start in 30 s:\n{bridge.log_tail()}")
            await asyncio.sleep(0.1)

    async def get_json(self, path: str) -> Any:
        try:
            response = await self.http.get(path)
            response.raise_for_status()
        except httpx.HTTPError as error:
            raise BridgeFailed(f"GET {path}: {error}") from None
        return response.json()

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise BridgeFailed(
                f"the bridge died (exit {self.process.returncode}):\n{self.log_tail()}"
            )

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
                await asyncio.to_thread(self.process.wait, 15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                await asyncio.to_thread(self.process.wait)
