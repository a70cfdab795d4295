"""Barge-in quality: every corpus clip played as the caller over a live reply, per policy.

Each clip gets its own call through the real server (uvicorn on loopback, in this process) with
the fake Realtime server and the simulated Twilio phone: a short greeting, the caller says a line,
the agent starts a long reply, and 1 s into it the clip is played on the caller's microphone.
Policies (the business's `barge_in.detector`, set through the same service as the dashboard):
ours (`local`: paced playout, pause / commit / resume), `rms` (RMS 350, 300 ms, 800 ms cooldown)
and `webrtcvad` (mode 3, 300 ms); the baselines forward audio at once and only commit.

Measured from the stored call record (`calls.barge_ins`) and the simulated phone:

- missed barge-ins: speech clips with no commit once the clip started;
- false commits: noise and echo clips with any commit in the call;
- pauses that resumed: `resumed` decisions;
- pause latency: speech onset (`Microphone.say` start + the clip's `onset_ms`, phone clock) ->
  the end of the agent audio the caller was hearing then (a `clear`, or the held-back lead
  running out); 0 if nothing was playing at onset;
- commit latency: the truncate's arrival at the fake Realtime server (phone clock) minus
  (onset + `min_speech_ms`);
- truncate error: `audio_end_ms` minus what the caller heard of the item (`truncate_checks`);
- bytes repeated (played bytes no item explains) and lost (items not truncated but not heard to
  their last byte, up to the reply the clip was played over);
- CPU per call-minute: this process's CPU over the phase (server + fakes + phones: an upper
  bound for the server) and the detectors' own CPU, each divided by the phase's call-minutes.

Echo: the corpus's echo clips were mixed with echo of a *reference* agent line; the live server
plays other audio, so the bench subtracts the pre-mixed echo and the phone mixes in echo of what
it actually played (EchoPath with the clip's delay and attenuation), for the whole call.

    .venv/bin/python bench/barge_in.py                       # 75 clips x 3 policies (~4.5 min)
    .venv/bin/python bench/barge_in.py --limit 3             # 3 clips of each kind
    .venv/bin/python bench/barge_in.py --policy local --clip speech_word_00 --clip noise_12
    .venv/bin/python bench/barge_in.py --json run.json       # also write every figure as JSON
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from barge_in_bench.corpus import load_clips, select
from barge_in_bench.one_call import ClipResult
from barge_in_bench.policies import POLICIES
from barge_in_bench.report import details, table, verdicts
from barge_in_bench.run import run_bench


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add(
        "--policy",
        action="append",
        choices=sorted(POLICIES),
        help="a policy to run (repeatable; default: local, rms, webrtcvad)",
    )
    add("--limit", type=int, help="only the first N clips of each kind (speech, noise, echo)")
    add("--clip", action="append", default=[], help="a clip id to play (repeatable)")
    add("--concurrency", type=int, default=8, help="calls at a time (default 8)")
    add("--json", type=Path, help="write every figure and per-clip result to this file")
    add("--markdown", action="store_true", help="print the table as Markdown too")
    add("--quiet", action="store_true", help="no per-call progress lines")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("agentlocator").setLevel(logging.CRITICAL)
    policies = args.policy or ["local", "rms", "webrtcvad"]
    clips = select(load_clips(), ids=args.clip, limit=args.limit)
    started = time.monotonic()

    def progress(policy: str, result: ClipResult) -> None:
        if args.quiet:
            return
        counts = Counter(result.decisions)
        decisions = " ".join(f"{kind}x{n}" for kind, n in counts.items()) or "no decision"
        problem = f"  PROBLEM {result.problem}" if result.problem else ""
        print(
            f"[{time.monotonic() - started:6.1f}s] {policy:9} {result.clip_id:20} {decisions}"
            f"{problem}",
            file=sys.stderr,
            flush=True,
        )

    residuals = [clip.residual_dbfs for clip in clips if clip.residual_dbfs is not None]
    print(
        f"{len(clips)} clips x {len(policies)} policies, {args.concurrency} calls at a time; "
        "one server, one run."
    )
    if residuals:
        print(
            f"Echo clips: pre-mixed reference echo subtracted (residual {min(residuals):.0f} to "
            f"{max(residuals):.0f} dBFS: noise floor + requantisation); the phone adds live "
            "echo of what it played, with each clip's delay and attenuation, for the whole call."
        )
    run = asyncio.run(run_bench(policies, clips, concurrency=args.concurrency, progress=progress))
    print(f"\nfinished in {time.monotonic() - started:.0f} s\n")
    print(table(run.figures))
    if args.markdown:
        print()
        print(table(run.figures, markdown=True))
    print()
    extra = details(run.figures)
    if extra:
        print(extra)
        print()
    ours = next((f for f in run.figures if f.policy == "local"), None)
    if ours is not None:
        for verdict in verdicts(ours):
            print(verdict.line())
    if args.json is not None:
        document = {
            "figures": [f.as_json() for f in run.figures],
            "results": {
                name: [result.__dict__ for result in results]
                for name, results in run.results.items()
            },
        }
        args.json.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
