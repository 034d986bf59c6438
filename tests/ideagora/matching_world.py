"""Organisations, people and listings for the matching and alerts tests, made through services.

A seeker posts a challenge about electrospun nanofibre filters; a licensor offers IP that
answers it; a bystander organisation owns nothing relevant. Every confidential field holds a
marker that must never leave its organisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import Flask

from ideagora.accounts.models import User
from ideagora.assets import services as assets
from ideagora.assets.models import Asset
from ideagora.challenges import services as challenges
from ideagora.challenges.models import Challenge
from ideagora.database import db, utcnow
from ideagora.organizations.models import Role
from tests.helpers import AppDriver, Person

BRIEF_MARKER = "CANARY-brief-7f3a"
DOSSIER_MARKER = "CANARY-dossier-2b9c"
# a word only the licensor's confidential dossier holds: no match may ever show it
DOSSIER_WORD = "quintaflux"
# a word only the seeker's confidential brief holds, that no candidate has publicly
BRIEF_ONLY_WORD = "zorbalite"


def challenge_data(**changes: Any) -> dict[str, Any]:
    data = {
        "title": "Electrospun nanofibre filter media for face masks",
        "summary": "We need electrospinning of nanofibre layers that filter fine particles.",
        "description": "The nanofibre membrane must breathe well and keep its electrospinning "
        "quality at scale.",
        "confidential_brief": f"Target price and our supplier list. {BRIEF_MARKER} "
        f"{BRIEF_ONLY_WORD} {DOSSIER_WORD}",
        "keywords": ["electrospinning", "nanofibre"],
        "fields": ["materials-nanomaterials"],
        "challenge_type": "reduction_to_practice",
        "award_amount": 25000,
        "currency": "EUR",
        "deadline": (utcnow() + timedelta(days=30)).isoformat(),
        "ip_terms": "non_exclusive_license",
        "trl_sought": 4,
        "anonymous": False,
    }
    data.update(changes)
    return data


def asset_data(**changes: Any) -> dict[str, Any]:
    data = {
        "title": "Needleless electrospinning of nanofibre membranes",
        "summary": "A nanofibre membrane made by needleless electrospinning, for filters.",
        "description": "Electrospinning from a free liquid surface gives uniform nanofibre mats.",
        "confidential_dossier": f"Process window and yields. {DOSSIER_MARKER} {DOSSIER_WORD}",
        "keywords": ["electrospinning", "nanofibre"],
        "fields": ["materials-nanomaterials"],
        "patent_status": "granted",
        "patent_numbers": ["EP 1234567"],
        "trl": 6,
        "deal_types": ["non_exclusive_license", "option"],
    }
    data.update(changes)
    return data


UNRELATED_ASSET = {
    "title": "Grid battery balancing know-how",
    "summary": "Balancing of lithium cells in grid storage racks.",
    "description": "Cell balancing firmware for racks.",
    "keywords": ["battery"],
    "fields": ["energy-storage"],
    "patent_status": "know_how",
    "patent_numbers": [],
    "trl": 8,
    "deal_types": ["collaboration"],
}


@dataclass
class World:
    """The people of three organisations."""

    seeker_admin: Person
    seeker_officer: Person
    seeker_member: Person
    licensor_admin: Person
    licensor_member: Person
    bystander: Person


def make_world(driver: AppDriver) -> World:
    """Make the seeker, licensor and bystander organisations and their people."""
    seeker_admin = driver.person(organization="Cupworks Filtration")
    licensor_admin = driver.person(organization="Fibrelab University")
    return World(
        seeker_admin=seeker_admin,
        seeker_officer=driver.person(
            organization=seeker_admin.organization_id, role=Role.LICENSING_OFFICER
        ),
        seeker_member=driver.person(organization=seeker_admin.organization_id, role=Role.MEMBER),
        licensor_admin=licensor_admin,
        licensor_member=driver.person(
            organization=licensor_admin.organization_id, role=Role.MEMBER
        ),
        bystander=driver.person(organization="Bystander Labs"),
    )


def viewer(world: World, kind: str, who: str) -> Person | None:
    """Return who looks at a ``kind`` listing in an access matrix (None for anonymous).

    ``who`` is "owner member" or "owner admin" (of the listing's organisation), "other side"
    (the organisation of the other kind's listing) or "bystander".
    """
    owner_member, owner_admin, other_side = {
        "challenge": (world.seeker_member, world.seeker_admin, world.licensor_admin),
        "asset": (world.licensor_member, world.licensor_admin, world.seeker_admin),
    }[kind]
    return {
        "bystander": world.bystander,
        "other side": other_side,
        "owner member": owner_member,
        "owner admin": owner_admin,
    }.get(who)


def post_challenge(app: Flask, owner: Person, *, publish: bool = True, **changes: Any) -> int:
    """Create a challenge as ``owner`` (published unless told otherwise); return its id."""
    with app.app_context():
        user = db.session.get(User, owner.id)
        challenge = challenges.create_challenge(
            db.session, user, challenge_data(**changes), ip_address=None
        )
        db.session.commit()
        if publish:
            challenges.change_status(db.session, user, challenge, "publish", ip_address=None)
            db.session.commit()
        return challenge.id


def post_asset(app: Flask, owner: Person, *, publish: bool = True, **changes: Any) -> int:
    """Create an IP offer as ``owner`` (published unless told otherwise); return its id."""
    with app.app_context():
        user = db.session.get(User, owner.id)
        asset = assets.create_asset(db.session, user, asset_data(**changes), ip_address=None)
        db.session.commit()
        if publish:
            assets.change_status(db.session, user, asset, "publish", ip_address=None)
            db.session.commit()
        return asset.id


def change_challenge(app: Flask, owner: Person, challenge_id: int, action: str) -> None:
    """Move a challenge through its lifecycle as ``owner``."""
    with app.app_context():
        user = db.session.get(User, owner.id)
        challenge = db.session.get(Challenge, challenge_id)
        challenges.change_status(db.session, user, challenge, action, ip_address=None)
        db.session.commit()


def change_asset(app: Flask, owner: Person, asset_id: int, action: str) -> None:
    """Move an IP offer through its lifecycle as ``owner``."""
    with app.app_context():
        user = db.session.get(User, owner.id)
        asset = db.session.get(Asset, asset_id)
        assets.change_status(db.session, user, asset, action, ip_address=None)
        db.session.commit()


def edit_asset(app: Flask, owner: Person, asset_id: int, **changes: Any) -> None:
    """Edit an IP offer as ``owner``."""
    with app.app_context():
        user = db.session.get(User, owner.id)
        asset = db.session.get(Asset, asset_id)
        assets.update_asset(
            db.session, user, asset, {**changes, "version": asset.version}, ip_address=None
        )
        db.session.commit()
