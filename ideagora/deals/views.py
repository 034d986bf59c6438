"""Pages of licence deals: open one on an offer, propose and accept terms, sign, verify a copy.

Only the two parties see a deal: its terms as a table, each revision's redline against the one
before, the acceptances, the comments and the agreement. Their admins and licensing officers
propose, accept and sign; any of their members comments. Anyone may check a PDF on the
verification page, which names the deal and the seal's time, never a term.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from ideagora.accounts import freshness
from ideagora.accounts.errors import FreshLoginRequired
from ideagora.accounts.reauthentication import prove_identity
from ideagora.assets import services as assets
from ideagora.assets.models import Asset
from ideagora.challenges.models import Challenge, ChallengeStatus
from ideagora.database import db, utcnow
from ideagora.deals import agreements, services
from ideagora.deals.forms import CommentForm, OpenDealForm, SignForm, TermsForm, VerifyForm
from ideagora.deals.models import Agreement, Deal, DealRevision, DealStatus
from ideagora.errors import DomainError, Forbidden, NotFound, ValidationFailed
from ideagora.extensions import limit_from_config
from ideagora.forms import show_domain_error
from ideagora.listings.browsing import page_number
from ideagora.requests import client_ip, evidence
from licensing.presets import PRESET_KEYS, PRESETS, preset
from licensing.redline import long_date, money, shown
from licensing.terms import FIELD_LABELS

bp = Blueprint("deals", __name__)

PER_PAGE = 20
# the challenges a deal may answer: those that were ever open to proposals
_LINKABLE = (
    ChallengeStatus.OPEN,
    ChallengeStatus.EVALUATING,
    ChallengeStatus.AWARDED,
    ChallengeStatus.CLOSED,
)


def _deal(deal_id: int) -> Deal:
    return services.deal_for(db.session, current_user, deal_id)


def _fresh() -> bool:
    return freshness.is_fresh(int(current_app.config["NDA_FRESH_LOGIN_SECONDS"]))


def _undo(error: DomainError) -> DomainError:
    """Undo the refused work; hidden or forbidden things become the error page."""
    db.session.rollback()
    if error.status in (403, 404):
        raise error
    return error


@bp.get("/deals")
@login_required
def index():
    page = db.paginate(
        services.deals_query(current_user),
        page=page_number(request.args),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template("deals/list.html", page=page)


@bp.post("/offers/<int:asset_id>/deals")
@login_required
def open_deal(asset_id: int):
    asset = _offer(asset_id)
    form = OpenDealForm()
    form.offer_challenges(linkable_challenges(asset))
    try:
        deal = services.open_deal(
            db.session,
            current_user,
            asset,
            challenge_id=form.chosen_challenge(),
            ip_address=client_ip(),
        )
    except DomainError as error:
        refused = _undo(error)
        show_domain_error(form, refused)
        page = render_template("deals/open.html", asset=asset, form=form)
        return page, refused.status
    db.session.commit()
    flash(f"Deal {deal.reference} is open. Propose the first terms, or wait for them.", "success")
    return redirect(url_for(".detail", deal_id=deal.id))


def _offer(asset_id: int) -> Asset:
    try:
        return assets.get_visible_asset(db.session, current_user, asset_id)
    except DomainError:
        raise NotFound("There is no such IP offer.") from None


def linkable_challenges(asset: Asset) -> list[Challenge]:
    """Return the challenges a deal on the offer may answer: the user's and the licensor's.

    The licensor's anonymous challenges are left out: choosing one would tell who posted it.
    """
    organization_id = services.organization_id_of(current_user)
    if organization_id is None:
        return []
    mine = Challenge.organization_id == organization_id
    licensors = sa.and_(
        Challenge.organization_id == asset.organization_id, Challenge.anonymous.is_(False)
    )
    query = (
        sa.select(Challenge)
        .where(sa.or_(mine, licensors), Challenge.status.in_(_LINKABLE))
        .order_by(Challenge.title)
    )
    return list(db.session.scalars(query))


@bp.app_template_global()
def deal_offer_panel(asset: Asset) -> dict[str, Any]:
    """Return what an offer's page says about licence deals to the current user."""
    cache = g.setdefault("deal_offer_panels", {})
    if asset.id not in cache:
        cache[asset.id] = _offer_panel(asset)
    return cache[asset.id]


