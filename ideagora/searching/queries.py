"""Read a search from a query string: the words, the kind of listing, filters, sort and page.

The search page and the search API read the same arguments with the same parsers (those of
:mod:`ideagora.listings.queries` where they fit), so a value is refused with the same message
in both. A very long query is not refused: it is cut, and the page says so.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ideagora.assets.models import DealType, PatentStatus
from ideagora.assets.services import PUBLIC_STATUSES as ASSET_STATUSES
from ideagora.challenges.models import IPTerms
from ideagora.challenges.services import PUBLIC_STATUSES as CHALLENGE_STATUSES
from ideagora.listings import queries
from search.documents import ASSET, CHALLENGE, KINDS
from search.query import SearchRequest

# the words searched: more than this is cut (the engine bounds its own work too)
QUERY_MAX = 500
SORTS = ("relevance", "newest", "deadline")
SORT_LABELS = {"relevance": "Best match", "newest": "Newest first", "deadline": "Deadline soonest"}
PER_PAGE = 20


class ListingKind(enum.Enum):
    """Which listings a search looks through."""

    ALL = "all"
    CHALLENGE = CHALLENGE
    ASSET = ASSET

    @property
    def label(self) -> str:
        return {"all": "Everything", CHALLENGE: "Challenges", ASSET: "IP offers"}[self.value]

    @property
    def kinds(self) -> tuple[str, ...]:
        return KINDS if self is ListingKind.ALL else (self.value,)


# a public status of either kind; an offer's deal types and a challenge's IP terms share names
STATUSES = (*CHALLENGE_STATUSES, *ASSET_STATUSES)
DEALS = (*DealType, *(terms for terms in IPTerms if terms.value not in {d.value for d in DealType}))


@dataclass(frozen=True)
class ParsedSearch:
    """A search ready for the engine, and what the page must tell about the query itself."""

    request: SearchRequest
    kind: ListingKind
    notice: str | None = None


def search_text(value: str) -> tuple[str, str | None]:
    """Return the query text, cut to :data:`QUERY_MAX` characters, and a notice if it was cut."""
    if len(value) <= QUERY_MAX:
        return value, None
    notice = (
        f"Your search was {len(value):,} characters long; only its first {QUERY_MAX} were used."
    )
    return value[:QUERY_MAX], notice


_PARSERS = {
    "kind": ("type", lambda value: queries.choice(value, tuple(ListingKind), "what to search")),
    "field": ("field", queries.technical_field),
    "trl_min": ("trl_min", queries.trl_bound),
    "trl_max": ("trl_max", queries.trl_bound),
    "status": ("status", lambda value: queries.choice(value, STATUSES, "the status")),
    "deal_type": ("deal_type", lambda value: queries.choice(value, DEALS, "the deal type")),
    "patent_status": (
        "patent_status",
        lambda value: queries.choice(value, tuple(PatentStatus), "the patent status"),
    ),
    "sort": ("sort", lambda value: queries.sort_order(value, SORTS)),
}


def parse_search(
    args: Mapping[str, Any], page: int = 1, per_page: int = PER_PAGE
) -> tuple[ParsedSearch | None, dict[str, str]]:
    """Return the search a query string asks for, or None and a message per wrong argument."""
    values, errors = queries.read_arguments(args, _PARSERS)
    queries.check_range(
        errors, values, "trl_min", "trl_max", "The lowest TRL ({}) is above the highest ({})."
    )
    if errors.messages:
        return None, errors.messages
    text, notice = search_text(args.get("q") if isinstance(args.get("q"), str) else "")
    kind = values["kind"] or ListingKind.ALL
    request = SearchRequest(
        text=text,
        kinds=kind.kinds,
        fields=_one(values["field"]),
        trl_min=values["trl_min"],
        trl_max=values["trl_max"],
        statuses=_one(values["status"]),
        deal_types=_one(values["deal_type"]),
        patent_statuses=_one(values["patent_status"]),
        sort=values["sort"],
        page=page,
        per_page=per_page,
    )
    return ParsedSearch(request, kind, notice), {}


def _one(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value.value if isinstance(value, enum.Enum) else value,)
