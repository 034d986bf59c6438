"""Challenge and IP-offer pages: posting, browsing, editing, and the confidential part."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from ideagora.database import utcnow
from ideagora.organizations.models import Role

BRIEF = "CANARY-page-brief-55aa"
DOSSIER = "CANARY-page-dossier-66bb"


def challenge_form(**changes):
    data = {
        "title": "Quiet fan blades for data centres",
        "summary": "Cut fan noise by 6 dB without losing airflow.",
        "description": "Our server fans run at 12,000 rpm.",
        "keywords": "acoustics, fan, blade",
        "fields": ["mechanical-engineering"],
        "challenge_type": "reduction_to_practice",
        "confidential_brief": BRIEF,
        "award_amount": "25000",
        "currency": "EUR",
        "deadline": (utcnow() + timedelta(days=30)).date().isoformat(),
        "ip_terms": "non_exclusive_license",
        "trl_sought": "5",
    }
    data.update(changes)
    return data


def asset_form(**changes):
    data = {
        "title": "Serrated trailing edges that halve fan noise",
        "summary": "A blade edge that breaks up vortices.",
        "description": "Tested on 120 mm fans.",
        "keywords": "fan, noise",
        "fields": ["mechanical-engineering"],
        "confidential_dossier": DOSSIER,
        "patent_numbers": "US 10,123,456 B2; EP 1234567",
        "patent_status": "granted",
        "jurisdictions": "US, EP",
        "trl": "6",
        "fields_of_use": "computer cooling, HVAC",
        "deal_types": ["non_exclusive_license"],
    }
    data.update(changes)
    return data


@pytest.fixture
def people(driver):
    admin = driver.person(organization="Fanmakers")
    return {
        "admin": admin,
        "member": driver.person(organization=admin.organization_id, role=Role.MEMBER),
        "outsider": driver.person(organization="Elsewhere University", kind="university"),
    }


@pytest.mark.parametrize(
    ("new", "data", "detail", "secret"),
    [
        ("/challenges/new", challenge_form(), "/challenges/", BRIEF),
        ("/offers/new", asset_form(), "/offers/", DOSSIER),
    ],
)
def test_post_publish_and_browse(driver, people, new, data, detail, secret) -> None:
    admin = driver.logged_in_client(people["admin"])
    created = driver.submit(admin, new, data)
    assert created.status_code == 302
    path = created.headers["Location"]
    assert re.fullmatch(detail + r"\d+", path)
    page = admin.get(path).get_data(as_text=True)
    assert secret in page
    assert "saved as a draft" in page
    outsider = driver.logged_in_client(people["outsider"])
    assert outsider.get(path).status_code == 404
    published = driver.submit(admin, path + "/publish", {}, form_url=path, follow_redirects=True)
    assert "is open" in published.get_data(as_text=True) or "is published" in published.get_data(
        as_text=True
    )
    seen = outsider.get(path).get_data(as_text=True)
    assert data["title"] in seen
    assert secret not in seen
    browse = driver.app.test_client().get(detail.rstrip("/")).get_data(as_text=True)
    assert data["title"] in browse
    assert secret not in browse


@pytest.mark.parametrize(
    ("new", "data", "message"),
    [
        ("/challenges/new", challenge_form(title=""), "This field is required."),
        (
            "/challenges/new",
            challenge_form(deadline="2001-01-01"),
            "The deadline must be in the future.",
        ),
        ("/challenges/new", challenge_form(trl_sought="11"), "Number must be between 1 and 9."),
        ("/challenges/new", challenge_form(award_amount="-3"), "Number must be at least 0."),
        ("/offers/new", asset_form(patent_numbers="US 12"), "is not a patent or application"),
        ("/offers/new", asset_form(jurisdictions="USA"), "two-letter codes"),
        ("/offers/new", asset_form(fields=["not-a-field"]), "is not a valid choice for this field"),
    ],
)
def test_bad_listing_forms_say_what_is_wrong(driver, people, new, data, message) -> None:
    admin = driver.logged_in_client(people["admin"])
    response = driver.submit(admin, new, data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_members_cannot_publish_but_can_edit(driver, people) -> None:
    admin = driver.logged_in_client(people["admin"])
    path = driver.submit(admin, "/challenges/new", challenge_form()).headers["Location"]
    member = driver.logged_in_client(people["member"])
    refused = driver.submit(member, path + "/publish", {}, form_url=path, follow_redirects=True)
    assert "Only an admin or a licensing officer" in refused.get_data(as_text=True)
    edited = driver.submit(
        member,
        path + "/edit",
        challenge_form(title="A better title"),
        form_url=path + "/edit",
        follow_redirects=True,
    )
    page = edited.get_data(as_text=True)
    assert "A better title" in page
    assert "Revision history" in page


def test_a_stale_edit_page_cannot_overwrite_a_newer_save(driver, people) -> None:
    admin = driver.logged_in_client(people["admin"])
    path = driver.submit(admin, "/offers/new", asset_form()).headers["Location"]
    member = driver.logged_in_client(people["member"])
    stale_form = member.get(path + "/edit").get_data(as_text=True)
    stale_token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', stale_form).group(1)
    driver.submit(
        admin,
        path + "/edit",
        {**asset_form(title="Saved first"), "version": "1"},
        form_url=path + "/edit",
    )
    response = member.post(
        path + "/edit",
        data={**asset_form(title="Saved second"), "version": "1", "csrf_token": stale_token},
    )
    assert response.status_code == 422
    assert "Someone else saved this listing" in response.get_data(as_text=True)
    assert "Saved first" in admin.get(path).get_data(as_text=True)


def test_outsiders_cannot_reach_edit_or_status_pages(driver, people) -> None:
    admin = driver.logged_in_client(people["admin"])
    path = driver.submit(admin, "/challenges/new", challenge_form()).headers["Location"]
    driver.submit(admin, path + "/publish", {}, form_url=path)
    outsider = driver.logged_in_client(people["outsider"])
    assert outsider.get(path + "/edit").status_code == 404
    token = driver.get_csrf(outsider, path)
    assert outsider.post(path + "/withdraw", data={"csrf_token": token}).status_code == 404
    assert "Open" in outsider.get(path).get_data(as_text=True)


@pytest.mark.parametrize("query", ["?field=nonsense", "?status=draft", "?status=withdrawn"])
def test_browse_refuses_unknown_filters(client, query) -> None:
    for path in ("/challenges", "/offers"):
        response = client.get(path + query)
        assert response.status_code == 400
        assert "These filters could not be used" in response.get_data(as_text=True)


def test_an_edit_posted_without_its_version_is_refused(driver, people) -> None:
    admin = driver.logged_in_client(people["admin"])
    path = driver.submit(admin, "/offers/new", asset_form()).headers["Location"]
    response = driver.submit(
        admin, path + "/edit", {**asset_form(title="Blind save"), "version": ""}
    )
    assert response.status_code == 422
    assert "Send the version of the listing you edited" in response.get_data(as_text=True)
    assert "Blind save" not in admin.get(path).get_data(as_text=True)
