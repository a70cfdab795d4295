"""The core: one phone call, as a pure state machine (`conversation`) and its async shell."""
