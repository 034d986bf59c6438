"""Drive the app the way people and API clients do, and create test data through services."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from ideagora.accounts import services as accounts
from ideagora.database import db
from ideagora.organizations import services as organizations
from ideagora.organizations.models import Organization, Role

PASSWORD = "violet-harbour-lantern-42"
_CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)
# the version a listing's edit page was made from, which a browser posts back
_VERSION = re.compile(r'<input id="version" name="version" type="hidden" value="(\d*)">')
_counter = itertools.count(1)


@dataclass(frozen=True)
class Person:
    """A user made for a test: ids and credentials, never a live ORM object."""

    id: int
    email: str
    name: str
    organization_id: int | None
    password: str = PASSWORD


def csrf_token_from(html: str) -> str:
    """Return the CSRF token in a page."""
    match = _CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1) or match.group(2)


def without_csrf_tokens(body: bytes) -> bytes:
    """Return a page with its CSRF tokens blanked: they carry a timestamp, so two renderings of
    the same page a second apart differ only there."""
    return _CSRF.sub('name="csrf_token" value=""', body.decode()).encode()


class AppDriver:
    """Make people and organisations, log in, and submit forms with their CSRF token."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def person(
        self,
        *,
        organization: str | int | None = None,
        role: Role = Role.ADMIN,
        name: str | None = None,
        email: str | None = None,
        kind: str = "company",
    ) -> Person:
        """Create a user: founder of a new organisation, or a member of an existing one."""
        number = next(_counter)
        name = name or f"Tester Number{number}"
        email = email or f"tester{number}@example.org"
        with self.app.app_context():
            if isinstance(organization, int):
                user = self._join(organization, name, email, role)
            else:
                registration = accounts.Registration(
                    name, email, PASSWORD, organization or f"Organisation {number}", kind
                )
                user = accounts.register(db.session, registration, ip_address="127.0.0.1")
            db.session.commit()
            return Person(
                user.id,
                user.email,
                user.name,
                user.membership.organization_id if user.membership else None,
            )

    def _join(self, organization_id: int, name: str, email: str, role: Role) -> Any:
        organization = db.session.get(Organization, organization_id)
        admin = next(
            membership.user
            for membership in organization.memberships
            if membership.role is Role.ADMIN
        )
        invitation = organizations.invite(
            db.session, organization, admin, email, role, ip_address=None
        )
        token = _token_of_last_invitation(self.app)
        registration = accounts.Registration(name, email, PASSWORD)
        assert invitation.email == email
        return accounts.register(db.session, registration, ip_address=None, invitation_token=token)

    def get_csrf(self, client: FlaskClient, url: str) -> str:
        response = client.get(url)
        return csrf_token_from(response.get_data(as_text=True))

    def submit(
        self,
        client: FlaskClient,
        url: str,
        data: dict[str, Any],
        *,
        form_url: str | None = None,
        **kwargs: Any,
    ) -> Any:
        """Post a form the way a browser does: with the CSRF token and version of its page."""
        page = client.get(form_url or url).get_data(as_text=True)
        version = _VERSION.search(page)
        hidden = {"version": version.group(1)} if version else {}
        return client.post(
            url, data={"csrf_token": csrf_token_from(page), **hidden, **data}, **kwargs
        )

    def login(self, client: FlaskClient, person: Person, password: str | None = None) -> Any:
        return self.submit(
            client, "/login", {"email": person.email, "password": password or person.password}
        )

    def logged_in_client(self, person: Person) -> FlaskClient:
        client = self.app.test_client()
        response = self.login(client, person)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    def token(self, client: FlaskClient, person: Person) -> dict[str, str]:
        """Return the Authorization header of a fresh API token for the person."""
        response = client.post(
            "/api/v1/tokens", json={"email": person.email, "password": person.password}
        )
        assert response.status_code == 201, response.json
        return {"Authorization": f"Bearer {response.json['token']}"}


def _token_of_last_invitation(app: Flask) -> str:
    # the invitation mail goes out only after commit; read the link from the queued message
    pending = db.session.info["ideagora_pending_mail"][-1]
    return re.search(r"/invitations/([\w-]+)", pending.body).group(1)
