"""CPU and memory readings from /proc (Linux): a process, the PostgreSQL server, each core."""

from __future__ import annotations

import os

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_secs(pid: int) -> float:
    """utime + stime of every thread of `pid` so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def process_rss_bytes(pid: int) -> int:
    with open(f"/proc/{pid}/status") as lines:
        for line in lines:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def postgres_cpu_secs() -> float:
    """CPU seconds used so far by the processes named `postgres` on this machine (if visible)."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                head, _, tail = stat.read().rpartition(")")
        except OSError:
            continue
        if head.endswith("(postgres"):
            # utime + stime, and cutime + cstime: the postmaster's reaped backends count too.
            fields = tail.split()
            total += sum(int(value) for value in fields[11:15])
    return total / CLOCK_TICKS


def core_busy_secs() -> dict[int, float]:
    """Per CPU: seconds neither idle nor waiting for I/O so far (interrupts included)."""
    cores: dict[int, float] = {}
    with open("/proc/stat") as lines:
        for line in lines:
            name, *values = line.split()
            if name.startswith("cpu") and name != "cpu":
                # user nice system idle iowait irq softirq steal
                numbers = [int(v) for v in values[:8]]
                cores[int(name[3:])] = (sum(numbers) - numbers[3] - numbers[4]) / CLOCK_TICKS
    return cores


def machine_busy_secs() -> float:
    """CPU seconds all cores together have spent neither idle nor waiting for I/O."""
    try:
        return sum(core_busy_secs().values())
    except (OSError, ValueError):
        return 0.0
