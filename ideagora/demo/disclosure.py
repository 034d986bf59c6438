"""Sign the demo NDAs: requests waiting for approval, approved ones, and ones granted at once."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ideagora.assets.models import Asset
from ideagora.challenges.models import Challenge
from ideagora.demo.listings import manager_in
from ideagora.demo.organizations import demo_member
from ideagora.disclosure import acceptance, decisions
from ideagora.disclosure import services as disclosure
from ideagora.disclosure.models import GrantStatus

# (listing kind, listing title, who signs, whether the owner then approves)
DEMO_REQUESTS: tuple[tuple[type, str, str, bool], ...] = (
    (
        Challenge,
        "Detecting thermal runaway in a lithium-ion battery pack before a cell vents",
        "hanne@halden.example",
        False,
    ),
    (
        Challenge,
        "Durable antimicrobial coating for silicone urinary catheters",
        "karin@valdra.example",
        True,
    ),
    (
        Challenge,
        "Removing the beany off-flavour from pea protein isolate without solvents",
        "elif@eastmoor.example",
        False,
    ),
    (
        Asset,
        "Electrolyte-vapour sensor that warns of lithium-ion thermal runaway minutes ahead",
        "tara@tessel.example",
        True,
    ),
)


def load_disclosures(session: Session) -> int:
    """Accept the demo NDAs not accepted yet; return how many requests were made."""
    made = 0
    for model, title, email, approve in DEMO_REQUESTS:
        signer = demo_member(session, email)
        listing: Any = session.scalar(sa.select(model).where(model.title == title))
        if signer is None or listing is None or listing.status not in disclosure.REQUESTABLE:
            continue
        shown = disclosure.nda_for(session, signer, listing)
        grant, created = acceptance.accept_nda(
            session,
            signer,
            listing,
            sha256=shown.sha256,
            signer_name=signer.name,
            assent=True,
            fresh_login=True,
            ip_address=None,
            user_agent="",
            channel="demo",
        )
        made += created
        if created and approve and grant.status is GrantStatus.PENDING:
            decisions.approve(
                session,
                manager_in(listing.organization),
                grant,
                ip_address=None,
                user_agent="",
                channel="demo",
            )
    return made
