"""The matches pages: owners only, ranked candidates with their reasons in plain words."""

from __future__ import annotations

import html

import pytest

from tests.helpers import without_csrf_tokens
from tests.ideagora.matching_world import (
    BRIEF_MARKER,
    BRIEF_ONLY_WORD,
    DOSSIER_MARKER,
    DOSSIER_WORD,
    UNRELATED_ASSET,
    make_world,
    post_asset,
    post_challenge,
    viewer,
)

MISSING_ID = 999_999


@pytest.fixture
def world(driver):
    return make_world(driver)


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _paths(challenge_id: int, asset_id: int) -> dict[str, tuple[str, str]]:
    return {
        "challenge": (f"/challenges/{challenge_id}/matches", f"/challenges/{MISSING_ID}/matches"),
        "asset": (f"/offers/{asset_id}/matches", f"/offers/{MISSING_ID}/matches"),
    }


@pytest.mark.parametrize("kind", ["challenge", "asset"])
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("bystander", 404),
        ("other side", 404),
        ("owner member", 200),
        ("owner admin", 200),
    ],
)
def test_only_the_owning_organisation_sees_the_matches_page(
    app, driver, world, kind, who, expected
) -> None:
    challenge_id = post_challenge(app, world.seeker_admin)
    asset_id = post_asset(app, world.licensor_admin)
    person = viewer(world, kind, who)
    client = driver.logged_in_client(person) if person else app.test_client()
    existing, missing = _paths(challenge_id, asset_id)[kind]

    response = client.get(existing)

    assert response.status_code == expected
    if expected != 200:
        # a listing of someone else looks exactly like one that does not exist
        refused_missing = client.get(missing)
        assert refused_missing.status_code == expected
        if expected == 302:
            assert response.headers["Location"].startswith("/login")
            assert refused_missing.headers["Location"].startswith("/login")
        else:
            assert without_csrf_tokens(response.get_data()) == without_csrf_tokens(
                refused_missing.get_data()
            )


def test_a_challenge_page_lists_offers_with_reasons_in_words(app, driver, world) -> None:
    challenge_id = post_challenge(app, world.seeker_admin)
    asset_id = post_asset(app, world.licensor_admin)
    post_asset(app, world.bystander, **UNRELATED_ASSET)

    page = _text(
        driver.logged_in_client(world.seeker_member).get(f"/challenges/{challenge_id}/matches")
    )

    assert "IP offers that may solve this" in page
    assert f'href="/offers/{asset_id}"' in page
    assert "Needleless electrospinning of nanofibre membranes" in page
    assert "Fibrelab University" in page
    assert "shares: 'electrospinning', 'nanofibre'" in page or (
        "shares: 'nanofibre', 'electrospinning'" in page
    )
    assert "same field: Nanomaterials" in page
    assert "TRL 6 ≥ 4 sought" in page
    assert "%" in page
    assert "Grid battery balancing know-how" not in page


def test_an_offer_page_lists_open_challenges(app, driver, world) -> None:
    challenge_id = post_challenge(app, world.seeker_admin)
    asset_id = post_asset(app, world.licensor_admin)

    page = _text(driver.logged_in_client(world.licensor_admin).get(f"/offers/{asset_id}/matches"))

    assert "Challenges this IP may solve" in page
    assert f'href="/challenges/{challenge_id}"' in page
    assert "TRL 6 ≥ 4 sought" in page


def test_no_confidential_text_of_anyone_appears_on_the_page(app, driver, world) -> None:
    challenge_id = post_challenge(app, world.seeker_admin)
    post_asset(app, world.licensor_admin)

    page = _text(
        driver.logged_in_client(world.seeker_admin).get(f"/challenges/{challenge_id}/matches")
    )

    # the other organisation's dossier never shows; the owner's own brief only shapes the query
    for secret in (DOSSIER_MARKER, DOSSIER_WORD, BRIEF_MARKER, BRIEF_ONLY_WORD):
        assert secret not in page


def test_a_draft_shows_its_matches_to_its_owner_with_a_note(app, driver, world) -> None:
    challenge_id = post_challenge(app, world.seeker_admin, publish=False)
    post_asset(app, world.licensor_admin)

    page = _text(
        driver.logged_in_client(world.seeker_admin).get(f"/challenges/{challenge_id}/matches")
    )

    assert "This challenge is a draft" in page
    assert "Needleless electrospinning of nanofibre membranes" in page


def test_the_owner_sees_the_best_matches_on_the_listing_page(app, driver, world) -> None:
    challenge_id = post_challenge(app, world.seeker_admin)
    post_asset(app, world.licensor_admin)
    owner = driver.logged_in_client(world.seeker_member)
    other = driver.logged_in_client(world.licensor_admin)

    owner_page = _text(owner.get(f"/challenges/{challenge_id}"))
    other_page = _text(other.get(f"/challenges/{challenge_id}"))

    assert "IP offers that may solve this" in owner_page
    assert "Needleless electrospinning of nanofibre membranes" in owner_page
    assert f'href="/challenges/{challenge_id}/matches"' in owner_page
    assert "IP offers that may solve this" not in other_page
    assert f"/challenges/{challenge_id}/matches" not in other_page


def test_an_offer_page_links_its_owner_to_the_matches(app, driver, world) -> None:
    post_challenge(app, world.seeker_admin)
    asset_id = post_asset(app, world.licensor_admin)

    owner_page = _text(driver.logged_in_client(world.licensor_member).get(f"/offers/{asset_id}"))
    public_page = _text(app.test_client().get(f"/offers/{asset_id}"))

    assert f'href="/offers/{asset_id}/matches"' in owner_page
    assert "Electrospun nanofibre filter media for face masks" in owner_page
    assert f"/offers/{asset_id}/matches" not in public_page
