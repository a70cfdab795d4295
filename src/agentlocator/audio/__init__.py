"""Audio primitives shared by the call core and the simulators (G.711 mu-law, 8 kHz)."""
