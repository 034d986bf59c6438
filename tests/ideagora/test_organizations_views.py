"""Organisation pages: members, invitations, roles, and who may do what."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from ideagora.database import db
from ideagora.organizations.models import Membership, Role
from tests.helpers import PASSWORD, csrf_token_from


def invitation_path(message) -> str:
    return re.search(r"http://localhost(/invitations/\S+)", message.get_content()).group(1)


def role_of(app, user_id: int) -> str | None:
    with app.app_context():
        membership = db.session.scalar(sa.select(Membership).where(Membership.user_id == user_id))
        return membership.role.value if membership else None


@pytest.fixture
def acme(driver):
    """An organisation with an admin, a licensing officer and a member, and an outsider."""
    admin = driver.person(organization="Acme Materials")
    officer = driver.person(organization=admin.organization_id, role=Role.LICENSING_OFFICER)
    member = driver.person(organization=admin.organization_id, role=Role.MEMBER)
    outsider = driver.person(organization="Other Org")
    return {"admin": admin, "officer": officer, "member": member, "outsider": outsider}


def test_members_see_the_member_list_and_others_only_the_name(driver, acme) -> None:
    url = f"/organizations/{acme['admin'].organization_id}"
    member_page = driver.logged_in_client(acme["member"]).get(url).get_data(as_text=True)
    assert acme["officer"].email in member_page
    assert "Licensing officer" in member_page
    assert "Invite a colleague" not in member_page
    outsider_page = driver.logged_in_client(acme["outsider"]).get(url).get_data(as_text=True)
    assert "Acme Materials" in outsider_page
    assert acme["officer"].email not in outsider_page
    anonymous_page = driver.app.test_client().get(url).get_data(as_text=True)
    assert acme["member"].email not in anonymous_page


def test_invite_by_email_and_join_by_registering(driver, acme, outbox, app) -> None:
    admin = driver.logged_in_client(acme["admin"])
    url = f"/organizations/{acme['admin'].organization_id}"
    response = driver.submit(
        admin,
        f"{url}/invitations",
        {"email": "newcomer@example.org", "role": "licensing_officer"},
        form_url=url,
        follow_redirects=True,
    )
    assert "An invitation is on its way to newcomer@example.org" in response.get_data(as_text=True)
    assert "newcomer@example.org — licensing officer" in response.get_data(as_text=True)
    message = outbox[-1]
    assert message["To"] == "newcomer@example.org"
    assert "Join Acme Materials" in message["Subject"]
    link = invitation_path(message)
    visitor = app.test_client()
    page = visitor.get(link).get_data(as_text=True)
    assert "Join Acme Materials" in page
    assert "newcomer@example.org" in page
    joined = driver.submit(
        visitor,
        link,
        {"name": "New Comer", "password": PASSWORD, "confirm_password": PASSWORD},
        follow_redirects=True,
    )
    assert "You have joined Acme Materials" in joined.get_data(as_text=True)
    # the link is used up
    assert app.test_client().get(link).status_code == 404


def test_existing_user_without_organisation_joins_by_invitation(driver, acme, outbox, app) -> None:
    loner = driver.person(organization="Soon Empty")
    with app.app_context():
        membership = db.session.scalar(sa.select(Membership).where(Membership.user_id == loner.id))
        db.session.delete(membership)
        db.session.commit()
    admin = driver.logged_in_client(acme["admin"])
    url = f"/organizations/{acme['admin'].organization_id}"
    driver.submit(
        admin, f"{url}/invitations", {"email": loner.email, "role": "member"}, form_url=url
    )
    link = invitation_path(outbox[-1])
    client = driver.logged_in_client(loner)
    response = driver.submit(client, link, {}, follow_redirects=True)
    assert "You have joined Acme Materials" in response.get_data(as_text=True)
    assert role_of(app, loner.id) == "member"


def test_invitation_to_someone_in_another_organisation_is_refused(driver, acme) -> None:
    admin = driver.logged_in_client(acme["admin"])
    url = f"/organizations/{acme['admin'].organization_id}"
    response = driver.submit(
        admin,
        f"{url}/invitations",
        {"email": acme["outsider"].email, "role": "member"},
        form_url=url,
        follow_redirects=True,
    )
    assert "already belongs to another organisation" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "E-mail address: This field is required."),
        ("nobody-at-all", "This is not a valid e-mail address"),
    ],
)
def test_invitation_with_bad_address(driver, acme, outbox, email, message) -> None:
    admin = driver.logged_in_client(acme["admin"])
    url = f"/organizations/{acme['admin'].organization_id}"
    sent_before = len(outbox)
    response = driver.submit(
        admin,
        f"{url}/invitations",
        {"email": email, "role": "member"},
        form_url=url,
        follow_redirects=True,
    )
    assert message in response.get_data(as_text=True)
    assert len(outbox) == sent_before


def test_admin_changes_roles_and_removes_members(driver, acme, app) -> None:
    admin = driver.logged_in_client(acme["admin"])
    url = f"/organizations/{acme['admin'].organization_id}"
    driver.submit(admin, f"{url}/members/{acme['member'].id}/role", {"role": "admin"}, form_url=url)
    assert role_of(app, acme["member"].id) == "admin"
    driver.submit(admin, f"{url}/members/{acme['officer'].id}/remove", {}, form_url=url)
    assert role_of(app, acme["officer"].id) is None
    page = admin.get(url).get_data(as_text=True)
    assert acme["officer"].email not in page


def test_the_last_admin_can_be_neither_demoted_nor_removed(driver, acme, app) -> None:
    admin = driver.logged_in_client(acme["admin"])
    url = f"/organizations/{acme['admin'].organization_id}"
    demoted = driver.submit(
        admin,
        f"{url}/members/{acme['admin'].id}/role",
        {"role": "member"},
        form_url=url,
        follow_redirects=True,
    )
    assert "needs at least one admin" in demoted.get_data(as_text=True)
    removed = driver.submit(
        admin, f"{url}/members/{acme['admin'].id}/remove", {}, form_url=url, follow_redirects=True
    )
    assert "The last admin cannot be removed" in removed.get_data(as_text=True)
    assert role_of(app, acme["admin"].id) == "admin"


def test_withdrawn_invitation_no_longer_works(driver, acme, outbox, app) -> None:
    admin = driver.logged_in_client(acme["admin"])
    url = f"/organizations/{acme['admin'].organization_id}"
    driver.submit(
        admin, f"{url}/invitations", {"email": "maybe@example.org", "role": "member"}, form_url=url
    )
    link = invitation_path(outbox[-1])
    page = admin.get(url).get_data(as_text=True)
    invitation_id = re.search(r"/invitations/(\d+)/revoke", page).group(1)
    driver.submit(admin, f"{url}/invitations/{invitation_id}/revoke", {}, form_url=url)
    assert app.test_client().get(link).status_code == 404


# who may do what to Acme: (actor, action) → may it happen?
ACTIONS = {
    "invite": lambda org, acme: (
        f"/organizations/{org}/invitations",
        {"email": "x@example.org", "role": "admin"},
    ),
    "promote": lambda org, acme: (
        f"/organizations/{org}/members/{acme['member'].id}/role",
        {"role": "admin"},
    ),
    "remove": lambda org, acme: (f"/organizations/{org}/members/{acme['member'].id}/remove", {}),
}


def action_happened(app, acme, action: str, outbox) -> bool:
    if action == "invite":
        return any(message["To"] == "x@example.org" for message in outbox)
    if action == "promote":
        return role_of(app, acme["member"].id) == "admin"
    return role_of(app, acme["member"].id) is None


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize(
    ("actor", "allowed"),
    [
        ("anonymous", False),
        ("member", False),
        ("officer", False),
        ("outsider", False),
        ("admin", True),
    ],
)
def test_only_the_organisations_admin_manages_members(
    driver, acme, app, outbox, actor, allowed, action
) -> None:
    organization_id = acme["admin"].organization_id
    client = app.test_client() if actor == "anonymous" else driver.logged_in_client(acme[actor])
    path, data = ACTIONS[action](organization_id, acme)
    token = (
        csrf_token_from(client.get("/login").get_data(as_text=True))
        if actor == "anonymous"
        else csrf_token_from(client.get("/account").get_data(as_text=True))
    )
    response = client.post(path, data={"csrf_token": token, **data})
    assert response.status_code in (302, 404)
    if actor == "anonymous":
        assert "/login" in response.headers["Location"]
    if actor == "outsider":
        assert response.status_code == 404
    assert action_happened(app, acme, action, outbox) is allowed


def test_person_without_organisation_creates_one(driver, app) -> None:
    loner = driver.person(organization="Temporary")
    with app.app_context():
        db.session.execute(sa.delete(Membership).where(Membership.user_id == loner.id))
        db.session.commit()
    client = driver.logged_in_client(loner)
    assert "You do not belong to an organisation" in client.get("/dashboard").get_data(as_text=True)
    response = driver.submit(
        client,
        "/organization",
        {"name": "Fresh Start Labs", "kind": "institute"},
        follow_redirects=True,
    )
    assert "Fresh Start Labs is created and you are its admin" in response.get_data(as_text=True)
    assert role_of(app, loner.id) == Role.ADMIN.value


def test_removal_asks_for_confirmation_first(driver, acme, app) -> None:
    admin = driver.logged_in_client(acme["admin"])
    path = f"/organizations/{acme['admin'].organization_id}/members/{acme['member'].id}/remove"
    page = admin.get(path)
    assert page.status_code == 200
    assert f"Remove {acme['member'].name}?" in page.get_data(as_text=True)
    assert role_of(app, acme["member"].id) == "member"
    member = driver.logged_in_client(acme["member"])
    assert member.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/organizations/{org}/invitations",
        "/organizations/{org}/invitations/1/revoke",
        "/organizations/{org}/members/{member}/role",
        "/organizations/{org}/members/{member}/remove",
    ],
)
def test_outsiders_are_refused_before_their_form_is_read(driver, acme, path) -> None:
    outsider = driver.logged_in_client(acme["outsider"])
    token = csrf_token_from(outsider.get("/account").get_data(as_text=True))
    url = path.format(org=acme["admin"].organization_id, member=acme["member"].id)
    response = outsider.post(url, data={"csrf_token": token})
    assert response.status_code == 404
