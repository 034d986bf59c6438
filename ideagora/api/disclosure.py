"""API endpoints for disclosure under NDA: read and accept the NDA, decide grants, the log.

The endpoints only parse, call ``ideagora.disclosure.services`` and shape the answers; the
rules (who may ask, who decides, what the evidence keeps) live in the services.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response

from ideagora.accounts.errors import FreshLoginRequired
from ideagora.accounts.models import User
from ideagora.api.auth import (
    BEARER,
    SEND_PASSWORD,
    current_api_user,
    signing_login_is_fresh,
    token_required,
)
from ideagora.api.blueprints import api_blueprint
from ideagora.api.disclosure_schemas import (
    ASSETS,
    CHALLENGES,
    LOG_RESPONSES,
    PDF_RESPONSES,
    AcceptInputSchema,
    AccessLogArgsSchema,
    AccessLogSchema,
    GrantEnvelopeSchema,
    GrantPageSchema,
    NdaSchema,
    ReasonInputSchema,
    StaleNdaEnvelopeSchema,
    event_payload,
    grant_payload,
    nda_payload,
)
from ideagora.api.pagination import PageArgsSchema, paginate
from ideagora.database import db
from ideagora.disclosure import acceptance, access_log, certificates, decisions, services
from ideagora.disclosure.models import DisclosureGrant
from ideagora.errors import ValidationFailed
from ideagora.requests import evidence

blp = api_blueprint(
    "api_disclosure",
    __name__,
    "/api/v1",
    "Disclosure under NDA: accept a listing's NDA, decide requests, and the access log.",
)


def record_api_view(user: User | None, listing: Any) -> None:
    """Record that an API answer carries the listing's confidential text to the user."""
    access_log.record_view(db.session, user, listing, **evidence("api"))


def _organization_id(value: Any) -> int | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    message = "Give your organisation's id as a number, or leave it out."
    raise ValidationFailed(message, fields={"organization_id": message})


def _nda(listing_type: str, listing_id: int) -> dict[str, Any]:
    user = current_api_user()
    listing = services.listing_of(db.session, user, listing_type, listing_id)
    nda = services.nda_for(db.session, user, listing)
    body = nda_payload(nda)
    db.session.commit()
    return body


def _accept(listing_type: str, listing_id: int, body: dict[str, Any]) -> tuple[dict, int]:
    user = current_api_user()
    listing = services.listing_of(db.session, user, listing_type, listing_id)
    # keep what reading made (the platform's NDAs, a deadline passed) if the accept is refused
    db.session.commit()
    organization_id = _organization_id(body.get("organization_id"))
    fresh_login = signing_login_is_fresh(user, body.get("password"))
    try:
        grant, created = acceptance.accept_nda(
            db.session,
            user,
            listing,
            sha256=body.get("sha256"),
            signer_name=body.get("signer_name"),
            assent=body.get("assent") is True,
            fresh_login=fresh_login,
            organization_id=organization_id,
            **evidence("api"),
        )
    except acceptance.StaleNda as stale:
        # the caller gets the current text back, to read and accept again
        stale.extra = {"nda": nda_payload(stale.nda)}
        raise
    except FreshLoginRequired as refusal:
        refusal.fields = refusal.fields or {"password": SEND_PASSWORD}
        raise
    answer = {"grant": grant_payload(grant)}
    db.session.commit()
    return answer, 201 if created else 200


def _decide(grant_id: int, decision: Callable[..., DisclosureGrant], **reason: Any) -> dict:
    user = current_api_user()
    grant = services.grant_for(db.session, user, grant_id)
    decision(db.session, user, grant, **reason, **evidence("api"))
    answer = {"grant": grant_payload(grant)}
    db.session.commit()
    return answer


