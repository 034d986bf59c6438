"""Tell the parties of a licence deal what the other one did: in the app and by e-mail at once.

Notices go to the admins and licensing officers of a party. They name the offer by its public
title, the parties by their names and the revision by its number, and link to the deal's page;
they never carry a term of the licence, a revision's message or a comment, which the parties
read on the deal's page after logging in.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy.orm import Session

from ideagora import mail
from ideagora.accounts.models import User
from ideagora.alerts.models import TITLE_MAX, Notification, NotificationKind
from ideagora.alerts.processing import managers_of
from ideagora.database import utcnow
from ideagora.deals.models import Deal, DealRevision, PartyRole
from ideagora.matching.services import key_of
from ideagora.organizations.models import Organization
from ideagora.urls import external_url

DEAL_PAGE = "deals.detail"


def organization_of(deal: Deal, party: PartyRole) -> Organization:
    return deal.licensor if party is PartyRole.LICENSOR else deal.licensee


def _other(party: PartyRole) -> PartyRole:
    return PartyRole.LICENSEE if party is PartyRole.LICENSOR else PartyRole.LICENSOR


def _notify(
    session: Session, deal: Deal, parties: tuple[PartyRole, ...], title: str, body: str
) -> None:
    """Add a notification and queue an e-mail for each manager of the parties, once each."""
    values = {"deal_id": deal.id}
    path = current_app.url_map.bind("localhost").build(DEAL_PAGE, values)
    url = external_url(DEAL_PAGE, **values)
    users: dict[int, User] = {}
    for party in parties:
        users.update({user.id: user for user in managers_of(organization_of(deal, party))})
    now = utcnow()
    for user in sorted(users.values(), key=lambda u: u.id):
        session.add(
            Notification(
                user_id=user.id,
                kind=NotificationKind.DEAL,
                title=title[:TITLE_MAX],
                body=body,
                link=path,
                listing_key=key_of(deal.asset),
                # the e-mail goes now; the digest must not send it again
                emailed_at=now,
            )
        )
        mail.queue(
            session,
            mail.Message(
                to=user.email, subject=title, body=f"Hello {user.name},\n\n{body}\n\n{url}\n"
            ),
        )


def deal_opened(session: Session, deal: Deal) -> None:
    """Tell the licensor's managers that another organisation opened a deal on their offer."""
    licensee, offer = deal.licensee.name, deal.asset.title
    title = f"{licensee} opened licence deal {deal.reference} on “{offer}”"
    body = (
        f"{licensee} would like to license “{offer}” and opened deal {deal.reference}. "
        "Your admins and licensing officers can propose terms on the deal's page."
    )
    _notify(session, deal, (PartyRole.LICENSOR,), title, body)


def revision_proposed(session: Session, deal: Deal, revision: DealRevision) -> None:
    """Tell the other party's managers that a revision of the terms awaits them."""
    proposer = organization_of(deal, revision.party).name
    title = f"{proposer} proposed revision {revision.number} of deal {deal.reference}"
    body = (
        f"{proposer} proposed revision {revision.number} of the licence terms for "
        f"“{deal.asset.title}” (deal {deal.reference}). Read the changes on the deal's page, "
        "then accept them or propose a revision of your own."
    )
    if revision.open_until is not None:
        body += f" It can be accepted until {revision.open_until:%d %B %Y, %H:%M} UTC."
    _notify(session, deal, (_other(revision.party),), title, body)


def revision_accepted(session: Session, deal: Deal, revision: DealRevision) -> None:
    """Tell the proposing party's managers that the other party accepted their revision."""
    accepter = organization_of(deal, _other(revision.party)).name
    title = f"{accepter} accepted revision {revision.number} of deal {deal.reference}"
    body = (
        f"{accepter} accepted revision {revision.number} of the licence terms for "
        f"“{deal.asset.title}” (deal {deal.reference}): the deal is agreed, and the licence "
        "agreement is drafted for both parties to sign."
    )
    _notify(session, deal, (revision.party,), title, body)


def agreement_ready(session: Session, deal: Deal) -> None:
    """Tell both parties' managers that the agreement is drafted and waits for signatures."""
    title = f"The licence agreement of deal {deal.reference} is ready to sign"
    body = (
        f"The licence agreement of “{deal.asset.title}” between {deal.licensor.name} "
        f"(licensor) and {deal.licensee.name} (licensee) was drafted from revision "
        f"{deal.agreed_revision}. Read it and sign it on the deal's page."
    )
    _notify(session, deal, (PartyRole.LICENSOR, PartyRole.LICENSEE), title, body)


def party_signed(session: Session, deal: Deal, party: PartyRole) -> None:
    """Tell the other party's managers that one party signed and their signature is awaited."""
    signer = organization_of(deal, party).name
    title = f"{signer} signed the licence agreement of deal {deal.reference}"
    body = (
        f"{signer} signed the licence agreement of “{deal.asset.title}” (deal "
        f"{deal.reference}). It takes effect once your organisation signs it too, on the "
        "deal's page."
    )
    _notify(session, deal, (_other(party),), title, body)


def deal_signed(session: Session, deal: Deal) -> None:
    """Tell both parties' managers that the agreement is signed by both and sealed."""
    title = f"The licence agreement of deal {deal.reference} is signed"
    body = (
        f"{deal.licensor.name} and {deal.licensee.name} have both signed the licence "
        f"agreement of “{deal.asset.title}” (deal {deal.reference}). The final, sealed "
        "agreement can be downloaded from the deal's page."
    )
    _notify(session, deal, (PartyRole.LICENSOR, PartyRole.LICENSEE), title, body)
