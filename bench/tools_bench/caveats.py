"""What the figures alone do not say, or say only in passing."""

from __future__ import annotations

from typing import Any

#: Above this share of its core, a process's event loop is saturated: say so.
SATURATED_CPU = 0.85
#: Load generator loop lag p99 above this: callers and the fake model were late.
LOAD_LAG_WARNING_MS = 20.0


def warnings(report: dict[str, Any]) -> list[str]:
    found: list[str] = []
    run = report["run"]
    answers = run["tools"]["schedule_appointment"]["answers"]
    told_booked = answers.get("booked", 0)
    if run["appointments_booked_in_db"] != told_booked:
        found.append(
            f"the database gained {run['appointments_booked_in_db']} appointments but the model "
            f"was told `booked` {told_booked} times ({answers})"
        )
    expected = run["expected"]
    if told_booked != expected["booked"] or answers.get("slot_taken", 0) != expected["slot_taken"]:
        found.append(f"answers differ from the expected {expected}")
    for name in ("baseline", "no_tools", "run"):
        phase = report[name]
        cores = phase["cpu_cores"]
        for process in ("bridge", "load_generator"):
            if cores.get(process, 0) >= SATURATED_CPU:
                found.append(
                    f"{name}: the {process.replace('_', ' ')} used {cores[process]:.2f} of its "
                    "core: its event loop was saturated"
                )
        if (phase["load_loop_lag_ms"]["p99"] or 0) > LOAD_LAG_WARNING_MS:
            found.append(
                f"{name}: the load generator's loop lag p99 was "
                f"{phase['load_loop_lag_ms']['p99']:.0f} ms: the fake model and the callers were "
                "late, so the model-side tool latency includes that"
            )
        if cores.get("others", 0) > 0.3:
            found.append(f"{name}: other processes used {cores['others']:.2f} cores meanwhile")
        if phase["calls_completed"] != phase["calls"]:
            found.append(f"{name}: {phase['calls'] - phase['calls_completed']} calls did not end")
    failures = report.get("voice_webhook_failures") or {}
    if failures:
        found.append(
            "voice webhooks failed and were retried (Twilio would not retry): "
            + ", ".join(f"{problem} x{count}" for problem, count in failures.items())
        )
    return found