def _offer_panel(asset: Asset) -> dict[str, Any]:
    membership = current_user.membership if current_user.is_authenticated else None
    if membership is None or membership.organization_id == asset.organization_id:
        return {"show": False}
    current = db.session.scalar(
        services.deals_query(current_user)
        .where(Deal.asset_id == asset.id, Deal.status.in_(services.LIVE))
        .limit(1)
    )
    form = OpenDealForm(formdata=None)
    form.offer_challenges(linkable_challenges(asset))
    return {
        "show": asset.status in services.OPENABLE or current is not None,
        "open_deal": current,
        "may_open": current is None and asset.status in services.OPENABLE,
        "form": form,
    }


@bp.app_template_global()
def deal_preset_name(key: str) -> str:
    """Return the name of the preset a revision started from."""
    try:
        return preset(key).name
    except KeyError:
        return key


@bp.get("/deals/<int:deal_id>")
@login_required
def detail(deal_id: int):
    return _detail_page(_deal(deal_id))


def _detail_page(
    deal: Deal,
    *,
    status: int = 200,
    problem: str | None = None,
    comment_form: CommentForm | None = None,
    sign_form: SignForm | None = None,
) -> tuple[str, int]:
    latest = deal.latest_revision
    role = deal.role_of(current_user.membership.organization_id)
    agreement = agreements.agreement_of(db.session, deal)
    sign_form = sign_form or SignForm(formdata=None)
    sign_form.assent.label.text = agreements.assent_wording(
        current_user.membership.organization.name
    )
    page = render_template(
        "deals/detail.html",
        deal=deal,
        role=role,
        latest=latest,
        rows=terms_rows(latest.terms) if latest else [],
        milestones=milestone_lines(latest.terms) if latest else [],
        changes=services.diff(deal, latest.number) if latest else [],
        may_negotiate=services.may_negotiate(current_user, deal),
        acceptable=_acceptable(deal, latest, role),
        acceptances=services.acceptances_of(db.session, deal),
        comments=services.comments_of(db.session, deal),
        comment_form=comment_form or CommentForm(formdata=None),
        agreement=agreement,
        signed_by=_signed_parties(agreement),
        sign_form=sign_form,
        needs_password=not _fresh(),
        problem=problem,
    )
    return page, status


def _acceptable(deal: Deal, latest: DealRevision | None, role: Any) -> bool:
    """Return whether the latest revision is the other party's and may still be accepted."""
    if latest is None or deal.status is not DealStatus.NEGOTIATING or latest.party is role:
        return False
    return latest.open_until is None or latest.open_until > utcnow()


def _signed_parties(agreement: Agreement | None) -> set[str]:
    return {signature.party.value for signature in agreement.signatures} if agreement else set()


