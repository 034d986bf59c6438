"""Own a deal's licence agreement: draft and seal it, take each party's signature, verify copies.

When a deal is agreed, the agreement is rendered from the agreed revision, sealed with the
exchange's certificate and stored: that sealed draft is the document both parties sign. Each
signature is evidence (who, in whose name, with which assent wording, from where, on which
document fingerprint) and is written once. When the second party signs, the agreement is
rendered again with a signature page, sealed again, and the deal is signed.

Anyone may ask whether a PDF is an agreement issued here; the answer names the deal and the
seal's time, never a term of the licence.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from ideagora.accounts.errors import FreshLoginRequired
from ideagora.accounts.models import User
from ideagora.assets.models import Asset, AssetStatus
from ideagora.audit import services as audit
from ideagora.database import utcnow
from ideagora.deals import notices, revision_input
from ideagora.deals.models import (
    SIGNER_NAME_MAX,
    SIGNER_TITLE_MAX,
    USER_AGENT_MAX,
    Agreement,
    AgreementSignature,
    Deal,
    DealRevision,
    DealStatus,
    PartyRole,
)
from ideagora.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ideagora.listings import services as listings
from ideagora.listings.services import MANAGER_ROLES
from ideagora.organizations.models import Organization
from ideagora.storage import get_storage
from ideagora.stored_objects import delete_on_rollback
from licensing import sealing
from licensing.agreement import AgreementData, Party, Signature, render_agreement
from licensing.clauses import KINDS
from licensing.terms import WORLDWIDE

logger = logging.getLogger(__name__)

SEAL_REASON = "Licence agreement issued by Ideagora"
SEAL_LOCATION = "Ideagora"
PDF = "application/pdf"
SIGNER_NAME_MIN = 2
SIGNER_TITLE_MIN = 2
NOT_ISSUED_HERE = (
    "The seal is this exchange's, but no agreement issued here has this fingerprint: "
    "the file is not one of its agreements."
)


def seal_files() -> tuple[Path, Path]:
    """Return the platform seal's key and certificate, making a self-signed pair on first use."""
    directory = current_app.config.get("AGREEMENT_SEAL_DIR") or (
        Path(current_app.instance_path) / "seal"
    )
    return sealing.ensure_platform_certificate(directory)


def assent_wording(organization_name: str) -> str:
    """Return the sentence a signatory assents to on behalf of their organisation."""
    return (
        f"I sign this licence agreement on behalf of {organization_name}, "
        "which I am authorised to bind."
    )


def _agreed_revision(deal: Deal) -> DealRevision:
    for revision in deal.revisions:
        if revision.number == deal.agreed_revision:
            return revision
    raise Conflict("The agreement is drafted only once both parties have accepted a revision.")


def _party(organization: Organization) -> Party:
    return Party(name=organization.name, kind=organization.kind.value)


def _agreement_data(deal: Deal, signatures: tuple[Signature, ...] = ()) -> AgreementData:
    revision = _agreed_revision(deal)
    return AgreementData(
        reference=deal.reference,
        effective_date=revision.effective_date,
        licensor=_party(deal.licensor),
        licensee=_party(deal.licensee),
        revision=revision.number,
        terms=revision.terms,
        signatures=signatures,
        subject=f"the invention offered on the exchange as “{deal.asset.title}”",
        kind=kind_of(revision),
    )


def kind_of(revision: DealRevision) -> str:
    """Return the kind of document the agreed terms make: a licence, unless they were started
    from the option, evaluation or research preset."""
    return revision.preset if revision.preset in KINDS else "licence"


def render_draft(deal: Deal) -> bytes:
    """Return the unsealed agreement of the deal's agreed revision: same terms, same bytes."""
    return render_agreement(_agreement_data(deal))


def _seal_and_store(session: Session, pdf: bytes, deal: Deal, signed_at: Any) -> tuple[str, str]:
    """Seal the PDF, store it and return its storage key and the sealed file's SHA-256."""
    key_path, cert_path = seal_files()
    sealed = sealing.seal(
        pdf,
        key_path=key_path,
        cert_path=cert_path,
        reference=deal.reference,
        reason=SEAL_REASON,
        location=SEAL_LOCATION,
        signed_at=signed_at,
    )
    storage = get_storage()
    stored = storage.save(sealed, content_type=PDF)
    # a refusal or failure later in the transaction takes the file away with its row
    delete_on_rollback(session, storage, stored.key)
    return stored.key, hashlib.sha256(sealed).hexdigest()


def draft(session: Session, deal: Deal) -> Agreement:
    """Draft, seal and store the agreement of an agreed deal; a deal has one agreement."""
    if deal.status is not DealStatus.AGREED or deal.agreed_revision is None:
        raise Conflict("The agreement is drafted only once both parties have accepted a revision.")
    existing = session.scalar(sa.select(Agreement).where(Agreement.deal_id == deal.id))
    if existing is not None:
        return existing
    key, sha256 = _seal_and_store(session, render_draft(deal), deal, deal.agreed_at)
    agreement = Agreement(
        deal_id=deal.id,
        revision_number=deal.agreed_revision,
        draft_key=key,
        draft_sha256=sha256,
        drafted_at=utcnow(),
    )
    session.add(agreement)
    session.flush()
    audit.record(
        session,
        "agreement.drafted",
        subject=agreement,
        organization_id=deal.licensor_organization_id,
        details={"deal_id": deal.id, "revision": deal.agreed_revision, "sha256": sha256},
    )
    logger.info(
        "Agreement of deal %s drafted from revision %s", deal.reference, deal.agreed_revision
    )
    notices.agreement_ready(session, deal)
    return agreement


