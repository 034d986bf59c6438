"""Disclosure under NDA over the API: read the NDA, accept it, the owner decides, the log.

The people and listings of these tests are built by ``build_world``, which the access matrix
(``test_api_disclosure_access.py``) and the bad-input tables (``test_api_disclosure_input.py``)
share.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from ideagora.accounts.models import ApiToken
from ideagora.audit.models import AuditEvent
from ideagora.database import db, utcnow
from ideagora.disclosure.models import DisclosureEvent, DisclosureGrant, EventKind, NdaAcceptance
from ideagora.organizations.models import Role
from tests.helpers import AppDriver, Person

BRIEF_SECRET = "CANARY-api-brief-51d2"
DOSSIER_SECRET = "CANARY-api-dossier-8e07"
SIGNER = "Ana Ruiz"


def challenge_body() -> dict[str, Any]:
    return {
        "title": "Recyclable barrier coating for paper cups",
        "summary": "A water-based coating that keeps coffee in and lets the cup be recycled.",
        "description": "Paper cups are lined with polyethylene, which pulping cannot separate.",
        "confidential_brief": f"Target cost 0.4 cent per cup. {BRIEF_SECRET}",
        "keywords": ["barrier coating"],
        "fields": ["materials"],
        "challenge_type": "reduction_to_practice",
        "award_amount": 40000,
        "currency": "EUR",
        "deadline": (utcnow() + timedelta(days=30)).date().isoformat(),
        "ip_terms": "exclusive_license",
        "trl_sought": 4,
        "nda_approval_required": True,
    }


def asset_body() -> dict[str, Any]:
    return {
        "title": "Chitosan barrier layers",
        "summary": "A crustacean-derived film that blocks water and grease.",
        "description": "Sprayed on paperboard, it dries in seconds.",
        "confidential_dossier": f"Best results at 62 °C with 2.5 % catalyst. {DOSSIER_SECRET}",
        "fields": ["materials"],
        "patent_numbers": ["EP 1234567"],
        "patent_status": "granted",
        "jurisdictions": ["EP"],
        "trl": 5,
        "deal_types": ["exclusive_license"],
        "nda_approval_required": False,
    }


@dataclass
class World:
    """The owner (Cupworks: admin, officer, member), a requester, an outsider, two listings."""

    client: Any
    driver: AppDriver
    people: dict[str, Person]
    challenge_id: int = 0
    asset_id: int = 0
    _headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def headers(self, role: str) -> dict[str, str]:
        """Return a (cached) token header for the role; none for the anonymous caller."""
        if role == "anonymous":
            return {}
        if role not in self._headers:
            self._headers[role] = self.driver.token(self.client, self.people[role])
        return self._headers[role]

    def listing_id(self, listing_type: str) -> int:
        return self.challenge_id if listing_type == "challenges" else self.asset_id

    def get(self, role: str, path: str) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.headers(role))

    def post(self, role: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(f"/api/v1{path}", headers=self.headers(role), json=body)


def build_world(client, driver: AppDriver) -> World:
    owner_admin = driver.person(organization="Cupworks Ltd")
    owner = owner_admin.organization_id
    people = {
        "owner_admin": owner_admin,
        "owner_officer": driver.person(organization=owner, role=Role.LICENSING_OFFICER),
        "owner_member": driver.person(organization=owner, role=Role.MEMBER),
        "requester": driver.person(organization="Solver University", kind="university"),
        "outsider": driver.person(organization="Bystander GmbH"),
    }
    world = World(client, driver, people)
    world.challenge_id = _published(world, "challenges", challenge_body())
    world.asset_id = _published(world, "assets", asset_body())
    return world


def _published(world: World, listing_type: str, body: dict[str, Any]) -> int:
    created = world.post("owner_admin", f"/{listing_type}", body)
    assert created.status_code == 201, created.json
    listing_id = created.json["id"]
    published = world.post("owner_admin", f"/{listing_type}/{listing_id}/publish")
    assert published.status_code == 200, published.json
    return listing_id


# a body member left out of the request altogether
OMITTED = object()


def accept(world: World, role: str, listing_type: str = "challenges", **changes: Any) -> Any:
    """Read the listing's NDA as the role and accept it, with the body changed as given."""
    listing_id = world.listing_id(listing_type)
    nda = world.get(role, f"/{listing_type}/{listing_id}/nda")
    body = {"sha256": nda.json.get("sha256"), "signer_name": SIGNER, "assent": True}
    body.update(changes)
    body = {key: value for key, value in body.items() if value is not OMITTED}
    return world.post(role, f"/{listing_type}/{listing_id}/nda/accept", body)


def rows(app, model: type) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def age_tokens(app) -> None:
    """Make every API token an hour old: too old to sign an NDA without the password."""
    with app.app_context():
        db.session.execute(sa.update(ApiToken).values(created_at=utcnow() - timedelta(hours=1)))
        db.session.commit()


@pytest.fixture
def world(client, driver) -> World:
    return build_world(client, driver)


