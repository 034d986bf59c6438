"""The search page: one search over challenges and IP offers, with filters and facets."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from ideagora.assets.models import PatentStatus
from ideagora.listings.browsing import field_groups, page_number
from ideagora.searching import presenting, queries, services

bp = Blueprint("searching", __name__)

FILTER_LABELS = {
    "type": "What to search",
    "field": "Technical field",
    "trl_min": "TRL from",
    "trl_max": "TRL up to",
    "status": "Status",
    "deal_type": "Deal or IP terms",
    "patent_status": "Protection",
    "sort": "Sort by",
}


@bp.get("/search")
def search():
    parsed, problems = queries.parse_search(request.args, page=page_number(request.args))
    if problems:
        # the words alone are still searched; the page says which filters were not used
        parsed, _ = queries.parse_search({"q": request.args.get("q", "")})
    results = services.search(parsed.request)
    args = {key: value for key, value in request.args.items() if isinstance(value, str)}
    return render_template(
        "searching/search.html",
        parsed=parsed,
        results=results,
        hits=presenting.hit_views(results),
        facets=presenting.facets(results, args),
        pages=presenting.page_links(results, args),
        suggestion_url=(
            presenting.search_url(args, q=results.suggestion) if results.suggestion else None
        ),
        notices=[notice for notice in (parsed.notice, results.notice) if notice],
        problems=problems,
        labels=FILTER_LABELS,
        kinds=queries.ListingKind,
        field_groups=field_groups(),
        statuses=[
            (value, label)
            for value, label in presenting.STATUS_LABELS.items()
            if value in {status.value for status in queries.STATUSES}
        ],
        deal_types=[(deal.value, deal.label) for deal in queries.DEALS],
        patent_statuses=PatentStatus,
        sorts=queries.SORT_LABELS,
    ), 400 if problems else 200
