"""The printed tables of one backend, and its verdict line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tools_bench.figures import (
    AUDIO_RATIO_LIMIT,
    AUDIO_SLACK_MS,
    LATENCY_KINDS,
    LATENCY_LABELS,
    TOOL_P95_TARGET_MS,
)
from tools_bench.plans import TOOLS


def fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return str(value)


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _pair(d: dict[str, Any], second: str = "max") -> str:
    return f"{fmt(d['p50'])} / {fmt(d[second])}"


def verdict_line(report: dict[str, Any]) -> str:
    v = report["verdict"]
    tools = ", ".join(f"{tool} p95 {fmt(p95)} ms" for tool, p95 in v["tool_p95_ms"].items())
    audio = f"audio p99 {fmt(v['audio_p99_ms'])} ms vs {fmt(v['audio_p99_control_ms'])} no tools"
    answers = "answers correct" if v["answers_correct"] else "ANSWERS WRONG"
    head = "TARGET MET" if v["met"] else "TARGET NOT MET"
    return f"VERDICT {report['backend']}: {head} ({tools}; {audio}; {answers})"


def _tools_table(run: dict[str, Any], baseline: dict[str, Any], ratios: dict[str, Any]) -> None:
    head = f"{'tool latency, ms':56}{'n':>5}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}"
    print(f"{head}{'base p50':>10}{'base p95':>10}{'p95 ratio':>11}")
    for tool in TOOLS:
        print(tool)
        for kind in LATENCY_KINDS:
            d, b = run["tools"][tool][kind], baseline["tools"][tool][kind]
            cells = "".join(f"{fmt(d[q]):>8}" for q in ("p50", "p95", "p99", "max"))
            print(
                f"  {LATENCY_LABELS[kind]:54}{d['n']:>5}{cells}"
                f"{fmt(b['p50']):>10}{fmt(b['p95']):>10}{_x(ratios[tool][kind]['p95']):>11}"
            )
        gap = run["tools"][tool]["model_done_gap_ms"]
        print(f"  {'(fake model: arguments.done -> response.done, p50/max)':54}{_pair(gap):>21}")


def _answers(run: dict[str, Any]) -> None:
    schedule = run["tools"]["schedule_appointment"]["answers"]
    expected = run["expected"]
    counts = [f"{k}={v}" for k, v in schedule.items()]
    print(
        f"schedule_appointment answers: {' '.join(counts)} "
        f"(expected booked={expected['booked']} slot_taken={expected['slot_taken']}); "
        f"appointments added to the database: {run['appointments_booked_in_db']}"
    )
    availability = run["tools"]["check_availability"]["answers"]
    unanswered = sum(run["tools"][t]["unanswered"] for t in TOOLS)
    print(
        "check_availability answers: "
        + ", ".join(f"{k}={v}" for k, v in availability.items())
        + f"; unanswered tool calls: {unanswered}"
    )


def _audio(report: dict[str, Any]) -> None:
    run, control, baseline = report["run"], report["no_tools"], report["baseline"]
    ratios = report["ratios"]["audio"]
    print(
        f"{'audio, Realtime delta in -> Twilio frame out, ms':56}"
        f"{'tools run':>12}{'no tools':>12}{'1 call':>12}{'vs no tools':>13}{'vs 1 call':>11}"
    )
    rows = [
        ("every frame, p99", lambda p: p["audio"]["all_frames_ms"]["p99"], "all_frames_p99"),
        ("per-call p99 (call rows), median", lambda p: p["audio"]["per_call_p99_median_ms"],
         "per_call_p99_median_ms"),
        ("per-call p99 (call rows), max", lambda p: p["audio"]["per_call_p99_max_ms"],
         "per_call_p99_max_ms"),
    ]  # fmt: skip
    for label, cell, key in rows:
        print(
            f"  {label:54}{fmt(cell(run)):>12}{fmt(cell(control)):>12}{fmt(cell(baseline)):>12}"
            f"{_x(ratios[f'{key}_vs_no_tools']):>13}{_x(ratios[f'{key}_vs_baseline']):>11}"
        )
    during, outside = run["audio"]["while_a_tool_ran_ms"], run["audio"]["while_no_tool_ran_ms"]
    print(
        f"  frames written while a tool ran: n={during['n']} p50={fmt(during['p50'])} "
        f"p99={fmt(during['p99'])} max={fmt(during['max'])}; while none ran: "
        f"n={outside['n']} p50={fmt(outside['p50'])} p99={fmt(outside['p99'])}"
    )


def _context(report: dict[str, Any]) -> None:
    run, control, baseline = report["run"], report["no_tools"], report["baseline"]
    print(f"{'context':56}{'tools run':>16}{'no tools':>16}{'1 call':>16}")
    capacity = run["pool_capacity"]
    rows: list[tuple[str, Callable[[dict[str, Any]], object]]] = [
        ("calls completed", lambda p: f"{p['calls_completed']}/{p['calls']}"),
        ("set-up, webhook -> greeting, p50 / max, ms", lambda p: _pair(p["call_setup_ms"])),
        ("voice webhook p50 / max, ms", lambda p: _pair(p["voice_webhook_ms"])),
        ("bridge process CPU, cores", lambda p: p["cpu_cores"]["bridge"]),
        ("load generator CPU, cores", lambda p: p["cpu_cores"]["load_generator"]),
        ("PostgreSQL CPU, cores", lambda p: p["cpu_cores"]["postgres"]),
        ("other processes' CPU, cores", lambda p: p["cpu_cores"]["others"]),
        ("bridge loop lag p50 / p99, ms", lambda p: _pair(p["bridge_loop_lag_ms"], "p99")),
        ("bridge loop lag max, ms", lambda p: p["bridge_loop_lag_ms"]["max"]),
        ("load generator loop lag p50 / p99, ms", lambda p: _pair(p["load_loop_lag_ms"], "p99")),
        ("bridge full GCs / longest, ms",
         lambda p: f"{p['bridge_full_gcs']['count']} / {fmt(p['bridge_full_gcs']['max_ms'])}"),
        (f"bridge DB pool peak (of {fmt(capacity)})", lambda p: p["pool_checked_out_max"]),
        ("calls summarised", lambda p: p["summarised"]),
        ("wall, s", lambda p: p["wall_secs"]),
    ]  # fmt: skip
    for label, cell in rows:
        print(f"  {label:54}" + "".join(f"{fmt(cell(p)):>16}" for p in (run, control, baseline)))


def print_report(report: dict[str, Any]) -> None:
    """The whole report: a heading, each backend's tables, then one verdict line per backend."""
    config = report["config"]
    print(
        f"Tool latency bench: {config['calls']} concurrent booking calls per backend, "
        f"{report['total_secs']:g} s in all; bridge on CPU {config['bridge_core']}, load "
        f"generator on CPU {config['load_generator_core']} (of {config['available_cpus']})"
    )
    for backend in report["backends"]:
        print_backend(backend, config)
    print()
    for backend in report["backends"]:
        print(verdict_line(backend))


def print_backend(report: dict[str, Any], config: dict[str, Any]) -> None:
    run, baseline = report["run"], report["baseline"]
    print(
        f"\n== {report['database']}: {run['calls']} concurrent calls "
        f"({config['same_slot']} on one slot), ramp {config['ramp_secs']:g} s; "
        f"baseline {baseline['calls']} calls one at a time =="
    )
    _tools_table(run, baseline, report["ratios"]["tools_vs_baseline"])
    _answers(run)
    _audio(report)
    _context(report)
    for name in ("run", "no_tools", "baseline"):
        for problem in report[name]["problems"]:
            print(f"{name}: problem: {problem}")
        for message, count in report[name]["server_warnings"].items():
            print(f"{name}: bridge log x{count}: {message}")
    for warning in report["warnings"]:
        print(f"WARNING: {warning}")
    print(
        f"(target: every tool's p95, tool call received -> output sent, under "
        f"{TOOL_P95_TARGET_MS:g} ms; audio p99 of the run within {AUDIO_RATIO_LIMIT:g}x or "
        f"{AUDIO_SLACK_MS:g} ms of the no-tools control; answers as expected)"
    )
    print(verdict_line(report))
