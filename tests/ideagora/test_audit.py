"""The audit log: what is recorded, that it is append-only, and that tampering is found."""

from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa

from ideagora.audit import services as audit
from ideagora.audit.chain import GENESIS_HASH, verify_chain
from ideagora.audit.models import AuditEvent
from ideagora.database import db
from ideagora.organizations.models import Role


def actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_security_relevant_events_are_recorded(driver, app, client) -> None:
    admin = driver.person()
    driver.person(organization=admin.organization_id, role=Role.MEMBER)
    driver.login(client, admin, "wrong-password-here")
    driver.login(client, admin)
    recorded = actions(app)
    for action in (
        "user.registered",
        "organization.created",
        "invitation.sent",
        "invitation.accepted",
        "login.failed",
        "login.succeeded",
    ):
        assert action in recorded
    with app.app_context():
        failure = db.session.scalar(
            sa.select(AuditEvent).where(AuditEvent.action == "login.failed")
        )
        assert failure.actor_user_id == admin.id
        assert failure.ip_address == "127.0.0.1"
        assert "wrong-password-here" not in str(failure.details)


def test_the_chain_links_every_event_to_the_one_before(driver, app) -> None:
    driver.person()
    driver.person()
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id)).all()
        assert events[0].prev_hash == GENESIS_HASH
        for before, after in itertools.pairwise(events):
            assert after.prev_hash == before.hash
        assert audit.verify(db.session).intact
        assert audit.verify(db.session).checked == len(events)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("action", "login.succeeded"),
        ("details", '{"email": "someone-else@example.org"}'),
        ("actor_user_id", 999),
    ],
)
def test_verify_finds_the_first_tampered_event(driver, app, runner, column, value) -> None:
    driver.person()
    driver.person()
    with app.app_context():
        target = db.session.scalars(sa.select(AuditEvent.id).order_by(AuditEvent.id)).all()[2]
        # tamper behind the application's back, as someone with database access could
        db.session.execute(
            sa.update(AuditEvent)
            .where(AuditEvent.id == target)
            .values(
                {
                    column: sa.literal(value)
                    if column != "details"
                    else sa.func.cast(value, AuditEvent.details.type)
                }
            )
        )
        db.session.commit()
        report = audit.verify(db.session)
    assert report.broken_id == target
    assert report.reason == "its content does not match its hash"
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"BROKEN at event {target}" in result.output


def test_verify_finds_a_deleted_event(driver, app, runner) -> None:
    driver.person()
    with app.app_context():
        ids = db.session.scalars(sa.select(AuditEvent.id).order_by(AuditEvent.id)).all()
        db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == ids[0]))
        db.session.commit()
        report = audit.verify(db.session)
    assert report.broken_id == ids[1]
    assert report.reason == "it does not link to the event before it"


def test_cli_reports_an_intact_chain(driver, runner) -> None:
    driver.person()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "Audit chain intact: 2 events checked." in result.output


def test_events_cannot_be_changed_or_deleted_through_the_application(driver, app) -> None:
    driver.person()
    with app.app_context():
        event = db.session.scalars(sa.select(AuditEvent)).first()
        event.action = "something.else"
        with pytest.raises(PermissionError, match="append-only"):
            db.session.flush()
        db.session.rollback()
        event = db.session.scalars(sa.select(AuditEvent)).first()
        db.session.delete(event)
        with pytest.raises(PermissionError, match="append-only"):
            db.session.flush()
        db.session.rollback()


def test_verify_chain_on_plain_data() -> None:
    assert verify_chain([]).intact
    assert verify_chain([]).checked == 0
