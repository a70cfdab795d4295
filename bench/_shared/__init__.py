"""Helpers shared by the benchmarks: the bridge subprocess, fake endpoints, /proc readings."""
