"""Listings for the search tests, made through the services, and searches run as clients do."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Flask
from flask.testing import FlaskClient

from ideagora.accounts.models import User
from ideagora.assets import services as assets
from ideagora.assets.models import Asset
from ideagora.challenges import services as challenges
from ideagora.challenges.models import Challenge
from ideagora.database import db
from tests.browse_catalogue import asset_data, challenge_data
from tests.helpers import Person


def make_offer(app: Flask, person: Person, *, publish: bool = True, **changes: Any) -> int:
    """Create an IP offer of the person's organisation (published unless told); return its id."""
    with app.app_context():
        user = db.session.get(User, person.id)
        asset = assets.create_asset(db.session, user, asset_data(**changes), ip_address=None)
        if publish:
            assets.change_status(db.session, user, asset, "publish", ip_address=None)
        db.session.commit()
        return asset.id


def make_challenge(app: Flask, person: Person, *, publish: bool = True, **changes: Any) -> int:
    """Create a challenge of the person's organisation (published unless told); return its id."""
    with app.app_context():
        user = db.session.get(User, person.id)
        data = challenge_data(**changes)
        challenge = challenges.create_challenge(db.session, user, data, ip_address=None)
        if publish:
            challenges.change_status(db.session, user, challenge, "publish", ip_address=None)
        db.session.commit()
        return challenge.id


def edit_offer(app: Flask, person: Person, asset_id: int, **changes: Any) -> None:
    """Save changes to an IP offer as its owner would."""
    with app.app_context():
        user = db.session.get(User, person.id)
        asset = db.session.get(Asset, asset_id)
        data = {**changes, "version": asset.version}
        assets.update_asset(db.session, user, asset, data, ip_address=None)
        db.session.commit()


def edit_challenge(app: Flask, person: Person, challenge_id: int, **changes: Any) -> None:
    """Save changes to a challenge as its owner would."""
    with app.app_context():
        user = db.session.get(User, person.id)
        challenge = db.session.get(Challenge, challenge_id)
        data = {**changes, "version": challenge.version}
        challenges.update_challenge(db.session, user, challenge, data, ip_address=None)
        db.session.commit()


def change_offer_status(app: Flask, person: Person, asset_id: int, action: str) -> None:
    """Publish or withdraw an IP offer as its owner would."""
    with app.app_context():
        user = db.session.get(User, person.id)
        asset = db.session.get(Asset, asset_id)
        assets.change_status(db.session, user, asset, action, ip_address=None)
        db.session.commit()


def search(client: FlaskClient, **args: Any) -> dict[str, Any]:
    """Return the body of ``GET /api/v1/search`` with these arguments, checking it is a 200."""
    response = client.get(f"/api/v1/search?{urlencode(args)}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.json


def found(client: FlaskClient, **args: Any) -> set[tuple[str, int]]:
    """Return the (type, id) of every listing a search finds (on its first page)."""
    return {(item["type"], item["id"]) for item in search(client, per_page=100, **args)["items"]}
