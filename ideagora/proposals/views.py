"""Pages for proposals: submit one to a challenge, read it with its receipt, decide on it."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from ideagora.accounts.forms import ConfirmForm
from ideagora.attachments.models import OwnerType
from ideagora.attachments.views import upload_view
from ideagora.challenges import services as challenges
from ideagora.challenges.models import Challenge, ChallengeStatus
from ideagora.database import db
from ideagora.errors import DomainError
from ideagora.forms import domain_error_text, show_domain_error
from ideagora.proposals import files, services
from ideagora.proposals.forms import DeclineForm, ProposalForm
from ideagora.proposals.models import Proposal
from ideagora.proposals.queries import changes_since_submission
from ideagora.requests import client_ip

bp = Blueprint("proposals", __name__)

_DONE = {"shortlist": "shortlisted", "award": "awarded", "withdraw": "withdrawn"}


def _challenge(challenge_id: int) -> Challenge:
    try:
        challenge = challenges.get_visible_challenge(db.session, current_user, challenge_id)
    except DomainError:
        abort(404)
    db.session.commit()
    return challenge


def _proposal(proposal_id: int) -> Proposal:
    try:
        return services.get_visible_proposal(db.session, current_user, proposal_id)
    except DomainError:
        abort(404)


def _refuse_or_flash(error: DomainError, proposal_id: int) -> Any:
    # hidden or forbidden: an error page; a state conflict: say why on the proposal's page
    db.session.rollback()
    if error.status in (403, 404):
        raise error
    flash(domain_error_text(error), "danger")
    return redirect(url_for(".detail", proposal_id=proposal_id))


@bp.app_template_global()
def proposal_panel(challenge: Challenge) -> dict[str, Any]:
    """Return what the challenge page shows about proposals to the current user."""
    signed_in = current_user.is_authenticated and current_user.membership is not None
    refusal = None
    if signed_in:
        try:
            services.check_may_propose(current_user, challenge)
        except DomainError as error:
            refusal = error.message
    return {
        "signed_in": signed_in,
        "may_propose": signed_in and refusal is None,
        "refusal": refusal,
        "accepting": challenge.status is ChallengeStatus.OPEN,
        "is_seeker": signed_in
        and current_user.membership.organization_id == challenge.organization_id,
        "proposals": services.proposals_for(db.session, current_user, challenge)
        if signed_in
        else [],
    }


@bp.route("/challenges/<int:challenge_id>/proposals/new", methods=["GET", "POST"])
@login_required
def new(challenge_id: int):
    challenge = _challenge(challenge_id)
    if request.method == "GET":
        # a refused submission below keeps the typed text on the form, with the reason
        try:
            services.check_may_propose(current_user, challenge)
        except DomainError as error:
            if error.status == 404:
                abort(404)
            flash(error.message, "danger")
            return redirect(url_for("challenges.detail", challenge_id=challenge.id))
    form = ProposalForm()
    form.set_offers(services.linkable_assets(db.session, current_user))
    status = 200
    if form.validate_on_submit():
        try:
            proposal = services.submit_proposal(
                db.session, current_user, challenge, form.to_data(), ip_address=client_ip()
            )
        except DomainError as error:
            db.session.rollback()
            if error.status == 404:
                abort(404)
            show_domain_error(form, error)
            status = error.status
        else:
            db.session.commit()
            flash("Your proposal is submitted. Its receipt is below: keep it.", "success")
            return redirect(url_for(".detail", proposal_id=proposal.id))
    if form.errors and status == 200:
        status = 422
    return render_template("proposals/form.html", form=form, challenge=challenge), status


@bp.get("/challenges/<int:challenge_id>/proposals")
@login_required
def for_challenge(challenge_id: int):
    challenge = _challenge(challenge_id)
    return render_template(
        "proposals/list.html",
        challenge=challenge,
        proposals=services.proposals_for(db.session, current_user, challenge),
        is_seeker=current_user.membership is not None
        and current_user.membership.organization_id == challenge.organization_id,
    )


@bp.get("/proposals/<int:proposal_id>")
@login_required
def detail(proposal_id: int):
    proposal = _proposal(proposal_id)
    return render_template(
        "proposals/detail.html",
        proposal=proposal,
        challenge=proposal.challenge,
        is_seeker=services.is_seeker(current_user, proposal),
        may_decide=services.may_decide(current_user, proposal),
        changes=changes_since_submission(db.session, current_user, proposal),
        confirm_form=ConfirmForm(),
    )


@bp.get("/proposals/<int:proposal_id>/receipt.json")
@login_required
def receipt(proposal_id: int):
    proposal = _proposal(proposal_id)
    return Response(
        services.receipt_document(proposal),
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="proposal-{proposal.id}-receipt.json"'
        },
    )


@bp.post("/proposals/<int:proposal_id>/<any(shortlist, award, withdraw):action>")
@login_required
def act(proposal_id: int, action: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    proposal = _proposal(proposal_id)
    service = {
        "shortlist": services.shortlist_proposal,
        "award": services.award_proposal,
        "withdraw": services.withdraw_proposal,
    }[action]
    try:
        service(db.session, current_user, proposal, ip_address=client_ip())
    except DomainError as error:
        return _refuse_or_flash(error, proposal_id)
    db.session.commit()
    flash(f"The proposal is {_DONE[action]}.", "success")
    return redirect(url_for(".detail", proposal_id=proposal_id))


@bp.post("/proposals/<int:proposal_id>/attachments")
@login_required
def attach(proposal_id: int):
    proposal = _proposal(proposal_id)
    try:
        files.check_may_attach(current_user, proposal)
    except DomainError as error:
        return _refuse_or_flash(error, proposal_id)
    return upload_view(OwnerType.PROPOSAL, proposal_id)


@bp.route("/proposals/<int:proposal_id>/decline", methods=["GET", "POST"])
@login_required
def decline(proposal_id: int):
    proposal = _proposal(proposal_id)
    services.require_decider(current_user, proposal)
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            services.decline_proposal(
                db.session,
                current_user,
                proposal,
                form.reason_code.data,
                form.feedback.data,
                ip_address=client_ip(),
            )
        except DomainError as error:
            if error.status != 422:
                return _refuse_or_flash(error, proposal_id)
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash("The proposal is declined; the proposer can read your feedback.", "success")
            return redirect(url_for(".detail", proposal_id=proposal_id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("proposals/decline.html", form=form, proposal=proposal), status
