"""`agentlocator simulate-call`: a whole phone call played by the simulators, with its checks."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from typing import Any

DEMO_PHONE = "+97235550100"
CALLER_PHONE = "+972501234567"


def _simulate(args: argparse.Namespace) -> int:
    from agentlocator.simulator.scenario_kit import ScenarioOptions
    from agentlocator.simulator.scenarios import SCENARIOS

    if args.list:
        for name, scenario in sorted(SCENARIOS.items()):
            print(f"{name:32} {(scenario.__doc__ or '').strip().splitlines()[0]}")
        return 0
    logging.basicConfig(level=logging.WARNING if not args.verbose else logging.INFO)
    if args.url:
        if args.scenario not in ("booking", "conversation"):
            print(
                "agentlocator: error: against a running server only 'booking' and "
                "'conversation' can be played; the others need the in-process fakes",
                file=sys.stderr,
            )
            return 2
        import httpx

        from agentlocator.simulator.remote_call import call_running_server

        try:
            report = asyncio.run(
                call_running_server(
                    args.url.rstrip("/"),
                    to=args.to,
                    from_=args.caller,
                    auth_token=os.environ.get("TWILIO_AUTH_TOKEN") or None,
                    public_url=os.environ.get("AGENTLOCATOR_PUBLIC_URL") or None,
                )
            )
        except httpx.TransportError as error:
            print(f"agentlocator: error: cannot reach {args.url}: {error}", file=sys.stderr)
            return 1
    else:
        chosen = SCENARIOS.get(args.scenario)
        if chosen is None:
            print(
                f"agentlocator: error: unknown scenario {args.scenario!r} (see --list)",
                file=sys.stderr,
            )
            return 2
        report = asyncio.run(chosen(ScenarioOptions(database_url=args.database_url)))
    result: dict[str, Any] = report.as_json()
    result["mode"] = "running-server" if args.url else "in-process"
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    else:
        for check in report.checks:
            print(f"{'PASS' if check.passed else 'FAIL'}  {check.name}  {check.detail}")
        print(f"{report.scenario}: {'passed' if report.passed else 'FAILED'}")
    return 0 if report.passed else 1


def add_simulate(commands: Any) -> None:
    """Register the `simulate-call` sub-command."""
    simulate = commands.add_parser(
        "simulate-call", help="play a whole call through the simulators and check it"
    )
    simulate.add_argument("--scenario", default="booking", help="scenario name (see --list)")
    simulate.add_argument("--json", action="store_true", help="print the report as JSON")
    simulate.add_argument("--list", action="store_true", help="list the scenarios")
    simulate.add_argument("--url", help="call a running server instead of starting one in-process")
    simulate.add_argument("--to", default=DEMO_PHONE, help="the dialled number (with --url)")
    simulate.add_argument("--caller", default=CALLER_PHONE, help="the caller's number (with --url)")
    simulate.add_argument(
        "--database-url", default=None, help="in-process: database to use (default: a temp SQLite)"
    )
    simulate.add_argument("--verbose", action="store_true", help="log the server's events")
    simulate.set_defaults(handler=_simulate)
