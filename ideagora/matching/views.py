"""Pages for owners: the IP offers that may solve a challenge, the challenges an offer answers."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from ideagora.assets import services as assets
from ideagora.challenges import services as challenges
from ideagora.database import db
from ideagora.errors import DomainError
from ideagora.matching import services
from ideagora.matching.services import Listing, ListingMatch

bp = Blueprint("matching", __name__)


def _render(load: Any, listing_id: int, template: str) -> Any:
    # a missing listing and one of another organisation give the same 404
    try:
        listing = load(db.session, current_user, listing_id)
        found = services.matches_for(db.session, current_user, listing, services.LIMIT_MAX)
    except DomainError:
        abort(404)
    db.session.commit()
    return render_template(template, listing=listing, matches=found)


@bp.get("/challenges/<int:challenge_id>/matches")
@login_required
def for_challenge(challenge_id: int):
    return _render(challenges.get_visible_challenge, challenge_id, "matching/for_challenge.html")


@bp.get("/offers/<int:asset_id>/matches")
@login_required
def for_asset(asset_id: int):
    return _render(assets.get_visible_asset, asset_id, "matching/for_asset.html")


@bp.app_template_global()
def match_panel(listing: Listing) -> list[ListingMatch]:
    """Return the best few matches a listing's page shows its owner (none to anyone else)."""
    return services.panel_matches(db.session, current_user, listing)
