"""Browse published IP offers: the filters people may use, and the query they make."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ideagora.assets.models import Asset, AssetField, AssetStatus, DealType, PatentStatus
from ideagora.assets.services import PUBLIC_STATUSES
from ideagora.listings import queries

SORTS = ("newest", "trl", "title")
SORT_LABELS = {"newest": "Newest first", "trl": "Highest TRL", "title": "Title A–Z"}


@dataclass(frozen=True)
class AssetFilters:
    """What a visitor narrowed the published IP offers to, and how they are sorted."""

    q: str | None = None
    field: str | None = None
    patent_status: PatentStatus | None = None
    deal_type: DealType | None = None
    trl_min: int | None = None
    trl_max: int | None = None
    status: AssetStatus | None = None
    organization_id: int | None = None
    sort: str = SORTS[0]

    @property
    def active(self) -> bool:
        """Whether any filter narrows the list (the sort order does not)."""
        return self != AssetFilters(sort=self.sort)


_PARSERS = {
    "q": ("q", queries.text_query),
    "field": ("field", queries.technical_field),
    "patent_status": (
        "patent_status",
        lambda value: queries.choice(value, tuple(PatentStatus), "the patent status"),
    ),
    "deal_type": (
        "deal_type",
        lambda value: queries.choice(value, tuple(DealType), "the deal type"),
    ),
    "trl_min": ("trl_min", queries.trl_bound),
    "trl_max": ("trl_max", queries.trl_bound),
    "status": ("status", lambda value: queries.choice(value, PUBLIC_STATUSES, "the status")),
    "organization_id": ("organization", queries.organization),
    "sort": ("sort", lambda value: queries.sort_order(value, SORTS)),
}


def parse_asset_filters(args: Mapping[str, Any]) -> tuple[AssetFilters, dict[str, str]]:
    """Return the filters in a query string, and a message for each argument that is wrong.

    When any argument is wrong the filters returned are empty: nothing half-applied.
    """
    values, errors = queries.read_arguments(args, _PARSERS)
    queries.check_range(
        errors, values, "trl_min", "trl_max", "The lowest TRL ({}) is above the highest ({})."
    )
    if errors.messages:
        return AssetFilters(), errors.messages
    return AssetFilters(**values), {}


def _conditions(filters: AssetFilters) -> list[sa.ColumnElement[bool]]:
    # (the filter's value, the condition it makes); a filter left empty adds nothing
    wanted = (
        (filters.q, lambda q: queries.text_condition(Asset, q)),
        (
            filters.field,
            lambda slug: queries.field_condition(Asset, AssetField, AssetField.asset_id, slug),
        ),
        (filters.patent_status, lambda status: Asset.patent_status == status),
        (filters.deal_type, lambda deal: queries.json_list_contains(Asset.deal_types, deal.value)),
        (filters.trl_min, lambda trl: Asset.trl >= trl),
        (filters.trl_max, lambda trl: Asset.trl <= trl),
        (filters.status, lambda status: Asset.status == status),
        (filters.organization_id, lambda number: Asset.organization_id == number),
    )
    return [Asset.status.in_(PUBLIC_STATUSES)] + [
        condition(value) for value, condition in wanted if value is not None
    ]


def _order(sort: str) -> list[Any]:
    newest = [Asset.published_at.desc(), Asset.id.desc()]
    if sort == "trl":
        return [Asset.trl.desc().nulls_last(), *newest]
    if sort == "title":
        return [sa.func.lower(Asset.title), Asset.id]
    return newest


def published_assets_query(filters: AssetFilters | None = None) -> sa.Select[tuple[Asset]]:
    """Return the query for the IP offers the public may browse, filtered and sorted."""
    filters = filters or AssetFilters()
    return sa.select(Asset).where(*_conditions(filters)).order_by(*_order(filters.sort))
