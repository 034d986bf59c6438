"""The organisations part of the JSON API, and who may do what there."""

from __future__ import annotations

import pytest

from ideagora.organizations.models import Role


@pytest.fixture
def acme(driver):
    admin = driver.person(organization="Acme Materials")
    return {
        "admin": admin,
        "officer": driver.person(organization=admin.organization_id, role=Role.LICENSING_OFFICER),
        "member": driver.person(organization=admin.organization_id, role=Role.MEMBER),
        "outsider": driver.person(organization="Other Org"),
    }


def test_members_see_members_and_admins_see_invitations(client, driver, acme) -> None:
    organization_id = acme["admin"].organization_id
    admin = driver.token(client, acme["admin"])
    client.post(
        f"/api/v1/organizations/{organization_id}/invitations",
        headers=admin,
        json={"email": "soon@example.org", "role": "member"},
    )
    as_admin = client.get(f"/api/v1/organizations/{organization_id}", headers=admin).json
    assert {member["role"] for member in as_admin["members"]} == {
        "admin",
        "licensing_officer",
        "member",
    }
    assert [invitation["email"] for invitation in as_admin["invitations"]] == ["soon@example.org"]
    member = driver.token(client, acme["member"])
    as_member = client.get(f"/api/v1/organizations/{organization_id}", headers=member).json
    assert len(as_member["members"]) == 3
    assert as_member["invitations"] == []
    outsider = driver.token(client, acme["outsider"])
    as_outsider = client.get(f"/api/v1/organizations/{organization_id}", headers=outsider).json
    assert as_outsider["name"] == "Acme Materials"
    assert as_outsider["members"] == []


def requests_for(organization_id: int, acme: dict) -> dict:
    member_id = acme["member"].id
    return {
        "invite": (
            "post",
            f"/api/v1/organizations/{organization_id}/invitations",
            {"email": "new@example.org", "role": "member"},
            201,
        ),
        "promote": (
            "patch",
            f"/api/v1/organizations/{organization_id}/members/{member_id}",
            {"role": "licensing_officer"},
            200,
        ),
        "remove": (
            "delete",
            f"/api/v1/organizations/{organization_id}/members/{member_id}",
            None,
            204,
        ),
    }


@pytest.mark.parametrize("action", ["invite", "promote", "remove"])
@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        ("anonymous", 401),
        ("member", 403),
        ("officer", 403),
        ("outsider", 404),
        ("admin", None),
    ],
)
def test_only_admins_manage_members(client, driver, acme, actor, expected, action) -> None:
    method, path, body, success = requests_for(acme["admin"].organization_id, acme)[action]
    headers = {} if actor == "anonymous" else driver.token(client, acme[actor])
    response = getattr(client, method)(path, headers=headers, json=body)
    assert response.status_code == (expected or success)
    admin = driver.token(client, acme["admin"])
    detail = client.get(
        f"/api/v1/organizations/{acme['admin'].organization_id}", headers=admin
    ).json
    changed = {
        "invite": bool(detail["invitations"]),
        "promote": any(
            member["role"] == "licensing_officer" and member["user"]["id"] == acme["member"].id
            for member in detail["members"]
        ),
        "remove": all(member["user"]["id"] != acme["member"].id for member in detail["members"]),
    }[action]
    assert changed is (expected is None)


@pytest.mark.parametrize(
    ("body", "status", "field", "message"),
    [
        ({"role": "owner"}, 422, "role", "Choose one of: admin, licensing_officer, member."),
        ({}, 422, "role", "Missing data for required field."),
    ],
)
def test_role_change_errors(client, driver, acme, body, status, field, message) -> None:
    admin = driver.token(client, acme["admin"])
    path = f"/api/v1/organizations/{acme['admin'].organization_id}/members/{acme['member'].id}"
    response = client.patch(path, headers=admin, json=body)
    assert response.status_code == status
    assert response.json["error"]["fields"][field] == message


def test_last_admin_stays(client, driver, acme) -> None:
    admin = driver.token(client, acme["admin"])
    path = f"/api/v1/organizations/{acme['admin'].organization_id}/members/{acme['admin'].id}"
    demote = client.patch(path, headers=admin, json={"role": "member"})
    assert demote.status_code == 409
    assert "at least one admin" in demote.json["error"]["message"]
    assert client.delete(path, headers=admin).status_code == 409


def test_unknown_organisation_and_member_are_404(client, driver, acme) -> None:
    admin = driver.token(client, acme["admin"])
    assert client.get("/api/v1/organizations/9999", headers=admin).status_code == 404
    path = f"/api/v1/organizations/{acme['admin'].organization_id}/members/{acme['outsider'].id}"
    assert client.delete(path, headers=admin).status_code == 404


def test_creating_a_second_organisation_is_a_conflict(client, driver, acme) -> None:
    admin = driver.token(client, acme["admin"])
    response = client.post(
        "/api/v1/organizations", headers=admin, json={"name": "Second Org", "kind": "company"}
    )
    assert response.status_code == 409
