"""Disclosure pages: read and accept an NDA, the owner's decisions, the log, and refusals.

A seeker's challenge needs its approval of every request; its IP offer grants access at once.
A requester organisation asks for both, an outsider has nothing to do with either.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from ideagora.accounts import freshness
from ideagora.accounts.models import User
from ideagora.assets import services as assets
from ideagora.assets.models import Asset
from ideagora.audit.models import AuditEvent
from ideagora.challenges import services as challenges
from ideagora.database import db, utcnow
from ideagora.disclosure import access_log
from ideagora.disclosure.models import DisclosureGrant, NdaAcceptance
from ideagora.organizations.models import Role
from tests.helpers import AppDriver, Person
from tests.ideagora.proposal_world import asset_data, challenge_data

BRIEF = "CANARY-disclosure-brief-71c2"
DOSSIER = "CANARY-disclosure-dossier-0e5b"
_SHA256 = re.compile(r'id="sha256" name="sha256" type="hidden" value="([0-9a-f]{64})"')


@dataclass
class Cast:
    """Who is who, and the two listings they ask about."""

    owner_admin: Person
    owner_officer: Person
    owner_member: Person
    requester: Person
    requester_member: Person
    outsider: Person
    challenge_id: int
    asset_id: int

    def person(self, role: str) -> Person | None:
        return {
            "anonymous": None,
            "owner_admin": self.owner_admin,
            "owner_officer": self.owner_officer,
            "owner_member": self.owner_member,
            "requester": self.requester,
            "requester_member": self.requester_member,
            "outsider": self.outsider,
        }[role]

    @property
    def challenge_url(self) -> str:
        return f"/challenges/{self.challenge_id}"

    @property
    def asset_url(self) -> str:
        return f"/offers/{self.asset_id}"


def _user(person: Person) -> User:
    return db.session.get(User, person.id)


@pytest.fixture
def cast(driver: AppDriver) -> Cast:
    owner_admin = driver.person(organization="Cupworks Ltd", name="Ana Ruiz")
    owner_officer = driver.person(
        organization=owner_admin.organization_id, role=Role.LICENSING_OFFICER
    )
    owner_member = driver.person(organization=owner_admin.organization_id, role=Role.MEMBER)
    requester = driver.person(organization="Solver University", name="Ben Okafor")
    requester_member = driver.person(organization=requester.organization_id, role=Role.MEMBER)
    outsider = driver.person(organization="Bystander GmbH")
    with driver.app.app_context():
        owner = _user(owner_admin)
        brief = f"Target 0.4 cent a cup. {BRIEF}"
        challenge = challenges.create_challenge(
            db.session,
            owner,
            challenge_data(confidential_brief=brief, nda_approval_required=True),
            ip_address=None,
        )
        challenges.change_status(db.session, owner, challenge, "publish", ip_address=None)
        dossier = f"Spray at 80 C. {DOSSIER}"
        asset = assets.create_asset(
            db.session,
            owner,
            asset_data(confidential_dossier=dossier, nda_approval_required=False),
            ip_address=None,
        )
        assets.change_status(db.session, owner, asset, "publish", ip_address=None)
        db.session.commit()
        ids = (challenge.id, asset.id)
    people = (owner_admin, owner_officer, owner_member, requester, requester_member, outsider)
    return Cast(*people, *ids)


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def _client(driver: AppDriver, cast: Cast, role: str) -> FlaskClient:
    person = cast.person(role)
    return driver.logged_in_client(person) if person else driver.app.test_client()


def _accept(
    driver: AppDriver, client: FlaskClient, listing_url: str, person: Person, **changes: Any
) -> Any:
    """Accept the NDA on its page as a browser does; ``changes`` alter (None: drop) fields."""
    page = _text(client.get(f"{listing_url}/nda"))
    match = _SHA256.search(page)
    assert match, "the NDA page has no hash to send back"
    data = {
        "sha256": match.group(1),
        "organization_id": str(person.organization_id),
        "assent": "y",
        "signer_name": person.name,
        **changes,
    }
    fields = {key: value for key, value in data.items() if value is not None}
    return driver.submit(client, f"{listing_url}/nda", fields)


def _counts(driver: AppDriver) -> dict[str, int]:
    with driver.app.app_context():
        return {
            model.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in (NdaAcceptance, DisclosureGrant)
        }


def _security_events(driver: AppDriver) -> set[str]:
    with driver.app.app_context():
        return set(
            db.session.scalars(
                sa.select(AuditEvent.action).where(
                    AuditEvent.action.in_(["nda.hash_mismatch", "nda.wrong_organization"])
                )
            )
        )


def _grant_id(driver: AppDriver) -> int:
    with driver.app.app_context():
        return db.session.scalar(sa.select(sa.func.max(DisclosureGrant.id)))


def _set_grant(driver: AppDriver, grant_id: int, **values: Any) -> None:
    with driver.app.app_context():
        db.session.execute(
            sa.update(DisclosureGrant).where(DisclosureGrant.id == grant_id).values(**values)
        )
        db.session.commit()


def _decide(driver: AppDriver, client: FlaskClient, grant_id: int, action: str, **data: Any):
    return driver.submit(client, f"/grants/{grant_id}/{action}", data, form_url="/dashboard")


def _followed(client: FlaskClient, response: Any) -> str:
    assert response.status_code == 302, _text(response)
    return _text(client.get(response.headers["Location"]))


def test_the_nda_page_shows_the_whole_text_its_version_and_hash_before_assent(driver, cast) -> None:
    requester = _client(driver, cast, "requester")
    listing_page = _text(requester.get(cast.challenge_url))
    assert BRIEF not in listing_page
    assert f'href="{cast.challenge_url}/nda"' in listing_page
    assert "Read and accept the NDA" in listing_page
    page = _text(requester.get(f"{cast.challenge_url}/nda"))
    shown_hash = _SHA256.search(page).group(1)
    assert f'<code id="nda-sha256" class="text-break">{shown_hash}</code>' in page
    assert re.search(r"<dt[^>]*>Version</dt><dd[^>]*>\d+</dd>", page)
    assert "Solver University" in page
    assert "Cupworks Ltd" in page
    assert "Recyclable barrier coating for paper cups" in page  # the listing named in the text
    checkbox = re.search(r'<input[^>]*name="assent"[^>]*>', page).group(0)
    assert "checked" not in checkbox
    assert "on behalf of Solver University, which I am authorised to bind" in page
    assert 'name="signer_name"' in page
    assert 'name="password"' not in page  # the login is fresh
    assert BRIEF not in page


def test_request_then_the_owner_approves_and_the_requester_reads_the_brief(driver, cast) -> None:
    requester = _client(driver, cast, "requester")
    page = _followed(requester, _accept(driver, requester, cast.challenge_url, cast.requester))
    assert "Your request is with the owner for approval." in page
    assert BRIEF not in page
    assert "waiting for approval since" in page
    grant_id = _grant_id(driver)

    owner = _client(driver, cast, "owner_admin")
    dashboard = _text(owner.get("/dashboard"))
    assert "Access requests waiting for you" in dashboard
    assert f'href="{cast.challenge_url}/access"' in dashboard
    listing_page = _text(owner.get(cast.challenge_url))
    assert "1 waiting for your decision" in listing_page
    access_page = _text(owner.get(f"{cast.challenge_url}/access"))
    assert "Solver University" in access_page
    assert "Ben Okafor" in access_page
    assert "NDA accepted, access requested" in access_page
    page = _followed(owner, _decide(driver, owner, grant_id, "approve"))
    assert "Approved: Solver University can now read the confidential brief." in page
    assert "Request approved" in page

    page = _text(requester.get(cast.challenge_url))
    assert BRIEF in page
    assert f'href="/grants/{grant_id}/certificate.pdf"' in page
    log = _text(owner.get(f"{cast.challenge_url}/access"))
    assert "Confidential text viewed" in log
    assert "Ben Okafor" in log


def test_an_offer_without_approval_is_granted_at_once(driver, cast) -> None:
    requester = _client(driver, cast, "requester")
    page = _followed(requester, _accept(driver, requester, cast.asset_url, cast.requester))
    assert "Access granted: Solver University can now read the confidential dossier." in page
    assert DOSSIER in page


def test_a_second_acceptance_changes_nothing(driver, cast) -> None:
    requester = _client(driver, cast, "requester")
    _accept(driver, requester, cast.asset_url, cast.requester)
    again = driver.submit(
        requester,
        f"{cast.asset_url}/nda",
        {"assent": "y", "signer_name": "Ben Okafor", "sha256": "0" * 64},
    )
    assert "You already have access to the confidential dossier" in _followed(requester, again)
    assert _counts(driver) == {"nda_acceptances": 1, "disclosure_grants": 1}


def test_a_declined_request_shows_the_reason_and_when_to_ask_again(driver, cast) -> None:
    requester = _client(driver, cast, "requester")
    _accept(driver, requester, cast.challenge_url, cast.requester)
    owner = _client(driver, cast, "owner_officer")
    reason = "We are only talking to suppliers in the EU this year."
    page = _followed(owner, _decide(driver, owner, _grant_id(driver), "decline", reason=reason))
    assert "Declined: Solver University sees your reason" in page

    page = _text(requester.get(cast.challenge_url))
    assert BRIEF not in page
    assert "declined your organisation's request" in page
    assert reason in page
    assert "You may ask again after" in page
    nda_page = _text(requester.get(f"{cast.challenge_url}/nda"))
    assert "You may ask again after" in nda_page
    assert 'name="signer_name"' not in nda_page
    # asking again at once is refused, with when it may be done
    response = driver.submit(
        requester, f"{cast.challenge_url}/nda", {"assent": "y", "signer_name": "Ben Okafor"}
    )
    assert response.status_code == 429
    assert "You may ask again after" in _text(response)
    assert int(response.headers["Retry-After"]) > 0
    assert _counts(driver) == {"nda_acceptances": 1, "disclosure_grants": 1}


def test_declining_without_a_reason_is_refused_and_the_request_still_waits(driver, cast) -> None:
    requester = _client(driver, cast, "requester")
    _accept(driver, requester, cast.challenge_url, cast.requester)
    owner = _client(driver, cast, "owner_admin")
    grant_id = _grant_id(driver)
    response = _decide(driver, owner, grant_id, "decline", reason="  ")
    assert response.status_code == 422
    page = _text(response)
    assert "Give a reason" in page
    assert f'id="decline-{grant_id}-reason"' in page
    assert 'aria-invalid="true"' in page
    with driver.app.app_context():
        assert db.session.get(DisclosureGrant, grant_id).status.value == "pending"


def test_a_revoked_grant_hides_the_text_from_the_next_request(driver, cast) -> None:
    requester = _client(driver, cast, "requester")
    _accept(driver, requester, cast.asset_url, cast.requester)
    assert DOSSIER in _text(requester.get(cast.asset_url))
    owner = _client(driver, cast, "owner_admin")
    reason = "The licence talks ended."
    page = _followed(owner, _decide(driver, owner, _grant_id(driver), "revoke", reason=reason))
    assert "Revoked: Solver University can no longer read the confidential dossier." in page
    page = _text(requester.get(cast.asset_url))
    assert DOSSIER not in page
    assert "revoked your organisation's access" in page
    assert reason in page


def test_an_expired_grant_hides_the_text(driver, cast) -> None:
    requester = _client(driver, cast, "requester")
    _accept(driver, requester, cast.asset_url, cast.requester)
    _set_grant(driver, _grant_id(driver), expires_at=utcnow() - timedelta(minutes=1))
    page = _text(requester.get(cast.asset_url))
    assert DOSSIER not in page
    assert "Your organisation's access expired on" in page
    assert "Read and accept the NDA" in page


def test_the_owner_downloads_the_log_as_csv_and_both_parties_the_certificate(driver, cast) -> None:
    requester = _client(driver, cast, "requester")
    _accept(driver, requester, cast.asset_url, cast.requester)
    requester.get(cast.asset_url)
    owner = _client(driver, cast, "owner_officer")
    page = _text(owner.get(f"{cast.asset_url}/access"))
    assert f'href="{cast.asset_url}/access.csv"' in page
    response = owner.get(f"{cast.asset_url}/access.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = _text(response).splitlines()
    assert lines[0].startswith("time_utc,event,user,email,organisation")
    assert any(line.split(",")[1] == "viewed" and "Ben Okafor" in line for line in lines[1:])
    grant_id = _grant_id(driver)
    for client in (requester, owner):
        certificate = client.get(f"/grants/{grant_id}/certificate.pdf")
        assert certificate.status_code == 200
        assert certificate.mimetype == "application/pdf"
        assert certificate.data.startswith(b"%PDF")
        assert "attachment" in certificate.headers["Content-Disposition"]


@pytest.mark.parametrize(
    ("changes", "status", "message"),
    [
        ({"assent": None}, 422, "Tick the box to confirm"),
        ({"signer_name": ""}, 422, "Type your full name to sign."),
        ({"signer_name": "   "}, 422, "Type your full name to sign."),
        ({"signer_name": "B" * 121}, 422, "A name has at most 120 characters."),
        ({"sha256": "0" * 64}, 409, "is not the current text of this listing&#39;s NDA"),
        ({"sha256": None}, 409, "is not the current text of this listing&#39;s NDA"),
        ({"organization_id": "outsider"}, 403, "only on behalf of your own organisation"),
        ({"organization_id": "Solver"}, 403, "only on behalf of your own organisation"),
    ],
    ids=[
        "no box",
        "no name",
        "blank name",
        "long name",
        "forged hash",
        "no hash",
        "other org",
        "no org id",
    ],
)
def test_a_refused_acceptance_says_why_and_writes_nothing(
    driver, cast, changes, status, message
) -> None:
    if changes.get("organization_id") == "outsider":
        changes = {"organization_id": str(cast.outsider.organization_id)}
    security_events = _security_events(driver)
    requester = _client(driver, cast, "requester")
    response = _accept(driver, requester, cast.challenge_url, cast.requester, **changes)
    assert response.status_code == status
    page = _text(response)
    assert message in page
    assert _counts(driver) == {"nda_acceptances": 0, "disclosure_grants": 0}
    # a forged hash or organisation is a security event of the audit log; a slip is not
    recorded = _security_events(driver) - security_events
    assert recorded == ({"nda.hash_mismatch"} if status == 409 else set()) | (
        {"nda.wrong_organization"} if status == 403 else set()
    )
    if status == 409:
        # the current text is shown again, with its hash to accept, and the box unticked
        assert "The text you accept" in page
        assert _SHA256.search(page)
        assert "checked" not in re.search(r'<input[^>]*name="assent"[^>]*>', page).group(0)
    if status == 422:
        assert 'aria-invalid="true"' in page


def test_a_post_without_the_csrf_token_is_refused(driver, cast) -> None:
    requester = _client(driver, cast, "requester")
    page = _text(requester.get(f"{cast.asset_url}/nda"))
    response = requester.post(
        f"{cast.asset_url}/nda",
        data={"sha256": _SHA256.search(page).group(1), "assent": "y", "signer_name": "Ben"},
    )
    assert response.status_code == 400
    assert "security token" in _text(response)
    assert _counts(driver) == {"nda_acceptances": 0, "disclosure_grants": 0}


def test_a_decision_without_the_csrf_token_is_refused(driver, cast) -> None:
    requester = _client(driver, cast, "requester")
    _accept(driver, requester, cast.challenge_url, cast.requester)
    owner = _client(driver, cast, "owner_admin")
    response = owner.post(f"/grants/{_grant_id(driver)}/approve")
    assert response.status_code == 400
    assert "security token" in _text(response)
    with driver.app.app_context():
        assert db.session.get(DisclosureGrant, _grant_id(driver)).status.value == "pending"


def test_deciding_twice_says_the_request_is_no_longer_waiting(driver, cast) -> None:
    requester = _client(driver, cast, "requester")
    _accept(driver, requester, cast.challenge_url, cast.requester)
    owner = _client(driver, cast, "owner_admin")
    _decide(driver, owner, _grant_id(driver), "approve")
    response = _decide(driver, owner, _grant_id(driver), "decline", reason="Changed our mind.")
    assert "This request is no longer waiting: it is active." in _followed(owner, response)
    with driver.app.app_context():
        assert db.session.get(DisclosureGrant, _grant_id(driver)).status.value == "active"


def _age_the_login(client: FlaskClient, seconds: int = 3600) -> None:
    with client.session_transaction() as session:
        session[freshness.SESSION_KEY] -= seconds


def test_an_old_login_must_type_the_password_again(driver, cast) -> None:
    requester = _client(driver, cast, "requester")
    _age_the_login(requester)
    page = _text(requester.get(f"{cast.asset_url}/nda"))
    assert 'name="password"' in page
    assert "enter your password to confirm it is you" in page

    response = _accept(driver, requester, cast.asset_url, cast.requester)
    assert response.status_code == 403
    assert "enter your password again" in _text(response)
    response = _accept(driver, requester, cast.asset_url, cast.requester, password="not-it-1")
    assert response.status_code == 422
    assert "This is not your password" in _text(response)
    assert _counts(driver) == {"nda_acceptances": 0, "disclosure_grants": 0}
    with driver.app.app_context():
        assert _user(cast.requester).failed_login_count == 1

    response = _accept(
        driver, requester, cast.asset_url, cast.requester, password=cast.requester.password
    )
    assert "Access granted" in _followed(requester, response)
    assert _counts(driver) == {"nda_acceptances": 1, "disclosure_grants": 1}


OWNER_PAGES = [
    ("owner_admin", 200),
    ("owner_officer", 200),
    ("owner_member", 404),
    ("requester", 404),
    ("outsider", 404),
    ("anonymous", 302),
]


def _log_downloads(driver: AppDriver, cast: Cast, count: int) -> None:
    """Write ``count`` downloads of the offer's files by the requester, file-01.pdf first."""
    with driver.app.app_context():
        asset = db.session.get(Asset, cast.asset_id)
        user = _user(cast.requester)
        for number in range(1, count + 1):
            access_log.record_download(
                db.session,
                user,
                asset,
                f"file-{number:02d}.pdf",
                ip_address="192.0.2.7",
                user_agent="Test",
                channel="page",
            )
        db.session.commit()


