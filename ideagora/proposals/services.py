"""Submit, shortlist, decline, award and withdraw proposals; decide who may see them."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ideagora.accounts.models import User
from ideagora.assets import services as assets
from ideagora.assets.models import Asset
from ideagora.audit import services as audit
from ideagora.challenges.models import Challenge, ChallengeStatus
from ideagora.challenges.services import advance_past_deadlines
from ideagora.database import utcnow
from ideagora.errors import Conflict, DomainError, Forbidden, NotFound
from ideagora.listings import services as listings
from ideagora.listings.models import SUMMARY_MAX, TITLE_MAX
from ideagora.proposals import notifications
from ideagora.proposals.models import (
    BODY_MAX,
    FEEDBACK_MAX,
    DeclineReason,
    Proposal,
    ProposalStatus,
)

logger = logging.getLogger(__name__)

INPUT_FIELDS = ("title", "summary", "body", "asset_id")
# challenge states in which the seeker still decides on proposals
DECIDING = (ChallengeStatus.OPEN, ChallengeStatus.EVALUATING, ChallengeStatus.AWARDED)
UNDECIDED = (ProposalStatus.SUBMITTED, ProposalStatus.SHORTLISTED)


def _organization_id(user: User | None) -> int | None:
    if user is None or not user.is_authenticated or user.membership is None:
        return None
    return user.membership.organization_id


def proposal_may_view(user: User | None, proposal: Proposal) -> bool:
    """Return whether the user belongs to the proposer's or the seeker's organisation."""
    organization_id = _organization_id(user)
    return organization_id is not None and organization_id in (
        proposal.organization_id,
        proposal.challenge.organization_id,
    )


def is_seeker(user: User | None, proposal: Proposal) -> bool:
    """Return whether the user belongs to the organisation that posted the challenge."""
    return _organization_id(user) == proposal.challenge.organization_id


def get_visible_proposal(session: Session, user: User | None, proposal_id: int) -> Proposal:
    """Return a proposal the user may see; anyone else learns nothing, not even that it exists."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or not proposal_may_view(user, proposal):
        raise NotFound("There is no such proposal.")
    return proposal


def proposals_query(user: User | None, challenge: Challenge) -> sa.Select[tuple[Proposal]]:
    """Return the query for a challenge's proposals: all for the seeker, a proposer its own."""
    query = sa.select(Proposal).where(Proposal.challenge_id == challenge.id)
    organization_id = _organization_id(user)
    if organization_id != challenge.organization_id:
        query = query.where(Proposal.organization_id == (organization_id or -1))
    return query.order_by(Proposal.submitted_at.desc(), Proposal.id.desc())


def proposals_for(session: Session, user: User | None, challenge: Challenge) -> list[Proposal]:
    """Return a challenge's proposals the user may see, newest first."""
    return list(session.scalars(proposals_query(user, challenge)))


def may_decide(user: User | None, proposal: Proposal) -> bool:
    """Return whether the user may shortlist, decline or award the proposal."""
    try:
        require_decider(user, proposal)
    except DomainError:
        return False
    return True


def linkable_assets(session: Session, user: User) -> list[Asset]:
    """Return the user's organisation's published IP offers, which a proposal may link."""
    return list(
        session.scalars(
            sa.select(Asset)
            .where(
                Asset.organization_id == (_organization_id(user) or -1),
                Asset.status.in_(assets.PUBLIC_STATUSES),
            )
            .order_by(Asset.title)
        )
    )


# -- submitting ---------------------------------------------------------------------------


def check_may_propose(user: User | None, challenge: Challenge) -> None:
    """Refuse a proposal from this user to this challenge, saying why; never writes."""
    organization_id = _organization_id(user)
    if organization_id is None:
        raise Conflict("Join or create an organisation before submitting a proposal.")
    hidden = challenge.status in (ChallengeStatus.DRAFT, ChallengeStatus.WITHDRAWN)
    if hidden and organization_id != challenge.organization_id:
        raise NotFound("There is no such challenge.")
    if organization_id == challenge.organization_id:
        raise Conflict("Your organisation posted this challenge; it cannot propose to it.")
    if challenge.status is ChallengeStatus.EVALUATING or (
        challenge.status is ChallengeStatus.OPEN and challenge.deadline <= utcnow()
    ):
        raise Conflict(
            f"The deadline passed on {challenge.deadline.strftime('%d %B %Y, %H:%M UTC')}; "
            "this challenge no longer accepts proposals."
        )
    if challenge.status is not ChallengeStatus.OPEN:
        raise Conflict(
            f"This challenge is {challenge.status.value}; it no longer accepts proposals."
        )


def may_propose(user: User | None, challenge: Challenge) -> bool:
    """Return whether the user could submit a proposal to the challenge now."""
    if _organization_id(user) is None:
        return False
    try:
        check_may_propose(user, challenge)
    except DomainError:
        return False
    return True


