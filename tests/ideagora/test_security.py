"""Headers, cookies and rate limits that protect every page."""

from __future__ import annotations

import pytest

from ideagora import create_app
from ideagora.database import db
from tests.services.redis import RedisUnavailable, provide_redis


def test_pages_carry_security_headers(client) -> None:
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in headers


def test_hsts_only_over_https(client) -> None:
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_session_cookie_flags(client, driver) -> None:
    person = driver.person()
    response = driver.login(client, person)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_private_pages_are_not_cached(driver) -> None:
    client = driver.logged_in_client(driver.person())
    assert client.get("/account").headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/openapi.json").headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script(client) -> None:
    for url in ("/", "/login", "/register", "/challenges"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>" not in page
        assert " onclick=" not in page
        assert " style=" not in page


def test_errors_are_pages_for_people_and_json_for_the_api(client) -> None:
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert "Not found" in page.get_data(as_text=True)
    api = client.get("/api/v1/no-such-thing")
    assert api.json["error"]["code"] == "not_found"


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    try:
        server = provide_redis(tmp_path_factory.mktemp("redis"))
    except RedisUnavailable as error:
        pytest.skip(f"Redis unavailable: {error}")
    yield server
    server.flush_keys()
    server.stop()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_address_limit_is_shared_by_workers_through_redis(app_config, redis_url, driver) -> None:
    """Two app instances stand for two gunicorn workers; the limit must not double."""
    app_config.update(
        RATELIMIT_STORAGE_URI=redis_url.url,
        RATELIMIT_KEY_PREFIX=redis_url.key_prefix,
        LOGIN_RATE_LIMIT="3 per minute",
    )
    workers = [create_app(app_config), create_app(app_config)]
    with workers[0].app_context():
        db.create_all()
    driver.app = workers[0]
    person = driver.person()
    statuses = []
    for attempt in range(4):
        driver.app = workers[attempt % 2]
        client = driver.app.test_client()
        statuses.append(driver.login(client, person, "wrong-password-here").status_code)
    assert statuses == [401, 401, 401, 429]
