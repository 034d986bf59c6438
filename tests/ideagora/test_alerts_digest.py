"""The e-mail digest: one e-mail per user through a real SMTP server, once, no confidential text."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ideagora import create_app
from ideagora.alerts.models import Notification
from ideagora.database import db, utcnow
from tests.ideagora.matching_world import (
    BRIEF_MARKER,
    BRIEF_ONLY_WORD,
    DOSSIER_MARKER,
    DOSSIER_WORD,
    make_world,
    post_asset,
    post_challenge,
)
from tests.services.smtp import start_smtp_server


def _digests(messages: list) -> list:
    # the people of the test world were invited by e-mail too
    return [message for message in messages if "new alert" in message["Subject"]]


@pytest.fixture
def smtp_server():
    server = start_smtp_server()
    yield server
    server.stop()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_digest_travels_through_a_real_smtp_server_once(
    app_config, smtp_server, driver
) -> None:
    app_config.update(
        MAIL_BACKEND="smtp",
        MAIL_SERVER=smtp_server.host,
        MAIL_PORT=smtp_server.port,
        MAIL_DEFAULT_SENDER="Ideagora <alerts@example.org>",
        PUBLIC_BASE_URL="https://exchange.example.org",
    )
    app = create_app(app_config)
    with app.app_context():
        db.create_all()
    driver.app = app
    world = make_world(driver)
    post_challenge(app, world.seeker_admin)
    asset_id = post_asset(app, world.licensor_admin)
    runner = app.test_cli_runner()

    first = runner.invoke(args=["alerts", "send-digest"])
    again = runner.invoke(args=["alerts", "send-digest"])

    assert "Digests sent: 2." in first.output
    assert "Digests sent: 0." in again.output
    digests = _digests(smtp_server.mailbox.messages)
    assert sorted(message["To"] for message in digests) == sorted(
        [world.seeker_admin.email, world.seeker_officer.email]
    )
    message = digests[0]
    assert message["Subject"] == "1 new alert on Ideagora"
    body = message.get_content()
    assert (
        "New IP offer may solve your challenge “Electrospun nanofibre filter media for face masks”"
        in body
    )
    assert "Needleless electrospinning of nanofibre membranes" in body
    assert f"https://exchange.example.org/offers/{asset_id}" in body
    assert "https://exchange.example.org/notifications" in body
    for secret in (BRIEF_MARKER, BRIEF_ONLY_WORD, DOSSIER_MARKER, DOSSIER_WORD):
        assert secret not in body


def test_read_notifications_are_not_e_mailed(app, driver, outbox, runner) -> None:
    world = make_world(driver)
    post_challenge(app, world.seeker_admin)
    post_asset(app, world.licensor_admin)
    with app.app_context():
        db.session.execute(
            sa.update(Notification)
            .where(Notification.user_id == world.seeker_admin.id)
            .values(read_at=utcnow())
        )
        db.session.commit()

    result = runner.invoke(args=["alerts", "send-digest"])

    assert "Digests sent: 1." in result.output
    assert [message["To"] for message in _digests(outbox)] == [world.seeker_officer.email]
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(sa.func.count(Notification.id)).where(Notification.emailed_at.is_(None))
            )
            == 0
        )
