"""API endpoints for licence deals: open, propose and accept revisions, sign, verify.

The endpoints only parse, call ``ideagora.deals.services`` and ``ideagora.deals.agreements``
and shape the answers; the rules (who may propose, accept or sign, which revision is open, what
the evidence keeps) live in the services. A deal is the business of its two parties: anyone
else gets the answer a missing deal gets.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request

from ideagora.accounts.errors import FreshLoginRequired
from ideagora.accounts.models import User
from ideagora.api.auth import (
    BEARER,
    SEND_PASSWORD,
    current_api_user,
    signing_login_is_fresh,
    token_required,
)
from ideagora.api.blueprints import MULTIPART, accepts_multipart, accepts_raw_body, api_blueprint
from ideagora.api.deal_schemas import (
    AGREEMENT_PDF,
    VERIFY_BODY,
    CommentInputSchema,
    DealChangeSchema,
    DealCommentSchema,
    DealPageSchema,
    DealRevisionSchema,
    DealSchema,
    OpenDealInputSchema,
    PresetSchema,
    RevisionInputSchema,
    SignInputSchema,
    VerificationSchema,
    acceptance_payload,
    accepting_parties,
    agreement_payload,
    change_payload,
    comment_payload,
    preset_payload,
    revision_payload,
    summary_payload,
)
from ideagora.api.pagination import PageArgsSchema, paginate
from ideagora.assets import services as assets
from ideagora.database import db
from ideagora.deals import agreements, services
from ideagora.deals.models import Deal, DealRevision
from ideagora.errors import ValidationFailed, error_json
from ideagora.extensions import limit_from_config
from ideagora.requests import client_ip, evidence
from licensing.presets import PRESETS

blp = api_blueprint(
    "api_deals",
    __name__,
    "/api/v1",
    "Licence deals: terms negotiated revision by revision, the sealed agreement and its check.",
)

PDF = "application/pdf"
NO_FILE = (
    "Send the agreement's PDF as the request body with Content-Type: application/pdf, "
    "or as the form field file."
)


def deal_payload(user: User, deal: Deal) -> dict[str, Any]:
    """Return a deal as a member of one of its parties sees it, with its whole history."""
    acceptances = services.acceptances_of(db.session, deal)
    agreement = agreements.agreement_of(db.session, deal)
    return {
        **summary_payload(deal, services.organization_id_of(user)),
        "may_negotiate": services.may_negotiate(user, deal),
        "revisions": [
            revision_payload(revision, accepting_parties(revision, acceptances))
            for revision in deal.revisions
        ],
        "acceptances": [acceptance_payload(acceptance) for acceptance in acceptances],
        "comments": [comment_payload(item) for item in services.comments_of(db.session, deal)],
        "agreement": agreement_payload(agreement) if agreement else None,
    }


def _answer(user: User, deal: Deal) -> dict[str, Any]:
    """Return the deal's payload and commit the request's work."""
    answer = deal_payload(user, deal)
    db.session.commit()
    return answer


def _revision_answer(deal: Deal, revision: DealRevision) -> dict[str, Any]:
    """Return a revision's payload with the parties that accepted it, and commit."""
    acceptances = services.acceptances_of(db.session, deal)
    answer = revision_payload(revision, accepting_parties(revision, acceptances))
    db.session.commit()
    return answer


def _deal(deal_id: int) -> tuple[User, Deal]:
    user = current_api_user()
    return user, services.deal_for(db.session, user, deal_id)


@blp.get("/deals")
@blp.doc(security=BEARER)
@token_required
@blp.arguments(PageArgsSchema, location="query")
@blp.response(200, DealPageSchema)
def list_deals(args: dict[str, Any]) -> dict[str, Any]:
    """List your organisation's deals, newest first."""
    user = current_api_user()
    page = paginate(services.deals_query(user), args)
    page["items"] = [
        summary_payload(deal, services.organization_id_of(user)) for deal in page["items"]
    ]
    return page


@blp.post("/assets/<int:asset_id>/deals")
@blp.doc(security=BEARER)
@token_required
@blp.arguments(OpenDealInputSchema)
@blp.response(201, DealSchema)
def open_deal(body: dict[str, Any], asset_id: int) -> dict[str, Any]:
    """Open a licence deal on another organisation's IP offer, your organisation as licensee."""
    user = current_api_user()
    asset = assets.get_visible_asset(db.session, user, asset_id)
    deal = services.open_deal(
        db.session, user, asset, challenge_id=body.get("challenge_id"), ip_address=client_ip()
    )
    return _answer(user, deal)


@blp.get("/deals/<int:deal_id>")
@blp.doc(security=BEARER)
@token_required
@blp.response(200, DealSchema)
def deal_detail(deal_id: int) -> dict[str, Any]:
    """Return a deal with its revisions, acceptances, comments and agreement (parties only)."""
    return _answer(*_deal(deal_id))


