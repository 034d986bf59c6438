"""The layout of an index directory: numbered generations and a pointer to the current one.

``<directory>/gen-<n>/`` each hold a complete Whoosh index; ``<directory>/CURRENT`` names the one
in use. A rebuild fills a new generation and then replaces the pointer with ``os.replace``, so a
reader sees either the old index or the new one, never a half-built one. The current and the
previous generation are kept (a reader in another process may still be using the previous one);
older ones are removed.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

POINTER = "CURRENT"
_GENERATION = re.compile(r"^gen-(\d+)$")


class IndexBusy(RuntimeError):
    """Another process holds a lock this operation needs (for instance another rebuild)."""


class Generations:
    """Read and move the pointer to the current generation of one index directory."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self._seen: tuple[int, int, int] | None = None
        self._name: str | None = None

    def path(self, name: str) -> str:
        """Return the directory of generation ``name``."""
        return os.path.join(self.directory, name)

    def current(self) -> str | None:
        """Return the name of the current generation, or None before the first one exists.

        The pointer is re-read only when the file changed (a replaced file has a new inode).
        """
        pointer = os.path.join(self.directory, POINTER)
        try:
            stat = os.stat(pointer)
        except FileNotFoundError:
            return None
        seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if seen != self._seen:
            with open(pointer, encoding="ascii") as handle:
                self._name = handle.read().strip()
            self._seen = seen
        return self._name

    def names(self) -> list[str]:
        """Return the generations present in the directory, oldest first."""
        try:
            entries = os.listdir(self.directory)
        except FileNotFoundError:
            return []
        found = [entry for entry in entries if _GENERATION.match(entry)]
        return sorted(found, key=_number)

    def next_name(self) -> str:
        """Return the name for a new generation, after every existing one."""
        names = self.names()
        return f"gen-{_number(names[-1]) + 1 if names else 1}"

    def point_to(self, name: str) -> None:
        """Make ``name`` the current generation, atomically and durably."""
        pointer = os.path.join(self.directory, POINTER)
        temporary = f"{pointer}.{os.getpid()}.tmp"
        with open(temporary, "w", encoding="ascii") as handle:
            handle.write(name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, pointer)
        directory = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def remove(self, name: str) -> None:
        """Remove generation ``name`` (one that never became current)."""
        shutil.rmtree(self.path(name), ignore_errors=True)

    def remove_except(self, keep: set[str | None]) -> list[str]:
        """Remove every generation not in ``keep``; return the names removed."""
        removed = [name for name in self.names() if name not in keep]
        for name in removed:
            shutil.rmtree(self.path(name), ignore_errors=True)
        return removed

    @contextmanager
    def locked(self, name: str, blocking: bool = True) -> Iterator[None]:
        """Hold the directory-wide lock ``name`` (across processes) for the block.

        Without ``blocking``, raise :class:`IndexBusy` at once if another process holds it.
        """
        os.makedirs(self.directory, exist_ok=True)
        handle = open(os.path.join(self.directory, f".{name}.lock"), "a+b")  # noqa: SIM115
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError as error:
                raise IndexBusy(f"another process holds the index {name} lock") from error
            yield
        finally:
            handle.close()


def _number(name: str) -> int:
    match = _GENERATION.match(name)
    return int(match.group(1)) if match else 0
