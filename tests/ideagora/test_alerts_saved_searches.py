"""Saved searches: kept with the search page's own checks, and alerting new results."""

from __future__ import annotations

import html

import pytest
import sqlalchemy as sa
from flask import render_template_string
from flask_login import login_user

from ideagora.accounts.models import User
from ideagora.alerts.models import Notification, SavedSearch
from ideagora.database import db
from tests.ideagora.matching_world import UNRELATED_ASSET, make_world, post_asset

SAVED_MAX = 20


@pytest.fixture
def world(driver):
    return make_world(driver)


def _save(driver, client, name: str, **arguments: str):
    data = {"name": name, **{f"search-{key}": value for key, value in arguments.items()}}
    return driver.submit(client, "/searches", data, form_url="/searches")


def _alerts_of(app, user_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        return [
            (row.kind, row.title)
            for row in db.session.scalars(
                sa.select(Notification).where(Notification.user_id == user_id)
            )
        ]


def test_a_new_offer_that_fits_a_saved_search_alerts_its_owner(app, driver, world) -> None:
    client = driver.logged_in_client(world.bystander)
    response = _save(driver, client, "Nanofibre offers", q="nanofibre", type="asset")
    assert response.status_code == 302
    assert response.headers["Location"] == "/searches"

    post_asset(app, world.licensor_admin)
    post_asset(app, world.licensor_admin, **UNRELATED_ASSET)

    assert _alerts_of(app, world.bystander.id) == [
        (
            "saved_search",
            "New IP offer for your saved search “Nanofibre offers”: "
            "“Needleless electrospinning of nanofibre membranes”",
        )
    ]


def test_a_saved_search_filter_is_applied(app, driver, world) -> None:
    client = driver.logged_in_client(world.bystander)
    _save(driver, client, "Challenges only", q="nanofibre", type="challenge")

    post_asset(app, world.licensor_admin)

    assert _alerts_of(app, world.bystander.id) == []


def test_a_saved_search_never_alerts_about_ones_own_organisation(app, driver, world) -> None:
    client = driver.logged_in_client(world.licensor_member)
    _save(driver, client, "Nanofibre", q="nanofibre")

    post_asset(app, world.licensor_admin)

    assert _alerts_of(app, world.licensor_member.id) == []


def test_saved_searches_are_listed_and_deleted_by_their_owner_only(app, driver, world) -> None:
    owner = driver.logged_in_client(world.bystander)
    _save(driver, owner, "Nanofibre offers", q="nanofibre", type="asset")
    with app.app_context():
        search_id = db.session.scalar(sa.select(SavedSearch.id))
    other = driver.logged_in_client(world.seeker_admin)

    listed = html.unescape(owner.get("/searches").get_data(as_text=True))
    refused = driver.submit(other, f"/searches/{search_id}/delete", {}, form_url="/searches")
    deleted = driver.submit(owner, f"/searches/{search_id}/delete", {}, form_url="/searches")

    assert "Nanofibre offers" in listed
    assert "“nanofibre”; type: asset" in listed
    assert "Nanofibre offers" not in other.get("/searches").get_data(as_text=True)
    assert refused.status_code == 404
    assert deleted.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SavedSearch.id))) == 0


@pytest.mark.parametrize(
    ("name", "arguments", "message"),
    [
        ("", {"q": "nanofibre"}, "Give the search a name. Enter a name."),
        ("x" * 101, {"q": "nanofibre"}, "A name has at most 100 characters (this has 101)."),
        ("Nothing", {}, "Search for some words or choose a filter before saving a search."),
        (
            "Bad TRL",
            {"trl_min": "ten"},
            "This search cannot be saved: The TRL is a whole number from 1 to 9, not 'ten'.",
        ),
        (
            "Bad type",
            {"type": "patents"},
            "This search cannot be saved: Choose what to search from: all, challenge, asset.",
        ),
        (
            "Bad field",
            {"field": "alchemy"},
            "This search cannot be saved: There is no technical field 'alchemy'",
        ),
        (
            "Upside down",
            {"trl_min": "7", "trl_max": "3"},
            "This search cannot be saved: The lowest TRL (7) is above the highest (3).",
        ),
        (
            "Too long",
            {"q": "word " * 200},
            "This search cannot be saved: Your search was 999 characters long; "
            "only its first 500 were used.",
        ),
    ],
)
def test_a_search_the_search_page_would_refuse_is_not_saved(
    app, driver, world, name, arguments, message
) -> None:
    client = driver.logged_in_client(world.bystander)

    response = _save(driver, client, name, **arguments)
    page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))

    assert response.status_code == 302
    assert message in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SavedSearch.id))) == 0


def test_at_most_twenty_searches_and_unique_names(app, driver, world) -> None:
    client = driver.logged_in_client(world.bystander)
    for number in range(SAVED_MAX):
        _save(driver, client, f"Search {number}", q=f"word{number}")

    too_many = _save(driver, client, "One more", q="more")
    page = html.unescape(client.get(too_many.headers["Location"]).get_data(as_text=True))
    assert "You can keep at most 20 saved searches; delete one to save another." in page

    with app.app_context():
        db.session.execute(sa.delete(SavedSearch).where(SavedSearch.name == "Search 0"))
        db.session.commit()
    duplicate = _save(driver, client, "Search 1", q="again")
    page = html.unescape(client.get(duplicate.headers["Location"]).get_data(as_text=True))
    assert "You already have a saved search called “Search 1”; choose another name." in page
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SavedSearch.id))) == SAVED_MAX - 1


def test_the_save_form_carries_the_search_and_needs_a_login(app, world) -> None:
    template = '{% include "alerts/save_search_form.html" %}'
    with app.test_request_context("/search?q=nanofibre&type=asset&page=2"):
        anonymous = render_template_string(template)
        login_user(db.session.get(User, world.bystander.id))
        form = render_template_string(template)

    assert "Log in</a> to save this search" in anonymous
    assert 'name="search-q" value="nanofibre"' in form
    assert 'name="search-type" value="asset"' in form
    assert "search-page" not in form
    assert 'name="csrf_token"' in form
    assert 'action="/searches"' in form
