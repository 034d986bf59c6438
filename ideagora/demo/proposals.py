"""Answer the demo challenges with proposals, and decide on some of them, through the services."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ideagora.assets.models import Asset
from ideagora.challenges.models import Challenge
from ideagora.demo.content import entries, paragraphs
from ideagora.demo.listings import find_listing, manager_in
from ideagora.demo.organizations import demo_member
from ideagora.proposals import services as proposals
from ideagora.proposals.models import Proposal

# awards come last: a seeker shortlists and declines while still weighing the others
_DECISION_ORDER = {"shortlisted": 0, "declined": 1, "awarded": 2}


def load_proposals(session: Session) -> int:
    """Submit the demo proposals not submitted yet, then record the seekers' decisions."""
    submitted = []
    for entry in entries("proposals"):
        proposal = _submit(session, entry)
        if proposal is not None:
            submitted.append((entry, proposal))
    decided = [pair for pair in submitted if pair[0].get("outcome") in _DECISION_ORDER]
    for entry, proposal in sorted(decided, key=lambda pair: _DECISION_ORDER[pair[0]["outcome"]]):
        _decide(session, entry, proposal)
    return len(submitted)


def _submit(session: Session, entry: dict[str, Any]) -> Proposal | None:
    author = demo_member(session, entry["author"])
    challenge = session.scalar(sa.select(Challenge).where(Challenge.title == entry["challenge"]))
    if author is None or challenge is None:
        return None
    exists = session.scalar(
        sa.select(Proposal.id).where(
            Proposal.challenge_id == challenge.id,
            Proposal.organization_id == author.membership.organization_id,
            Proposal.title == entry["title"],
        )
    )
    if exists is not None or not proposals.may_propose(author, challenge):
        return None
    offer = find_listing(session, Asset, author, entry["offer"]) if "offer" in entry else None
    data = {
        "title": entry["title"],
        "summary": entry["summary"],
        "body": paragraphs(entry["body"]),
        "asset_id": offer.id if offer is not None else None,
    }
    return proposals.submit_proposal(session, author, challenge, data, ip_address=None)


def _decide(session: Session, entry: dict[str, Any], proposal: Proposal) -> None:
    seeker = manager_in(proposal.challenge.organization)
    if entry["outcome"] == "shortlisted":
        proposals.shortlist_proposal(session, seeker, proposal, ip_address=None)
    elif entry["outcome"] == "declined":
        proposals.decline_proposal(
            session, seeker, proposal, entry["reason"], entry["feedback"], ip_address=None
        )
    else:
        proposals.award_proposal(session, seeker, proposal, ip_address=None)
