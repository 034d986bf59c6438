"""Match alerts: a new listing tells the managers of the other side's listings it matches."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ideagora.alerts.models import AlertDelivery, Notification, PendingAlert
from ideagora.database import db
from tests.ideagora.matching_world import (
    BRIEF_MARKER,
    BRIEF_ONLY_WORD,
    DOSSIER_MARKER,
    DOSSIER_WORD,
    UNRELATED_ASSET,
    change_asset,
    edit_asset,
    make_world,
    post_asset,
    post_challenge,
)

SECRETS = (BRIEF_MARKER, BRIEF_ONLY_WORD, DOSSIER_MARKER, DOSSIER_WORD)


@pytest.fixture
def world(driver):
    return make_world(driver)


def _notifications(app) -> list[tuple[int, str, str, str]]:
    with app.app_context():
        return [
            (row.user_id, row.title, row.body, row.link)
            for row in db.session.scalars(sa.select(Notification).order_by(Notification.id))
        ]


def test_a_new_offer_alerts_the_managers_of_a_challenge_it_may_solve(app, world) -> None:
    post_challenge(app, world.seeker_admin)
    asset_id = post_asset(app, world.licensor_admin)

    alerts = _notifications(app)

    assert sorted(user_id for user_id, *_ in alerts) == sorted(
        [world.seeker_admin.id, world.seeker_officer.id]
    )
    _user, title, body, link = alerts[0]
    assert title == (
        "New IP offer may solve your challenge “Electrospun nanofibre filter media for face masks”"
    )
    assert "“Needleless electrospinning of nanofibre membranes” by Fibrelab University" in body
    assert "same field: Nanomaterials" in body
    assert "TRL 6 ≥ 4 sought" in body
    assert link == f"/offers/{asset_id}"
    for secret in SECRETS:
        assert all(secret not in text for alert in alerts for text in alert[1:3])


def test_a_new_challenge_alerts_the_managers_of_an_offer_it_suits(app, world) -> None:
    post_asset(app, world.licensor_admin)
    challenge_id = post_challenge(app, world.seeker_admin)

    alerts = _notifications(app)

    assert [user_id for user_id, *_ in alerts] == [world.licensor_admin.id]
    assert alerts[0][1] == (
        "New challenge may suit your IP offer “Needleless electrospinning of nanofibre membranes”"
    )
    assert alerts[0][3] == f"/challenges/{challenge_id}"


def test_an_anonymous_seeker_is_named_only_by_its_pseudonym(app, world) -> None:
    post_asset(app, world.licensor_admin)
    post_challenge(app, world.seeker_admin, anonymous=True)

    (_user, title, body, _link) = _notifications(app)[0]

    assert "Anonymous seeker" in body
    assert "Cupworks" not in title + body


def test_an_unrelated_offer_and_a_draft_alert_nobody(app, world) -> None:
    post_challenge(app, world.seeker_admin)
    post_asset(app, world.licensor_admin, **UNRELATED_ASSET)
    post_asset(app, world.bystander, publish=False)

    assert _notifications(app) == []


def test_a_weak_match_alerts_nobody(app, world) -> None:
    post_challenge(app, world.seeker_admin)
    # the same field, TRL and deal, but only one ordinary word in common
    post_asset(
        app,
        world.licensor_admin,
        title="Graphene membranes for water",
        summary="A graphene membrane filters salt.",
        description="",
        keywords=["graphene"],
    )

    assert _notifications(app) == []


def test_the_publishers_confidential_text_never_makes_an_alert(app, world) -> None:
    post_challenge(
        app,
        world.seeker_admin,
        title="Perovskite photocatalysts for cabin air",
        summary="Perovskite photocatalysts that clean the air in trains.",
        description="",
        keywords=["perovskite", "photocatalysts"],
        fields=["chemistry-catalysis"],
    )
    # the same field, but no word in common in public: only the offer's dossier has them
    post_asset(
        app,
        world.licensor_admin,
        title="Ceramic membranes",
        summary="Porous ceramic tubes for water.",
        description="",
        keywords=[],
        fields=["chemistry-catalysis"],
        confidential_dossier="Perovskite photocatalysts, perovskite photocatalysts, perovskite.",
    )

    assert _notifications(app) == []


def test_a_listing_never_alerts_its_own_organisation(app, world) -> None:
    post_challenge(app, world.seeker_admin)
    post_asset(app, world.seeker_admin)

    assert _notifications(app) == []


def test_editing_or_processing_again_never_alerts_twice(app, world, runner) -> None:
    post_challenge(app, world.seeker_admin)
    asset_id = post_asset(app, world.licensor_admin)
    before = _notifications(app)

    edit_asset(app, world.licensor_admin, asset_id, summary="Needleless electrospinning, faster.")
    with app.app_context():
        # as if the publication were seen a second time
        db.session.add(PendingAlert(listing_key=f"asset:{asset_id}"))
        db.session.commit()
    result = runner.invoke(args=["alerts", "process", "--older-than", "0"])

    assert result.exit_code == 0, result.output
    assert "Alerts made: 0." in result.output
    assert _notifications(app) == before
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(PendingAlert.id))) == 0


def test_an_offer_withdrawn_before_its_alerts_are_made_alerts_nobody(app, world, runner) -> None:
    post_challenge(app, world.seeker_admin)
    asset_id = post_asset(app, world.licensor_admin, publish=False)
    with app.app_context():
        db.session.add(PendingAlert(listing_key=f"asset:{asset_id}"))
        db.session.commit()
    change_asset(app, world.licensor_admin, asset_id, "withdraw")

    result = runner.invoke(args=["alerts", "process", "--older-than", "0"])

    assert "Alerts made: 0." in result.output
    assert _notifications(app) == []


def test_the_threshold_is_a_setting(app_config, request) -> None:
    app_config["ALERT_MATCH_THRESHOLD"] = 1.01
    app = request.getfixturevalue("app")
    world = make_world(request.getfixturevalue("driver"))
    post_challenge(app, world.seeker_admin)
    post_asset(app, world.licensor_admin)

    assert _notifications(app) == []


def test_the_command_makes_alerts_a_drain_left_pending(app, world, runner) -> None:
    post_challenge(app, world.seeker_admin)
    asset_id = post_asset(app, world.licensor_admin)
    with app.app_context():
        # as if the process had died between the commit and the drain
        db.session.execute(sa.delete(Notification))
        db.session.execute(sa.delete(AlertDelivery))
        db.session.add(PendingAlert(listing_key=f"asset:{asset_id}"))
        db.session.commit()

    fresh = runner.invoke(args=["alerts", "process"])
    late = runner.invoke(args=["alerts", "process", "--older-than", "0"])

    assert "Alerts made: 0." in fresh.output
    assert "Alerts made: 2." in late.output
    assert len(_notifications(app)) == 2
