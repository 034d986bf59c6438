"""The search outbox: a row for every change to a searchable record, in the same transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from ideagora.accounts.models import User
from ideagora.assets import services as assets
from ideagora.assets.models import Asset
from ideagora.challenges import services as challenges
from ideagora.challenges.models import Challenge
from ideagora.database import db, utcnow
from ideagora.organizations.models import Organization
from ideagora.searching.models import SearchOutbox
from tests.browse_catalogue import asset_data
from tests.ideagora.search_world import make_challenge, make_offer


@pytest.fixture
def owner(driver):
    return driver.person(organization="Outbox Optics")


def outbox_rows() -> list[tuple[str, int]]:
    rows = db.session.execute(
        sa.select(SearchOutbox.listing_type, SearchOutbox.listing_id).order_by(SearchOutbox.id)
    )
    return [tuple(row) for row in rows]


def test_each_change_to_an_offer_writes_a_row(app, owner) -> None:
    asset_id = make_offer(app, owner, publish=False)
    with app.app_context():
        assert outbox_rows() == [("asset", asset_id)]
        user = db.session.get(User, owner.id)
        asset = db.session.get(Asset, asset_id)
        assets.change_status(db.session, user, asset, "publish", ip_address=None)
        db.session.commit()
        assert outbox_rows() == [("asset", asset_id)] * 2
        data = {"fields": ["chemistry"], "version": asset.version}
        assets.update_asset(db.session, user, asset, data, ip_address=None)
        db.session.commit()
        assert outbox_rows() == [("asset", asset_id)] * 3
        created = db.session.scalars(sa.select(SearchOutbox.created_at)).all()
        assert all(moment.tzinfo is not None for moment in created)


def test_a_rolled_back_change_leaves_no_row(app, owner) -> None:
    with app.app_context():
        user = db.session.get(User, owner.id)
        asset = assets.create_asset(db.session, user, asset_data(), ip_address=None)
        db.session.flush()
        # inside the transaction the row is there, written with the change
        assert outbox_rows() == [("asset", asset.id)]
        db.session.rollback()
        assert outbox_rows() == []
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Asset)) == 0


def test_a_change_of_technical_fields_alone_writes_a_row(app, owner) -> None:
    challenge_id = make_challenge(app, owner)
    with app.app_context():
        before = len(outbox_rows())
        challenge = db.session.get(Challenge, challenge_id)
        challenge.field_links.clear()
        challenge.fields.append("energy")
        db.session.commit()
        assert outbox_rows()[before:] == [("challenge", challenge_id)]


def test_renaming_an_organisation_writes_a_row_per_listing(app, owner) -> None:
    asset_id = make_offer(app, owner)
    challenge_id = make_challenge(app, owner)
    with app.app_context():
        before = len(outbox_rows())
        organization = db.session.get(Organization, owner.organization_id)
        organization.name = "Outbox Photonics"
        db.session.commit()
        assert sorted(outbox_rows()[before:]) == [("asset", asset_id), ("challenge", challenge_id)]


def test_deleting_a_listing_writes_a_row(app, owner) -> None:
    asset_id = make_offer(app, owner)
    with app.app_context():
        before = len(outbox_rows())
        db.session.delete(db.session.get(Asset, asset_id))
        db.session.commit()
        assert outbox_rows()[before:] == [("asset", asset_id)]


def test_a_deadline_passing_writes_a_row(app, owner) -> None:
    challenge_id = make_challenge(app, owner)
    with app.app_context():
        db.session.execute(
            sa.update(Challenge)
            .where(Challenge.id == challenge_id)
            .values(deadline=utcnow() - timedelta(hours=1))
        )
        db.session.commit()
        before = len(outbox_rows())
        assert challenges.advance_past_deadlines(db.session) == 1
        db.session.commit()
        assert outbox_rows()[before:] == [("challenge", challenge_id)]
        assert challenges.advance_past_deadlines(db.session) == 0
        db.session.commit()
        assert len(outbox_rows()) == before + 1


def test_reading_listings_writes_no_row(app, client, owner) -> None:
    asset_id = make_offer(app, owner)
    with app.app_context():
        before = len(outbox_rows())
    assert client.get(f"/offers/{asset_id}").status_code == 200
    assert client.get("/api/v1/assets").status_code == 200
    with app.app_context():
        assert len(outbox_rows()) == before
