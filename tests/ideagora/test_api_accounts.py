"""The accounts part of the JSON API: register, tokens, me, passwords, and its errors."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ideagora.accounts.models import User
from ideagora.database import db
from ideagora.organizations.models import Organization
from tests.helpers import PASSWORD

GOOD = {
    "email": "lise@example.org",
    "password": PASSWORD,
    "name": "Lise Meitner",
    "organization": {"name": "Fission Works", "kind": "institute"},
}


def counts(app) -> tuple[int, int]:
    with app.app_context():
        return tuple(
            db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (User, Organization)
        )


def test_register_returns_user_organisation_and_a_working_token(client) -> None:
    response = client.post("/api/v1/register", json=GOOD)
    assert response.status_code == 201
    body = response.json
    assert body["user"]["email"] == "lise@example.org"
    assert body["organization"]["kind"] == "institute"
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.json["role"] == "admin"
    assert me.json["organization"]["name"] == "Fission Works"
    assert "password" not in str(me.json)


def bad(change: dict) -> dict:
    return {**GOOD, **change}


@pytest.mark.parametrize(
    ("kwargs", "status", "code", "field", "message"),
    [
        (
            {"data": "{not json", "content_type": "application/json"},
            400,
            "malformed_request",
            None,
            "The request body is not valid JSON.",
        ),
        (
            {"data": "email=a@b.org", "content_type": "application/x-www-form-urlencoded"},
            415,
            "unsupported_media_type",
            None,
            "Content-Type: application/json",
        ),
        ({"json": []}, 422, "validation_failed", "_schema", "Invalid input type."),
        ({"json": {}}, 422, "validation_failed", "email", "Missing data for required field."),
        (
            {"json": bad({"email": "nope"})},
            422,
            "validation_failed",
            "email",
            "This is not a valid e-mail address",
        ),
        (
            {"json": bad({"password": "short"})},
            422,
            "weak_password",
            "password",
            "Use at least 10 characters.",
        ),
        (
            {"json": bad({"password": "p" * 129})},
            422,
            "weak_password",
            "password",
            "Use at most 128 characters.",
        ),
        (
            {"json": bad({"password": "iloveyou12"})},
            422,
            "weak_password",
            "password",
            "commonly used passwords",
        ),
        (
            {"json": bad({"name": "n" * 121})},
            422,
            "validation_failed",
            "name",
            "Your name has at most 120 characters.",
        ),
        (
            {"json": bad({"organization": {"name": "X", "kind": "club"}})},
            422,
            "validation_failed",
            "organization.kind",
            "Choose one of: company, university, institute, individual.",
        ),
        (
            {"json": bad({"organization": {"name": "", "kind": "company"}})},
            422,
            "validation_failed",
            "organization.name",
            "Enter the organisation's name.",
        ),
        ({"json": bad({"surprise": 1})}, 422, "validation_failed", "surprise", "Unknown field."),
    ],
)
def test_register_errors_are_clear_and_create_nothing(
    client, app, kwargs, status, code, field, message
) -> None:
    response = client.post("/api/v1/register", **kwargs)
    assert response.status_code == status
    error = response.json["error"]
    assert error["code"] == code
    text = error["fields"][field] if field else error["message"]
    assert message in str(text)
    assert counts(app) == (0, 0)


def test_register_with_a_taken_email_is_a_conflict(client, driver, app) -> None:
    driver.person(email="lise@example.org")
    response = client.post("/api/v1/register", json=bad({"email": "LISE@example.org"}))
    assert response.status_code == 409
    assert response.json["error"]["code"] == "email_taken"
    assert counts(app) == (1, 1)


def test_token_lifecycle(client, driver) -> None:
    person = driver.person()
    headers = driver.token(client, person)
    assert client.get("/api/v1/me", headers=headers).json["user"]["id"] == person.id
    assert client.delete("/api/v1/tokens/current", headers=headers).status_code == 204
    revoked = client.get("/api/v1/me", headers=headers)
    assert revoked.status_code == 401
    assert revoked.json["error"]["message"].startswith("This token is not valid")


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "Send a token"),
        ("Basic dXNlcjpwYXNz", "Send a token"),
        ("Bearer ", "Send a token"),
        ("Bearer iga_made-up-token", "This token is not valid"),
        ("Bearer not-even-our-format", "This token is not valid"),
    ],
)
def test_missing_or_bad_tokens_get_401(client, header, message) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert message in response.json["error"]["message"]


def test_api_ignores_the_session_cookie(driver) -> None:
    client = driver.logged_in_client(driver.person())
    assert client.get("/dashboard").status_code == 200
    assert client.get("/api/v1/me").status_code == 401


def test_expired_token_stops_working(client, driver, app) -> None:
    person = driver.person()
    app.config["API_TOKEN_TTL_DAYS"] = -1
    headers = driver.token(client, person)
    assert client.get("/api/v1/me", headers=headers).status_code == 401


@pytest.mark.parametrize(
    ("credentials", "status", "code"),
    [
        ({"email": "nobody@example.org", "password": PASSWORD}, 401, "invalid_credentials"),
        ({"email": None, "password": "wrong-password-1"}, 401, "invalid_credentials"),
        ({"email": "x@example.org"}, 422, "validation_failed"),
    ],
)
def test_token_refused_for_bad_credentials(client, driver, credentials, status, code) -> None:
    person = driver.person()
    body = {**credentials, "email": credentials["email"] or person.email}
    response = client.post("/api/v1/tokens", json=body)
    assert response.status_code == status
    assert response.json["error"]["code"] == code


def test_token_requests_lock_the_account_like_the_login_page(client, driver, app) -> None:
    person = driver.person()
    wrong = {"email": person.email, "password": "wrong-password-1"}
    statuses = [
        client.post("/api/v1/tokens", json=wrong).status_code
        for _ in range(app.config["LOGIN_MAX_FAILURES"])
    ]
    assert statuses[-1] == 429
    locked = client.post(
        "/api/v1/tokens", json={"email": person.email, "password": person.password}
    )
    assert locked.status_code == 429
    assert locked.json["error"]["code"] == "account_locked"
    assert int(locked.headers["Retry-After"]) > 0


def test_password_change_revokes_every_token(client, driver) -> None:
    person = driver.person()
    first, second = driver.token(client, person), driver.token(client, person)
    new_password = "amber-compass-orchard-77"
    response = client.post(
        "/api/v1/me/password",
        headers=first,
        json={"current_password": person.password, "new_password": new_password},
    )
    assert response.status_code == 204
    assert client.get("/api/v1/me", headers=first).status_code == 401
    assert client.get("/api/v1/me", headers=second).status_code == 401
    assert (
        client.post(
            "/api/v1/tokens", json={"email": person.email, "password": new_password}
        ).status_code
        == 201
    )


def test_password_change_with_wrong_current_password(client, driver) -> None:
    person = driver.person()
    headers = driver.token(client, person)
    response = client.post(
        "/api/v1/me/password",
        headers=headers,
        json={"current_password": "wrong-password-1", "new_password": "amber-compass-orchard-77"},
    )
    assert response.status_code == 422
    assert (
        response.json["error"]["fields"]["current_password"] == "This is not your current password."
    )
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_password_reset_request_answers_the_same_for_unknown_addresses(
    client, driver, outbox
) -> None:
    person = driver.person()
    known = client.post("/api/v1/password-reset", json={"email": person.email})
    unknown = client.post("/api/v1/password-reset", json={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 202
    assert [message["To"] for message in outbox] == [person.email]


def test_unknown_api_route_is_json_404(client) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"