def agreement_of(session: Session, deal: Deal) -> Agreement | None:
    """Return the deal's agreement, once one is drafted."""
    return session.scalar(sa.select(Agreement).where(Agreement.deal_id == deal.id))


def _signing_party(user: User, deal: Deal) -> PartyRole:
    membership = user.membership
    role = deal.role_of(membership.organization_id if membership is not None else None)
    if role is None or membership is None:
        raise NotFound("There is no such deal.")
    if membership.role not in MANAGER_ROLES:
        raise Forbidden(
            "Only an admin or a licensing officer can sign the agreement on behalf of "
            f"{membership.organization.name}."
        )
    return role


def _check_signature(
    signer_name: str | None, signer_title: str | None, assent: bool, organization_name: str
) -> tuple[str, str]:
    """Return the typed name and title made tidy, or raise ValidationFailed for each problem."""
    problems: dict[str, str] = {}
    if assent is not True:
        problems["assent"] = (
            f"Tick the box to confirm that you sign on behalf of {organization_name} "
            "and may bind it."
        )
    name = " ".join(signer_name.split()) if isinstance(signer_name, str) else ""
    title = " ".join(signer_title.split()) if isinstance(signer_title, str) else ""
    if len(name) < SIGNER_NAME_MIN:
        problems["signer_name"] = "Type your full name to sign."
    elif len(name) > SIGNER_NAME_MAX:
        problems["signer_name"] = f"A name has at most {SIGNER_NAME_MAX} characters."
    if len(title) < SIGNER_TITLE_MIN:
        problems["signer_title"] = "Give your title or position, such as Head of Licensing."
    elif len(title) > SIGNER_TITLE_MAX:
        problems["signer_title"] = f"A title has at most {SIGNER_TITLE_MAX} characters."
    if problems:
        raise ValidationFailed(" ".join(problems.values()), fields=problems)
    return name, title


def _locked_agreement(session: Session, deal: Deal) -> Agreement:
    # two parties signing at once must not each miss the other's signature, and two deals of
    # one offer must not both become exclusive: hold the offer's row, then the deal's
    # (PostgreSQL; SQLite serialises writers already), and read their state afresh
    session.execute(sa.select(Asset.id).where(Asset.id == deal.asset_id).with_for_update())
    session.refresh(deal, with_for_update=True)
    if deal.status is not DealStatus.AGREED:
        raise Conflict(_not_signable(deal))
    agreement = agreement_of(session, deal)
    if agreement is None:
        raise Conflict("The agreement has not been drafted yet.")
    session.refresh(agreement)
    return agreement


def _not_signable(deal: Deal) -> str:
    if deal.status is DealStatus.SIGNED:
        return "Both parties have signed this agreement already."
    if deal.status is DealStatus.CANCELLED:
        return "This deal was cancelled: there is nothing to sign."
    return "The agreement can be signed once both parties have accepted the same revision."


def sign(
    session: Session,
    user: User,
    deal: Deal,
    *,
    signer_name: str | None,
    signer_title: str | None,
    assent: bool,
    fresh_login: bool,
    ip_address: str | None,
    user_agent: str,
    channel: str,
) -> Agreement:
    """Record the user's signature on behalf of their party; after both, seal the final PDF."""
    party = _signing_party(user, deal)
    if deal.status is not DealStatus.AGREED:
        raise Conflict(_not_signable(deal))
    organization = user.membership.organization  # type: ignore[union-attr]
    agreement = _locked_agreement(session, deal)
    if any(signature.party is party for signature in agreement.signatures):
        raise Conflict(f"{organization.name} has signed this agreement already.")
    name, title = _check_signature(signer_name, signer_title, assent, organization.name)
    if not fresh_login:
        raise FreshLoginRequired(
            "Signing needs a recent login: enter your password again to confirm it is you."
        )
    # another exclusive licence of the same patents may have been signed since this one agreed
    revision_input.check_still_exclusive(session, deal, _agreed_revision(deal))
    signature = AgreementSignature(
        agreement_id=agreement.id,
        party=party,
        organization_id=organization.id,
        organization_name=organization.name,
        user_id=user.id,
        user_name=user.name,
        user_email=user.email,
        signer_name=name,
        signer_title=title,
        assent_wording=assent_wording(organization.name),
        document_sha256=agreement.draft_sha256,
        signed_at=utcnow(),
        ip_address=ip_address,
        user_agent=(user_agent or "")[:USER_AGENT_MAX],
        channel=channel,
    )
    session.add(signature)
    session.flush()
    session.refresh(agreement, ["signatures"])
    _record_signature(session, user, deal, signature)
    if {signed.party for signed in agreement.signatures} == set(PartyRole):
        _finish(session, user, deal, agreement)
        notices.deal_signed(session, deal)
    else:
        notices.party_signed(session, deal, party)
    return agreement


