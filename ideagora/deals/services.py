"""Own the negotiation of licence deals: opening one, proposing revisions, accepting, comments.

A deal is seen by the members of its two parties only; to anyone else it does not exist. Any
member may open a deal on another organisation's published offer and comment on it; only
admins and licensing officers propose terms or accept them. The party that proposes a revision
counts as accepting it, so the other party's acceptance of the latest revision makes the deal
agreed, and the agreement is drafted at once. Every change of a deal bumps its version, so two
officers acting at the same moment get a conflict, not two outcomes. A proposal is checked in
``revision_input``. Nothing here commits: the caller does, after success.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ideagora.accounts.models import User
from ideagora.assets.models import Asset, AssetStatus
from ideagora.audit import services as audit
from ideagora.challenges.models import Challenge
from ideagora.challenges.services import get_visible_challenge
from ideagora.database import utcnow
from ideagora.deals import agreements, notices, revision_input
from ideagora.deals.models import (
    COMMENT_MAX,
    USER_AGENT_MAX,
    Deal,
    DealAcceptance,
    DealComment,
    DealRevision,
    DealStatus,
    PartyRole,
)
from ideagora.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ideagora.listings.services import MANAGER_ROLES
from ideagora.urls import ID_MAX
from licensing import presets
from licensing.redline import Change, redline
from licensing.terms import WORLDWIDE

NO_SUCH_DEAL = "There is no such deal."
DEFAULT_CURRENCY = "EUR"
# deals are opened on offers that are on the market
OPENABLE = (AssetStatus.PUBLISHED, AssetStatus.UNDER_NEGOTIATION)
# an organisation has at most one deal of these states per offer
LIVE = (DealStatus.NEGOTIATING, DealStatus.AGREED)
_CONCURRENT = (
    "Someone changed this deal at the same moment; reload it to see the latest revision, "
    "then try again."
)


class ForeignDeal(NotFound):
    """A deal reached by someone outside its two parties."""

    security_event = "deal.foreign_access"


def organization_id_of(user: User | None) -> int | None:
    if user is None or not user.is_authenticated or user.membership is None:
        return None
    return user.membership.organization_id


def role_of(user: User | None, deal: Deal) -> PartyRole | None:
    """Return which party of the deal the user belongs to, or None."""
    organization_id = organization_id_of(user)
    return None if organization_id is None else deal.role_of(organization_id)


def may_negotiate(user: User | None, deal: Deal) -> bool:
    """Return whether the user is an admin or licensing officer of one of the deal's parties."""
    return role_of(user, deal) is not None and user.membership.role in MANAGER_ROLES  # type: ignore[union-attr]


def deal_for(session: Session, user: User | None, deal_id: int) -> Deal:
    """Return a deal to a member of either party; to anyone else it does not exist."""
    deal = session.get(Deal, deal_id)
    if deal is None:
        raise NotFound(NO_SUCH_DEAL)
    if role_of(user, deal) is None:
        raise ForeignDeal(NO_SUCH_DEAL)
    return deal


def deals_query(user: User | None) -> sa.Select[Any]:
    """Return the query of the deals of the user's organisation, newest first."""
    organization_id = organization_id_of(user)
    if organization_id is None:
        return sa.select(Deal).where(sa.false())
    return (
        sa.select(Deal)
        .where(
            sa.or_(
                Deal.licensor_organization_id == organization_id,
                Deal.licensee_organization_id == organization_id,
            )
        )
        .order_by(Deal.id.desc())
    )


def open_deal(
    session: Session,
    user: User,
    asset: Asset,
    *,
    challenge_id: int | None,
    ip_address: str | None,
) -> Deal:
    """Open a deal between the offer's owner (licensor) and the user's organisation (licensee)."""
    organization_id = organization_id_of(user)
    if organization_id is None:
        raise Forbidden("Join or create an organisation first: a licence binds an organisation.")
    if organization_id == asset.organization_id:
        raise Conflict("Your organisation owns this offer; another organisation opens a deal.")
    if asset.status not in OPENABLE:
        raise Conflict(
            f"This offer is {asset.status.label.lower()}: deals are opened on published offers."
        )
    # opening a deal on one offer waits for any other opening of it, so only one is made
    session.execute(sa.select(Asset.id).where(Asset.id == asset.id).with_for_update())
    live = session.scalar(
        sa.select(Deal).where(
            Deal.asset_id == asset.id,
            Deal.licensee_organization_id == organization_id,
            Deal.status.in_(LIVE),
        )
    )
    if live is not None:
        raise Conflict(
            f"Your organisation already has deal {live.reference} on this offer "
            f"({live.status.label.lower()}); continue it rather than opening another."
        )
    challenge = _challenge(session, user, challenge_id, (asset.organization_id, organization_id))
    deal = Deal(
        asset=asset,
        challenge=challenge,
        licensor_organization_id=asset.organization_id,
        licensee_organization_id=organization_id,
        opened_by_id=user.id,
        status=DealStatus.NEGOTIATING,
    )
    session.add(deal)
    session.flush()
    audit.record(
        session,
        "deal.opened",
        actor=user,
        organization_id=organization_id,
        subject=deal,
        ip_address=ip_address,
        details={
            "asset_id": asset.id,
            "licensor_organization_id": asset.organization_id,
            "challenge_id": challenge.id if challenge else None,
        },
    )
    notices.deal_opened(session, deal)
    return deal


