"""Issue the certificate of an acceptance: the PDF evidence of one signed NDA."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ideagora.accounts.models import User
from ideagora.disclosure.models import DisclosureGrant, GrantStatus
from ideagora.errors import NotFound
from licensing import nda
from licensing.certificate import CertificateData, render_certificate


def _when(moment: Any) -> str:
    return f"{moment:%d %B %Y, %H:%M} UTC"


def _status_lines(grant: DisclosureGrant) -> tuple[str, ...]:
    lines = []
    if grant.status is GrantStatus.PENDING:
        lines.append("Waiting for the owner's approval")
    elif grant.decided_by is None and grant.decided_at is not None:
        lines.append("Access granted on acceptance: the owner asks for no approval")
    elif grant.decided_at is not None:
        verb = "Declined" if grant.status is GrantStatus.DECLINED else "Approved"
        lines.append(f"{verb} by {grant.decided_by.name} on {_when(grant.decided_at)}")
        if grant.decision_reason:
            lines.append(f"Reason given: {grant.decision_reason}")
    if grant.revoked_at is not None:
        who = grant.revoked_by.name if grant.revoked_by is not None else "the owner"
        lines.append(f"Revoked by {who} on {_when(grant.revoked_at)}")
    if grant.status is not GrantStatus.DECLINED:
        lines.append(f"Confidentiality term ends on {_when(grant.expires_at)}")
    return tuple(lines)


def certificate_pdf(
    session: Session, user: User | None, grant: DisclosureGrant
) -> tuple[str, bytes]:
    """Return the file name and bytes of the certificate of the grant's acceptance."""
    membership = getattr(user, "membership", None) if user is not None else None
    if membership is None or membership.organization_id not in (
        grant.organization_id,
        grant.owner_organization_id,
    ):
        raise NotFound("There is no such access request.")
    acceptance = grant.acceptance
    data = CertificateData(
        reference=acceptance.reference,
        listing_reference=nda.listing_reference(acceptance.listing_type, acceptance.listing_id),
        listing_title=acceptance.listing_title,
        owner_name=acceptance.owner_organization_name,
        recipient_name=acceptance.organization_name,
        signer_name=acceptance.signer_name,
        user_name=acceptance.user_name,
        user_email=acceptance.user_email,
        template_name=acceptance.template_name,
        template_version=acceptance.template_version,
        term_years=acceptance.term_years,
        text=acceptance.text,
        sha256=acceptance.sha256,
        assent_wording=acceptance.assent_wording,
        accepted_at=acceptance.accepted_at,
        ip_address=acceptance.ip_address,
        user_agent=acceptance.user_agent,
        channel=acceptance.channel,
        status_lines=_status_lines(grant),
    )
    return f"{acceptance.reference}-certificate.pdf", render_certificate(data)
