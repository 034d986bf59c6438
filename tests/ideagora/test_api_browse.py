"""Browsing over the API: the same filters and sorts as the pages, 422 for wrong ones."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ideagora.database import utcnow
from tests.browse_catalogue import (
    CONFIDENTIAL,
    PSEUDONYM_PREFIX,
    PUBLIC_ASSETS,
    PUBLIC_CHALLENGES,
    SORT_ORDERS,
    build_catalogue,
)


@pytest.fixture
def catalogue(app, driver):
    return build_catalogue(app, driver)


def day(offset: int) -> str:
    return (utcnow() + timedelta(days=offset)).date().isoformat()


def names(body: dict, ids: dict[str, int]) -> list[str]:
    by_id = {number: name for name, number in ids.items()}
    return [by_id[item["id"]] for item in body["items"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", PUBLIC_CHALLENGES),
        ("q=barrier+COATING", {"coating"}),
        (f"q={CONFIDENTIAL}", set()),
        ("field=materials", {"coating", "adhesive", "closed"}),
        ("type=technology_scouting", {"battery"}),
        ("status=evaluating", {"past"}),
        ("trl_min=4&trl_max=6", {"coating", "closed", "past"}),
        ("award_min=20000&award_max=50000", {"coating", "closed"}),
        ("deadline_before={in_15}", {"fan", "past"}),
        ("deadline_after={in_50}", {"coating", "adhesive"}),
        ("open=true", {"coating", "fan", "battery", "adhesive"}),
        ("organization={rotor}", {"fan", "battery", "past"}),
        ("organization={cupworks}", {"coating", "closed"}),
        ("unknown_argument=ignored", PUBLIC_CHALLENGES),
    ],
)
def test_challenge_filters(client, catalogue, query, expected) -> None:
    query = query.format(
        in_15=day(15),
        in_50=day(50),
        rotor=catalogue.organization_id("rotor"),
        cupworks=catalogue.organization_id("cupworks"),
    )
    response = client.get(f"/api/v1/challenges?{query}")
    assert response.status_code == 200, response.json
    assert set(names(response.json, catalogue.challenges)) == expected
    assert response.json["total"] == len(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", PUBLIC_ASSETS),
        ("q=Fan", {"edges"}),
        ("field=materials", {"polymer"}),
        ("patent_status=pending", {"polymer"}),
        ("deal_type=option", {"polymer"}),
        ("deal_type=exclusive_license", {"polymer"}),
        ("trl_min=6&trl_max=9", {"edges", "grid"}),
        ("status=published", PUBLIC_ASSETS),
        ("organization={rotor}", {"edges", "grid"}),
    ],
)
def test_asset_filters(client, catalogue, query, expected) -> None:
    query = query.format(rotor=catalogue.organization_id("rotor"))
    response = client.get(f"/api/v1/assets?{query}")
    assert response.status_code == 200, response.json
    assert set(names(response.json, catalogue.assets)) == expected


@pytest.mark.parametrize(("listings", "sort", "expected"), SORT_ORDERS)
def test_sort_orders(client, catalogue, listings, sort, expected) -> None:
    response = client.get(f"/api/v1/{listings}?sort={sort}")
    assert response.status_code == 200
    assert names(response.json, getattr(catalogue, listings)) == expected


@pytest.mark.parametrize(
    ("path", "query", "field", "message"),
    [
        ("challenges", "trl_min=12", "trl_min", "The TRL is a whole number from 1 to 9, not '12'."),
        ("challenges", "award_min=-5", "award_min", "The award cannot be negative."),
        (
            "challenges",
            "trl_min=8&trl_max=2",
            "trl_min",
            "The lowest TRL (8) is above the highest (2).",
        ),
        ("challenges", "sort=popular", "sort", "Sort by one of: newest, deadline, award, title."),
        ("challenges", "field=astrology", "field", "There is no technical field 'astrology'"),
        ("challenges", "type=contest", "type", "Choose the challenge type from"),
        ("challenges", "status=draft", "status", "Choose the status from"),
        ("challenges", "deadline_after=tomorrow", "deadline_after", "is not a date"),
        ("challenges", "open=perhaps", "open", "is either on (1) or off (0)"),
        ("challenges", "organization=-1", "organization", "by its number"),
        ("challenges", "q=paper%00cups", "q", "characters that cannot be typed"),
        ("assets", "organization=2147483648", "organization", "No organisation has the number"),
        ("assets", "deal_type=lease", "deal_type", "Choose the deal type from"),
        ("assets", "patent_status=expired", "patent_status", "Choose the patent status from"),
        ("assets", "sort=deadline", "sort", "Sort by one of: newest, trl, title."),
        ("assets", "trl_min=ten", "trl_min", "The TRL is a whole number from 1 to 9"),
    ],
)
def test_bad_filters_are_refused_naming_the_argument(
    client, catalogue, path, query, field, message
) -> None:
    response = client.get(f"/api/v1/{path}?{query}")
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "validation_failed"
    assert message in error["fields"][field]


def test_several_bad_filters_are_all_named(client, catalogue) -> None:
    response = client.get("/api/v1/challenges?trl_min=0&award_max=x&sort=y")
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"trl_min", "award_max", "sort"}


def test_pages_of_a_filtered_list(client, catalogue) -> None:
    first = client.get("/api/v1/challenges?field=materials&sort=title&per_page=2").json
    second = client.get("/api/v1/challenges?field=materials&sort=title&per_page=2&page=2").json
    assert names(first, catalogue.challenges) == ["closed", "coating"]
    assert names(second, catalogue.challenges) == ["adhesive"]
    assert first["total"] == second["total"] == 3


def test_drafts_withdrawn_and_confidential_text_never_listed(client, catalogue) -> None:
    for path in ("challenges", "assets"):
        response = client.get(f"/api/v1/{path}?per_page=100")
        assert "nobody may see" not in response.get_data(as_text=True)
        assert CONFIDENTIAL not in response.get_data(as_text=True)


def test_an_anonymous_challenge_is_not_unmasked(client, catalogue) -> None:
    cupworks = catalogue.organization_id("cupworks")
    listed = client.get("/api/v1/challenges?per_page=100").json["items"]
    adhesive = next(item for item in listed if item["id"] == catalogue.challenges["adhesive"])
    assert adhesive["owner"]["id"] is None
    assert adhesive["owner"]["name"].startswith(PSEUDONYM_PREFIX)
    by_organization = client.get(f"/api/v1/challenges?organization={cupworks}").json
    assert catalogue.challenges["adhesive"] not in {item["id"] for item in by_organization["items"]}
    profile = client.get(f"/api/v1/organizations/{cupworks}").json
    assert profile["published_challenges"] == 2


def test_organisation_profile_over_the_api_is_public(client, driver, catalogue) -> None:
    rotor = catalogue.organization_id("rotor")
    anonymous = client.get(f"/api/v1/organizations/{rotor}")
    assert anonymous.status_code == 200
    assert anonymous.json["name"] == "Rotor Labs"
    assert anonymous.json["published_challenges"] == 3
    assert anonymous.json["published_assets"] == 2
    assert anonymous.json["members"] == []
    member = driver.token(client, catalogue.people["rotor"])
    as_member = client.get(f"/api/v1/organizations/{rotor}", headers=member).json
    assert [entry["user"]["email"] for entry in as_member["members"]] == [
        catalogue.people["rotor"].email
    ]
    bad_token = {"Authorization": "Bearer not-a-token"}
    assert client.get(f"/api/v1/organizations/{rotor}", headers=bad_token).status_code == 401