def test_a_long_access_log_is_paged_newest_first_and_exported_whole(driver, cast) -> None:
    requester = _client(driver, cast, "requester")
    _accept(driver, requester, cast.asset_url, cast.requester)  # one event: access granted
    _log_downloads(driver, cast, 54)
    owner = _client(driver, cast, "owner_officer")

    first = _text(owner.get(f"{cast.asset_url}/access"))
    assert "newest first: 1–50 of 55 events" in first
    assert first.index("file-54.pdf") < first.index("file-05.pdf")
    assert "file-04.pdf" not in first
    assert "NDA accepted, access granted" not in first
    assert f'href="{cast.asset_url}/access?page=2">Next</a>' in first

    second = _text(owner.get(f"{cast.asset_url}/access?page=2"))
    assert "newest first: 51–55 of 55 events" in second
    assert second.index("file-04.pdf") < second.index("file-01.pdf")
    assert second.index("file-01.pdf") < second.index("NDA accepted, access granted")
    assert "file-05.pdf" not in second
    assert f'href="{cast.asset_url}/access?page=1">Previous</a>' in second

    beyond = _text(owner.get(f"{cast.asset_url}/access?page=3"))
    assert "The log has no page 3" in beyond
    assert f'href="{cast.asset_url}/access">see the newest events</a>' in beyond
    for absurd in ("0", "-1", "x", "99999999999999999999"):
        assert "1–50 of 55 events" in _text(owner.get(f"{cast.asset_url}/access?page={absurd}"))

    lines = _text(owner.get(f"{cast.asset_url}/access.csv")).splitlines()
    assert len(lines) == 1 + 55
    assert lines[1].split(",")[1] == "granted"
    assert "file-01.pdf" in lines[2]
    assert "file-54.pdf" in lines[-1]


