"""Negotiate the demo licence deals: one still going back and forth, one agreed and signed."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ideagora.assets.models import Asset
from ideagora.deals import agreements, services
from ideagora.deals.models import Deal
from ideagora.demo.organizations import demo_member

SENSOR_OFFER = "Electrolyte-vapour sensor that warns of lithium-ion thermal runaway minutes ahead"
COATING_OFFER = "Clay-polymer nanocoating that gives polyethylene film an EVOH-class oxygen barrier"
_EVIDENCE = {"ip_address": None, "user_agent": "", "channel": "demo"}


def load_deals(session: Session) -> int:
    """Open the demo deals that are not open yet; return how many were opened."""
    made = 0
    sensor = _offer(session, SENSOR_OFFER)
    licensee = demo_member(session, "tara@tessel.example")
    licensor = demo_member(session, "hanne@halden.example")
    if sensor is not None and licensee and licensor and not _has_deal(session, sensor, licensee):
        _negotiate_sensor(session, sensor, licensee, licensor)
        made += 1
    coating = _offer(session, COATING_OFFER)
    licensee = demo_member(session, "ben@northwind.example")
    licensor = demo_member(session, "elif@eastmoor.example")
    if coating is not None and licensee and licensor and not _has_deal(session, coating, licensee):
        _sign_research_licence(session, coating, licensee, licensor)
        made += 1
    return made


def _offer(session: Session, title: str) -> Asset | None:
    return session.scalar(sa.select(Asset).where(Asset.title == title))


def _has_deal(session: Session, asset: Asset, licensee: Any) -> bool:
    return (
        session.scalar(
            sa.select(Deal.id).where(
                Deal.asset_id == asset.id,
                Deal.licensee_organization_id == licensee.membership.organization_id,
            )
        )
        is not None
    )


def _preset_terms(deal: Deal, key: str, **changes: Any) -> dict[str, Any]:
    terms = services.starting_terms(deal, key)
    terms.update(changes)
    return terms


def _negotiate_sensor(session: Session, asset: Asset, licensee: Any, licensor: Any) -> None:
    deal = services.open_deal(session, licensee, asset, challenge_id=None, ip_address=None)
    opening = _preset_terms(
        deal,
        "express_startup",
        field_of_use="Battery packs for electric vehicles",
        exclusivity="exclusive_in_field",
        upfront_fee="40000",
        royalty_rate_percent="3",
        minimum_annual_royalty="10000",
    )
    services.propose(
        session,
        licensor,
        deal,
        {"terms": opening, "message": "Our opening terms for the EV field."},
        **_EVIDENCE,
    )
    counter = dict(opening, royalty_rate_percent="2.5", upfront_fee="30000")
    services.propose(
        session,
        licensee,
        deal,
        {"terms": counter, "message": "We can accept the field if the royalty is 2.5 %."},
        **_EVIDENCE,
    )


def _sign_research_licence(session: Session, asset: Asset, licensee: Any, licensor: Any) -> None:
    deal = services.open_deal(session, licensee, asset, challenge_id=None, ip_address=None)
    terms = _preset_terms(deal, "research", governing_law="the laws of England and Wales")
    revision = services.propose(
        session,
        licensor,
        deal,
        {"terms": terms, "message": "Our standard research licence.", "preset": "research"},
        **_EVIDENCE,
    )
    services.accept(session, licensee, deal, revision.number, **_EVIDENCE)
    for person, title in ((licensor, "Licensing officer"), (licensee, "Licensing officer")):
        agreements.sign(
            session,
            person,
            deal,
            signer_name=person.name,
            signer_title=title,
            assent=True,
            fresh_login=True,
            **_EVIDENCE,
        )
