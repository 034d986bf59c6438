"""Registering, logging in and out, passwords and sessions, through the pages."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from ideagora.accounts.models import User
from ideagora.audit.models import AuditEvent
from ideagora.database import db
from ideagora.organizations.models import Membership, Organization
from tests.helpers import PASSWORD, csrf_token_from

GOOD = {
    "name": "Marie Sklodowska",
    "email": "marie@example.org",
    "password": PASSWORD,
    "confirm_password": PASSWORD,
    "organization_name": "Radium Research Ltd",
    "organization_kind": "company",
}


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(
            db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (User, Organization, Membership)
        )


def test_register_creates_person_and_organisation_and_logs_in(client, driver, app) -> None:
    response = driver.submit(client, "/register", GOOD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Welcome, Marie Sklodowska" in page
    assert "admin of" in page
    assert "Radium Research Ltd" in page
    assert counts(app) == (1, 1, 1)
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["user.registered", "organization.created"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"email": "not-an-address"}, "This is not a valid e-mail address"),
        ({"email": ""}, "This field is required."),
        ({"password": "short1!", "confirm_password": "short1!"}, "Use at least 10 characters."),
        ({"password": "x" * 129, "confirm_password": "x" * 129}, "Field cannot be longer than 128"),
        (
            {"password": "password123", "confirm_password": "password123"},
            "in a list of commonly used passwords",
        ),
        ({"password": "aaaaaaaaaaaa", "confirm_password": "aaaaaaaaaaaa"}, "too easy to guess"),
        (
            {"password": "marie@example.org", "confirm_password": "marie@example.org"},
            "too easy to guess",
        ),
        ({"confirm_password": "something-else-entirely"}, "The passwords do not match."),
        ({"name": "N" * 121}, "Field cannot be longer than 120 characters."),
        ({"name": "   "}, "This field is required."),
        ({"organization_name": "O" * 161}, "Field cannot be longer than 160 characters."),
        ({"organization_kind": "government"}, "Not a valid choice."),
    ],
)
def test_register_refuses_bad_input_and_creates_nothing(
    client, driver, app, change, message
) -> None:
    response = driver.submit(client, "/register", {**GOOD, **change})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert counts(app) == (0, 0, 0)


def test_register_with_a_taken_email_or_organisation_name(client, driver, app) -> None:
    founder = driver.person(organization="Radium Research Ltd")
    taken_email = driver.submit(client, "/register", {**GOOD, "email": founder.email.upper()})
    assert taken_email.status_code == 422
    assert "An account with this e-mail address already exists" in taken_email.get_data(
        as_text=True
    )
    taken_name = driver.submit(
        client, "/register", {**GOOD, "organization_name": " radium  RESEARCH ltd"}
    )
    assert "An organisation with this name is already registered" in taken_name.get_data(
        as_text=True
    )
    assert counts(app) == (1, 1, 1)


def test_register_without_csrf_token_is_refused(client, app) -> None:
    response = client.post("/register", data=GOOD)
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert counts(app) == (0, 0, 0)


def test_login_and_logout(client, driver) -> None:
    person = driver.person()
    response = driver.login(client, person)
    assert response.status_code == 302
    assert person.name in client.get("/dashboard").get_data(as_text=True)
    token = csrf_token_from(client.get("/dashboard").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_a_remembered_login_outlives_the_session_cookie(client, driver, app) -> None:
    person = driver.person()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post(
        "/login",
        data={
            "csrf_token": token,
            "email": person.email,
            "password": person.password,
            "remember": "y",
        },
    )
    client.delete_cookie(app.config["SESSION_COOKIE_NAME"])
    # restored from the cookie, and still logged in on the pages after
    for _ in range(3):
        page = client.get("/dashboard")
        assert page.status_code == 200
        assert person.name in page.get_data(as_text=True)


def test_logout_without_csrf_token_does_not_log_out(client, driver) -> None:
    client = driver.logged_in_client(driver.person())
    assert client.post("/logout").status_code == 400
    assert client.get("/dashboard").status_code == 200


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("nobody@example.org", PASSWORD),
        (None, "wrong-password-here"),
        ("not an address", PASSWORD),
    ],
)
def test_login_failure_says_so_without_telling_which_part(client, driver, email, password) -> None:
    person = driver.person()
    response = driver.submit(
        client, "/login", {"email": email or person.email, "password": password}
    )
    assert response.status_code == 401
    assert "The e-mail address or password is not right." in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_login_redirects_only_to_local_pages(client, driver) -> None:
    person = driver.person()
    token = driver.get_csrf(client, "/login")
    data = {"csrf_token": token, "email": person.email, "password": person.password}
    local = client.post("/login?next=/account", data=data)
    assert local.headers["Location"] == "/account"
    client.post(
        "/logout",
        data={"csrf_token": csrf_token_from(client.get("/account").get_data(as_text=True))},
    )
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        token = driver.get_csrf(client, "/login")
        response = client.post(f"/login?next={target}", data={**data, "csrf_token": token})
        assert response.headers["Location"] == "/dashboard"
        client.post(
            "/logout",
            data={"csrf_token": csrf_token_from(client.get("/dashboard").get_data(as_text=True))},
        )


def test_account_locks_after_repeated_failures_and_says_when_to_retry(client, driver, app) -> None:
    person = driver.person()
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        assert driver.login(client, person, "wrong-password-here").status_code == 401
    locked = driver.login(client, person, "wrong-password-here")
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 800
    assert "Try again in 15 minutes" in locked.get_data(as_text=True)
    # even the right password is refused while the account is locked
    assert driver.login(client, person).status_code == 429


def test_login_is_rate_limited_per_address(client, driver, app) -> None:
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    people = [driver.person() for _ in range(4)]
    statuses = [
        driver.login(app.test_client(), person, "wrong-password-here").status_code
        for person in people
    ]
    assert statuses == [401, 401, 401, 429]


def test_change_password_ends_other_sessions_but_keeps_this_one(driver) -> None:
    person = driver.person()
    here, elsewhere = driver.logged_in_client(person), driver.logged_in_client(person)
    new_password = "amber-compass-orchard-77"
    response = driver.submit(
        here,
        "/account/password",
        {
            "current_password": person.password,
            "password": new_password,
            "confirm_password": new_password,
        },
    )
    assert response.status_code == 302
    assert here.get("/account").status_code == 200
    assert elsewhere.get("/account").status_code == 302
    fresh = driver.app.test_client()
    assert driver.login(fresh, person).status_code == 401
    assert driver.login(fresh, person, new_password).status_code == 302


@pytest.mark.parametrize(
    ("current", "new", "message"),
    [
        (
            "wrong-current-password",
            "amber-compass-orchard-77",
            "This is not your current password.",
        ),
        (PASSWORD, "1234567890", "commonly used passwords"),
        (PASSWORD, "123456789012", "too easy to guess"),
    ],
)
def test_change_password_refuses_bad_input(driver, current, new, message) -> None:
    person = driver.person()
    client = driver.logged_in_client(person)
    response = driver.submit(
        client,
        "/account/password",
        {"current_password": current, "password": new, "confirm_password": new},
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert driver.login(driver.app.test_client(), person).status_code == 302


def test_log_out_everywhere(driver) -> None:
    person = driver.person()
    here, elsewhere = driver.logged_in_client(person), driver.logged_in_client(person)
    response = driver.submit(here, "/account/sessions/end", {}, form_url="/account")
    assert response.status_code == 302
    assert here.get("/account").status_code == 302
    assert elsewhere.get("/account").status_code == 302


def reset_link(message) -> str:
    return re.search(r"http://localhost(/password/reset/\S+)", message.get_content()).group(1)


def test_password_reset_by_single_use_link(client, driver, outbox) -> None:
    person = driver.person()
    elsewhere = driver.logged_in_client(person)
    response = driver.submit(client, "/password/forgot", {"email": person.email})
    assert response.status_code == 302
    assert len(outbox) == 1
    assert outbox[0]["To"] == person.email
    link = reset_link(outbox[0])
    new_password = "amber-compass-orchard-77"
    done = driver.submit(client, link, {"password": new_password, "confirm_password": new_password})
    assert done.status_code == 302
    assert client.get("/dashboard").status_code == 200
    assert elsewhere.get("/dashboard").status_code == 302
    again = client.get(link)
    assert again.status_code == 400
    assert "already used, has expired" in again.get_data(as_text=True)


def test_password_reset_link_expires(client, driver, outbox, app) -> None:
    person = driver.person()
    driver.submit(client, "/password/forgot", {"email": person.email})
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    assert client.get(reset_link(outbox[0])).status_code == 400


@pytest.mark.parametrize("email", ["nobody@example.org", "not an address"])
def test_password_reset_for_unknown_address_looks_the_same(client, driver, outbox, email) -> None:
    response = driver.submit(client, "/password/forgot", {"email": email}, follow_redirects=True)
    assert "If an account uses that address" in response.get_data(as_text=True)
    assert outbox == []


def test_tampered_reset_link_is_refused(client, driver, outbox) -> None:
    person = driver.person()
    driver.submit(client, "/password/forgot", {"email": person.email})
    link = reset_link(outbox[0])
    assert client.get(link[:-3] + "abc").status_code == 400