def check_input(session: Session, user: User, data: Mapping[str, Any]) -> dict[str, Any]:
    """Return the checked title, summary, body and linked IP offer of a proposal."""
    errors = listings.FieldErrors()
    for field in sorted(set(data) - set(INPUT_FIELDS)):
        errors.messages[field] = "This field does not exist on a proposal."
    values = {
        "title": errors.check(
            "title", lambda: listings.text(data.get("title"), "A title", TITLE_MAX, required=True)
        ),
        "summary": errors.check(
            "summary",
            lambda: listings.text(data.get("summary"), "A summary", SUMMARY_MAX, required=True),
        ),
        "body": errors.check(
            "body",
            lambda: listings.text(data.get("body"), "The proposal", BODY_MAX, required=True),
        ),
        "asset_id": errors.check("asset_id", lambda: _own_asset_id(session, user, data)),
    }
    errors.raise_if_any()
    return values


def _own_asset_id(session: Session, user: User, data: Mapping[str, Any]) -> int | None:
    value = data.get("asset_id")
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not str(value).strip().isdigit():
        raise ValueError("Give the number of one of your organisation's IP offers.")
    try:
        asset = assets.get_visible_asset(session, user, int(str(value).strip()))
    except NotFound:
        raise ValueError("There is no such IP offer.") from None
    if asset.organization_id != _organization_id(user):
        raise ValueError("Link one of your own organisation's IP offers, not another's.")
    if asset.status not in assets.PUBLIC_STATUSES:
        raise ValueError("Publish this IP offer before linking it, so the seeker can read it.")
    return asset.id