def test_the_nda_is_shown_in_full_with_its_version_and_hash(world) -> None:
    response = world.get("requester", f"/challenges/{world.challenge_id}/nda")
    assert response.status_code == 200, response.json
    nda = response.json
    assert nda["sha256"] == hashlib.sha256(nda["text"].encode()).hexdigest()
    assert nda["version"] >= 1
    assert nda["template_id"]
    assert "Solver University" in nda["text"]
    assert "Recyclable barrier coating for paper cups" in nda["text"]
    assert "on behalf of Solver University" in nda["assent"]
    assert BRIEF_SECRET not in response.get_data(as_text=True)


def test_request_approve_see_the_brief_then_revoke(app, world) -> None:
    path = f"/challenges/{world.challenge_id}"
    created = accept(world, "requester")
    assert created.status_code == 201, created.json
    grant = created.json["grant"]
    assert grant["status"] == "pending"
    assert grant["organization"]["name"] == "Solver University"
    assert grant["listing"] == {
        "type": "challenges",
        "id": world.challenge_id,
        "title": "Recyclable barrier coating for paper cups",
    }
    assert grant["acceptance"]["signer_name"] == SIGNER
    assert grant["acceptance"]["reference"].startswith("NDA-")
    waiting = world.get("requester", path).json
    assert waiting["access"] == "pending"
    assert "confidential_brief" not in waiting

    listed = world.get("owner_officer", f"{path}/grants").json["items"]
    assert [item["id"] for item in listed] == [grant["id"]]
    awaiting = world.get("owner_admin", "/grants/awaiting").json["items"]
    assert [item["id"] for item in awaiting] == [grant["id"]]
    approved = world.post("owner_officer", f"/grants/{grant['id']}/approve")
    assert approved.status_code == 200, approved.json
    assert approved.json["grant"]["status"] == "active"
    assert approved.json["grant"]["decided_at"]

    granted = world.get("requester", path).json
    assert granted["access"] == "granted"
    assert BRIEF_SECRET in granted["confidential_brief"]

    revoked = world.post("owner_admin", f"/grants/{grant['id']}/revoke", {"reason": "Project over"})
    assert revoked.status_code == 200, revoked.json
    assert revoked.json["grant"]["status"] == "revoked"
    assert revoked.json["grant"]["revoked_at"]
    after = world.get("requester", path)
    assert after.json["access"] == "none"
    assert BRIEF_SECRET not in after.get_data(as_text=True)
    assert rows(app, NdaAcceptance) == 1


def test_without_approval_the_grant_is_active_at_once(app, world) -> None:
    created = accept(world, "requester", "assets")
    assert created.status_code == 201, created.json
    assert created.json["grant"]["status"] == "active"
    seen = world.get("requester", f"/assets/{world.asset_id}").json
    assert seen["access"] == "granted"
    assert DOSSIER_SECRET in seen["confidential_dossier"]
    # another organisation holds nothing
    other = world.get("outsider", f"/assets/{world.asset_id}")
    assert other.json["access"] == "none"
    assert DOSSIER_SECRET not in other.get_data(as_text=True)


@pytest.mark.parametrize("listing_type", ["challenges", "assets"])
def test_accepting_again_returns_the_same_grant(app, world, listing_type) -> None:
    first = accept(world, "requester", listing_type)
    assert first.status_code == 201, first.json
    again = accept(world, "requester", listing_type)
    assert again.status_code == 200, again.json
    assert again.json["grant"]["id"] == first.json["grant"]["id"]
    assert rows(app, NdaAcceptance) == rows(app, DisclosureGrant) == 1


def test_a_declined_request_says_why_and_may_not_be_repeated_at_once(app, world) -> None:
    grant_id = accept(world, "requester").json["grant"]["id"]
    no_reason = world.post("owner_admin", f"/grants/{grant_id}/decline", {"reason": " "})
    assert no_reason.status_code == 422
    assert "Give a reason" in no_reason.json["error"]["fields"]["reason"]
    declined = world.post(
        "owner_admin", f"/grants/{grant_id}/decline", {"reason": "We work with a competitor."}
    )
    assert declined.status_code == 200, declined.json
    seen = world.get("requester", f"/grants/{grant_id}").json["grant"]
    assert (seen["status"], seen["decision_reason"]) == ("declined", "We work with a competitor.")
    again = accept(world, "requester")
    assert again.status_code == 429
    assert "You may ask again after" in again.json["error"]["message"]
    assert again.headers["Retry-After"]
    assert rows(app, DisclosureGrant) == 1


def test_deciding_twice_is_a_conflict(world) -> None:
    grant_id = accept(world, "requester").json["grant"]["id"]
    assert world.post("owner_admin", f"/grants/{grant_id}/approve").status_code == 200
    twice = world.post("owner_officer", f"/grants/{grant_id}/approve")
    assert twice.status_code == 409
    assert "no longer waiting" in twice.json["error"]["message"]
    declined = world.post("owner_officer", f"/grants/{grant_id}/decline", {"reason": "Late"})
    assert declined.status_code == 409


