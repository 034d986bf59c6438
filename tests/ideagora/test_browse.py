"""Browsing pages: filters, sorting, pagination, deadlines and the organisation profile."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from ideagora.database import utcnow
from ideagora.organizations.models import Role
from tests.browse_catalogue import (
    ANONYMOUS_ORGANIZATION,
    ASSETS,
    CHALLENGES,
    CONFIDENTIAL,
    PSEUDONYM_PREFIX,
    PUBLIC_ASSETS,
    PUBLIC_CHALLENGES,
    SORT_ORDERS,
    build_catalogue,
)

_CARD = re.compile(r'<h2 class="h5 card-title"><a href="/(challenges|offers)/(\d+)">')


@pytest.fixture
def catalogue(app, driver):
    return build_catalogue(app, driver)


def day(offset: int) -> str:
    return (utcnow() + timedelta(days=offset)).date().isoformat()


def listed(page: str, ids: dict[str, int]) -> list[str]:
    """Return the short names of the listings on a browse page, in the order shown."""
    by_id = {number: name for name, number in ids.items()}
    return [by_id[int(match.group(2))] for match in _CARD.finditer(page)]


def browse(client, path: str, query: str = "") -> tuple[int, str]:
    response = client.get(f"{path}?{query}" if query else path)
    return response.status_code, html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", PUBLIC_CHALLENGES),
        ("q=barrier", {"coating"}),
        ("q=BARRIER+Coating", {"coating"}),
        ("q=paper+cups", {"coating"}),
        ("q=quiet+coffee", set()),
        ("q=6+dB", {"fan"}),
        ("q=Électrolyte", {"battery"}),
        ("q=100%25", set()),
        (f"q={CONFIDENTIAL}", set()),
        ("field=materials", {"coating", "adhesive", "closed"}),
        ("field=materials-polymers", {"closed"}),
        ("field=energy", {"battery"}),
        ("type=ideation", {"fan"}),
        ("type=request_for_proposals", {"closed", "past"}),
        ("status=closed", {"closed"}),
        ("status=evaluating", {"past"}),
        ("status=open", {"coating", "fan", "battery", "adhesive"}),
        ("trl_min=4&trl_max=6", {"coating", "closed", "past"}),
        ("trl_min=7", {"battery"}),
        ("award_min=20000", {"coating", "adhesive", "closed"}),
        ("award_max=10000", {"fan"}),
        ("award_min=15000&award_max=40000", {"coating", "closed", "past"}),
        ("deadline_before={in_15}", {"fan", "past"}),
        ("deadline_after={in_50}", {"coating", "adhesive"}),
        ("deadline_after={in_15}&deadline_before={in_35}", {"closed", "battery"}),
        ("open=1", {"coating", "fan", "battery", "adhesive"}),
        ("open=1&field=materials", {"coating", "adhesive"}),
        ("organization={rotor}", {"fan", "battery", "past"}),
        # the anonymous challenge is Cupworks', and must not be found by the organisation
        ("organization={cupworks}", {"coating", "closed"}),
        ("organization=2147483647", set()),
    ],
)
def test_each_challenge_filter_narrows_the_list(client, catalogue, query, expected) -> None:
    query = query.format(
        in_15=day(15),
        in_35=day(35),
        in_50=day(50),
        rotor=catalogue.organization_id("rotor"),
        cupworks=catalogue.organization_id("cupworks"),
    )
    status, page = browse(client, "/challenges", query)
    assert status == 200
    assert set(listed(page, catalogue.challenges)) == expected
    noun = "challenge" if len(expected) == 1 else "challenges"
    assert f"{len(expected)} {noun}" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", PUBLIC_ASSETS),
        ("q=fan", {"edges"}),
        ("q=PLANT+sugars", {"polymer"}),
        (f"q={CONFIDENTIAL}", set()),
        ("field=materials", {"polymer"}),
        ("field=energy-grid", {"grid"}),
        ("patent_status=granted", {"edges"}),
        ("patent_status=know_how", {"grid"}),
        ("deal_type=exclusive_license", {"polymer"}),
        ("deal_type=non_exclusive_license", {"edges"}),
        ("deal_type=assignment", set()),
        ("trl_min=6", {"edges", "grid"}),
        ("trl_max=5", {"polymer"}),
        ("trl_min=6&trl_max=7", {"edges"}),
        ("status=published", PUBLIC_ASSETS),
        ("status=licensed", set()),
        ("organization={cupworks}", {"polymer"}),
    ],
)
def test_each_offer_filter_narrows_the_list(client, catalogue, query, expected) -> None:
    query = query.format(cupworks=catalogue.organization_id("cupworks"))
    status, page = browse(client, "/offers", query)
    assert status == 200
    assert set(listed(page, catalogue.assets)) == expected
    noun = "IP offer" if len(expected) == 1 else "IP offers"
    assert f"{len(expected)} {noun}" in page


@pytest.mark.parametrize(("listings", "sort", "expected"), SORT_ORDERS)
def test_sort_orders(client, catalogue, listings, sort, expected) -> None:
    path = "/challenges" if listings == "challenges" else "/offers"
    status, page = browse(client, path, f"sort={sort}")
    assert status == 200
    assert listed(page, getattr(catalogue, listings)) == expected


@pytest.mark.parametrize("path", ["/challenges", "/offers"])
def test_newest_first_is_the_default_order(client, catalogue, path) -> None:
    listings = "challenges" if path == "/challenges" else "assets"
    newest = next(
        order for kind, sort, order in SORT_ORDERS if (kind, sort) == (listings, "newest")
    )
    _, page = browse(client, path)
    assert listed(page, getattr(catalogue, listings)) == newest


@pytest.mark.parametrize(
    ("path", "query", "argument", "message"),
    [
        (
            "/challenges",
            "trl_min=12",
            "trl_min",
            "The TRL is a whole number from 1 to 9, not '12'.",
        ),
        ("/challenges", "trl_max=two", "trl_max", "The TRL is a whole number from 1 to 9"),
        ("/challenges", "trl_max=²", "trl_max", "The TRL is a whole number from 1 to 9"),
        ("/challenges", "award_min=-5", "award_min", "The award cannot be negative."),
        ("/challenges", "award_max=lots", "award_max", "'lots' is not an amount of money."),
        (
            "/challenges",
            "award_max=1000000000",
            "award_max",
            "An award above 100,000,000 is not plausible",
        ),
        (
            "/challenges",
            "trl_min=7&trl_max=3",
            "trl_min",
            "The lowest TRL (7) is above the highest (3).",
        ),
        (
            "/challenges",
            "award_min=500&award_max=100",
            "award_min",
            "The lowest award (500.00) is above the highest (100.00).",
        ),
        ("/challenges", "sort=cheapest", "sort", "Sort by one of: newest, deadline, award, title."),
        ("/challenges", "field=nonsense", "field", "There is no technical field 'nonsense'"),
        ("/challenges", "type=haiku", "type", "Choose the challenge type from: ideation"),
        ("/challenges", "status=draft", "status", "Choose the status from: open, evaluating"),
        ("/challenges", "status=withdrawn", "status", "Choose the status from"),
        (
            "/challenges",
            "deadline_before=31/03/2027",
            "deadline_before",
            "'31/03/2027' is not a date; write it like 2027-03-31.",
        ),
        ("/challenges", "deadline_after=20270331", "deadline_after", "is not a date"),
        (
            "/challenges",
            "deadline_after=2027-05-01&deadline_before=2027-04-01",
            "deadline_after",
            "The deadline window starts on 2027-05-01 but ends before it, on 2027-04-01.",
        ),
        ("/challenges", "open=maybe", "open", "Open for proposals is either on (1) or off (0)"),
        ("/challenges", "organization=acme", "organization", "by its number, not 'acme'"),
        (
            "/challenges",
            "organization=999999999999",
            "organization",
            "No organisation has the number 999999999999.",
        ),
        ("/challenges", "q=" + "x" * 201, "q", "Search for at most 200 characters"),
        ("/offers", "q=%00", "q", "characters that cannot be typed"),
        ("/offers", "patent_status=expired", "patent_status", "Choose the patent status from"),
        ("/offers", "deal_type=rent", "deal_type", "Choose the deal type from: exclusive_license"),
        ("/offers", "trl_max=0", "trl_max", "The TRL is a whole number from 1 to 9, not '0'."),
        ("/offers", "trl_min=9&trl_max=1", "trl_min", "The lowest TRL (9) is above the highest"),
        ("/offers", "sort=award", "sort", "Sort by one of: newest, trl, title."),
        ("/offers", "status=draft", "status", "Choose the status from: published"),
        ("/offers", "field=materials-wood", "field", "There is no technical field"),
    ],
)
def test_bad_filters_say_what_is_wrong_and_filter_nothing(
    client, catalogue, path, query, argument, message
) -> None:
    status, page = browse(client, path, query)
    assert status == 400
    problems = page[page.index('id="filter-problems"') :]
    assert message in problems
    if argument != "organization":  # set by links; the form has no control for it
        # the control at fault is marked and described by the message
        assert f'id="filter-{argument}-error"' in page
        assert re.search(rf'id="filter-{argument}"[^>]*aria-invalid="true"', page)
    ids = catalogue.challenges if path == "/challenges" else catalogue.assets
    public = PUBLIC_CHALLENGES if path == "/challenges" else PUBLIC_ASSETS
    assert set(listed(page, ids)) == public


def test_one_bad_filter_leaves_the_good_ones_unapplied_too(client, catalogue) -> None:
    status, page = browse(client, "/challenges", "field=energy&trl_min=12")
    assert status == 400
    assert set(listed(page, catalogue.challenges)) == PUBLIC_CHALLENGES
    # the good filter stays in the form, ready to be applied once the bad one is fixed
    assert '<option value="energy" selected>' in page


def test_active_filters_are_shown_and_each_can_be_removed(client, catalogue) -> None:
    status, page = browse(client, "/challenges", "field=energy&type=technology_scouting&sort=title")
    assert status == 200
    chips = dict(
        re.findall(
            r'<a class="btn btn-sm btn-outline-secondary" href="([^"]+)">\s*([^<]+?) <', page
        )
    )
    by_label = {label: url for url, label in chips.items()}
    assert set(by_label) == {"Technical field: Energy", "Type: Technology scouting"}
    without_field = by_label["Technical field: Energy"]
    assert "field=" not in without_field
    assert "type=technology_scouting" in without_field
    assert "sort=title" in without_field
    assert "Clear all filters" in page
    status, unfiltered = browse(client, without_field)
    assert set(listed(unfiltered, catalogue.challenges)) == {"battery"}
    assert status == 200


@pytest.mark.parametrize(
    ("path", "module", "query", "expected_first", "expected_second"),
    [
        (
            "/challenges",
            "ideagora.challenges.views",
            "field=materials&sort=title",
            ["closed", "coating"],
            ["adhesive"],
        ),
        ("/offers", "ideagora.assets.views", "trl_min=3&sort=trl", ["grid", "edges"], ["polymer"]),
    ],
)
def test_pagination_keeps_the_filters(
    client, catalogue, monkeypatch, path, module, query, expected_first, expected_second
) -> None:
    monkeypatch.setattr(f"{module}.PER_PAGE", 2)
    ids = catalogue.challenges if path == "/challenges" else catalogue.assets
    _, first = browse(client, path, query)
    assert listed(first, ids) == expected_first
    assert "Page 1 of 2" in first
    next_link = re.search(r'<a class="page-link" href="([^"]+)">Next</a>', first).group(1)
    for argument in query.split("&"):
        assert argument in next_link
    _, second = browse(client, next_link)
    assert listed(second, ids) == expected_second
    previous = re.search(r'<a class="page-link" href="([^"]+)">Previous</a>', second).group(1)
    assert all(argument in previous for argument in query.split("&"))


@pytest.mark.parametrize(
    "query", ["", "q=nobody", "status=closed", "sort=title", "organization={cupworks}"]
)
def test_drafts_and_withdrawn_listings_are_never_listed(client, catalogue, query) -> None:
    query = query.format(cupworks=catalogue.organization_id("cupworks"))
    for path in ("/challenges", "/offers"):
        _, page = browse(client, path, query)
        assert "nobody may see" not in page
        assert CONFIDENTIAL not in page


def test_drafts_stay_hidden_from_their_own_organisation_on_browse_pages(driver, catalogue) -> None:
    owner = driver.logged_in_client(catalogue.people["cupworks"])
    _, challenges = browse(owner, "/challenges")
    assert set(listed(challenges, catalogue.challenges)) == PUBLIC_CHALLENGES
    _, offers = browse(owner, "/offers")
    assert set(listed(offers, catalogue.assets)) == PUBLIC_ASSETS


def test_an_anonymous_challenge_shows_only_its_pseudonym(client, catalogue) -> None:
    _, page = browse(client, "/challenges")
    cards = page.split('<li class="card mb-3">')[1:]
    adhesive = next(card for card in cards if "Water-resistant starch adhesive" in card)
    assert PSEUDONYM_PREFIX in adhesive
    assert ANONYMOUS_ORGANIZATION not in adhesive
    assert "/organizations/" not in adhesive
    coating = next(card for card in cards if "Recyclable barrier coating" in card)
    link = f'href="/organizations/{catalogue.organization_id("cupworks")}">{ANONYMOUS_ORGANIZATION}'
    assert link in coating


def test_owner_names_on_offer_listings_link_to_the_profile(client, catalogue) -> None:
    _, page = browse(client, "/offers")
    assert f'href="/organizations/{catalogue.organization_id("rotor")}">Rotor Labs</a>' in page


@pytest.mark.parametrize(
    ("name", "phrase"),
    [("fan", "closes in 10 days"), ("coating", "closes in 60 days"), ("past", "closed 3 days ago")],
)
def test_deadlines_show_utc_and_how_far_away_they_are(client, catalogue, name, phrase) -> None:
    _, page = browse(client, "/challenges")
    card = next(
        card
        for card in page.split('<li class="card mb-3">')[1:]
        if f"/challenges/{catalogue.challenges[name]}" in card
    )
    assert phrase in card
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" data-local>', card)
    _, detail = browse(client, f"/challenges/{catalogue.challenges[name]}")
    assert phrase in detail
    assert re.search(
        r'<time datetime="[^"]+Z" data-local>\d\d \w+ \d{4}, \d\d:\d\d UTC</time>', detail
    )


def test_a_challenge_closed_early_does_not_say_it_closes_later(client, catalogue) -> None:
    _, detail = browse(client, f"/challenges/{catalogue.challenges['closed']}")
    assert "Closed" in detail
    assert "closes in" not in detail


def test_every_page_loads_the_local_time_script(client) -> None:
    page = client.get("/").get_data(as_text=True)
    assert '<script src="/static/js/local-time.js" defer></script>' in page
    with client.get("/static/js/local-time.js") as script:
        assert script.status_code == 200
        assert "time[data-local]" in script.get_data(as_text=True)


def test_the_organisation_profile_is_public(client, catalogue) -> None:
    cupworks = catalogue.organization_id("cupworks")
    status, page = browse(client, f"/organizations/{cupworks}")
    assert status == 200
    assert f"<h1>{ANONYMOUS_ORGANIZATION}</h1>" in page
    assert "Company · on" in page
    assert re.search(r'IP offers <span class="badge[^"]*">1</span>', page)
    assert ASSETS["polymer"][1]["title"] in page
    # the anonymous challenge and the draft are not on its profile, nor in its count
    assert re.search(r'Challenges <span class="badge[^"]*">2</span>', page)
    assert CHALLENGES["coating"][1]["title"] in page
    assert CHALLENGES["closed"][1]["title"] in page
    assert CHALLENGES["adhesive"][1]["title"] not in page
    assert "nobody may see" not in page
    # members are for members
    assert "Members" not in page
    assert catalogue.people["cupworks"].email not in page


def test_members_see_their_colleagues_on_the_profile(driver, catalogue) -> None:
    colleague = driver.person(
        organization=catalogue.organization_id("rotor"), role=Role.MEMBER, name="Ria Colleague"
    )
    member = driver.logged_in_client(colleague)
    _, page = browse(member, f"/organizations/{colleague.organization_id}")
    assert '<h2 class="h4 mt-4">Members</h2>' in page
    assert catalogue.people["rotor"].email in page
    outsider = driver.logged_in_client(catalogue.people["cupworks"])
    _, seen = browse(outsider, f"/organizations/{colleague.organization_id}")
    assert "Ria Colleague" not in seen
    assert CHALLENGES["fan"][1]["title"] in seen


def test_a_long_profile_links_to_the_filtered_list(client, catalogue, monkeypatch) -> None:
    monkeypatch.setattr("ideagora.organizations.profile.PROFILE_LISTINGS", 1)
    rotor = catalogue.organization_id("rotor")
    _, page = browse(client, f"/organizations/{rotor}")
    assert f'href="/challenges?organization={rotor}">All 3 challenges of Rotor Labs</a>' in page
    assert f'href="/offers?organization={rotor}">All 2 IP offers of Rotor Labs</a>' in page
    _, filtered = browse(client, f"/challenges?organization={rotor}")
    assert set(listed(filtered, catalogue.challenges)) == {"fan", "battery", "past"}
    assert "Organisation: Rotor Labs" in filtered


def test_an_unknown_organisation_has_no_profile(client) -> None:
    assert client.get("/organizations/9999").status_code == 404
