"""Let one drain or rebuild at a time, across threads and processes, follow the outbox.

A drain reads the index's progress, then the outbox and the listings, then writes the index:
two drains interleaving could write older documents over newer ones. An advisory lock on a
file in the index directory makes them take turns; whoever cannot take it leaves the work to
the holder.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator

POLL_SECONDS = 0.02


class DrainLock:
    """An exclusive lock on the file ``.drain.lock`` of an index directory."""

    def __init__(self, index_directory: str) -> None:
        self.path = os.path.join(index_directory, ".drain.lock")

    @contextlib.contextmanager
    def held(self, timeout: float = 0.0) -> Iterator[bool]:
        """Yield True while holding the lock, or False if it stayed taken for ``timeout``."""
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if not self._acquire(descriptor, timeout):
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(descriptor, fcntl.LOCK_UN)
        finally:
            os.close(descriptor)

    @staticmethod
    def _acquire(descriptor: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(POLL_SECONDS)
