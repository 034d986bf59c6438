"""The home page: what a first-time visitor sees of the exchange."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from ideagora import demo
from ideagora.assets.models import Asset, AssetStatus
from ideagora.challenges.models import Challenge, ChallengeStatus
from ideagora.database import db, utcnow


def test_an_empty_exchange_shows_no_shop_window(client) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "Where R&amp;D problems meet the IP that solves them" in page
    assert "On the exchange now" not in page


def _post_anonymous_challenge(driver, client) -> None:
    headers = driver.token(client, driver.person(organization="Quietly Seeking Ltd"))
    body = {
        "title": "Odour-free recycled polypropylene for food trays",
        "summary": "Remove the smell of recycled PP without losing its strength.",
        "fields": ["materials-polymers"],
        "challenge_type": "reduction_to_practice",
        "deadline": (utcnow() + timedelta(days=30)).date().isoformat(),
        "ip_terms": "exclusive_license",
        "anonymous": True,
    }
    created = client.post("/api/v1/challenges", headers=headers, json=body)
    assert created.status_code == 201, created.json
    client.post(f"/api/v1/challenges/{created.json['id']}/publish", headers=headers)


def test_the_home_page_shows_the_newest_open_challenges_and_offers(app, client, driver) -> None:
    with app.app_context():
        demo.load(db.session)
        db.session.commit()
    _post_anonymous_challenge(driver, client)
    with app.app_context():
        newest = list(
            db.session.scalars(
                sa.select(Challenge)
                .where(Challenge.status == ChallengeStatus.OPEN)
                .order_by(Challenge.published_at.desc(), Challenge.id.desc())
                .limit(3)
            )
        )
        offers = db.session.scalars(
            sa.select(Asset.title).where(Asset.status == AssetStatus.PUBLISHED)
        ).all()
        hidden = db.session.scalars(
            sa.select(Asset.title).where(Asset.status != AssetStatus.PUBLISHED)
        ).all()
        shown = [(c.title, c.anonymous, c.pseudonym, c.organization.name) for c in newest]
    page = client.get("/").get_data(as_text=True)
    assert "On the exchange now" in page
    for title, anonymous, pseudonym, organization in shown:
        assert title in page
        if anonymous:
            assert pseudonym in page
            assert organization not in page
    # the newest challenge is the anonymous one just posted: it shows only its pseudonym
    assert shown[0][:2] == ("Odour-free recycled polypropylene for food trays", True)
    assert sum(title in page for title in offers) == 3
    assert not any(title in page for title in hidden)
    assert f"({len(offers)} available)" in page