def _record_signature(
    session: Session, user: User, deal: Deal, signature: AgreementSignature
) -> None:
    audit.record(
        session,
        "agreement.signed",
        actor=user,
        organization_id=signature.organization_id,
        subject=signature,
        ip_address=signature.ip_address,
        details={
            "deal_id": deal.id,
            "party": signature.party.value,
            "signer_name": signature.signer_name,
            "signer_title": signature.signer_title,
            "document_sha256": signature.document_sha256,
            "user_agent": signature.user_agent,
            "channel": signature.channel,
        },
    )


def _as_signature(signature: AgreementSignature) -> Signature:
    return Signature(
        party=signature.party.value,  # type: ignore[arg-type]
        signer_name=signature.signer_name,
        title=signature.signer_title,
        assent_wording=signature.assent_wording,
        signed_at=signature.signed_at,
        ip_address=signature.ip_address,
        document_sha256=signature.document_sha256,
    )


def _finish(session: Session, user: User, deal: Deal, agreement: Agreement) -> None:
    """Seal the final PDF with both signatures, sign the deal, and license an exclusive offer."""
    # the licensor's signature first, as the parties are named
    ordered = sorted(agreement.signatures, key=lambda s: s.party is not PartyRole.LICENSOR)
    signatures = tuple(_as_signature(signature) for signature in ordered)
    last_signed = max(signature.signed_at for signature in signatures)
    pdf = render_agreement(_agreement_data(deal, signatures))
    agreement.final_key, agreement.final_sha256 = _seal_and_store(session, pdf, deal, last_signed)
    agreement.sealed_at = last_signed
    deal.status = DealStatus.SIGNED
    deal.signed_at = last_signed
    deal.updated_at = utcnow()
    session.flush()
    revision = _agreed_revision(deal)
    terms = revision.terms
    every_field_worldwide = (
        terms.get("exclusivity") == "exclusive" and terms.get("territory") == WORLDWIDE
    )
    # an option leaves the offer as it is until the option is exercised under a new licence
    if every_field_worldwide and kind_of(revision) == "licence":
        # an exclusive licence of every field, worldwide, leaves nothing to offer; other
        # licences leave the offer open to further licensees where they do not reach
        listings.lock_for_change(session, deal.asset)
        deal.asset.status = AssetStatus.LICENSED
        listings.flush_edit(session)
    audit.record(
        session,
        "agreement.sealed",
        actor=user,
        organization_id=deal.licensor_organization_id,
        subject=agreement,
        details={
            "deal_id": deal.id,
            "sha256": agreement.final_sha256,
            "asset_status": deal.asset.status.value,
        },
    )
    logger.info("Agreement of deal %s signed by both parties", deal.reference)


def agreement_file(session: Session, user: User, deal: Deal) -> tuple[str, bytes]:
    """Return the file name and bytes of the deal's agreement: the final PDF once signed."""
    membership = getattr(user, "membership", None)
    if deal.role_of(membership.organization_id if membership is not None else None) is None:
        raise NotFound("There is no such deal.")
    agreement = agreement_of(session, deal)
    if agreement is None:
        raise NotFound("The agreement is drafted once both parties have accepted a revision.")
    if agreement.final_key is not None:
        return f"{deal.reference}-licence-agreement-signed.pdf", get_storage().read(
            agreement.final_key
        )
    return f"{deal.reference}-licence-agreement.pdf", get_storage().read(agreement.draft_key)


def verify_upload(session: Session, data: bytes) -> dict[str, Any]:
    """Return whether the bytes are an unaltered agreement issued here; never any of its terms.

    The answer has ``valid``, ``stage`` (``"signed"`` for the agreement both parties signed,
    ``"draft"`` for the sealed draft they were asked to sign), ``deal_id``, ``reference``,
    ``sha256``, ``signed_at`` (the seal's time, an aware datetime) and ``problem`` (a sentence,
    when it is not valid). The deal is named only for a valid file.
    """
    _, cert_path = seal_files()
    verdict = sealing.verify(bytes(data), cert_path=cert_path)
    answer: dict[str, Any] = {
        "valid": False,
        "stage": None,
        "deal_id": None,
        "reference": None,
        "sha256": verdict.sha256,
        "signed_at": None,
        "problem": verdict.problem,
    }
    if not verdict.valid:
        return answer
    agreement = session.scalar(
        sa.select(Agreement).where(
            sa.or_(
                Agreement.final_sha256 == verdict.sha256, Agreement.draft_sha256 == verdict.sha256
            )
        )
    )
    if agreement is None:
        answer["problem"] = NOT_ISSUED_HERE
        return answer
    deal = agreement.deal
    answer.update(
        valid=True,
        stage="signed" if agreement.final_sha256 == verdict.sha256 else "draft",
        deal_id=deal.id,
        reference=deal.reference,
        signed_at=verdict.signed_at,
        problem=None,
    )
    return answer
