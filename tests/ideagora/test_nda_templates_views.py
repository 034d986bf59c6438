"""NDA template pages, and the NDA choice of the challenge and offer forms and API."""

from __future__ import annotations

import re

import pytest

from ideagora.accounts.models import User
from ideagora.database import db
from ideagora.disclosure import templates
from ideagora.disclosure.models import NdaTemplate
from ideagora.organizations.models import Role
from tests.ideagora.test_api_assets import asset_body
from tests.ideagora.test_api_challenges import challenge_body
from tests.ideagora.test_listings_views import asset_form, challenge_form
from tests.ideagora.test_nda_templates import BODY, accept, template_data


@pytest.fixture
def people(driver):
    admin = driver.person(organization="Acme Materials")
    return {
        "admin": admin,
        "officer": driver.person(organization=admin.organization_id, role=Role.LICENSING_OFFICER),
        "member": driver.person(organization=admin.organization_id, role=Role.MEMBER),
        "outsider": driver.person(organization="Rival Labs"),
    }


def _text(response) -> str:
    return response.get_data(as_text=True)


def make_template(app, person, **changes) -> int:
    with app.app_context():
        user = db.session.get(User, person.id)
        template = templates.create_template(
            db.session, user, template_data(**changes), ip_address=None
        )
        db.session.commit()
        return template.id


def platform_id(app) -> int:
    with app.app_context():
        template_id = templates.default_template(db.session).id
        db.session.commit()
        return template_id


def other_platform_id(app) -> int:
    """Return a platform template that is not the default, chosen by its id."""
    with app.app_context():
        default_id = templates.default_template(db.session).id
        chosen = next(t.id for t in templates.templates_for(db.session, None) if t.id != default_id)
        db.session.commit()
        return chosen


def new_url(person) -> str:
    return f"/organizations/{person.organization_id}/ndas/new"


@pytest.mark.parametrize(
    ("role", "linked"), [("admin", True), ("officer", True), ("member", False)]
)
def test_the_organisation_page_links_the_templates_for_admins_and_officers(
    driver, people, role, linked
) -> None:
    client = driver.logged_in_client(people[role])
    organization_id = people["admin"].organization_id
    page = _text(client.get(f"/organizations/{organization_id}"))
    assert (f'href="/organizations/{organization_id}/ndas"' in page) is linked


def test_an_officer_writes_a_template_and_reads_it_with_a_preview(driver, people) -> None:
    client = driver.logged_in_client(people["officer"])
    form = _text(client.get(new_url(people["officer"])))
    assert "{{ listing_reference }}" in form
    assert "the confidentiality period in years, in digits".capitalize() in form
    response = driver.submit(
        client, new_url(people["officer"]), {**template_data(), "save": "Save"}
    )
    assert response.status_code == 302
    assert re.fullmatch(r"/ndas/\d+", response.headers["Location"])
    page = _text(client.get(response.headers["Location"]))
    assert "The NDA template is saved." in page
    assert "Version 1" in page
    assert "{{ owner }} discloses to {{ recipient }}" in page  # the template text itself
    assert "Acme Materials discloses to Example Recipient Ltd" in page  # the preview
    listed = _text(client.get(f"/organizations/{people['officer'].organization_id}/ndas"))
    assert "Acme standard NDA" in listed
    assert "One-way NDA" in listed or "One-way" in listed


