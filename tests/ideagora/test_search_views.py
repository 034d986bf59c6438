"""The search page: results, facets as links, highlighted snippets, suggestions, bad input."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from tests.browse_catalogue import build_catalogue
from tests.ideagora.search_world import make_offer


@pytest.fixture
def catalogue(app, driver):
    return build_catalogue(app, driver)


def page(client, expect: int = 200, **args) -> str:
    response = client.get(f"/search?{urlencode(args)}")
    assert response.status_code == expect, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def result_titles(html: str) -> list[str]:
    return re.findall(r'<h3 class="h5 card-title"><a href="[^"]+">([^<]+)</a></h3>', html)


def test_the_navbar_has_a_search_box_on_every_page(client) -> None:
    html = client.get("/").get_data(as_text=True)
    assert 'role="search"' in html
    assert '<label class="visually-hidden" for="navbar-search">' in html
    assert 'action="/search"' in html


def test_an_empty_search_lists_every_public_listing(client, catalogue) -> None:
    html = page(client)
    assert "9 results" in html
    assert "Draft challenge nobody may see" not in html
    assert "Withdrawn offer nobody may see" not in html


def test_results_link_to_listings_and_highlight_the_words(client, catalogue) -> None:
    html = page(client, q="fan noise")
    titles = result_titles(html)
    assert "Serrated trailing edges that halve fan noise" in titles
    asset_id = catalogue.assets["edges"]
    assert f'href="/offers/{asset_id}"' in html
    assert re.search(r"<mark>(fan|noise)</mark>", html, re.IGNORECASE)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"type": "challenge"}, 6),
        ({"type": "asset"}, 3),
        ({"type": "asset", "deal_type": "collaboration"}, 1),
        ({"field": "materials"}, 4),
        ({"patent_status": "granted"}, 1),
        ({"trl_min": "6", "trl_max": "9"}, 4),
        ({"status": "closed"}, 1),
    ],
)
def test_filters_narrow_the_results(client, catalogue, args, expected) -> None:
    html = page(client, **args)
    assert f"{expected} result" in html


def test_facets_are_links_with_counts_that_filter(client, catalogue) -> None:
    html = page(client)
    assert '<h2 class="h5" id="facets-heading">Narrow the results</h2>' in html
    match = re.search(
        r'<a href="([^"]+)">IP offers</a> <span class="text-body-secondary">\(3', html
    )
    assert match, html
    query = parse_qs(urlparse(match.group(1).replace("&amp;", "&")).query)
    assert query == {"type": ["asset"]}
    filtered = client.get(match.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "3 results" in filtered
    assert 'aria-current="true"' in filtered


def test_a_misspelt_word_gets_a_did_you_mean_link(client, catalogue) -> None:
    html = page(client, q="serated")
    assert "Did you mean" in html
    link = re.search(r'Did you mean <a href="([^"]+)">', html).group(1).replace("&amp;", "&")
    assert "serrated" in parse_qs(urlparse(link).query)["q"][0]
    assert "Serrated trailing edges that halve fan noise" in result_titles(
        client.get(link).get_data(as_text=True)
    )


def test_markup_in_public_text_comes_out_escaped(app, client, driver) -> None:
    owner = driver.person(organization="Escapes Ltd")
    make_offer(
        app,
        owner,
        title="Plasma <script>alert(1)</script> torch",
        summary="A plasma torch <script>alert(2)</script> for cutting.",
    )
    html = page(client, q="plasma")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html


def test_results_are_paginated_with_the_current_page_marked(app, client, driver) -> None:
    owner = driver.person(organization="Many Offers Ltd")
    for number in range(23):
        make_offer(app, owner, title=f"Zirconia membrane variant {number}")
    first = page(client, q="zirconia")
    assert "23 results" in first
    assert len(result_titles(first)) == 20
    assert 'aria-current="page"><span class="visually-hidden">Page </span>1</a>' in first
    second = page(client, q="zirconia", page="2")
    assert len(result_titles(second)) == 3
    assert 'aria-current="page"><span class="visually-hidden">Page </span>2</a>' in second


@pytest.mark.parametrize(
    ("args", "argument", "message"),
    [
        ({"type": "patents"}, "type", "Choose what to search from: all, challenge, asset."),
        ({"field": "alchemy"}, "field", "There is no technical field 'alchemy'"),
        ({"trl_min": "ten"}, "trl_min", "The TRL is a whole number from 1 to 9, not 'ten'."),
        ({"trl_max": "0"}, "trl_max", "The TRL is a whole number from 1 to 9, not '0'."),
        (
            {"trl_min": "7", "trl_max": "3"},
            "trl_min",
            "The lowest TRL (7) is above the highest (3).",
        ),
        ({"status": "draft"}, "status", "Choose the status from: open, evaluating"),
        ({"deal_type": "barter"}, "deal_type", "Choose the deal type from: exclusive_license"),
        ({"patent_status": "secret"}, "patent_status", "Choose the patent status from: granted"),
        ({"sort": "random"}, "sort", "Sort by one of: relevance, newest, deadline."),
    ],
)
def test_bad_filters_get_a_400_page_naming_each(client, catalogue, args, argument, message):
    html = page(client, 400, q="fan", **args)
    assert 'id="filter-problems"' in html
    assert message.replace("'", "&#39;") in html
    assert f'id="filter-{argument}"' in html
    assert 'aria-invalid="true"' in html
    # the words are still searched, without the filters
    assert "Serrated trailing edges that halve fan noise" in result_titles(html)


@pytest.mark.parametrize(
    "q",
    [
        "fan " * 2500,
        '"unbalanced quote',
        "the and of",
        "*",
        "((((",
        "NOT",
        "title:",
        "a\x00b\x07c",
        "field:nonexistent-field",
        "trl:[1 TO",
    ],
)
def test_absurd_queries_give_a_sensible_page(client, catalogue, q) -> None:
    html = page(client, q=q)
    assert "<h1>Search</h1>" in html
    assert re.search(r'id="result-count" role="status">[\d,]+ results?<', html)


def test_a_very_long_query_is_cut_with_a_notice(client, catalogue) -> None:
    html = page(client, q="fan " * 2500)
    assert "Your search was 10,000 characters long; only its first 500 were used." in html
