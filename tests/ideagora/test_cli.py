"""The command-line tools: demo data and site administrators."""

from __future__ import annotations

import sqlalchemy as sa

from ideagora.accounts.models import User
from ideagora.database import db
from ideagora.demo import DEMO_ORGANIZATIONS, DEMO_PASSWORD
from ideagora.organizations.models import Organization


def totals(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(sa.select(sa.func.count()).select_from(User)),
            db.session.scalar(sa.select(sa.func.count()).select_from(Organization)),
        )


def test_demo_load_is_idempotent_and_its_people_can_log_in(runner, app, driver) -> None:
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    people = sum(len(organization.people) for organization in DEMO_ORGANIZATIONS)
    assert totals(app) == (people, len(DEMO_ORGANIZATIONS))
    second = runner.invoke(args=["demo", "load"])
    assert "0 organisations and 0 people added" in second.output
    assert totals(app) == (people, len(DEMO_ORGANIZATIONS))
    client = app.test_client()
    response = driver.submit(
        client, "/login", {"email": "ben@northwind.example", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert "licensing officer of" in client.get("/dashboard").get_data(as_text=True)


def test_create_admin(runner, app) -> None:
    result = runner.invoke(
        args=[
            "user",
            "create-admin",
            "--email",
            "root@example.org",
            "--name",
            "Site Admin",
            "--organization",
            "Exchange Ops",
            "--password",
            "amber-compass-orchard-77",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "root@example.org"))
        assert user.site_admin
        assert user.organization.name == "Exchange Ops"


def test_create_admin_with_a_weak_password_explains_and_creates_nothing(runner, app) -> None:
    result = runner.invoke(
        args=[
            "user",
            "create-admin",
            "--email",
            "root@example.org",
            "--name",
            "Site Admin",
            "--organization",
            "Exchange Ops",
            "--password",
            "short",
        ]
    )
    assert result.exit_code == 1
    assert "Use at least 10 characters." in result.output
    assert totals(app) == (0, 0)