def test_the_access_log_as_json_and_csv(world) -> None:
    grant_id = accept(world, "requester").json["grant"]["id"]
    world.post("owner_admin", f"/grants/{grant_id}/approve")
    world.client.get(
        f"/api/v1/challenges/{world.challenge_id}",
        headers={**world.headers("requester"), "User-Agent": "PortfolioSync/2.1"},
    )
    path = f"/challenges/{world.challenge_id}/access-log"
    log = world.get("owner_officer", path)
    assert log.status_code == 200, log.json
    events = [(item["event"], item["organization"]["name"]) for item in log.json["items"]]
    assert ("requested", "Solver University") in events
    assert ("approved", "Cupworks Ltd") in events
    assert ("viewed", "Solver University") in events
    viewed = next(
        item
        for item in log.json["items"]
        if (item["event"], item["organization"]["name"]) == ("viewed", "Solver University")
    )
    assert (viewed["channel"], viewed["user_agent"]) == ("api", "PortfolioSync/2.1")
    assert viewed["user"]["email"] == world.people["requester"].email
    assert log.json["total"] == len(log.json["items"])

    exported = world.get("owner_admin", f"{path}?format=csv")
    assert exported.status_code == 200
    assert exported.mimetype == "text/csv"
    assert "attachment" in exported.headers["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert {"requested", "approved", "viewed"} <= {line["event"] for line in table}
    assert BRIEF_SECRET not in exported.get_data(as_text=True)
    bad = world.get("owner_admin", f"{path}?format=xml")
    assert bad.status_code == 422
    assert "format" in bad.json["error"]["fields"]


@pytest.mark.parametrize("role", ["requester", "owner_member"])
def test_the_certificate_is_a_pdf_for_both_parties(world, role) -> None:
    grant_id = accept(world, "requester", "assets").json["grant"]["id"]
    response = world.get(role, f"/grants/{grant_id}/certificate")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "attachment" in response.headers["Content-Disposition"]


def test_every_api_answer_carrying_confidential_text_is_logged(app, world) -> None:
    accept(world, "requester", "assets")
    with app.app_context():
        before = _views_by(world.people["requester"].id)
    listed = world.get("requester", "/assets").json["items"]
    assert (
        DOSSIER_SECRET
        in next(item for item in listed if item["id"] == world.asset_id)["confidential_dossier"]
    )
    world.get("requester", f"/assets/{world.asset_id}")
    outsider_list = world.get("outsider", "/assets")
    assert DOSSIER_SECRET not in outsider_list.get_data(as_text=True)
    world.get("outsider", f"/assets/{world.asset_id}")
    with app.app_context():
        assert _views_by(world.people["requester"].id) == before + 2
        assert _views_by(world.people["outsider"].id) == 0


def _views_by(user_id: int) -> int:
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(DisclosureEvent)
        .where(DisclosureEvent.kind == EventKind.VIEWED, DisclosureEvent.user_id == user_id)
    )


def test_an_expired_grant_shows_nothing_and_cannot_be_revoked(app, world) -> None:
    grant_id = accept(world, "requester", "assets").json["grant"]["id"]
    with app.app_context():
        db.session.execute(
            sa.update(DisclosureGrant).values(expires_at=utcnow() - timedelta(minutes=1))
        )
        db.session.commit()
    seen = world.get("requester", f"/assets/{world.asset_id}")
    assert seen.json["access"] == "none"
    assert DOSSIER_SECRET not in seen.get_data(as_text=True)
    revoked = world.post("owner_admin", f"/grants/{grant_id}/revoke", {"reason": "Over"})
    assert revoked.status_code == 409
    assert "expired" in revoked.json["error"]["message"]


def test_the_openapi_document_describes_the_disclosure_endpoints(client) -> None:
    spec = client.get("/api/v1/openapi.json").json
    paths = spec["paths"]
    for listing in ("/api/v1/challenges/{challenge_id}", "/api/v1/assets/{asset_id}"):
        assert "get" in paths[f"{listing}/nda"]
        accept_doc = paths[f"{listing}/nda/accept"]["post"]
        assert {"200", "201", "409"} <= set(accept_doc["responses"])
        log_doc = paths[f"{listing}/access-log"]["get"]["responses"]["200"]["content"]
        assert {"application/json", "text/csv"} <= set(log_doc)
    for action in ("approve", "decline", "revoke"):
        assert paths[f"/api/v1/grants/{{grant_id}}/{action}"]["post"]["security"]
    certificate = paths["/api/v1/grants/{grant_id}/certificate"]["get"]["responses"]["200"]
    assert "application/pdf" in certificate["content"]
    stale = spec["components"]["schemas"]["StaleNdaError"]["properties"]
    assert "nda" in stale
    assert "password" in spec["components"]["schemas"]["AcceptInput"]["properties"]
