"""Pages of the disclosure flow: accept a listing's NDA, decide on requests, read the log.

A requester reads the full NDA and signs it on the listing's NDA page; the owner's admins and
licensing officers approve, decline and revoke on the listing's access page, which also shows
the access log. Both parties download the certificate of an acceptance.
"""

from __future__ import annotations

from typing import Any

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
from ideagora.alerts.texts import public_owner
from ideagora.database import db, utcnow
from ideagora.disclosure import acceptance, access_log, certificates, decisions, services
from ideagora.disclosure.forms import AcceptNdaForm, ReasonForm
from ideagora.disclosure.models import DisclosureGrant, GrantStatus
from ideagora.errors import (
    DomainError,
    NotFound,
    RateLimited,
    ValidationFailed,
    record_security_event,
)
from ideagora.forms import domain_error_text, show_domain_error
from ideagora.listings.browsing import page_number
from ideagora.requests import evidence
from licensing.disclosure import Access

bp = Blueprint("disclosure", __name__)

LOG_PER_PAGE = 50
CONFIDENTIAL_PART = {"challenges": "confidential brief", "assets": "confidential dossier"}
_DONE = {
    "approve": "Approved: {organization} can now read the {part}.",
    "decline": "Declined: {organization} sees your reason on the listing's page.",
    "revoke": "Revoked: {organization} can no longer read the {part}.",
}


def page_endpoint(page: str, listing: Any) -> tuple[str, dict[str, int]]:
    """Return the endpoint and values of a listing's "nda", "access" or "access_csv" page."""
    if listing.__tablename__ == "challenges":
        return f"disclosure.challenge_{page}", {"challenge_id": listing.id}
    return f"disclosure.offer_{page}", {"asset_id": listing.id}


def page_url(page: str, listing: Any) -> str:
    """Return the URL of a listing's "nda", "access" or "access_csv" page."""
    endpoint, values = page_endpoint(page, listing)
    return url_for(endpoint, **values)


def _listing(listing_type: str, listing_id: int) -> Any:
    listing = services.listing_of(db.session, current_user, listing_type, listing_id)
    # seeing a challenge may move it past its deadline; keep that even if the page fails
    db.session.commit()
    return listing


def _refused(error: DomainError) -> DomainError:
    """Undo the refused work and keep the security event it may be; return it to show."""
    db.session.rollback()
    record_security_event(error)
    return error


@bp.route("/challenges/<int:challenge_id>/nda", methods=["GET", "POST"])
@login_required
def challenge_nda(challenge_id: int):
    return _nda_page(_listing("challenges", challenge_id))


@bp.route("/offers/<int:asset_id>/nda", methods=["GET", "POST"])
@login_required
def offer_nda(asset_id: int):
    return _nda_page(_listing("assets", asset_id))


def _nda_page(listing: Any) -> Any:
    rendered = services.nda_for(db.session, current_user, listing)
    form = AcceptNdaForm()
    if form.validate_on_submit():
        return _accept(listing, rendered, form)
    return _nda_form(listing, rendered, form, 422 if form.errors else 200)


def _nda_form(
    listing: Any, rendered: Any, form: AcceptNdaForm, status: int, **headers: str
) -> tuple[str, int, dict[str, str]]:
    form.show(
        sha256=rendered.sha256,
        assent=rendered.assent,
        organization_id=current_user.membership.organization_id,
    )
    page = render_template(
        "disclosure/nda.html",
        listing=listing,
        nda=rendered,
        form=form,
        state=services.request_state(db.session, current_user, listing),
        part=CONFIDENTIAL_PART[listing.__tablename__],
        owner=public_owner(listing),
        listing_url=services.listing_url(listing),
        needs_password=not _fresh(),
    )
    return page, status, headers


def _fresh() -> bool:
    return freshness.is_fresh(int(current_app.config["NDA_FRESH_LOGIN_SECONDS"]))


def _accept(listing: Any, rendered: Any, form: AcceptNdaForm) -> Any:
    fresh = _fresh()
    if not fresh and form.password.data:
        refusal = prove_identity(form)
        if refusal is not None:
            return _nda_form(listing, rendered, form, refusal)
        fresh = True
    try:
        grant, created = acceptance.accept_nda(
            db.session,
            current_user,
            listing,
            sha256=form.sha256.data,
            signer_name=form.signer_name.data,
            assent=form.assent.data is True,
            fresh_login=fresh,
            organization_id=form.organization(),
            **evidence("page"),
        )
    except DomainError as error:
        return _refused_acceptance(listing, rendered, form, _refused(error))
    db.session.commit()
    flash(_acceptance_message(listing, grant, created), "success" if created else "info")
    return redirect(services.listing_url(listing))


def _refused_acceptance(
    listing: Any, rendered: Any, form: AcceptNdaForm, error: DomainError
) -> Any:
    if isinstance(error, acceptance.StaleNda):
        # the signer must read the current text again before ticking the box
        form.assent.data = False
        form.form_errors.append(error.message)
        return _nda_form(listing, error.nda, form, error.status)
    if isinstance(error, FreshLoginRequired):
        form.password.errors = [error.message]
        return _nda_form(listing, rendered, form, error.status)
    if isinstance(error, ValidationFailed):
        show_domain_error(form, error)
        return _nda_form(listing, rendered, form, error.status)
    if isinstance(error, RateLimited):
        form.form_errors.append(error.message)
        return _nda_form(
            listing, rendered, form, error.status, **{"Retry-After": str(error.retry_after)}
        )
    raise error


