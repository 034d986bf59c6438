"""The notifications pages: one's own only, newest first, marked read only with a CSRF token."""

from __future__ import annotations

import html

import pytest
import sqlalchemy as sa

from ideagora.alerts.models import Notification
from ideagora.database import db
from tests.helpers import without_csrf_tokens
from tests.ideagora.matching_world import make_world, post_asset, post_challenge

ALERT_TITLE = "New IP offer may solve your challenge"


@pytest.fixture
def world(driver):
    return make_world(driver)


@pytest.fixture
def alerted(app, world):
    """The seeker's managers hold one alert each about a new offer."""
    post_challenge(app, world.seeker_admin)
    post_asset(app, world.licensor_admin)
    return world


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _unread(app, user_id: int) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count(Notification.id)).where(
                Notification.user_id == user_id, Notification.read_at.is_(None)
            )
        )


def _notification_id(app, user_id: int) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Notification.id).where(Notification.user_id == user_id))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/notifications"),
        ("get", "/searches"),
        ("post", "/notifications/1/read"),
        ("post", "/notifications/read"),
        ("post", "/searches"),
        ("post", "/searches/1/delete"),
    ],
)
def test_the_pages_need_a_login(app, method, path) -> None:
    app.config["WTF_CSRF_ENABLED"] = False
    response = getattr(app.test_client(), method)(path)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_each_user_sees_only_their_own_notifications(app, driver, alerted) -> None:
    mine = _text(driver.logged_in_client(alerted.seeker_officer).get("/notifications"))
    theirs = _text(driver.logged_in_client(alerted.licensor_admin).get("/notifications"))

    assert ALERT_TITLE in mine
    assert "notification-unread" in mine
    assert ALERT_TITLE not in theirs
    assert "No notifications yet" in theirs


def test_the_navbar_shows_the_unread_count(app, driver, alerted) -> None:
    client = driver.logged_in_client(alerted.seeker_admin)

    page = _text(client.get("/"))

    assert 'id="unread-count">1<span class="visually-hidden"> unread</span>' in page


def test_marking_read_needs_the_csrf_token(app, driver, alerted) -> None:
    client = driver.logged_in_client(alerted.seeker_admin)
    notification_id = _notification_id(app, alerted.seeker_admin.id)

    forged = client.post(f"/notifications/{notification_id}/read")
    forged_all = client.post("/notifications/read")

    assert forged.status_code == forged_all.status_code == 400
    assert _unread(app, alerted.seeker_admin.id) == 1


def test_marking_one_read(app, driver, alerted) -> None:
    client = driver.logged_in_client(alerted.seeker_admin)
    notification_id = _notification_id(app, alerted.seeker_admin.id)

    response = driver.submit(
        client, f"/notifications/{notification_id}/read", {}, form_url="/notifications"
    )

    assert response.status_code == 302
    assert _unread(app, alerted.seeker_admin.id) == 0
    page = _text(client.get("/notifications"))
    assert "notification-read" in page
    assert 'id="unread-count"' not in page


def test_nobody_marks_anothers_notification_read(app, driver, alerted) -> None:
    notification_id = _notification_id(app, alerted.seeker_admin.id)
    client = driver.logged_in_client(alerted.seeker_officer)

    response = driver.submit(
        client, f"/notifications/{notification_id}/read", {}, form_url="/notifications"
    )
    missing = driver.submit(client, "/notifications/999999/read", {}, form_url="/notifications")

    assert response.status_code == missing.status_code == 404
    assert without_csrf_tokens(response.get_data()) == without_csrf_tokens(missing.get_data())
    assert _unread(app, alerted.seeker_admin.id) == 1


def test_marking_all_read_marks_only_ones_own(app, driver, alerted) -> None:
    client = driver.logged_in_client(alerted.seeker_admin)

    response = driver.submit(client, "/notifications/read", {}, form_url="/notifications")

    assert response.status_code == 302
    assert _unread(app, alerted.seeker_admin.id) == 0
    assert _unread(app, alerted.seeker_officer.id) == 1