def _access_log(listing_type: str, listing_id: int, args: dict[str, Any]) -> Any:
    user = current_api_user()
    listing = services.listing_of(db.session, user, listing_type, listing_id)
    query = services.access_log_query(db.session, user, listing)
    if args["format"] == "csv":
        filename = f"access-log-{listing_type}-{listing_id}.csv"
        body = access_log.access_log_csv(db.session.scalars(query))
        db.session.commit()
        return Response(
            body,
            mimetype="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    page = _page(query, args, event_payload)
    db.session.commit()
    return page


def _page(query: Any, args: dict[str, Any], shape: Callable[[Any], dict]) -> dict[str, Any]:
    """Return one page of the query's rows, each in its API shape."""
    page = paginate(query, args)
    page["items"] = [shape(row) for row in page["items"]]
    return page


def _grants(listing_type: str, listing_id: int, args: dict[str, Any]) -> dict[str, Any]:
    user = current_api_user()
    listing = services.listing_of(db.session, user, listing_type, listing_id)
    page = _page(services.grants_query(db.session, user, listing), args, grant_payload)
    db.session.commit()
    return page


@blp.get("/challenges/<int:challenge_id>/nda")
@blp.doc(security=BEARER)
@token_required
@blp.response(200, NdaSchema)
def challenge_nda(challenge_id: int) -> dict[str, Any]:
    """Return the exact NDA text a request for the challenge's confidential brief signs."""
    return _nda(CHALLENGES, challenge_id)


@blp.get("/assets/<int:asset_id>/nda")
@blp.doc(security=BEARER)
@token_required
@blp.response(200, NdaSchema)
def asset_nda(asset_id: int) -> dict[str, Any]:
    """Return the exact NDA text a request for the offer's confidential dossier signs."""
    return _nda(ASSETS, asset_id)


@blp.post("/challenges/<int:challenge_id>/nda/accept")
@blp.doc(security=BEARER)
@token_required
@blp.arguments(AcceptInputSchema)
@blp.response(201, GrantEnvelopeSchema)
@blp.alt_response(200, schema=GrantEnvelopeSchema, description="Accepted before: the same grant")
@blp.alt_response(409, schema=StaleNdaEnvelopeSchema, description="Not the current text's hash")
def accept_challenge_nda(body: dict[str, Any], challenge_id: int) -> tuple[dict, int]:
    """Accept the challenge's NDA for your organisation; 409 with the current text if stale."""
    return _accept(CHALLENGES, challenge_id, body)


@blp.post("/assets/<int:asset_id>/nda/accept")
@blp.doc(security=BEARER)
@token_required
@blp.arguments(AcceptInputSchema)
@blp.response(201, GrantEnvelopeSchema)
@blp.alt_response(200, schema=GrantEnvelopeSchema, description="Accepted before: the same grant")
@blp.alt_response(409, schema=StaleNdaEnvelopeSchema, description="Not the current text's hash")
def accept_asset_nda(body: dict[str, Any], asset_id: int) -> tuple[dict, int]:
    """Accept the offer's NDA for your organisation; 409 with the current text if stale."""
    return _accept(ASSETS, asset_id, body)


@blp.get("/challenges/<int:challenge_id>/access-log")
@blp.doc(security=BEARER, responses=LOG_RESPONSES)
@token_required
@blp.arguments(AccessLogArgsSchema, location="query")
@blp.response(200, AccessLogSchema)
def challenge_access_log(args: dict[str, Any], challenge_id: int) -> Any:
    """Return the challenge's access log (its admins and licensing officers)."""
    return _access_log(CHALLENGES, challenge_id, args)


@blp.get("/assets/<int:asset_id>/access-log")
@blp.doc(security=BEARER, responses=LOG_RESPONSES)
@token_required
@blp.arguments(AccessLogArgsSchema, location="query")
@blp.response(200, AccessLogSchema)
def asset_access_log(args: dict[str, Any], asset_id: int) -> Any:
    """Return the offer's access log (its admins and licensing officers)."""
    return _access_log(ASSETS, asset_id, args)


@blp.get("/challenges/<int:challenge_id>/grants")
@blp.doc(security=BEARER)
@token_required
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, GrantPageSchema)
def challenge_grants(args: dict[str, Any], challenge_id: int) -> dict[str, Any]:
    """List the requests for the challenge's brief, newest first (its admins and officers)."""
    return _grants(CHALLENGES, challenge_id, args)


@blp.get("/assets/<int:asset_id>/grants")
@blp.doc(security=BEARER)
@token_required
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, GrantPageSchema)
def asset_grants(args: dict[str, Any], asset_id: int) -> dict[str, Any]:
    """List the requests for the offer's dossier, newest first (its admins and officers)."""
    return _grants(ASSETS, asset_id, args)


@blp.get("/grants/awaiting")
@blp.doc(security=BEARER)
@token_required
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, GrantPageSchema)
def awaiting(args: dict[str, Any]) -> dict[str, Any]:
    """List the pending requests you may approve or decline, oldest first."""
    return _page(services.awaiting_query(current_api_user()), args, grant_payload)


@blp.get("/grants/<int:grant_id>")
@blp.doc(security=BEARER)
@token_required
@blp.response(200, GrantEnvelopeSchema)
def grant_detail(grant_id: int) -> dict[str, Any]:
    """Return a grant to members of the requesting or the owning organisation."""
    grant = services.grant_for(db.session, current_api_user(), grant_id)
    answer = {"grant": grant_payload(grant)}
    db.session.commit()
    return answer


@blp.post("/grants/<int:grant_id>/approve")
@blp.doc(security=BEARER)
@token_required
@blp.response(200, GrantEnvelopeSchema)
def approve(grant_id: int) -> dict[str, Any]:
    """Approve a pending request (the owner's admins and licensing officers)."""
    return _decide(grant_id, decisions.approve)


@blp.post("/grants/<int:grant_id>/decline")
@blp.doc(security=BEARER)
@token_required
@blp.arguments(ReasonInputSchema)
@blp.response(200, GrantEnvelopeSchema)
def decline(body: dict[str, Any], grant_id: int) -> dict[str, Any]:
    """Decline a pending request with a reason the requester reads."""
    return _decide(grant_id, decisions.decline, reason=body.get("reason"))


@blp.post("/grants/<int:grant_id>/revoke")
@blp.doc(security=BEARER)
@token_required
@blp.arguments(ReasonInputSchema)
@blp.response(200, GrantEnvelopeSchema)
def revoke(body: dict[str, Any], grant_id: int) -> dict[str, Any]:
    """Revoke an active grant; it stops giving access from the next request."""
    return _decide(grant_id, decisions.revoke, reason=body.get("reason"))


@blp.get("/grants/<int:grant_id>/certificate")
@blp.doc(security=BEARER, responses=PDF_RESPONSES)
@token_required
def certificate(grant_id: int) -> Response:
    """Download the certificate of acceptance as a PDF (members of either party)."""
    user = current_api_user()
    grant = services.grant_for(db.session, user, grant_id)
    filename, pdf = certificates.certificate_pdf(db.session, user, grant)
    db.session.commit()
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
