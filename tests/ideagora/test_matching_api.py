"""The matches API: owners only, the documented shape, bounded limits, public text only."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from ideagora.challenges.models import Challenge
from ideagora.database import db, utcnow
from tests.ideagora.matching_world import (
    BRIEF_MARKER,
    BRIEF_ONLY_WORD,
    DOSSIER_MARKER,
    DOSSIER_WORD,
    change_asset,
    change_challenge,
    make_world,
    post_asset,
    post_challenge,
    viewer,
)

MISSING_ID = 999_999
LIMIT_MESSAGE = "The limit is a whole number from 1 to 50."


@pytest.fixture
def world(driver):
    return make_world(driver)


def _get(client, path: str, headers: dict | None = None, **query):
    return client.get(path, headers=headers or {}, query_string=query)


@pytest.mark.parametrize("kind", ["challenges", "assets"])
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("no token", 401),
        ("bystander", 404),
        ("other side", 404),
        ("owner member", 200),
        ("owner admin", 200),
    ],
)
def test_only_the_owning_organisation_gets_matches(
    app, client, driver, world, kind, who, expected
) -> None:
    ids = {
        "challenges": post_challenge(app, world.seeker_admin),
        "assets": post_asset(app, world.licensor_admin),
    }
    person = viewer(world, kind.removesuffix("s"), who)
    headers = driver.token(client, person) if person else {}

    response = _get(client, f"/api/v1/{kind}/{ids[kind]}/matches", headers)

    assert response.status_code == expected, response.json
    if expected != 200:
        missing = _get(client, f"/api/v1/{kind}/{MISSING_ID}/matches", headers)
        assert missing.status_code == expected
        assert response.json == missing.json


def test_a_challenge_gets_offers_in_the_documented_shape(app, client, driver, world) -> None:
    challenge_id = post_challenge(app, world.seeker_admin)
    asset_id = post_asset(app, world.licensor_admin)
    headers = driver.token(client, world.seeker_member)

    body = _get(client, f"/api/v1/challenges/{challenge_id}/matches", headers).json

    assert body["total"] == len(body["items"]) == 1
    item = body["items"][0]
    assert item["asset"]["id"] == asset_id
    assert item["asset"]["title"] == "Needleless electrospinning of nanofibre membranes"
    assert item["asset"]["owner"]["name"] == "Fibrelab University"
    assert item["asset"]["url"].endswith(f"/offers/{asset_id}")
    assert 0 < item["score"] <= 1
    assert {"text", "fields", "trl", "terms"} <= set(item["components"])
    reasons = item["reasons"]
    assert {"electrospinning", "nanofibre"} <= set(reasons["terms"])
    assert reasons["fields"] == ["materials-nanomaterials"]
    assert reasons["trl"]["verdict"] == "meets"
    assert reasons["deal"]["compatible"] is True
    assert "TRL 6 ≥ 4 sought" in reasons["phrases"]
    assert "same field: Nanomaterials" in reasons["phrases"]


def test_an_offer_gets_challenges_and_an_anonymous_seeker_stays_anonymous(
    app, client, driver, world
) -> None:
    challenge_id = post_challenge(app, world.seeker_admin, anonymous=True)
    asset_id = post_asset(app, world.licensor_admin)
    headers = driver.token(client, world.licensor_admin)

    response = _get(client, f"/api/v1/assets/{asset_id}/matches", headers)

    item = response.json["items"][0]
    assert item["challenge"]["id"] == challenge_id
    assert item["challenge"]["owner"]["anonymous"] is True
    assert item["challenge"]["owner"]["id"] is None
    assert "Cupworks" not in response.get_data(as_text=True)


def test_no_confidential_text_of_another_organisation_ever_appears(
    app, client, driver, world
) -> None:
    # the seeker's brief names the word hidden in the licensor's dossier: still never shown
    challenge_id = post_challenge(app, world.seeker_admin)
    post_asset(app, world.licensor_admin)
    post_asset(
        app,
        world.bystander,
        title="Quiet fan blades",
        summary="Serrated edges.",
        description="",
        keywords=[],
    )
    headers = driver.token(client, world.seeker_admin)

    text = _get(client, f"/api/v1/challenges/{challenge_id}/matches", headers).get_data(
        as_text=True
    )

    for secret in (DOSSIER_MARKER, DOSSIER_WORD, BRIEF_MARKER, BRIEF_ONLY_WORD):
        assert secret not in text


def test_the_owners_own_brief_finds_an_offer_that_has_its_words_publicly(
    app, client, driver, world
) -> None:
    challenge_id = post_challenge(
        app,
        world.seeker_admin,
        title="Better cabin air",
        summary="Cleaner air in trains.",
        description="",
        keywords=[],
        fields=["transport"],
        confidential_brief=f"We think perovskite photocatalysts could do it. {BRIEF_ONLY_WORD}",
    )
    public = post_asset(
        app,
        world.licensor_admin,
        title="Perovskite photocatalysts for air cleaning",
        summary="Visible-light perovskite photocatalysts break down pollutants.",
        description="",
        keywords=["perovskite"],
        fields=["chemistry-catalysis"],
    )
    hidden = post_asset(
        app,
        world.bystander,
        title="Ceramic membranes",
        summary="Porous ceramic tubes for water.",
        description="",
        keywords=[],
        fields=["materials-ceramics-glass"],
        confidential_dossier="Our perovskite photocatalysts recipe.",
    )
    headers = driver.token(client, world.seeker_admin)

    response = _get(client, f"/api/v1/challenges/{challenge_id}/matches", headers)

    found = {item["asset"]["id"]: item for item in response.json["items"]}
    assert public in found
    assert hidden not in found
    assert "perovskite" in found[public]["reasons"]["terms"]
    # a word of the brief no candidate has publicly never appears in any reason
    assert BRIEF_ONLY_WORD not in response.get_data(as_text=True)


def test_closed_withdrawn_and_past_deadline_challenges_are_never_listed(
    app, client, driver, world
) -> None:
    open_id = post_challenge(app, world.seeker_admin, title="Open nanofibre filter")
    closed_id = post_challenge(app, world.seeker_admin, title="Closed nanofibre filter")
    withdrawn_id = post_challenge(app, world.bystander, title="Withdrawn nanofibre filter")
    past_id = post_challenge(app, world.bystander, title="Past nanofibre filter")
    change_challenge(app, world.seeker_admin, closed_id, "close")
    change_challenge(app, world.bystander, withdrawn_id, "withdraw")
    with app.app_context():
        # the deadline passes without the index hearing of it: the database still says no
        db.session.execute(
            sa.update(Challenge)
            .where(Challenge.id == past_id)
            .values(deadline=utcnow() - timedelta(hours=1))
        )
        db.session.commit()
    asset_id = post_asset(app, world.licensor_admin)
    headers = driver.token(client, world.licensor_admin)

    response = _get(client, f"/api/v1/assets/{asset_id}/matches", headers)

    assert [item["challenge"]["id"] for item in response.json["items"]] == [open_id]


def test_a_withdrawn_offer_is_never_listed(app, client, driver, world) -> None:
    challenge_id = post_challenge(app, world.seeker_admin)
    kept = post_asset(app, world.licensor_admin)
    gone = post_asset(app, world.bystander)
    change_asset(app, world.bystander, gone, "withdraw")
    headers = driver.token(client, world.seeker_admin)

    response = _get(client, f"/api/v1/challenges/{challenge_id}/matches", headers)

    assert [item["asset"]["id"] for item in response.json["items"]] == [kept]


def test_the_limit_caps_the_list(app, client, driver, world) -> None:
    challenge_id = post_challenge(app, world.seeker_admin)
    for number in range(3):
        post_asset(app, world.licensor_admin, title=f"Electrospinning nanofibre line {number}")
    headers = driver.token(client, world.seeker_admin)

    body = _get(client, f"/api/v1/challenges/{challenge_id}/matches", headers, limit="2").json

    assert body["limit"] == 2
    assert len(body["items"]) == 2
    assert body["items"][0]["score"] >= body["items"][1]["score"]


@pytest.mark.parametrize(
    "limit", ["0", "51", "-1", "abc", "1.5", "1e3", "99999999999999999999999", "٣", "true"]
)
def test_a_bad_limit_is_refused_with_422(app, client, driver, world, limit) -> None:
    challenge_id = post_challenge(app, world.seeker_admin)
    headers = driver.token(client, world.seeker_admin)

    response = _get(client, f"/api/v1/challenges/{challenge_id}/matches", headers, limit=limit)

    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"limit": LIMIT_MESSAGE}


def test_the_endpoints_are_in_the_openapi_document(client) -> None:
    paths = json.loads(client.get("/api/v1/openapi.json").get_data(as_text=True))["paths"]

    assert "/api/v1/challenges/{challenge_id}/matches" in paths
    assert "/api/v1/assets/{asset_id}/matches" in paths
