"""The per-business instructions given to the Realtime model."""
