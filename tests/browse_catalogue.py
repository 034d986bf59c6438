"""A small marketplace to browse: published challenges and IP offers that differ in every filter.

Everything is made through the services, the way people make it. ``build_catalogue`` returns
the ids by a short name, and the people who own them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask

from ideagora.accounts.models import User
from ideagora.assets import services as assets
from ideagora.challenges import services as challenges
from ideagora.challenges.models import Challenge
from ideagora.database import db, utcnow
from tests.helpers import AppDriver, Person

ANONYMOUS_ORGANIZATION = "Cupworks Ltd"
PSEUDONYM_PREFIX = "Anonymous seeker"
CONFIDENTIAL = "CANARY-browse-confidential-4d2e"

# name → (owner, changes to the base challenge, what happens after it is created)
CHALLENGES: dict[str, tuple[str, dict[str, Any], str]] = {
    "coating": (
        "cupworks",
        {
            "title": "Recyclable barrier coating for paper cups",
            "keywords": ["barrier coating", "paper"],
            "fields": ["materials-coatings"],
            "challenge_type": "reduction_to_practice",
            "trl_sought": 4,
            "award_amount": 40000,
            "currency": "EUR",
            "days": 60,
        },
        "publish",
    ),
    "fan": (
        "rotor",
        {
            "title": "Quiet fan blades for data centres",
            "summary": "Cut fan noise by 6 dB without losing airflow.",
            "fields": ["mechanical-engineering-acoustics"],
            "challenge_type": "ideation",
            "trl_sought": 2,
            "award_amount": 5000,
            "currency": "USD",
            "days": 10,
        },
        "publish",
    ),
    "battery": (
        "rotor",
        {
            "title": "Scouting sodium-ion cells for grid storage",
            "description": "We look for Électrolyte suppliers with pilot lines.",
            "fields": ["energy-storage"],
            "challenge_type": "technology_scouting",
            "trl_sought": 7,
            "award_amount": None,
            "days": 30,
        },
        "publish",
    ),
    "adhesive": (
        "cupworks",
        {
            "title": "Water-resistant starch adhesive",
            "fields": ["materials"],
            "challenge_type": "theoretical",
            "trl_sought": 3,
            "award_amount": 100000,
            "anonymous": True,
            "days": 90,
        },
        "publish",
    ),
    "closed": (
        "cupworks",
        {
            "title": "Compostable lids that survive hot coffee",
            "fields": ["materials-polymers"],
            "challenge_type": "request_for_proposals",
            "trl_sought": 5,
            "award_amount": 20000,
            "days": 20,
        },
        "close",
    ),
    "past": (
        "rotor",
        {
            "title": "Bearing wear prediction from vibration",
            "fields": ["mechanical-engineering"],
            "challenge_type": "request_for_proposals",
            "trl_sought": 6,
            "award_amount": 15000,
            "days": 40,
        },
        "expire",
    ),
    "draft": ("cupworks", {"title": "Draft challenge nobody may see"}, "none"),
    "withdrawn": ("rotor", {"title": "Withdrawn challenge nobody may see"}, "withdraw"),
}

ASSETS: dict[str, tuple[str, dict[str, Any], str]] = {
    "edges": (
        "rotor",
        {
            "title": "Serrated trailing edges that halve fan noise",
            "keywords": ["fan", "noise"],
            "fields": ["mechanical-engineering-acoustics"],
            "patent_status": "granted",
            "patent_numbers": ["US 10,123,456 B2"],
            "trl": 6,
            "deal_types": ["non_exclusive_license"],
        },
        "publish",
    ),
    "polymer": (
        "cupworks",
        {
            "title": "Bio-based barrier polymer",
            "summary": "A polymer film from plant sugars that keeps oxygen out.",
            "fields": ["materials-polymers"],
            "patent_status": "pending",
            "patent_numbers": ["EP 1234567"],
            "trl": 3,
            "deal_types": ["exclusive_license", "option"],
        },
        "publish",
    ),
    "grid": (
        "rotor",
        {
            "title": "Know-how for balancing grid batteries",
            "fields": ["energy-grid"],
            "patent_status": "know_how",
            "trl": 8,
            "deal_types": ["collaboration"],
        },
        "publish",
    ),
    "draft": ("cupworks", {"title": "Draft offer nobody may see"}, "none"),
    "withdrawn": ("rotor", {"title": "Withdrawn offer nobody may see"}, "withdraw"),
}

PUBLIC_CHALLENGES = {"coating", "fan", "battery", "adhesive", "closed", "past"}
PUBLIC_ASSETS = {"edges", "polymer", "grid"}
# (the listings, the sort order, the short names in the order that sort shows them)
SORT_ORDERS = [
    ("challenges", "newest", ["past", "closed", "adhesive", "battery", "fan", "coating"]),
    # deadlines still ahead, soonest first; the one already past comes last
    ("challenges", "deadline", ["fan", "closed", "battery", "coating", "adhesive", "past"]),
    # the challenge without an award comes last; amounts compare in their own currencies
    ("challenges", "award", ["adhesive", "coating", "closed", "past", "fan", "battery"]),
    ("challenges", "title", ["past", "closed", "fan", "coating", "battery", "adhesive"]),
    ("assets", "newest", ["grid", "polymer", "edges"]),
    ("assets", "trl", ["grid", "edges", "polymer"]),
    ("assets", "title", ["polymer", "grid", "edges"]),
]


def challenge_data(days: int = 30, **changes: Any) -> dict[str, Any]:
    data = {
        "title": "A challenge",
        "summary": "A problem worth solving.",
        "description": "More about the problem.",
        "confidential_brief": CONFIDENTIAL,
        "keywords": [],
        "fields": ["materials"],
        "challenge_type": "ideation",
        "award_amount": 1000,
        "currency": "EUR",
        "deadline": (utcnow() + timedelta(days=days)).isoformat(),
        "ip_terms": "non_exclusive_license",
        "trl_sought": 5,
        "anonymous": False,
    }
    data.update(changes)
    return data


def asset_data(**changes: Any) -> dict[str, Any]:
    data = {
        "title": "An IP offer",
        "summary": "A technology to license.",
        "description": "More about the technology.",
        "confidential_dossier": CONFIDENTIAL,
        "keywords": [],
        "fields": ["materials"],
        "patent_status": "know_how",
        "trl": 5,
        "deal_types": ["option"],
    }
    data.update(changes)
    return data


@dataclass
class Catalogue:
    """The people, organisations and listings of the browse tests, by short name."""

    people: dict[str, Person]
    challenges: dict[str, int] = field(default_factory=dict)
    assets: dict[str, int] = field(default_factory=dict)

    def organization_id(self, owner: str) -> int:
        return self.people[owner].organization_id


def build_catalogue(app: Flask, driver: AppDriver) -> Catalogue:
    """Make two organisations and the listings above, in the order listed (oldest first)."""
    catalogue = Catalogue(
        people={
            "cupworks": driver.person(organization=ANONYMOUS_ORGANIZATION),
            "rotor": driver.person(organization="Rotor Labs"),
        }
    )
    with app.app_context():
        for name, (owner, changes, then) in CHALLENGES.items():
            user = db.session.get(User, catalogue.people[owner].id)
            catalogue.challenges[name] = _challenge(user, changes, then)
        for name, (owner, changes, then) in ASSETS.items():
            user = db.session.get(User, catalogue.people[owner].id)
            catalogue.assets[name] = _asset(user, changes, then)
        db.session.commit()
    return catalogue


def _challenge(user: User, changes: dict[str, Any], then: str) -> int:
    challenge = challenges.create_challenge(
        db.session, user, challenge_data(**changes), ip_address=None
    )
    if then != "none":
        challenges.change_status(db.session, user, challenge, "publish", ip_address=None)
    if then in ("close", "withdraw"):
        challenges.change_status(db.session, user, challenge, then, ip_address=None)
    if then == "expire":
        # the deadline passed three days ago: the exchange moves it to evaluation
        db.session.execute(
            sa.update(Challenge)
            .where(Challenge.id == challenge.id)
            .values(deadline=utcnow() - timedelta(days=3, hours=1))
        )
    db.session.flush()
    return challenge.id


def _asset(user: User, changes: dict[str, Any], then: str) -> int:
    asset = assets.create_asset(db.session, user, asset_data(**changes), ip_address=None)
    if then != "none":
        assets.change_status(db.session, user, asset, "publish", ip_address=None)
    if then == "withdraw":
        assets.change_status(db.session, user, asset, "withdraw", ip_address=None)
    db.session.flush()
    return asset.id
