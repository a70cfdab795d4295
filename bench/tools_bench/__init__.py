"""`bench/tools.py` in pieces: what runs in the bridge process, the callers, the figures."""
