"""Plan what an index must apply from the outbox, without losing rows committed out of order.

Outbox ids come from a sequence, and a transaction that took a smaller id may commit after one
that took a larger id. So the index keeps a watermark (every id at or below it is applied) plus
the ids above it it has applied already. The watermark moves over a gap only once the row after
the gap is older than ``gap_timeout`` seconds: by then the missing ids belong to transactions
that rolled back, never to ones still about to commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class OutboxRow:
    """One outbox row: the listing key that changed, and when the change was written."""

    id: int
    key: str
    created_at: datetime


@dataclass(frozen=True)
class Progress:
    """How far an index has applied the outbox.

    Every id at or below ``watermark`` is applied; ``applied_above`` holds the ids above the
    watermark that are applied too (they committed before a smaller id did).
    """

    watermark: int = 0
    applied_above: frozenset[int] = frozenset()

    def is_applied(self, row_id: int) -> bool:
        """Return True if the outbox row ``row_id`` is already applied."""
        return row_id <= self.watermark or row_id in self.applied_above


@dataclass(frozen=True)
class Plan:
    """The listing keys to apply (each once, in outbox order) and the progress after applying."""

    keys: list[str]
    progress: Progress


def plan(
    progress: Progress, rows: Iterable[OutboxRow], now: datetime, gap_timeout: float = 60.0
) -> Plan:
    """Return the keys to apply for ``rows`` and the progress to commit with them.

    ``rows`` are outbox rows with ids above ``progress.watermark`` in id order (as the
    application reads them); rows already applied are skipped, and a key that changed several
    times is applied once.
    """
    fresh = sorted({row.id: row for row in rows if row.id > progress.watermark}.values(), key=_id)
    keys = list(dict.fromkeys(row.key for row in fresh if not progress.is_applied(row.id)))
    applied = set(progress.applied_above) | {row.id for row in fresh}
    watermark = _advance(progress.watermark, applied, fresh, now, gap_timeout)
    above = frozenset(row_id for row_id in applied if row_id > watermark)
    return Plan(keys=keys, progress=Progress(watermark=watermark, applied_above=above))


def _id(row: OutboxRow) -> int:
    return row.id


def _advance(
    watermark: int, applied: set[int], rows: list[OutboxRow], now: datetime, gap_timeout: float
) -> int:
    """Move the watermark over every applied id, and over gaps whose next row is old enough."""
    created = {row.id: row.created_at for row in rows}
    for row_id in sorted(row_id for row_id in applied if row_id > watermark):
        if row_id != watermark + 1:
            moment = created.get(row_id) or _next_created(rows, row_id)
            if moment is None or (now - moment).total_seconds() <= gap_timeout:
                break
        watermark = row_id
    return watermark


def _next_created(rows: list[OutboxRow], row_id: int) -> datetime | None:
    """Return when the first row after ``row_id`` was written (for an id whose row is gone)."""
    return next((row.created_at for row in rows if row.id > row_id), None)
