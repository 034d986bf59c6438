"""E-mail both sides about proposals: names, links and states only, never confidential text."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from ideagora import mail
from ideagora.accounts.models import User
from ideagora.listings.services import MANAGER_ROLES
from ideagora.organizations.models import Organization
from ideagora.proposals.models import Proposal
from ideagora.urls import external_url

_OUTCOMES = {
    "shortlisted": "was shortlisted by the seeker",
    "declined": "was declined by the seeker; the reason and their feedback are on its page",
    "awarded": "was awarded by the seeker. Congratulations",
}


def _managers(organization: Organization) -> list[User]:
    return [
        membership.user
        for membership in organization.memberships
        if membership.role in MANAGER_ROLES and membership.user.active
    ]


def _queue(session: Session, recipients: Iterable[User], subject: str, body: str) -> None:
    for address in sorted({user.email for user in recipients}):
        mail.queue(session, mail.Message(to=address, subject=subject, body=body))


def mail_new_proposal(session: Session, proposal: Proposal) -> None:
    """Tell the seeker's admins and licensing officers that a proposal arrived."""
    challenge = proposal.challenge
    url = external_url("proposals.detail", proposal_id=proposal.id)
    proposer = session.get(Organization, proposal.organization_id)
    _queue(
        session,
        _managers(challenge.organization),
        f"New proposal to your challenge “{challenge.title}”",
        f"Hello,\n\n{proposer.name} submitted a proposal to your challenge "
        f"“{challenge.title}”.\n\nRead it and decide on it here:\n\n{url}\n",
    )


def mail_decision(session: Session, proposal: Proposal, outcome: str) -> None:
    """Tell the proposer organisation's managers and the submitter what the seeker decided."""
    recipients = _managers(proposal.organization)
    submitter = proposal.submitted_by
    if (
        submitter is not None
        and submitter.active
        and submitter.membership is not None
        and submitter.membership.organization_id == proposal.organization_id
    ):
        recipients.append(submitter)
    url = external_url("proposals.detail", proposal_id=proposal.id)
    # the challenge's title is public; the seeker stays unnamed, as an anonymous one must
    challenge_title = proposal.challenge.title
    _queue(
        session,
        recipients,
        f"Your proposal to “{challenge_title}” was {outcome}",
        f"Hello,\n\nThe proposal your organisation submitted to the challenge "
        f"“{challenge_title}” {_OUTCOMES[outcome]}.\n\nSee it here:\n\n{url}\n",
    )