def test_preview_shows_the_filled_in_text_and_saves_nothing(driver, people) -> None:
    client = driver.logged_in_client(people["admin"])
    data = {**template_data(name="Draft NDA"), "preview": "Preview"}
    response = driver.submit(client, new_url(people["admin"]), data)
    assert response.status_code == 200
    page = _text(response)
    assert "Preview (not saved yet)" in page
    assert "Acme Materials discloses to Example Recipient Ltd" in page
    assert "lasts 5 years and the laws of Scotland govern" in page
    listed = _text(client.get(f"/organizations/{people['admin'].organization_id}/ndas"))
    assert "Draft NDA" not in listed


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"body": ""}, "The agreement text is empty."),
        ({"body": BODY + " {{ price }}"}, "which is not a variable"),
        ({"body": BODY.replace("{{ owner }}", "Acme")}, "add {{ owner }}."),
        ({"term_years": "0"}, templates.TERM_MESSAGE),
        ({"term_years": "11"}, templates.TERM_MESSAGE),
        ({"name": "N" * 121}, "The name has at most 120 characters (this has 121)."),
        ({"kind": "three_way"}, "Choose the kind of NDA from: one_way, mutual."),
    ],
)
@pytest.mark.parametrize("button", ["save", "preview"])
def test_bad_template_forms_say_what_is_wrong(driver, people, changes, message, button) -> None:
    client = driver.logged_in_client(people["admin"])
    data = {**template_data(name="Faulty NDA"), **changes, button: button.capitalize()}
    response = driver.submit(client, new_url(people["admin"]), data)
    assert response.status_code == 422
    assert message.replace("'", "&#39;") in _text(response).replace("&#34;", '"')
    listed = _text(client.get(f"/organizations/{people['admin'].organization_id}/ndas"))
    assert "Faulty NDA" not in listed


@pytest.mark.parametrize(
    ("role", "index", "new", "detail", "edit"),
    [
        ("admin", 200, 200, 200, 200),
        ("officer", 200, 200, 200, 200),
        ("member", 200, 403, 200, 403),
        ("outsider", 404, 404, 404, 404),
    ],
)
def test_who_may_see_and_change_an_organisations_templates(
    driver, people, role, index, new, detail, edit
) -> None:
    template_id = make_template(driver.app, people["admin"])
    client = driver.logged_in_client(people[role])
    organization_id = people["admin"].organization_id
    assert client.get(f"/organizations/{organization_id}/ndas").status_code == index
    assert client.get(f"/organizations/{organization_id}/ndas/new").status_code == new
    assert client.get(f"/ndas/{template_id}").status_code == detail
    assert client.get(f"/ndas/{template_id}/edit").status_code == edit
    changed = {**template_data(name="Taken over"), "save": "Save"}
    posted = driver.submit(client, f"/ndas/{template_id}/edit", changed, form_url="/login")
    assert posted.status_code in ((302,) if edit == 200 else (edit,))
    with driver.app.app_context():
        name = db.session.get(NdaTemplate, template_id).name
    assert (name == "Taken over") is (edit == 200)


def test_members_read_templates_without_edit_buttons(driver, people) -> None:
    template_id = make_template(driver.app, people["admin"])
    client = driver.logged_in_client(people["member"])
    listed = _text(client.get(f"/organizations/{people['member'].organization_id}/ndas"))
    assert "Acme standard NDA" in listed
    assert "Write a new template" not in listed
    assert f"/ndas/{template_id}/edit" not in listed
    assert "Only the admins and licensing officers" in listed
    assert "Edit this template" not in _text(client.get(f"/ndas/{template_id}"))


def test_platform_templates_are_readable_by_all_and_editable_by_none(driver, people) -> None:
    template_id = platform_id(driver.app)
    anonymous = driver.app.test_client()
    page = _text(anonymous.get(f"/ndas/{template_id}"))
    assert "cannot be edited" in page
    admin = driver.logged_in_client(people["admin"])
    refused = admin.get(f"/ndas/{template_id}/edit")
    assert refused.status_code == 403
    assert "cannot be edited" in _text(refused)
    start = _text(admin.get(new_url(people["admin"]) + f"?from={template_id}"))
    assert "{{ recipient }}" in start  # the new template starts from the platform's text


