"""Shape search results for pages: readable labels, facet links, result links, page links."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import url_for
from markupsafe import Markup

from ideagora.assets.models import AssetStatus, DealType, PatentStatus
from ideagora.challenges.models import ChallengeStatus, IPTerms
from ideagora.searching.queries import ListingKind
from ideagora.taxonomy import field_name
from search.documents import CHALLENGE
from search.query import SearchHit, SearchResults

# facet of the engine → (query-string argument, heading on the page)
FACETS = {
    "kind": ("type", "Kind"),
    "fields": ("field", "Technical field"),
    "status": ("status", "Status"),
    "deal_types": ("deal_type", "Deal or IP terms"),
    "patent_status": ("patent_status", "Protection"),
    "trl": ("trl", "TRL"),
}
KIND_NAMES = {kind.value: kind.label for kind in ListingKind}
# the most frequent values of a facet the page lists; the filters reach the rest
FACET_VALUES_SHOWN = 12


def _labels(*enums: Any) -> dict[str, str]:
    return {member.value: member.label for enum_class in enums for member in enum_class}


STATUS_LABELS = _labels(ChallengeStatus, AssetStatus)
DEAL_LABELS = {**_labels(IPTerms), **_labels(DealType)}
PATENT_LABELS = _labels(PatentStatus)


def value_label(facet: str, value: str) -> str:
    """Return how a page shows a facet's value."""
    if facet == "kind":
        return KIND_NAMES.get(value, value)
    if facet == "fields":
        return field_name(value)
    if facet == "trl":
        return f"TRL {value}"
    labels = {"status": STATUS_LABELS, "deal_types": DEAL_LABELS, "patent_status": PATENT_LABELS}
    return labels.get(facet, {}).get(value, value)


@dataclass(frozen=True)
class FacetLink:
    """One value of a facet: how many results have it, and the link that filters by it."""

    label: str
    count: int
    url: str
    active: bool


@dataclass(frozen=True)
class Facet:
    """A facet's heading and its values."""

    name: str
    heading: str
    links: list[FacetLink]


def search_url(args: Mapping[str, str], **changes: str | None) -> str:
    """Return the search page's URL with ``changes`` made to ``args`` (None removes one)."""
    merged = {key: value for key, value in args.items() if value and key != "page"}
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return url_for("searching.search", **merged)


def _facet_args(argument: str, value: str) -> dict[str, str]:
    if argument == "trl":
        return {"trl_min": value, "trl_max": value}
    return {argument: value}


def _is_active(args: Mapping[str, str], argument: str, value: str) -> bool:
    return all(args.get(key) == wanted for key, wanted in _facet_args(argument, value).items())


def facets(results: SearchResults, args: Mapping[str, str]) -> list[Facet]:
    """Return the facets with at least one value, each value a link that filters by it."""
    shown = []
    for name, (argument, heading) in FACETS.items():
        values = results.facets.get(name) or []
        links = [
            FacetLink(
                label=value_label(name, str(value)),
                count=count,
                url=search_url(args, **_facet_args(argument, str(value))),
                active=_is_active(args, argument, str(value)),
            )
            for value, count in values[:FACET_VALUES_SHOWN]
            if count
        ]
        if links:
            shown.append(Facet(name, heading, links))
    return shown


@dataclass(frozen=True)
class HitView:
    """One result as a page shows it; ``snippet`` is the engine's escaped, highlighted HTML."""

    hit: SearchHit
    url: str
    kind_label: str
    status_label: str
    snippet: Markup


def hit_views(results: SearchResults) -> list[HitView]:
    """Return the page's view of each hit."""
    views = []
    for hit in results.hits:
        if hit.kind == CHALLENGE:
            url = url_for("challenges.detail", challenge_id=hit.id)
        else:
            url = url_for("assets.detail", asset_id=hit.id)
        views.append(
            HitView(
                hit=hit,
                url=url,
                kind_label="Challenge" if hit.kind == CHALLENGE else "IP offer",
                status_label=STATUS_LABELS.get(hit.status, hit.status),
                # the engine escapes every public text it quotes and adds only <mark> tags
                snippet=Markup(hit.snippet),  # noqa: S704
            )
        )
    return views


@dataclass(frozen=True)
class PageLink:
    """A link to one page of results; ``current`` marks the page shown."""

    number: int
    url: str
    current: bool


def page_links(results: SearchResults, args: Mapping[str, str], around: int = 2) -> list[PageLink]:
    """Return links to the first, last and nearby pages of the results."""
    if results.pages <= 1:
        return []
    numbers = {1, results.pages, *range(results.page - around, results.page + around + 1)}
    return [
        PageLink(number, search_url(args, page=str(number)), number == results.page)
        for number in sorted(n for n in numbers if 1 <= n <= results.pages)
    ]
