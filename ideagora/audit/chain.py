"""Compute and check the hash chain of audit events, independent of the database."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

GENESIS_HASH = "0" * 64

CHAINED_FIELDS = (
    "created_at",
    "action",
    "actor_user_id",
    "actor_email",
    "organization_id",
    "subject_type",
    "subject_id",
    "ip_address",
    "details",
    "prev_hash",
)


def canonical_content(event: Mapping[str, Any]) -> bytes:
    """Return the canonical bytes of an event's chained fields."""
    content = {}
    for field in CHAINED_FIELDS:
        value = event[field]
        content[field] = value.isoformat() if isinstance(value, datetime) else value
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(event: Mapping[str, Any]) -> str:
    """Return the SHA-256 that seals an event and links it to the one before."""
    return hashlib.sha256(canonical_content(event)).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    """The outcome of walking the chain: how many rows were checked and the first broken link."""

    checked: int
    broken_id: int | None = None
    reason: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_id is None


def verify_chain(events: Iterable[Mapping[str, Any]]) -> ChainReport:
    """Walk events in id order and report the first whose link or seal does not hold."""
    expected_prev = GENESIS_HASH
    checked = 0
    for event in events:
        if event["prev_hash"] != expected_prev:
            return ChainReport(checked, event["id"], "it does not link to the event before it")
        if event_hash(event) != event["hash"]:
            return ChainReport(checked, event["id"], "its content does not match its hash")
        expected_prev = event["hash"]
        checked += 1
    return ChainReport(checked)
