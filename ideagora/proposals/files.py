"""Let proposers attach files to their proposals, seen by the proposer's and seeker's organisations.

Every file of a proposal, public or confidential, is visible to exactly the organisations
that see the proposal itself: the proposer's and the seeker's. Anyone else is told there is
no such file. Only members of the proposer's organisation attach files, and remove the files
their organisation attached, and only while the proposal is still undecided (submitted or
shortlisted) and its challenge still decides on proposals: once the seeker has declined or
awarded it, or the proposer withdrew it, its files stay as they were when it was decided, so
that they remain a record of what the seeker evaluated.

Importing this module registers proposals as owners of attachments; the proposal pages and
API import it, so every app made by ``create_app`` has the rule, exactly once.
"""

from __future__ import annotations

from flask import url_for

from ideagora.accounts.models import User
from ideagora.attachments.models import OwnerType
from ideagora.attachments.owners import register_owner
from ideagora.errors import Conflict, DomainError, Forbidden
from ideagora.proposals import services
from ideagora.proposals.models import Proposal


def check_may_attach(user: User | None, proposal: Proposal) -> None:
    """Refuse adding or removing files of a proposal the user sees, saying why; never writes.

    Call it only for a proposal the user may see (``services.get_visible_proposal``).
    """
    if services.is_seeker(user, proposal) or not services.proposal_may_view(user, proposal):
        raise Forbidden("Only the organisation that submitted a proposal attaches files to it.")
    if proposal.status not in services.UNDECIDED:
        raise Conflict(
            f"This proposal is {proposal.status.value}; its files can no longer be changed."
        )
    if proposal.challenge.status not in services.DECIDING:
        raise Conflict(
            f"The challenge is {proposal.challenge.status.value}; "
            "the files of its proposals can no longer be changed."
        )


def may_attach(user: User | None, proposal: Proposal) -> bool:
    """Return whether the user may attach files to the proposal and remove its files."""
    try:
        check_may_attach(user, proposal)
    except DomainError:
        return False
    return True


register_owner(
    OwnerType.PROPOSAL,
    Proposal,
    load_visible=services.get_visible_proposal,
    # the proposal is seen only by the two organisations, and so is every one of its files
    may_see_confidential=services.proposal_may_view,
    may_attach=may_attach,
    # the seeker answers for the challenge; filing a seeker's downloads under the proposer
    # would show an anonymous seeker's people to the proposer
    audit_organization_id=lambda session, attachment: (
        session.get(Proposal, attachment.owner_id).challenge.organization_id
    ),
    page_url=lambda proposal: url_for("proposals.detail", proposal_id=proposal.id),
    upload_url=lambda proposal: url_for("proposals.attach", proposal_id=proposal.id),
)
