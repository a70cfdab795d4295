"""How the garbage collector may pause a process that plays live audio.

A collection stops the event loop while it runs: every live call's paced audio and every tool's
round trips wait for it. Young collections are short. A full collection walks every object that
reached the oldest generation, and is what callers would hear. Two settings keep it rare:

- `gc.freeze()` once the process has started: modules, the app and the barge-in model live as
  long as the process, so full collections leave them out (walking them took 100-300 ms).
- A high `threshold2`. Python 3.11 starts a full collection after `threshold2` collections of
  the middle generation, provided that a quarter as many objects as the last full collection
  kept have reached the oldest generation since. The freeze empties that generation, so the
  quarter shrinks to what a few calls promote: with the default of 10, full collections came
  every few seconds at 50 calls, 10-15 ms each (`bench/tools.py` counts them). At 1000 they come
  about every half hour at that load. Reference counting still frees almost everything at once;
  only cyclic garbage that grew old waits for them (about 3,000 objects per full collection in
  that bench).
"""

from __future__ import annotations

import gc

FULL_COLLECTION_AFTER = 1000
"""Collections of the middle generation before a full one (`gc.set_threshold`'s third value)."""


def settle_after_start_up() -> None:
    """Collect once, freeze what start-up left, and make full collections rare."""
    gc.collect()
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_AFTER)
