"""`bench/barge_in.py`: every corpus clip played as the caller over a live reply, per policy.

Modules: `corpus` (clips as the caller plays them), `policies` (the three detectors, how the
business is switched between them, detector CPU), `one_call` (one clip, one call, raw figures),
`figures` (per-policy aggregates), `report` (tables, verdicts), `run` (phases, concurrency, CPU).
"""