def test_editing_corrects_an_unaccepted_version_and_versions_an_accepted_one(
    driver, people
) -> None:
    template_id = make_template(driver.app, people["admin"])
    client = driver.logged_in_client(people["admin"])
    edit_url = f"/ndas/{template_id}/edit"
    assert "Nobody has accepted version 1 yet" in _text(client.get(edit_url))
    first = {**template_data(body=BODY + "\n\nFirst correction."), "save": "Save"}
    assert driver.submit(client, edit_url, first).status_code == 302
    page = _text(client.get(f"/ndas/{template_id}"))
    assert "First correction." in page
    assert "Version 2" not in page
    with driver.app.app_context():
        accept(
            db.session.get(NdaTemplate, template_id).current_version,
            people["outsider"].organization_id,
        )
    assert "Version 1 has been accepted, so it stays as it is" in _text(client.get(edit_url))
    second = {**template_data(body=BODY + "\n\nSecond wording.", term_years="3"), "save": "Save"}
    assert driver.submit(client, edit_url, second).status_code == 302
    page = _text(client.get(f"/ndas/{template_id}"))
    assert "Version 2" in page
    assert "Version 1" in page
    assert "accepted: fixed" in page
    assert "Second wording." in page
    assert "First correction." in page  # version 1 as it was accepted
    with driver.app.app_context():
        versions = db.session.get(NdaTemplate, template_id).versions
        assert [(v.number, v.term_years) for v in versions] == [(1, 5), (2, 3)]
        assert versions[0].body.endswith("First correction.")


@pytest.mark.parametrize(
    ("new", "data"), [("/challenges/new", challenge_form()), ("/offers/new", asset_form())]
)
def test_a_listing_chooses_its_own_or_a_platform_nda(driver, people, new, data) -> None:
    own_id = make_template(driver.app, people["admin"])
    rival_id = make_template(driver.app, people["outsider"], name="Rival NDA")
    client = driver.logged_in_client(people["admin"])
    form = _text(client.get(new))
    assert f'<option value="{own_id}">Acme standard NDA (one-way, version 1)</option>' in form
    assert "the default</option>" in form
    assert "Rival NDA" not in form
    assert 'name="nda_approval_required"' in form
    mutual_id = other_platform_id(driver.app)
    platform = driver.submit(client, new, {**data, "nda_template_id": str(mutual_id)})
    assert platform.status_code == 302
    chosen = _text(client.get(platform.headers["Location"] + "/edit"))
    assert f'<option selected value="{mutual_id}">' in chosen
    refused = driver.submit(client, new, {**data, "nda_template_id": str(rival_id)})
    assert refused.status_code == 422
    assert templates.CHOICE_REFUSED.replace("'", "&#39;") in _text(refused)
    created = driver.submit(
        client, new, {**data, "nda_template_id": str(own_id), "nda_approval_required": "y"}
    )
    assert created.status_code == 302
    edit = _text(client.get(created.headers["Location"] + "/edit"))
    assert f'<option selected value="{own_id}">' in edit
    assert re.search(r'name="nda_approval_required"[^>]*checked|checked[^>]*name="nda_appr', edit)


@pytest.mark.parametrize(
    ("url", "data"),
    [("/api/v1/challenges", challenge_body()), ("/api/v1/assets", asset_body())],
)
def test_the_api_takes_and_shows_the_nda_choice(driver, client, people, url, data) -> None:
    own_id = make_template(driver.app, people["admin"])
    rival_id = make_template(driver.app, people["outsider"], name="Rival NDA")
    headers = driver.token(client, people["admin"])
    refused = client.post(url, headers=headers, json={**data, "nda_template_id": rival_id})
    assert refused.status_code == 422
    assert refused.json["error"]["fields"] == {"nda_template_id": templates.CHOICE_REFUSED}
    mutual_id = other_platform_id(driver.app)
    platform = client.post(url, headers=headers, json={**data, "nda_template_id": mutual_id})
    assert platform.status_code == 201, platform.json
    assert platform.json["nda_template_id"] == mutual_id
    created = client.post(url, headers=headers, json={**data, "nda_template_id": own_id})
    assert created.status_code == 201, created.json
    assert created.json["nda_template_id"] == own_id
    listing_url = f"{url}/{created.json['id']}"
    patch = {"version": created.json["version"], "nda_template_id": rival_id}
    assert client.patch(listing_url, headers=headers, json=patch).status_code == 422
    patch["nda_template_id"] = None
    reset = client.patch(listing_url, headers=headers, json=patch)
    assert reset.status_code == 200, reset.json
    assert reset.json["nda_template_id"] is None
