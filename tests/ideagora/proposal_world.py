"""Organisations, people, a published challenge and IP offers for the proposal tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from ideagora.accounts.models import User
from ideagora.assets import services as assets
from ideagora.challenges import services as challenges
from ideagora.challenges.models import Challenge
from ideagora.database import db, utcnow
from ideagora.organizations.models import Role
from ideagora.proposals import services as proposals
from ideagora.proposals.models import Proposal
from tests.helpers import AppDriver, Person

BRIEF_SECRET = "CANARY-proposal-brief-3e1d"
BODY_SECRET = "CANARY-proposal-body-9c4a"
FEEDBACK_TEXT = "Promising chemistry, but the barrier fails above 80 °C; try a cross-linker."


def challenge_data(**changes: Any) -> dict[str, Any]:
    data = {
        "title": "Recyclable barrier coating for paper cups",
        "summary": "A water-based coating that keeps coffee in and lets the cup be recycled.",
        "description": "Paper cups are lined with polyethylene, which pulping cannot separate.",
        "confidential_brief": f"Target cost 0.4 cent per cup. {BRIEF_SECRET}",
        "keywords": ["barrier coating"],
        "fields": ["materials"],
        "challenge_type": "reduction_to_practice",
        "award_amount": 40000,
        "currency": "EUR",
        "deadline": (utcnow() + timedelta(days=30)).date().isoformat(),
        "ip_terms": "exclusive_license",
        "trl_sought": 4,
    }
    data.update(changes)
    return data


def asset_data(**changes: Any) -> dict[str, Any]:
    data = {
        "title": "Chitosan barrier layers",
        "summary": "A crustacean-derived film that blocks water and grease.",
        "description": "Sprayed on paperboard, it dries in seconds.",
        "fields": ["materials"],
        "patent_numbers": ["EP 1234567"],
        "patent_status": "granted",
        "jurisdictions": ["EP"],
        "trl": 5,
        "deal_types": ["exclusive_license"],
    }
    data.update(changes)
    return data


def proposal_data(**changes: Any) -> dict[str, Any]:
    data = {
        "title": "Chitosan coating sprayed in line",
        "summary": "Our chitosan film passes 30 minutes of hot coffee and repulps fully.",
        "body": f"We coat at 200 m/min with a two-nozzle head. {BODY_SECRET}",
    }
    data.update(changes)
    return data


@dataclass
class World:
    """Who is who: a seeker, a solver and a bystander organisation, and their listings."""

    seeker_admin: Person
    seeker_officer: Person
    seeker_member: Person
    solver_admin: Person
    solver_member: Person
    bystander: Person
    challenge_id: int
    solver_asset_id: int
    solver_draft_asset_id: int
    bystander_asset_id: int

    def person(self, role: str) -> Person | None:
        """Return the person playing a role of the access matrices; None is anonymous."""
        return {
            "anonymous": None,
            "unrelated": self.bystander,
            "proposer_member": self.solver_member,
            "proposer_admin": self.solver_admin,
            "seeker_member": self.seeker_member,
            "seeker_officer": self.seeker_officer,
            "seeker_admin": self.seeker_admin,
        }[role]


def user(person: Person) -> User:
    """Return the live user of a person, inside an app context."""
    return db.session.get(User, person.id)


def build_world(driver: AppDriver, **challenge_changes: Any) -> World:
    """Make the three organisations, a published challenge and the IP offers."""
    seeker_admin = driver.person(organization="Cupworks Ltd")
    seeker_officer = driver.person(
        organization=seeker_admin.organization_id, role=Role.LICENSING_OFFICER
    )
    seeker_member = driver.person(organization=seeker_admin.organization_id, role=Role.MEMBER)
    solver_admin = driver.person(organization="Solver University", kind="university")
    solver_member = driver.person(organization=solver_admin.organization_id, role=Role.MEMBER)
    bystander = driver.person(organization="Bystander GmbH")
    with driver.app.app_context():
        challenge = challenges.create_challenge(
            db.session, user(seeker_admin), challenge_data(**challenge_changes), ip_address=None
        )
        challenges.change_status(
            db.session, user(seeker_admin), challenge, "publish", ip_address=None
        )
        solver_asset = _published_asset(solver_admin)
        draft = assets.create_asset(db.session, user(solver_admin), asset_data(), ip_address=None)
        bystander_asset = _published_asset(bystander)
        db.session.commit()
        ids = (challenge.id, solver_asset.id, draft.id, bystander_asset.id)
    return World(
        seeker_admin, seeker_officer, seeker_member, solver_admin, solver_member, bystander, *ids
    )


def _published_asset(person: Person) -> Any:
    asset = assets.create_asset(db.session, user(person), asset_data(), ip_address=None)
    assets.change_status(db.session, user(person), asset, "publish", ip_address=None)
    return asset


def submit(driver: AppDriver, world: World, person: Person | None = None, **changes: Any) -> int:
    """Submit a proposal through the service and return its id."""
    with driver.app.app_context():
        proposal = proposals.submit_proposal(
            db.session,
            user(person or world.solver_member),
            db.session.get(Challenge, world.challenge_id),
            proposal_data(**changes),
            ip_address="127.0.0.1",
        )
        db.session.commit()
        return proposal.id


def decide(driver: AppDriver, proposal_id: int, action: str, person: Person, *args: Any) -> None:
    """Run a decision service on a proposal and commit it."""
    service = getattr(proposals, f"{action}_proposal")
    with driver.app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        service(db.session, user(person), proposal, *args, ip_address=None)
        db.session.commit()


def set_challenge(driver: AppDriver, world: World, **values: Any) -> None:
    """Change a challenge's columns directly, as time or another path would."""
    with driver.app.app_context():
        db.session.execute(
            sa.update(Challenge).where(Challenge.id == world.challenge_id).values(**values)
        )
        db.session.commit()
