"""API endpoint for search: ranked public challenges and IP offers, with facets."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import current_app
from marshmallow import fields

from ideagora.api.auth import OPTIONAL_BEARER, optional_token
from ideagora.api.blueprints import api_blueprint
from ideagora.api.listings import browse_filters, filter_argument
from ideagora.api.pagination import PageArgsSchema
from ideagora.searching import queries, services
from search.query import SearchHit, SearchResults

blp = api_blueprint(
    "api_search", __name__, "/api/v1/search", "Full-text search over the public listings."
)


class SearchArgsSchema(PageArgsSchema):
    q = filter_argument(
        'Words, "phrases", AND/OR/NOT, and title:, keyword:, field:, owner:, patent: filters; '
        f"only the first {queries.QUERY_MAX} characters are used"
    )
    kind = filter_argument(
        "What to search (default all)", data_key="type", enum=[k.value for k in queries.ListingKind]
    )
    field = filter_argument("A technical-field slug; a top-level field includes its children")
    trl_min = filter_argument(
        "Lowest TRL (offered, or sought by a challenge), 1 to 9", type="integer"
    )
    trl_max = filter_argument("Highest TRL, 1 to 9", type="integer")
    status = filter_argument("A public status", enum=[status.value for status in queries.STATUSES])
    deal_type = filter_argument(
        "A deal type offered, or the IP terms a challenge wants",
        enum=[deal.value for deal in queries.DEALS],
    )
    patent_status = filter_argument("How an offer's IP is protected")
    sort = filter_argument("Sort order (default relevance)", enum=list(queries.SORTS))


class SearchItemSchema(ma.Schema):
    type = fields.String(metadata={"enum": ["challenge", "asset"]})
    id = fields.Integer()
    title = fields.String()
    summary = fields.String()
    owner = fields.String(metadata={"description": "The organisation, or a seeker's pseudonym"})
    status = fields.String()
    trl = fields.Integer(allow_none=True)
    technical_fields = fields.List(fields.String(), data_key="fields")
    deal_types = fields.List(fields.String())
    published_at = fields.DateTime(allow_none=True)
    open_until = fields.DateTime(allow_none=True, metadata={"description": "A deadline"})
    score = fields.Float()
    snippet = fields.String(
        metadata={"description": "HTML: public text, escaped, with matched words in <mark>"}
    )


class FacetValueSchema(ma.Schema):
    value = fields.String()
    count = fields.Integer()


class SearchPageSchema(ma.Schema):
    items = fields.List(fields.Nested(SearchItemSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    pages = fields.Integer()
    facets = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(FacetValueSchema)))
    suggestion = fields.String(allow_none=True, metadata={"description": '"Did you mean" query'})
    notice = fields.String(allow_none=True, metadata={"description": "How the query was read"})


def item(hit: SearchHit) -> dict[str, Any]:
    """Return one hit as the API shows it."""
    return {
        "type": hit.kind,
        "id": hit.id,
        "title": hit.title,
        "summary": hit.summary,
        "owner": hit.owner,
        "status": hit.status,
        "trl": hit.trl,
        "technical_fields": list(hit.fields),
        "deal_types": list(hit.deal_types),
        "published_at": hit.published_at,
        "open_until": hit.open_until,
        "score": hit.score,
        "snippet": hit.snippet,
    }


def payload(results: SearchResults, per_page: int, notices: list[str]) -> dict[str, Any]:
    """Return a page of results with its facets, suggestion and notice."""
    return {
        "items": [item(hit) for hit in results.hits],
        "page": results.page,
        "per_page": per_page,
        "total": results.total,
        "pages": results.pages,
        "facets": {
            name: [{"value": str(value), "count": count} for value, count in values]
            for name, values in results.facets.items()
        },
        "suggestion": results.suggestion,
        "notice": " ".join(notices) or None,
    }


@blp.get("")
@optional_token
@blp.doc(security=OPTIONAL_BEARER)
@blp.arguments(SearchArgsSchema, location="query")
@blp.response(200, SearchPageSchema)
def search(args: dict[str, Any]) -> dict[str, Any]:
    """Search the public listings; a wrong filter is refused with 422 naming it."""
    per_page = min(args["per_page"], current_app.config["API_PAGE_SIZE_MAX"])
    parsed = browse_filters(
        lambda query: queries.parse_search(query, page=args["page"], per_page=per_page)
    )
    results = services.search(parsed.request)
    notices = [notice for notice in (parsed.notice, results.notice) if notice]
    return payload(results, per_page, notices)
