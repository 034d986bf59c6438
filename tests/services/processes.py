"""Small tools for the servers the tests start: free ports, log tails, stopping by PID."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
from collections.abc import Sequence
from pathlib import Path

HOST = "127.0.0.1"


def free_ports(count: int, host: str = HOST) -> list[int]:
    """Return ``count`` distinct TCP ports that were free a moment ago on ``host``."""
    with contextlib.ExitStack() as stack:
        ports = []
        for _ in range(count):
            # keep each probe bound until all are chosen, so the ports are distinct
            probe = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            probe.bind((host, 0))
            ports.append(probe.getsockname()[1])
        return ports


def free_port(host: str = HOST) -> int:
    """Return a TCP port that was free a moment ago on ``host``."""
    return free_ports(1, host)[0]


def log_tail(path: Path, lines: int = 25) -> str:
    """Return the last lines of a server's log, for an error message."""
    try:
        content = path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join(content[-lines:]) or "(empty log)"


def stop_process(
    process: subprocess.Popen[bytes],
    timeout: float,
    signals: Sequence[signal.Signals] = (signal.SIGTERM,),
) -> None:
    """Send each signal in turn to the PID, waiting after each; SIGKILL as a last resort."""
    for sig in signals:
        if process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            continue
        return
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        process.wait()