def receipt_document(proposal: Proposal) -> bytes:
    """Return the canonical JSON of what was submitted: sorted keys, no spaces, UTF-8."""
    document = {
        "asset_id": proposal.asset_id,
        "body": proposal.body,
        "challenge_id": proposal.challenge_id,
        "organization_id": proposal.organization_id,
        "submitted_at": proposal.submitted_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "summary": proposal.summary,
        "title": proposal.title,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def receipt_sha256(proposal: Proposal) -> str:
    """Return the SHA-256 of the proposal's canonical receipt document."""
    return hashlib.sha256(receipt_document(proposal)).hexdigest()


def submit_proposal(
    session: Session,
    user: User,
    challenge: Challenge,
    data: Mapping[str, Any],
    *,
    ip_address: str | None,
) -> Proposal:
    """Submit a proposal to an open challenge on behalf of the user's organisation."""
    advance_past_deadlines(session)
    check_may_propose(user, challenge)
    values = check_input(session, user, data)
    proposal = Proposal(
        **values,
        challenge_id=challenge.id,
        organization_id=user.membership.organization_id,
        submitted_by_id=user.id,
        status=ProposalStatus.SUBMITTED,
        # whole microseconds survive every database, so the receipt can be recomputed
        submitted_at=utcnow(),
    )
    proposal.receipt_sha256 = receipt_sha256(proposal)
    session.add(proposal)
    session.flush()
    audit.record(
        session,
        "proposal.submitted",
        actor=user,
        subject=proposal,
        organization_id=proposal.organization_id,
        ip_address=ip_address,
        details={"challenge_id": challenge.id, "receipt_sha256": proposal.receipt_sha256},
    )
    notifications.mail_new_proposal(session, proposal)
    logger.info("proposal %r submitted by %s", proposal, user)
    return proposal


# -- deciding -----------------------------------------------------------------------------

# action → (proposal states it may start from, the state it leads to, past participle)
_TRANSITIONS = {
    "shortlist": ({ProposalStatus.SUBMITTED}, ProposalStatus.SHORTLISTED, "shortlisted"),
    "decline": (set(UNDECIDED), ProposalStatus.DECLINED, "declined"),
    "award": (set(UNDECIDED), ProposalStatus.AWARDED, "awarded"),
    "withdraw": (set(UNDECIDED), ProposalStatus.WITHDRAWN, "withdrawn"),
}


def require_decider(user: User, proposal: Proposal) -> None:
    """Refuse anyone but the seeker's admins and licensing officers; outsiders get NotFound."""
    if not proposal_may_view(user, proposal):
        raise NotFound("There is no such proposal.")
    if not is_seeker(user, proposal):
        raise Forbidden("Only the seeker's admins or licensing officers decide on a proposal.")
    listings.require_manager(user, proposal.challenge)


def _lock(session: Session, proposal: Proposal) -> None:
    # re-read the proposal under a row lock: two managers deciding at once take turns
    session.refresh(proposal, with_for_update=True)


def _check_transition(proposal: Proposal, action: str) -> ProposalStatus:
    allowed_from, target, done = _TRANSITIONS[action]
    if proposal.status not in allowed_from:
        raise Conflict(f"A proposal that is {proposal.status.value} cannot be {done}.")
    return target


def _check_challenge_deciding(challenge: Challenge) -> None:
    if challenge.status not in DECIDING:
        raise Conflict(
            f"The challenge is {challenge.status.value}; its proposals can no longer be decided."
        )


def _decide(
    session: Session,
    user: User,
    proposal: Proposal,
    action: str,
    *,
    ip_address: str | None,
    details: dict[str, Any] | None = None,
) -> Proposal:
    proposal.status = _TRANSITIONS[action][1]
    proposal.decided_at = utcnow()
    proposal.decided_by_id = user.id
    session.flush()
    audit.record(
        session,
        f"proposal.{_TRANSITIONS[action][2]}",
        actor=user,
        subject=proposal,
        organization_id=proposal.challenge.organization_id,
        ip_address=ip_address,
        details={"challenge_id": proposal.challenge_id, **(details or {})},
    )
    notifications.mail_decision(session, proposal, _TRANSITIONS[action][2])
    return proposal


def shortlist_proposal(
    session: Session, user: User, proposal: Proposal, *, ip_address: str | None
) -> Proposal:
    """Put a submitted proposal on the seeker's shortlist."""
    require_decider(user, proposal)
    advance_past_deadlines(session)
    _lock(session, proposal)
    _check_transition(proposal, "shortlist")
    _check_challenge_deciding(proposal.challenge)
    return _decide(session, user, proposal, "shortlist", ip_address=ip_address)


def decline_proposal(
    session: Session,
    user: User,
    proposal: Proposal,
    reason_code: str,
    feedback: str,
    *,
    ip_address: str | None,
) -> Proposal:
    """Decline a proposal with a reason code and written feedback the proposer reads."""
    require_decider(user, proposal)
    advance_past_deadlines(session)
    _lock(session, proposal)
    _check_transition(proposal, "decline")
    _check_challenge_deciding(proposal.challenge)
    errors = listings.FieldErrors()
    reason = errors.check(
        "reason_code", lambda: listings.choice(reason_code, DeclineReason, "a reason")
    )
    text = errors.check(
        "feedback",
        lambda: listings.text(feedback, "Feedback for the proposer", FEEDBACK_MAX, required=True),
    )
    errors.raise_if_any("Give a reason and feedback for the proposer.")
    proposal.decline_reason_code = reason
    proposal.feedback = text
    return _decide(
        session, user, proposal, "decline", ip_address=ip_address, details={"reason": reason.value}
    )


def award_proposal(
    session: Session, user: User, proposal: Proposal, *, ip_address: str | None
) -> Proposal:
    """Award a proposal; the first award moves the challenge to awarded."""
    require_decider(user, proposal)
    advance_past_deadlines(session)
    challenge = proposal.challenge
    # two managers awarding at once must not both pass the count below
    session.refresh(challenge, with_for_update=True)
    _lock(session, proposal)
    _check_transition(proposal, "award")
    _check_challenge_deciding(challenge)
    awarded = count_awarded(session, challenge)
    if awarded >= challenge.awards_allowed:
        raise Conflict(
            f"This challenge allows {challenge.awards_allowed} "
            f"award{'s' if challenge.awards_allowed != 1 else ''}, and "
            f"{'it has' if awarded == 1 else f'all {awarded} have'} been given."
        )
    if challenge.status is not ChallengeStatus.AWARDED:
        challenge.status = ChallengeStatus.AWARDED
        listings.flush_edit(session)
        audit.record(
            session,
            "challenge.awarded",
            actor=user,
            subject=challenge,
            organization_id=challenge.organization_id,
            ip_address=ip_address,
            details={"proposal_id": proposal.id},
        )
    return _decide(session, user, proposal, "award", ip_address=ip_address)


def count_awarded(session: Session, challenge: Challenge) -> int:
    """Return how many of the challenge's proposals have been awarded."""
    return session.scalar(
        sa.select(sa.func.count())
        .select_from(Proposal)
        .where(Proposal.challenge_id == challenge.id, Proposal.status == ProposalStatus.AWARDED)
    )


def withdraw_proposal(
    session: Session, user: User, proposal: Proposal, *, ip_address: str | None
) -> Proposal:
    """Withdraw a proposal that is still undecided (by its proposer organisation)."""
    if not proposal_may_view(user, proposal):
        raise NotFound("There is no such proposal.")
    if _organization_id(user) != proposal.organization_id:
        raise Forbidden("Only the organisation that submitted a proposal can withdraw it.")
    _lock(session, proposal)
    _check_transition(proposal, "withdraw")
    proposal.status = ProposalStatus.WITHDRAWN
    session.flush()
    audit.record(
        session,
        "proposal.withdrawn",
        actor=user,
        subject=proposal,
        organization_id=proposal.organization_id,
        ip_address=ip_address,
        details={"challenge_id": proposal.challenge_id},
    )
    return proposal
