"""Tool latency benchmark: `check_availability` and `schedule_appointment` under N calls.

Two processes, each pinned to its own core (as `bridge_load.py` runs them):

- **the bridge**: our app under uvicorn as `agentlocator serve` runs it (this file re-executed
  with `--serve-bridge`), configured through the usual environment variables, on a fresh
  database (SQLite: a temporary file; PostgreSQL: a new database, dropped afterwards). It is
  instrumented in-process (`tools_bench/bridge_side.py`): when each tool call is received, when
  its `function_call_output` is sent, the tool itself, every audio frame's latency.
- **the load generator** (this process): the fake OpenAI Realtime server, the fake Twilio REST
  API, a fake chat-completions endpoint for the after-call summary, and N simulated callers.

Each call comes from its own number (a lead per caller). Its scripted model says a short filler
and calls `check_availability`, answers, hears a name, says a filler and calls
`schedule_appointment`, then says goodbye and hangs up (`end_call`). Most calls ask for slots of
their own; a group (`--same-slot`, default 10) asks for one shared slot: exactly one of them must
get `booked`, the others `slot_taken`.

Phases, per backend, against one bridge and one database: a warm-up call, a baseline of single
calls one after the other (`--baseline-calls`), a control run of N calls whose script calls no
database tool (same turns, same audio), and the N-call run with tools, ramped in over `--ramp`
seconds. The verdict line per backend says whether the issue's target is met: every tool's p95
(tool call received -> output sent, in the bridge) under 50 ms, the run's audio p99 unchanged
against the no-tools control, and the answers as expected. Exit code 1 only when the run itself
broke.

    .venv/bin/python bench/tools.py                    # both backends, 50 calls
    .venv/bin/python bench/tools.py --backend sqlite --calls 20
    .venv/bin/python bench/tools.py --json             # one JSON object on stdout
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

from tools_bench.callers import RunBroke
from tools_bench.plans import too_many_calls


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Latency of the booking tools under N concurrent calls, and audio meanwhile."
    )
    add = parser.add_argument
    add("--backend", choices=("sqlite", "postgres", "both"), default="both", help="default both")
    add("--calls", type=int, default=50, help="concurrent calls (default 50)")
    add(
        "--same-slot",
        type=int,
        default=10,
        help="calls that ask for one shared slot (default 10): one booked, the rest slot_taken",
    )
    add("--ramp", type=float, default=1.0, help="ramp-in seconds (default 1)")
    add("--baseline-calls", type=int, default=3, help="single calls for the baseline (default 3)")
    add(
        "--response-done-delay",
        type=float,
        nargs=2,
        default=(5.0, 15.0),
        metavar=("MIN_MS", "MAX_MS"),
        help="the fake model's pause between a tool call and its response.done (default 5 15; "
        "the fake's own default, 20 120, rehearses collisions)",
    )
    add(
        "--serial-webhooks",
        action="store_true",
        help="send voice webhooks one at a time (default: concurrently, as Twilio does)",
    )
    add("--bridge-core", type=int, help="CPU for the bridge (default: the first)")
    add("--load-core", type=int, help="CPU for the load generator (default: another)")
    add("--no-pin", action="store_true", help="do not pin the processes to CPUs")
    add("--bridge-nice", type=int, default=0, metavar="N", help="nice level of the bridge")
    add("--bridge-log", metavar="FILE", help="keep the bridge's log in this file")
    add(
        "--profile-bridge",
        metavar="FILE",
        help="run the bridge under cProfile; stats go to FILE.<backend> (slows the bridge)",
    )
    add(
        "--no-write-turn",
        action="store_true",
        help="experiment: SQLite writers in the bridge skip the write queue (db.engine.write_turn)",
    )
    add("--seed", type=int, default=1, help="seed of the callers' speech")
    add("--json", action="store_true", help="print one JSON object")
    add("--quiet", action="store_true", help="no progress lines on stderr")
    add("--report", metavar="FILE", help="print the tables of a saved --json report, run nothing")
    add("--serve-bridge", action="store_true", help=argparse.SUPPRESS)
    add("--bridge-port", type=int, default=0, help=argparse.SUPPRESS)
    return parser


async def run(args: argparse.Namespace) -> dict[str, Any]:
    from tools_bench.run import bench_backend

    def progress(message: str) -> None:
        if not args.quiet:
            print(f"[tools] {message}", file=sys.stderr, flush=True)

    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    started = time.perf_counter()
    reports = [await bench_backend(backend, args, progress) for backend in backends]
    return {
        "benchmark": "tools",
        "config": {
            "calls": args.calls,
            "same_slot": min(args.same_slot, args.calls),
            "ramp_secs": args.ramp,
            "baseline_calls": args.baseline_calls,
            "response_done_delay_ms": list(args.response_done_delay),
            "bridge_core": args.cores[0],
            "load_generator_core": args.cores[1],
            "available_cpus": args.available_cpus,
            "write_turn": not args.no_write_turn,
            "python": sys.version.split()[0],
        },
        "backends": reports,
        "total_secs": round(time.perf_counter() - started, 1),
    }


def _run_loop(args: argparse.Namespace) -> dict[str, Any]:
    logging.getLogger().setLevel(logging.WARNING)
    try:
        import uvloop
    except ImportError:
        return asyncio.run(run(args))
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(run(args))


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.report:
        from tools_bench.report import print_report

        with open(args.report) as saved:
            print_report(json.load(saved))
        return 0
    if args.serve_bridge:
        from tools_bench.bridge_side import serve_bridge

        return serve_bridge(args)
    if args.calls < 1 or args.baseline_calls < 1 or args.ramp < 0 or args.same_slot < 0:
        print("tools: --calls and --baseline-calls must be >= 1, --ramp and --same-slot >= 0")
        return 2
    if too_many_calls(args.calls, args.same_slot, args.baseline_calls):
        print("tools: too many calls for the slots of the booking window")
        return 2
    from tools_bench.report import print_report
    from tools_bench.run import cores_for

    args.available_cpus = len(os.sched_getaffinity(0))
    args.cores = cores_for(args)
    try:
        report = _run_loop(args)
    except RunBroke as broke:
        print(f"tools: the run broke: {broke}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