def _acceptance_message(listing: Any, grant: DisclosureGrant, created: bool) -> str:
    part = CONFIDENTIAL_PART[listing.__tablename__]
    active = grant.status is GrantStatus.ACTIVE
    if created and active:
        return f"Access granted: {grant.organization.name} can now read the {part}."
    if created:
        return (
            "Your request is with the owner for approval. You will be told in the app and by "
            "e-mail when they decide."
        )
    if active:
        return f"You already have access to the {part} of “{listing.title}”."
    return "You already have a request waiting for the owner's approval; nothing was signed again."


@bp.get("/challenges/<int:challenge_id>/access")
@login_required
def challenge_access(challenge_id: int):
    return _access_page(_listing("challenges", challenge_id))


@bp.get("/offers/<int:asset_id>/access")
@login_required
def offer_access(asset_id: int):
    return _access_page(_listing("assets", asset_id))


def _access_page(listing: Any, *, problems: dict[str, str] | None = None, status: int = 200):
    grants = services.grants_of(db.session, current_user, listing)
    log = db.paginate(
        services.access_log_query(db.session, current_user, listing, newest_first=True),
        page=page_number(request.args),
        per_page=LOG_PER_PAGE,
        error_out=False,
    )
    endpoint, values = page_endpoint("access", listing)
    return render_template(
        "disclosure/access.html",
        listing=listing,
        grants=grants,
        log=log,
        log_endpoint=endpoint,
        log_values=values,
        problems=problems or {},
        reasons=request.form if problems else {},
        now=utcnow(),
        listing_url=services.listing_url(listing),
        part=CONFIDENTIAL_PART[listing.__tablename__],
        csv_url=page_url("access_csv", listing),
    ), status


@bp.get("/challenges/<int:challenge_id>/access.csv")
@login_required
def challenge_access_csv(challenge_id: int):
    return _access_csv(_listing("challenges", challenge_id), f"challenge-{challenge_id}")


@bp.get("/offers/<int:asset_id>/access.csv")
@login_required
def offer_access_csv(asset_id: int):
    return _access_csv(_listing("assets", asset_id), f"offer-{asset_id}")


def _access_csv(listing: Any, name: str) -> Response:
    events = services.access_log(db.session, current_user, listing)
    return Response(
        access_log.access_log_csv(events),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}-access-log.csv"'},
    )


@bp.post("/grants/<int:grant_id>/<any(approve, decline, revoke):action>")
@login_required
def decide(grant_id: int, action: str):
    # the CSRF token was checked before the view: the form only reads the reason
    form = ReasonForm()
    grant = services.grant_for(db.session, current_user, grant_id)
    listing = services.listing_of_grant(db.session, grant)
    organization, back_to = grant.organization.name, page_url("access", listing)
    try:
        _decision(action, grant, form.reason.data)
    except ValidationFailed as error:
        db.session.rollback()
        problem = error.fields.get("reason", error.message)
        return _access_page(listing, problems={f"{action}-{grant_id}": problem}, status=422)
    except DomainError as error:
        if error.status in (403, 404):
            raise _refused(error) from None
        db.session.rollback()
        flash(domain_error_text(error), "danger")
        return redirect(back_to)
    db.session.commit()
    part = CONFIDENTIAL_PART[listing.__tablename__]
    flash(_DONE[action].format(organization=organization, part=part), "success")
    return redirect(back_to)


def _decision(action: str, grant: DisclosureGrant, reason: str | None) -> None:
    if action == "approve":
        decisions.approve(db.session, current_user, grant, **evidence("page"))
    elif action == "decline":
        decisions.decline(db.session, current_user, grant, reason=reason, **evidence("page"))
    else:
        decisions.revoke(db.session, current_user, grant, reason=reason, **evidence("page"))


@bp.get("/grants/<int:grant_id>/certificate.pdf")
@login_required
def certificate(grant_id: int):
    grant = services.grant_for(db.session, current_user, grant_id)
    filename, pdf = certificates.certificate_pdf(db.session, current_user, grant)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.app_template_global()
def disclosure_panel(listing: Any) -> dict[str, Any]:
    """Return what a listing's page says to the current user about its confidential part."""
    cache = g.setdefault("disclosure_panels", {})
    key = (listing.__tablename__, listing.id)
    if key not in cache:
        cache[key] = _panel(listing)
    return cache[key]


def _panel(listing: Any) -> dict[str, Any]:
    panel: dict[str, Any] = {
        "signed_in": current_user.is_authenticated,
        "has_organization": current_user.is_authenticated and current_user.membership is not None,
        "part": CONFIDENTIAL_PART[listing.__tablename__],
    }
    if not panel["has_organization"]:
        return panel
    state = services.request_state(db.session, current_user, listing)
    panel["state"] = state
    panel["nda_url"] = page_url("nda", listing)
    if state.access is Access.OWNER:
        panel["waiting"] = _waiting(listing)
        panel["access_url"] = page_url("access", listing)
    return panel


def _waiting(listing: Any) -> int | None:
    # the count is for those who decide; other members of the owner see no access page
    try:
        grants = services.grants_of(db.session, current_user, listing)
    except NotFound:
        return None
    return sum(1 for grant in grants if grant.status is GrantStatus.PENDING)


@bp.app_template_global()
def disclosure_access_url(grant: DisclosureGrant) -> str:
    """Return the owner's access page of the listing a grant is for."""
    return page_url("access", services.listing_of_grant(db.session, grant))