@blp.post("/deals/<int:deal_id>/revisions")
@blp.doc(security=BEARER)
@token_required
@blp.arguments(RevisionInputSchema)
@blp.response(201, DealRevisionSchema)
def propose(body: dict[str, Any], deal_id: int) -> dict[str, Any]:
    """Propose terms as the next revision (admins and licensing officers of a party)."""
    user, deal = _deal(deal_id)
    revision = services.propose(db.session, user, deal, body, **evidence("api"))
    return _revision_answer(deal, revision)


@blp.get("/deals/<int:deal_id>/revisions/<int:number>")
@blp.doc(security=BEARER)
@token_required
@blp.response(200, DealRevisionSchema)
def revision_detail(deal_id: int, number: int) -> dict[str, Any]:
    """Return one revision: its terms, who proposed it, and who accepted it."""
    _user, deal = _deal(deal_id)
    return _revision_answer(deal, services.revision_of(deal, number))


@blp.get("/deals/<int:deal_id>/revisions/<int:number>/diff")
@blp.doc(security=BEARER)
@token_required
@blp.response(200, DealChangeSchema(many=True))
def revision_diff(deal_id: int, number: int) -> list[dict[str, Any]]:
    """Return the redline of revision n against n-1: each changed field, before and after."""
    _user, deal = _deal(deal_id)
    changes = [change_payload(change) for change in services.diff(deal, number)]
    db.session.commit()
    return changes


@blp.post("/deals/<int:deal_id>/revisions/<int:number>/accept")
@blp.doc(security=BEARER)
@token_required
@blp.response(200, DealSchema)
def accept(deal_id: int, number: int) -> dict[str, Any]:
    """Accept the other party's latest revision; the deal is then agreed and drafted."""
    user, deal = _deal(deal_id)
    deal = services.accept(db.session, user, deal, number, **evidence("api"))
    return _answer(user, deal)


@blp.post("/deals/<int:deal_id>/comments")
@blp.doc(security=BEARER)
@token_required
@blp.arguments(CommentInputSchema)
@blp.response(201, DealCommentSchema)
def comment(body: dict[str, Any], deal_id: int) -> dict[str, Any]:
    """Comment on a deal (any member of either party)."""
    user, deal = _deal(deal_id)
    made = services.comment(db.session, user, deal, body.get("body"), ip_address=client_ip())
    answer = comment_payload(made)
    db.session.commit()
    return answer


@blp.post("/deals/<int:deal_id>/sign")
@blp.doc(security=BEARER)
@token_required
@blp.arguments(SignInputSchema)
@blp.response(200, DealSchema)
def sign(body: dict[str, Any], deal_id: int) -> dict[str, Any]:
    """Sign the agreed agreement for your party; the second signature seals the final PDF."""
    user, deal = _deal(deal_id)
    fresh_login = signing_login_is_fresh(user, body.get("password"))
    try:
        agreements.sign(
            db.session,
            user,
            deal,
            signer_name=body.get("signer_name"),
            signer_title=body.get("signer_title"),
            assent=body.get("assent") is True,
            fresh_login=fresh_login,
            **evidence("api"),
        )
    except FreshLoginRequired as refusal:
        refusal.fields = refusal.fields or {"password": SEND_PASSWORD}
        raise
    return _answer(user, deal)


@blp.get("/deals/<int:deal_id>/agreement.pdf")
@blp.doc(security=BEARER, responses=AGREEMENT_PDF)
@token_required
def agreement_pdf(deal_id: int) -> Response:
    """Download the sealed agreement (parties only): the signed one once both have signed."""
    user, deal = _deal(deal_id)
    filename, pdf = agreements.agreement_file(db.session, user, deal)
    db.session.commit()
    return Response(
        pdf, mimetype=PDF, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


def _uploaded_pdf() -> bytes | Response:
    """Return the PDF sent as the body or as the form field file, or a 415 answer."""
    if request.mimetype == MULTIPART:
        upload = request.files.get("file")
        return upload.read() if upload else b""
    if request.mimetype != PDF and request.content_length:
        return error_json(
            415,
            "unsupported_media_type",
            f"{NO_FILE} This body is {request.mimetype or 'of no stated type'}.",
        )
    return request.get_data(cache=False)


@blp.post("/agreements/verify")
@limit_from_config("AGREEMENT_VERIFY_RATE_LIMIT")
@accepts_raw_body
@accepts_multipart
@blp.doc(requestBody=VERIFY_BODY)
@blp.response(200, VerificationSchema)
@blp.alt_response(413, description="The file is larger than the exchange accepts")
@blp.alt_response(415, description="The body is neither a PDF nor a form with one")
def verify() -> Any:
    """Say whether a PDF is an unaltered agreement issued here (anyone; never its terms)."""
    data = _uploaded_pdf()
    if isinstance(data, Response):
        return data
    if not data:
        raise ValidationFailed(NO_FILE, fields={"file": NO_FILE})
    answer = agreements.verify_upload(db.session, data)
    db.session.commit()
    return answer


@blp.get("/presets")
@blp.response(200, PresetSchema(many=True))
def presets() -> list[dict[str, Any]]:
    """List the standard terms a revision can start from (send the key as preset)."""
    return [preset_payload(chosen) for chosen in PRESETS]