def _challenge(
    session: Session, user: User, challenge_id: Any, parties: tuple[int, int]
) -> Challenge | None:
    """Return the challenge a deal is linked to: one of a party's, that the user may see."""
    if challenge_id is None or challenge_id == "":
        return None
    problem = "Choose a challenge of your organisation or of the offer's owner."
    text = str(challenge_id).strip()
    if isinstance(challenge_id, bool) or not text.isdigit() or int(text) > ID_MAX:
        raise ValidationFailed(problem, fields={"challenge_id": problem})
    try:
        challenge = get_visible_challenge(session, user, int(text))
    except NotFound:
        challenge = None
    # an anonymous challenge of the other party must not be confirmed as theirs by linking it
    hidden = (
        challenge is not None
        and challenge.anonymous
        and challenge.organization_id != organization_id_of(user)
    )
    if challenge is None or challenge.organization_id not in parties or hidden:
        raise ValidationFailed(problem, fields={"challenge_id": problem})
    return challenge


def _negotiator(user: User, deal: Deal) -> PartyRole:
    role = role_of(user, deal)
    if role is None:
        raise ForeignDeal(NO_SUCH_DEAL)
    if not may_negotiate(user, deal):
        raise Forbidden(
            "Only the admins and licensing officers of a party propose or accept terms; "
            "members may comment."
        )
    return role


def _negotiating(deal: Deal, doing: str) -> None:
    if deal.status is not DealStatus.NEGOTIATING:
        raise Conflict(f"This deal is {deal.status.label.lower()}, so no one can {doing} now.")


def propose(
    session: Session,
    user: User,
    deal: Deal,
    data: Mapping[str, Any],
    *,
    ip_address: str | None,
    user_agent: str,
    channel: str,
) -> DealRevision:
    """Add the next revision of terms, proposed by the user's party, and tell the other one."""
    role = _negotiator(user, deal)
    _negotiating(deal, "propose terms")
    proposal = revision_input.revision_input(session, deal, data)
    last = session.scalar(
        sa.select(sa.func.max(DealRevision.number)).where(DealRevision.deal_id == deal.id)
    )
    revision = DealRevision(
        deal=deal,
        number=(last or 0) + 1,
        proposed_by_id=user.id,
        proposed_by_name=user.name,
        party=role,
        terms=proposal.terms,
        effective_date=proposal.effective_date,
        message=proposal.message,
        open_until=proposal.open_until,
        preset=proposal.preset,
    )
    session.add(revision)
    deal.updated_at = utcnow()
    _flush(session)
    audit.record(
        session,
        "deal.revision_proposed",
        actor=user,
        organization_id=organization_id_of(user),
        subject=deal,
        ip_address=ip_address,
        details={
            "revision": revision.number,
            "party": role.value,
            "preset": proposal.preset,
            "channel": channel,
            "user_agent": (user_agent or "")[:USER_AGENT_MAX],
        },
    )
    notices.revision_proposed(session, deal, revision)
    return revision


