"""Print what every benchmark prints: its parameters, the machine, and figures as a table."""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime


def machine() -> str:
    """Return one line describing the machine: cores, load average, Python, platform."""
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{os.cpu_count()} cores, load average {load}, Python {platform.python_version()} "
        f"({platform.python_implementation()}), {platform.system()} {platform.machine()}"
    )


def print_header(name: str, args: argparse.Namespace) -> None:
    """Print the benchmark's name, its command line and parameters, and the machine."""
    print(f"== {name} — {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
    print(f"command: {' '.join([os.path.basename(sys.executable), *sys.argv])}")
    print(f"parameters: {', '.join(f'{key}={value}' for key, value in vars(args).items())}")
    print(f"machine: {machine()}")
    sys.stdout.flush()


def print_load(label: str = "load average now") -> None:
    """Print the load average, so figures can be read against how busy the machine was."""
    print(f"{label}: {', '.join(f'{value:.2f}' for value in os.getloadavg())}")
    sys.stdout.flush()


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print rows under headers as an aligned plain-text table."""
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(str(h)), *(len(row[i]) for row in cells)) for i, h in enumerate(headers)]
    print("  ".join(str(h).rjust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)))
    sys.stdout.flush()


def percentile(values: Sequence[float], fraction: float) -> float:
    """Return the value below which ``fraction`` of the values fall (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]


def milliseconds(values: Sequence[float]) -> tuple[str, str, str]:
    """Return p50, p95 and max of durations in seconds, as milliseconds for a table."""
    return (
        f"{percentile(values, 0.50) * 1000:.1f}",
        f"{percentile(values, 0.95) * 1000:.1f}",
        f"{max(values) * 1000:.1f}" if values else "nan",
    )


class Stopwatch:
    """Time a block: ``with Stopwatch() as watch: ...; watch.seconds``."""

    def __enter__(self) -> Stopwatch:
        self.started = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.started
