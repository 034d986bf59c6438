"""Three organisations, a published IP offer and valid licence terms for the deal tests.

The licensor owns the offer, the licensee negotiates a licence of it, and the outsider has no
part in the deal. Each organisation has an admin, a licensing officer and a plain member.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from ideagora.accounts.models import User
from ideagora.assets import services as assets
from ideagora.assets.models import Asset
from ideagora.challenges import services as challenges
from ideagora.database import db, utcnow
from ideagora.deals import services as deals
from ideagora.deals.models import Deal
from ideagora.organizations.models import Role
from tests.helpers import AppDriver, Person
from tests.ideagora.proposal_world import asset_data, challenge_data

PATENTS = ["EP 1234567 B1", "US 10,123,456 B2"]
DOSSIER_SECRET = "CANARY-deal-dossier-5b7e"


@dataclass(frozen=True)
class Party:
    """An organisation and the three people of it the tests act as."""

    organization_id: int
    admin: Person
    officer: Person
    member: Person


@dataclass(frozen=True)
class DealWorld:
    """Who is who: the offer's owner, the organisation licensing it, and one with no part."""

    licensor: Party
    licensee: Party
    outsider: Party
    asset_id: int
    # a published challenge of the licensee, which a deal may be linked to
    challenge_id: int


def user(person: Person) -> User:
    """Return the live user of a person, inside an app context."""
    return db.session.get(User, person.id)


def _party(driver: AppDriver, name: str, kind: str = "company") -> Party:
    admin = driver.person(organization=name, kind=kind)
    organization_id = admin.organization_id
    assert organization_id is not None
    officer = driver.person(organization=organization_id, role=Role.LICENSING_OFFICER)
    member = driver.person(organization=organization_id, role=Role.MEMBER)
    return Party(organization_id, admin, officer, member)


def build_deal_world(driver: AppDriver) -> DealWorld:
    """Make the three organisations, the licensor's published offer and the licensee's challenge."""
    licensor = _party(driver, "Licensor University", kind="university")
    licensee = _party(driver, "Licensee Coatings Ltd")
    outsider = _party(driver, "Outsider GmbH")
    with driver.app.app_context():
        data = asset_data(
            title="Chitosan barrier layers for paperboard",
            patent_numbers=list(PATENTS),
            confidential_dossier=f"Pilot line yields and cost model. {DOSSIER_SECRET}",
        )
        asset = assets.create_asset(db.session, user(licensor.admin), data, ip_address=None)
        assets.change_status(db.session, user(licensor.admin), asset, "publish", ip_address=None)
        challenge = challenges.create_challenge(
            db.session, user(licensee.admin), challenge_data(), ip_address=None
        )
        challenges.change_status(
            db.session, user(licensee.admin), challenge, "publish", ip_address=None
        )
        db.session.commit()
        return DealWorld(licensor, licensee, outsider, asset.id, challenge.id)


def terms_data(**changes: Any) -> dict[str, Any]:
    """Return valid exclusive worldwide terms of a licence of both patents, with changes."""
    data: dict[str, Any] = {
        "licensed_patents": list(PATENTS),
        "field_of_use": "Barrier coatings for food packaging",
        "territory": "worldwide",
        "exclusivity": "exclusive",
        "sublicensing": True,
        "term_years": 10,
        "currency": "EUR",
        "upfront_fee": "25000.00",
        "annual_fee": "0",
        "minimum_annual_royalty": "5000",
        "royalty_rate_percent": "3.5",
        "sublicense_income_percent": "20",
        "milestones": [
            {
                "event": "First commercial sale",
                "amount": "50000",
                "due": (utcnow() + timedelta(days=730)).date().isoformat(),
            }
        ],
        "patent_costs": {"paid_by": "licensee", "note": ""},
        "diligence": "The licensee will launch a licensed product within three years.",
        "governing_law": "the laws of England and Wales",
    }
    data.update(changes)
    return data


def proposal(message: str = "Our opening terms.", **term_changes: Any) -> dict[str, Any]:
    """Return the data of a valid revision: terms and a message."""
    return {"terms": terms_data(**term_changes), "message": message}


def open_deal(
    driver: AppDriver, world: DealWorld, person: Person | None = None, **options: Any
) -> int:
    """Open a deal on the world's offer through the service and return its id."""
    with driver.app.app_context():
        deal = deals.open_deal(
            db.session,
            user(person or world.licensee.officer),
            db.session.get(Asset, world.asset_id),
            challenge_id=options.get("challenge_id"),
            ip_address="127.0.0.1",
        )
        db.session.commit()
        return deal.id


def propose(
    driver: AppDriver, deal_id: int, person: Person, data: dict[str, Any] | None = None
) -> int:
    """Propose a revision through the service, commit it and return its number."""
    with driver.app.app_context():
        revision = deals.propose(
            db.session,
            user(person),
            db.session.get(Deal, deal_id),
            data or proposal(),
            ip_address="127.0.0.1",
            user_agent="pytest",
            channel="web",
        )
        db.session.commit()
        return revision.number


def accept(driver: AppDriver, deal_id: int, number: int, person: Person) -> None:
    """Accept a revision through the service and commit it."""
    with driver.app.app_context():
        deals.accept(
            db.session,
            user(person),
            db.session.get(Deal, deal_id),
            number,
            ip_address="127.0.0.1",
            user_agent="pytest",
            channel="web",
        )
        db.session.commit()


def set_deal(driver: AppDriver, deal_id: int, **values: Any) -> None:
    """Change a deal's columns directly, as another path (or time) would."""
    with driver.app.app_context():
        db.session.execute(sa.update(Deal).where(Deal.id == deal_id).values(**values))
        db.session.commit()
