"""IP offers over the API: posting, the lifecycle, editing safely, and who sees what."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from ideagora.assets.models import Asset
from ideagora.database import db
from ideagora.organizations.models import Role

SECRET = "CANARY-dossier-91ab"


def asset_body(**changes):
    body = {
        "title": "Low-temperature curing of bio-based epoxy",
        "summary": "An epoxy from plant oils that cures at 60 °C instead of 120 °C.",
        "description": "A catalyst system lets epoxidised vegetable oils cure at low heat.",
        "confidential_dossier": f"Best results with 2.5 % catalyst at 62 °C. {SECRET}",
        "keywords": ["epoxy", "bio-based", "curing"],
        "fields": ["materials", "chemistry"],
        "patent_numbers": ["US 10,123,456 B2", "EP1234567"],
        "patent_status": "granted",
        "jurisdictions": ["us", "EP"],
        "trl": 5,
        "fields_of_use": ["wind-turbine blades", "sports goods"],
        "deal_types": ["option", "exclusive_license"],
        "indicative_terms": "Exclusive licence by field; royalty of 3–5 % on net sales.",
    }
    body.update(changes)
    return body


@pytest.fixture
def licensor(driver, client):
    admin = driver.person(organization="Eastmoor University", kind="university")
    member = driver.person(organization=admin.organization_id, role=Role.MEMBER)
    return {"admin": driver.token(client, admin), "member": driver.token(client, member)}


@pytest.fixture
def outsider(driver, client):
    return driver.token(client, driver.person(organization="Buyer Corp"))


def post(client, headers, **changes):
    response = client.post("/api/v1/assets", headers=headers, json=asset_body(**changes))
    assert response.status_code == 201, response.json
    return response.json


def test_offer_ip_and_publish_it(client, licensor, outsider) -> None:
    created = post(client, licensor["member"])
    assert created["status"] == "draft"
    assert created["patent_numbers"] == ["US 10,123,456 B2", "EP 1 234 567"]
    assert created["jurisdictions"] == ["US", "EP"]
    assert created["deal_types"] == ["exclusive_license", "option"]
    assert (
        client.post(
            f"/api/v1/assets/{created['id']}/publish", headers=licensor["member"]
        ).status_code
        == 403
    )
    published = client.post(f"/api/v1/assets/{created['id']}/publish", headers=licensor["admin"])
    assert published.json["status"] == "published"
    seen = client.get(f"/api/v1/assets/{created['id']}", headers=outsider)
    assert seen.json["access"] == "none"
    assert SECRET not in seen.get_data(as_text=True)
    assert (
        SECRET
        in client.get(f"/api/v1/assets/{created['id']}", headers=licensor["member"]).json[
            "confidential_dossier"
        ]
    )


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"patent_numbers": ["US 12"]}, "patent_numbers", "'US 12' is not a patent"),
        (
            {"patent_numbers": [], "patent_status": "granted"},
            "patent_numbers",
            "Give the patent or application number",
        ),
        ({"patent_status": "secret"}, "patent_status", "Choose the patent status from"),
        ({"jurisdictions": ["USA"]}, "jurisdictions", "two-letter codes"),
        ({"trl": None}, "trl", "Give the technology readiness level"),
        ({"trl": 12}, "trl", "from 1 to 9"),
        ({"deal_types": []}, "deal_types", "Choose at least one deal type."),
        ({"deal_types": ["barter"]}, "deal_types", "Unknown deal type 'barter'"),
        ({"fields_of_use": ["x" * 121]}, "fields_of_use", "at most 120 characters"),
        ({"fields": ["materials", "nonsense"]}, "fields", "Unknown technical field"),
    ],
)
def test_bad_offers_are_refused_field_by_field(
    client, licensor, app, changes, field, message
) -> None:
    response = client.post("/api/v1/assets", headers=licensor["admin"], json=asset_body(**changes))
    assert response.status_code == 422
    assert message in response.json["error"]["fields"][field]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Asset)) == 0


def test_know_how_needs_no_patent_number(client, licensor) -> None:
    created = post(
        client, licensor["admin"], patent_numbers=[], patent_status="know_how", jurisdictions=[]
    )
    assert created["patent_status"] == "know_how"


def test_withdrawn_offers_disappear_from_the_public(client, licensor, outsider) -> None:
    created = post(client, licensor["admin"])
    client.post(f"/api/v1/assets/{created['id']}/publish", headers=licensor["admin"])
    assert client.get("/api/v1/assets").json["total"] == 1
    client.post(f"/api/v1/assets/{created['id']}/withdraw", headers=licensor["admin"])
    assert client.get("/api/v1/assets").json["total"] == 0
    assert client.get(f"/api/v1/assets/{created['id']}", headers=outsider).status_code == 404
    again = client.post(f"/api/v1/assets/{created['id']}/publish", headers=licensor["admin"])
    assert again.status_code == 409


def test_editing_keeps_a_revision_and_refuses_stale_saves(client, licensor, app) -> None:
    created = post(client, licensor["admin"])
    path = f"/api/v1/assets/{created['id']}"
    edited = client.patch(
        path,
        headers=licensor["admin"],
        json={"trl": 6, "confidential_dossier": "new secret", "version": created["version"]},
    )
    assert edited.status_code == 200
    assert edited.json["trl"] == 6
    stale = client.patch(
        path, headers=licensor["member"], json={"trl": 7, "version": created["version"]}
    )
    assert stale.status_code == 409
    from ideagora.listings.models import ListingRevision

    with app.app_context():
        revision = db.session.scalars(sa.select(ListingRevision)).one()
        assert revision.material
        assert {"field": "trl", "before": 5, "after": 6} in revision.changes
        assert {"field": "confidential_dossier", "confidential": True} in revision.changes
        assert "new secret" not in str(revision.changes)


def test_a_partial_edit_cannot_leave_a_granted_patent_without_numbers(client, licensor) -> None:
    created = post(client, licensor["admin"], patent_status="know_how", patent_numbers=[])
    response = client.patch(
        f"/api/v1/assets/{created['id']}",
        headers=licensor["admin"],
        json={"patent_status": "granted", "version": created["version"]},
    )
    assert response.status_code == 422
    assert (
        "Give the patent or application number"
        in response.json["error"]["fields"]["patent_numbers"]
    )


def test_an_offer_names_a_bounded_number_of_patents(client, licensor) -> None:
    numbers = [f"US {10_000_000 + number:,} B2" for number in range(61)]
    response = client.post(
        "/api/v1/assets", headers=licensor["admin"], json=asset_body(patent_numbers=numbers)
    )
    assert response.status_code == 422
    assert "at most 60 patent numbers" in response.json["error"]["fields"]["patent_numbers"]
