"""GET /api/v1/search: ranked public hits, snippets, facets, suggestions; 422 for bad filters."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests.browse_catalogue import build_catalogue


@pytest.fixture
def catalogue(app, driver):
    return build_catalogue(app, driver)


def get(client, expect: int = 200, headers=None, **args):
    response = client.get(f"/api/v1/search?{urlencode(args)}", headers=headers or {})
    assert response.status_code == expect, response.get_data(as_text=True)[:2000]
    return response.json


def test_hits_are_ranked_with_score_snippet_and_public_fields(client, catalogue) -> None:
    body = get(client, q="plant sugars")
    first = body["items"][0]
    assert first["type"] == "asset"
    assert first["id"] == catalogue.assets["polymer"]
    assert first["title"] == "Bio-based barrier polymer"
    assert first["owner"] == "Cupworks Ltd"
    assert first["fields"] == ["materials-polymers"]
    assert first["deal_types"] == ["exclusive_license", "option"]
    assert first["trl"] == 3
    assert first["status"] == "published"
    assert "<mark>plant</mark>" in first["snippet"]
    assert first["score"] > 0
    assert {"page", "per_page", "total", "pages", "facets", "suggestion", "notice"} <= set(body)
    assert body["page"] == 1


def test_hits_come_best_first(client, catalogue) -> None:
    scores = [item["score"] for item in get(client, q="fan OR noise OR barrier")["items"]]
    assert len(scores) >= 2
    assert scores == sorted(scores, reverse=True)


def test_type_narrows_and_facets_count(client, catalogue) -> None:
    body = get(client, type="challenge")
    assert body["total"] == 6
    assert {item["type"] for item in body["items"]} == {"challenge"}
    everything = get(client)
    kinds = {facet["value"]: facet["count"] for facet in everything["facets"]["kind"]}
    assert kinds == {"challenge": 6, "asset": 3}


def test_an_anonymous_seeker_shows_its_pseudonym_only(client, catalogue) -> None:
    body = get(client, q="starch adhesive")
    hit = next(item for item in body["items"] if item["id"] == catalogue.challenges["adhesive"])
    assert hit["owner"].startswith("Anonymous seeker")
    assert "Cupworks" not in str(body)
    assert get(client, q="owner:cupworks", type="challenge")["total"] == 2


def test_pagination(client, catalogue) -> None:
    body = get(client, per_page=4, page=3)
    assert (body["total"], body["pages"], body["per_page"], len(body["items"])) == (9, 3, 4, 1)


def test_a_token_is_optional_but_a_bad_one_is_refused(client, catalogue, driver) -> None:
    person = driver.person(organization="Token Holders")
    assert get(client, headers=driver.token(client, person))["total"] == 9
    body = get(client, 401, headers={"Authorization": "Bearer not-a-token"})
    assert body["error"]["code"] == "unauthorized"


def test_a_misspelling_gets_a_suggestion(client, catalogue) -> None:
    body = get(client, q="serated")
    assert "serrated" in body["suggestion"]


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ({"type": "patents"}, "type", "Choose what to search from: all, challenge, asset."),
        ({"field": "alchemy"}, "field", "There is no technical field 'alchemy'"),
        ({"trl_min": "ten"}, "trl_min", "The TRL is a whole number from 1 to 9, not 'ten'."),
        (
            {"trl_min": "7", "trl_max": "3"},
            "trl_min",
            "The lowest TRL (7) is above the highest (3).",
        ),
        ({"status": "draft"}, "status", "Choose the status from: open, evaluating"),
        ({"deal_type": "barter"}, "deal_type", "Choose the deal type from: exclusive_license"),
        ({"patent_status": "secret"}, "patent_status", "Choose the patent status from: granted"),
        ({"sort": "random"}, "sort", "Sort by one of: relevance, newest, deadline."),
        ({"page": "0"}, "page", "Must be greater than or equal to 1"),
        ({"page": "two"}, "page", "Not a valid integer."),
        ({"per_page": "0"}, "per_page", "Must be greater than or equal to 1"),
    ],
)
def test_bad_filters_are_refused_with_422_naming_each(client, catalogue, args, field, message):
    body = get(client, 422, **args)
    assert body["error"]["code"] == "validation_failed"
    assert message in body["error"]["fields"][field]


@pytest.mark.parametrize("q", ["fan " * 2500, '"unbalanced', "the and of", "*", "a\x00b"])
def test_absurd_queries_answer_200(client, catalogue, q) -> None:
    body = get(client, q=q)
    assert isinstance(body["total"], int)


def test_a_cut_query_says_so(client, catalogue) -> None:
    body = get(client, q="fan " * 2500)
    assert "only its first 500 were used" in body["notice"]
    assert body["total"] >= 1


def test_the_endpoint_is_in_the_openapi_document(client) -> None:
    document = client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/api/v1/search"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"q", "type", "page", "per_page", "field", "sort"} <= names
