"""Load demonstration data: a lively exchange of organisations, challenges, offers and proposals.

The people are in :mod:`ideagora.demo.organizations`; the listings and proposals are the
project's own invented text in ``ideagora/data/demo-*.json``; a few organisations have
accepted NDAs of others' listings (:mod:`ideagora.demo.disclosure`), and two licence deals
are negotiated (:mod:`ideagora.demo.deals`). Everything is created through the services a
person would use, so every demo listing passed the same checks as typed input. Loading again
adds only what is missing: organisations are known by name, listings by their organisation and
title, proposals by their challenge, organisation and title, NDA requests by their listing and
organisation, deals by their offer and licensee.
"""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from ideagora.demo.deals import load_deals
from ideagora.demo.disclosure import load_disclosures
from ideagora.demo.listings import load_challenges, load_offers
from ideagora.demo.organizations import (
    DEMO_ORGANIZATIONS,
    DEMO_PASSWORD,
    DemoOrganization,
    DemoPerson,
    SharedHash,
    load_organizations,
)
from ideagora.demo.proposals import load_proposals

__all__ = ["DEMO_ORGANIZATIONS", "DEMO_PASSWORD", "DemoOrganization", "DemoPerson", "load"]

logger = logging.getLogger(__name__)


def load(session: Session) -> dict[str, int]:
    """Create the demo data that does not exist yet; return how much of each kind was added."""
    added = load_organizations(session, SharedHash())
    added["challenges"] = load_challenges(session)
    added["offers"] = load_offers(session)
    added["proposals"] = load_proposals(session)
    added["nda_requests"] = load_disclosures(session)
    added["deals"] = load_deals(session)
    logger.info(
        "demo data: %d organisations, %d users, %d challenges, %d offers, %d proposals, "
        "%d NDA requests, %d licence deals added",
        added["organizations"],
        added["users"],
        added["challenges"],
        added["offers"],
        added["proposals"],
        added["nda_requests"],
        added["deals"],
    )
    return added