@pytest.mark.parametrize(("role", "status"), OWNER_PAGES)
@pytest.mark.parametrize("page", ["access", "access.csv"])
def test_only_the_owners_deciders_see_the_access_pages(driver, cast, role, status, page) -> None:
    client = _client(driver, cast, role)
    for url in (f"{cast.challenge_url}/{page}", f"{cast.asset_url}/{page}"):
        response = client.get(url)
        assert response.status_code == status, url
        if status == 302:
            assert "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("role", "status", "still_pending"),
    [
        ("owner_admin", 302, False),
        ("owner_officer", 302, False),
        ("owner_member", 403, True),
        ("requester", 404, True),
        ("requester_member", 404, True),
        ("outsider", 404, True),
    ],
)
def test_only_the_owners_deciders_approve(driver, cast, role, status, still_pending) -> None:
    requester = _client(driver, cast, "requester")
    _accept(driver, requester, cast.challenge_url, cast.requester)
    grant_id = _grant_id(driver)
    response = _decide(driver, _client(driver, cast, role), grant_id, "approve")
    assert response.status_code == status
    with driver.app.app_context():
        grant = db.session.get(DisclosureGrant, grant_id)
        assert (grant.status.value == "pending") is still_pending


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("owner_admin", 200),
        ("owner_member", 200),
        ("requester", 200),
        ("requester_member", 200),
        ("outsider", 404),
        ("anonymous", 302),
    ],
)
def test_both_parties_and_nobody_else_get_the_certificate(driver, cast, role, status) -> None:
    requester = _client(driver, cast, "requester")
    _accept(driver, requester, cast.challenge_url, cast.requester)
    response = _client(driver, cast, role).get(f"/grants/{_grant_id(driver)}/certificate.pdf")
    assert response.status_code == status


