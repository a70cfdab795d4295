"""Fifty simulated calls race for one slot through the real server: exactly one gets it.

`bench/tools.py` as anyone runs it (a separate server process, the Realtime and Twilio fakes, 50
callers whose scripted model asks availability, books and hangs up), with every caller asking
for the same slot, on SQLite and on PostgreSQL. The bench's own answers and database counts must
say: one `booked`, 49 `slot_taken`, one appointment in the database. The figures of the report
must be there too, so the bench cannot silently rot.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parents[2] / "bench" / "tools.py"
CALLS = 50


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_fifty_calls_for_one_slot_through_the_server_book_it_once(backend: str) -> None:
    finished = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            f"--backend={backend}",
            f"--calls={CALLS}",
            f"--same-slot={CALLS}",
            "--baseline-calls=1",
            "--no-pin",
            "--json",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    report = json.loads(finished.stdout)
    run = report["backends"][0]["run"]
    assert run["calls_completed"] == CALLS, run["problems"]
    schedule = run["tools"]["schedule_appointment"]
    assert schedule["answers"] == {"booked": 1, "slot_taken": CALLS - 1}
    assert schedule["unanswered"] == 0
    assert run["appointments_booked_in_db"] == 1
    assert run["expected"] == {"booked": 1, "slot_taken": CALLS - 1}
    assert schedule["received_to_sent_ms"]["n"] == CALLS
    assert schedule["received_to_sent_ms"]["p95"] is not None
    assert run["audio"]["all_frames_ms"]["n"] > 0
    assert "met" in report["backends"][0]["verdict"]
