"""Pages for challenges: browse, read, post, edit, and move through the lifecycle."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user, login_required

from ideagora.accounts.forms import ConfirmForm
from ideagora.challenges import queries, services
from ideagora.challenges.forms import ChallengeForm
from ideagora.challenges.models import Challenge, ChallengeStatus, ChallengeType
from ideagora.database import db
from ideagora.disclosure.access_log import record_view
from ideagora.errors import DomainError
from ideagora.listings import queries as listing_queries
from ideagora.listings import services as listings
from ideagora.listings import views as listing_views
from ideagora.listings.browsing import filter_context, organization_name, page_number
from ideagora.requests import client_ip, evidence
from ideagora.taxonomy import field_name

bp = Blueprint("challenges", __name__, url_prefix="/challenges")

PER_PAGE = 20
FILTER_LABELS = {
    "q": ("Words", lambda value: f"“{value}”"),
    "field": ("Technical field", field_name),
    "type": ("Type", lambda value: ChallengeType(value).label),
    "status": ("Status", lambda value: ChallengeStatus(value).label),
    "trl_min": ("TRL from", str),
    "trl_max": ("TRL up to", str),
    "award_min": ("Award from", str),
    "award_max": ("Award up to", str),
    "deadline_after": ("Deadline on or after", str),
    "deadline_before": ("Deadline on or before", str),
    "open": (
        "Open for proposals",
        lambda value: "yes" if listing_queries.yes_no(value, "") else "no",
    ),
    "organization": ("Organisation", organization_name),
}


@bp.get("")
def browse():
    services.advance_past_deadlines(db.session)
    db.session.commit()
    filters, problems = queries.parse_challenge_filters(request.args)
    page = db.paginate(
        queries.published_challenges_query(filters),
        page=page_number(request.args),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template(
        "challenges/browse.html",
        page=page,
        filters=filters,
        **filter_context(request.args, problems, FILTER_LABELS),
        statuses=services.PUBLIC_STATUSES,
        challenge_types=ChallengeType,
        sorts=queries.SORT_LABELS,
    ), 400 if problems else 200


def _load(challenge_id: int) -> Challenge:
    try:
        challenge = services.get_visible_challenge(db.session, current_user, challenge_id)
    except DomainError:
        abort(404)
    db.session.commit()
    return challenge


@bp.get("/<int:challenge_id>")
def detail(challenge_id: int):
    challenge = _load(challenge_id)
    access = listings.access_of(current_user, challenge)
    if access.may_see_confidential:
        record_view(db.session, current_user, challenge, **evidence("page"))
        db.session.commit()
    return render_template(
        "challenges/detail.html",
        challenge=challenge,
        access=access,
        revisions=listings.revisions(db.session, challenge)
        if access is listings.Access.OWNER
        else [],
        confirm_form=ConfirmForm(),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    return listing_views.save_form(
        ChallengeForm(),
        lambda data: services.create_challenge(
            db.session, current_user, data, ip_address=client_ip()
        ),
        success="Your challenge is saved as a draft. Publish it when it is ready.",
        url_of=lambda challenge: url_for(".detail", challenge_id=challenge.id),
        template="challenges/form.html",
        challenge=None,
    )


@bp.route("/<int:challenge_id>/edit", methods=["GET", "POST"])
@login_required
def edit(challenge_id: int):
    challenge = _load(challenge_id)
    if listings.access_of(current_user, challenge) is not listings.Access.OWNER:
        abort(404)
    form = ChallengeForm(obj=challenge)
    if request.method == "GET":
        form.fields.data = list(challenge.fields)
        form.keywords.data = ", ".join(challenge.keywords)
        form.deadline.data = challenge.deadline.date()
    return listing_views.save_form(
        form,
        lambda data: services.update_challenge(
            db.session, current_user, challenge, data, ip_address=client_ip()
        ),
        success="Your changes are saved.",
        url_of=lambda challenge: url_for(".detail", challenge_id=challenge.id),
        template="challenges/form.html",
        challenge=challenge,
    )


@bp.post("/<int:challenge_id>/<any(publish, close, withdraw):action>")
@login_required
def change_status(challenge_id: int, action: str):
    listing_views.require_confirmation()
    challenge = _load(challenge_id)
    return listing_views.change_status(
        challenge,
        lambda: services.change_status(
            db.session, current_user, challenge, action, ip_address=client_ip()
        ),
        noun="challenge",
        back_to=url_for(".detail", challenge_id=challenge_id),
    )