def test_the_listing_page_tells_each_viewer_how_to_get_access(driver, cast) -> None:
    anonymous = driver.app.test_client()
    page = _text(anonymous.get(cast.challenge_url))
    assert "Log in to request access" in page
    assert BRIEF not in page
    owner_member = _client(driver, cast, "owner_member")
    page = _text(owner_member.get(cast.challenge_url))
    assert BRIEF in page
    assert "Access log" not in page  # only those who decide read the log
    owner = _client(driver, cast, "owner_admin")
    page = _text(owner.get(cast.challenge_url))
    assert f'href="{cast.challenge_url}/access"' in page
    # the owner needs no NDA to see its own listing
    assert owner.get(f"{cast.challenge_url}/nda").status_code == 409


def test_every_page_of_the_flow_keeps_its_headings_in_order(driver, cast) -> None:
    requester = _client(driver, cast, "requester")
    _accept(driver, requester, cast.challenge_url, cast.requester)
    owner = _client(driver, cast, "owner_admin")
    pages = [
        _text(requester.get(f"{cast.asset_url}/nda")),
        _text(owner.get(f"{cast.challenge_url}/access")),
        _text(owner.get("/dashboard")),
    ]
    for page in pages:
        levels = [int(level) for level in re.findall(r"<h([1-6])", page)]
        assert levels[0] == 1
        assert all(later - earlier <= 1 for earlier, later in itertools.pairwise(levels))
    reasons = re.findall(r'<textarea[^>]*id="([^"]+)"', pages[1])
    assert reasons
    for field_id in reasons:
        assert f'<label class="form-label" for="{field_id}">' in pages[1]