def accept(
    session: Session,
    user: User,
    deal: Deal,
    number: int,
    *,
    ip_address: str | None,
    user_agent: str,
    channel: str,
) -> Deal:
    """Accept the other party's latest revision: the deal is agreed and its agreement drafted."""
    role = _negotiator(user, deal)
    revision = revision_of(deal, number)
    _negotiating(deal, "accept a revision")
    if revision.party is role:
        raise Conflict(
            "You cannot accept your own revision: the other party accepts it or proposes another."
        )
    latest = deal.latest_revision
    if latest is not None and latest.number != revision.number:
        raise Conflict(
            f"Revision {revision.number} was superseded by revision {latest.number}; "
            "read and accept the latest one, or propose another."
        )
    now = utcnow()
    if revision.open_until is not None and revision.open_until <= now:
        raise Conflict(
            f"Revision {revision.number} was open until "
            f"{revision.open_until:%d %B %Y, %H:%M} UTC and has expired; ask for a new revision."
        )
    revision_input.check_still_exclusive(session, deal, revision)
    session.add(
        DealAcceptance(
            deal_id=deal.id,
            revision_id=revision.id,
            revision_number=revision.number,
            party=role,
            organization_id=organization_id_of(user),
            user_id=user.id,
            user_name=user.name,
            accepted_at=now,
            ip_address=ip_address,
            user_agent=(user_agent or "")[:USER_AGENT_MAX],
        )
    )
    deal.status, deal.agreed_revision, deal.agreed_at, deal.updated_at = (
        DealStatus.AGREED,
        revision.number,
        now,
        now,
    )
    _flush(session)
    audit.record(
        session,
        "deal.agreed",
        actor=user,
        organization_id=organization_id_of(user),
        subject=deal,
        ip_address=ip_address,
        details={
            "revision": revision.number,
            "party": role.value,
            "channel": channel,
            "user_agent": (user_agent or "")[:USER_AGENT_MAX],
        },
    )
    notices.revision_accepted(session, deal, revision)
    agreements.draft(session, deal)
    return deal


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise Conflict(_CONCURRENT) from None


def comment(
    session: Session, user: User, deal: Deal, body: Any, *, ip_address: str | None
) -> DealComment:
    """Add a comment to the deal from any member of either party."""
    role = role_of(user, deal)
    if role is None:
        raise ForeignDeal(NO_SUCH_DEAL)
    text = body.strip() if isinstance(body, str) else ""
    if not text:
        raise ValidationFailed("Write a comment.", fields={"body": "Write a comment."})
    if len(text) > COMMENT_MAX:
        problem = f"A comment has at most {COMMENT_MAX:,} characters."
        raise ValidationFailed(problem, fields={"body": problem})
    note = DealComment(deal_id=deal.id, user_id=user.id, user_name=user.name, party=role, body=text)
    session.add(note)
    session.flush()
    audit.record(
        session,
        "deal.commented",
        actor=user,
        organization_id=organization_id_of(user),
        subject=deal,
        ip_address=ip_address,
        details={"comment_id": note.id, "party": role.value},
    )
    return note


def revision_of(deal: Deal, number: int) -> DealRevision:
    """Return the deal's revision with this number."""
    for revision in deal.revisions:
        if revision.number == number:
            return revision
    raise NotFound(f"Deal {deal.reference} has no revision {number}.")


def diff(deal: Deal, number: int) -> list[Change]:
    """Return the changes revision ``number`` makes to the one before (all fields for the first)."""
    after = revision_of(deal, number)
    before = revision_of(deal, number - 1).terms if number > 1 else None
    return redline(before, after.terms)


def acceptances_of(session: Session, deal: Deal) -> list[DealAcceptance]:
    return list(
        session.scalars(
            sa.select(DealAcceptance)
            .where(DealAcceptance.deal_id == deal.id)
            .order_by(DealAcceptance.id)
        )
    )


def comments_of(session: Session, deal: Deal) -> list[DealComment]:
    """Return the deal's comments, oldest first."""
    return list(
        session.scalars(
            sa.select(DealComment).where(DealComment.deal_id == deal.id).order_by(DealComment.id)
        )
    )


def starting_terms(deal: Deal, preset_key: str | None) -> dict[str, Any]:
    """Return the terms a new revision starts from: a chosen preset, or the latest revision's.

    A preset is completed with the offer's patents, the deal's currency and today's date; with
    neither a preset nor a revision, only those are filled in.
    """
    latest = deal.latest_revision
    currency = _currency_of(deal)
    if preset_key:
        try:
            chosen = presets.preset(preset_key)
        except KeyError:
            raise NotFound("There is no such preset.") from None
        return presets.start_from(
            chosen,
            licensed_patents=deal.asset.patent_numbers,
            currency=currency,
            effective_date=utcnow().date(),
        )
    if latest is not None:
        return dict(latest.terms)
    return {
        "licensed_patents": list(deal.asset.patent_numbers),
        "territory": WORLDWIDE,
        "currency": currency,
        "milestones": [],
    }


def _currency_of(deal: Deal) -> str:
    """Return the currency of the latest revision, else of the linked challenge, else euros."""
    latest = deal.latest_revision
    if latest is not None:
        return str(latest.terms["currency"])
    if deal.challenge is not None and deal.challenge.currency:
        return deal.challenge.currency
    return DEFAULT_CURRENCY
