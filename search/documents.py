"""The plain data the application hands to the index: one public document per listing.

Only public text is ever put in a :class:`ListingDocument`: the application builds it from the
listing's public fields, and the confidential brief or dossier has no place in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

CHALLENGE = "challenge"
ASSET = "asset"
KINDS = (CHALLENGE, ASSET)


def document_key(kind: str, listing_id: int) -> str:
    """Return the index key of a listing, such as ``"asset:12"``."""
    if kind not in KINDS:
        raise ValueError(f"unknown listing kind {kind!r}")
    return f"{kind}:{listing_id}"


def parse_key(key: str) -> tuple[str, int]:
    """Return (kind, id) of an index key made by :func:`document_key`."""
    kind, _, number = key.partition(":")
    if kind not in KINDS or not number.isdigit():
        raise ValueError(f"not a listing key: {key!r}")
    return kind, int(number)


@dataclass(frozen=True)
class ListingDocument:
    """The public face of one challenge or IP offer, as the index stores it.

    ``fields`` are the listing's own technical-field slugs; ``field_families`` adds each slug's
    parent, so a filter on a top-level field finds its sub-fields. ``deal_types`` are the deal
    types an offer is open to, or for a challenge the one IP term it wants. ``trl`` is an offer's
    TRL or the TRL a challenge seeks. ``owner`` is the organisation's name, or an anonymous
    seeker's pseudonym; ``owner_key`` identifies the owner for "not my own listings" and is never
    shown (for an anonymous seeker it is still the organisation, and is never displayed).
    ``open_until`` is a challenge's deadline (None for an offer). ``matchable`` is False for a
    listing that must never be suggested as a match (closed, awarded, licensed, withdrawn).
    """

    kind: str
    id: int
    title: str
    summary: str
    description: str = ""
    keywords: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    field_families: tuple[str, ...] = ()
    patent_numbers: tuple[str, ...] = ()
    patent_status: str | None = None
    deal_types: tuple[str, ...] = ()
    trl: int | None = None
    owner: str = ""
    owner_key: str = ""
    status: str = ""
    matchable: bool = True
    published_at: datetime | None = None
    updated_at: datetime | None = None
    open_until: datetime | None = None

    @property
    def key(self) -> str:
        return document_key(self.kind, self.id)