def terms_rows(terms: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return each term but the milestones as a label and its value, as an officer reads them."""
    return [
        (label, shown(field, terms))
        for field, label in FIELD_LABELS.items()
        if field != "milestones"
    ]


def milestone_lines(terms: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """Return each milestone as its event, its amount and its due date, in words."""
    currency = terms.get("currency")
    return [
        (item.get("event", ""), money(item.get("amount"), currency), long_date(item.get("due")))
        for item in terms.get("milestones") or []
    ]


@bp.route("/deals/<int:deal_id>/revisions/new", methods=["GET", "POST"])
@login_required
def new_revision(deal_id: int):
    deal = _deal(deal_id)
    if not services.may_negotiate(current_user, deal):
        raise Forbidden("Only an admin or a licensing officer of a party may propose terms.")
    if deal.status is not DealStatus.NEGOTIATING:
        flash(f"This deal is {deal.status.label.lower()}: no more terms can be proposed.", "info")
        return redirect(url_for(".detail", deal_id=deal.id))
    form = TermsForm()
    form.offer_patents(list(deal.asset.patent_numbers or []))
    if request.method == "GET":
        _start_form(form, deal)
    elif form.validate_on_submit():
        return _propose(deal, form)
    return _terms_page(deal, form, 422 if request.method == "POST" else 200)


def _start_form(form: TermsForm, deal: Deal) -> None:
    """Fill the form with the latest terms, or with the preset the officer chose."""
    key = request.args.get("preset") or None
    if key is not None and key not in PRESET_KEYS:
        form.form_errors.append("There is no such preset: choose one from the list.")
        key = None
    terms = services.starting_terms(deal, key)
    form.fill(terms)
    form.preset.data = key or ""
    effective = terms.get("effective_date")
    form.effective_date.data = effective if key is None and effective else ""


def _propose(deal: Deal, form: TermsForm) -> Any:
    try:
        revision = services.propose(
            db.session, current_user, deal, form.to_data(), **evidence("page")
        )
    except DomainError as error:
        refused = _undo(error)
        form.show_problems(refused.fields, refused.message)
        return _terms_page(_deal(deal.id), form, refused.status)
    db.session.commit()
    flash(f"Revision {revision.number} is proposed; the other party is told.", "success")
    return redirect(url_for(".detail", deal_id=deal.id))


def _terms_page(deal: Deal, form: TermsForm, status: int) -> tuple[str, int]:
    return render_template(
        "deals/revision_form.html", deal=deal, form=form, presets=PRESETS
    ), status


@bp.get("/deals/<int:deal_id>/revisions/<int:number>")
@login_required
def revision(deal_id: int, number: int):
    deal = _deal(deal_id)
    shown_revision = services.revision_of(deal, number)
    return render_template(
        "deals/revision.html",
        deal=deal,
        revision=shown_revision,
        rows=terms_rows(shown_revision.terms),
        milestones=milestone_lines(shown_revision.terms),
        changes=services.diff(deal, number),
    )


@bp.post("/deals/<int:deal_id>/revisions/<int:number>/accept")
@login_required
def accept(deal_id: int, number: int):
    deal = _deal(deal_id)
    try:
        deal = services.accept(db.session, current_user, deal, number, **evidence("page"))
    except DomainError as error:
        refused = _undo(error)
        return _detail_page(_deal(deal_id), status=refused.status, problem=refused.message)
    db.session.commit()
    if deal.status is DealStatus.AGREED:
        flash(
            f"Both parties accept revision {number}: the agreement is drafted for signature.",
            "success",
        )
    else:
        flash(f"You accepted revision {number}; the other party is told.", "success")
    return redirect(url_for(".detail", deal_id=deal_id))


@bp.post("/deals/<int:deal_id>/comments")
@login_required
def comment(deal_id: int):
    deal = _deal(deal_id)
    form = CommentForm()
    try:
        services.comment(db.session, current_user, deal, form.body.data, ip_address=client_ip())
    except DomainError as error:
        refused = _undo(error)
        show_domain_error(form, refused)
        return _detail_page(_deal(deal_id), status=refused.status, comment_form=form)
    db.session.commit()
    flash("Your comment is posted.", "success")
    return redirect(url_for(".detail", deal_id=deal_id) + "#comments")


@bp.post("/deals/<int:deal_id>/sign")
@login_required
def sign(deal_id: int):
    deal = _deal(deal_id)
    form = SignForm()
    fresh = _fresh()
    if not fresh and form.password.data:
        refusal = prove_identity(form)
        if refusal is not None:
            return _detail_page(deal, status=refusal, sign_form=form)
        fresh = True
    try:
        agreements.sign(
            db.session,
            current_user,
            deal,
            signer_name=form.signer_name.data,
            signer_title=form.signer_title.data,
            assent=form.assent.data is True,
            fresh_login=fresh,
            **evidence("page"),
        )
    except DomainError as error:
        return _refused_signature(deal_id, form, _undo(error))
    db.session.commit()
    flash(_signed_message(_deal(deal_id)), "success")
    return redirect(url_for(".detail", deal_id=deal_id))


def _refused_signature(deal_id: int, form: SignForm, error: DomainError) -> Any:
    if isinstance(error, FreshLoginRequired):
        form.password.errors = [error.message]
    elif isinstance(error, ValidationFailed):
        show_domain_error(form, error)
    return _detail_page(
        _deal(deal_id),
        status=error.status,
        sign_form=form,
        problem=None if isinstance(error, ValidationFailed | FreshLoginRequired) else error.message,
    )


def _signed_message(deal: Deal) -> str:
    if deal.status is DealStatus.SIGNED:
        return "Both parties have signed: the final agreement is sealed and ready to download."
    return "You signed the agreement; the other party is asked to sign it too."


@bp.get("/deals/<int:deal_id>/agreement.pdf")
@login_required
def agreement_pdf(deal_id: int):
    filename, pdf = agreements.agreement_file(db.session, current_user, _deal(deal_id))
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/agreements/verify", methods=["GET", "POST"])
@limit_from_config("AGREEMENT_VERIFY_RATE_LIMIT", methods=["POST"])
def verify():
    form = VerifyForm()
    result, status = None, 200
    if form.validate_on_submit():
        upload = form.document.data
        data = upload.read() if upload else b""
        if data:
            result = agreements.verify_upload(db.session, data)
        else:
            form.document.errors = ["Choose the PDF of the agreement to check."]
    if request.method == "POST" and result is None:
        status = 422
    return render_template("deals/verify.html", form=form, result=result), status
