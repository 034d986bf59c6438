"""Licence deals over the API: the negotiation, bad input, who may call what, and verification.

The organisations and the offer come from ``deal_world``; the whole negotiation runs through the
API, while the tables and the access matrix set up their deals through the services.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from ideagora.accounts.models import ApiToken
from ideagora.api.auth import SEND_PASSWORD, WRONG_PASSWORD
from ideagora.audit.models import AuditEvent
from ideagora.database import db, utcnow
from ideagora.deals import agreements
from ideagora.deals.models import (
    Agreement,
    AgreementSignature,
    Deal,
    DealAcceptance,
    DealComment,
    DealRevision,
    DealStatus,
)
from tests.helpers import PASSWORD, AppDriver, Person
from tests.ideagora import deal_world
from tests.ideagora.deal_world import DOSSIER_SECRET, DealWorld, proposal, terms_data

ROLES = (
    "licensor_admin",
    "licensor_officer",
    "licensor_member",
    "licensee_admin",
    "licensee_officer",
    "licensee_member",
    "outsider",
    "anonymous",
)
SIGNATURE = {"signer_name": "Ana Ruiz", "signer_title": "Head of Licensing", "assent": True}


@dataclass
class Caller:
    """Call the API as one of the world's people, each with a cached token."""

    client: Any
    driver: AppDriver
    world: DealWorld
    _headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def person(self, role: str) -> Person:
        if role == "outsider":
            return self.world.outsider.admin
        party, kind = role.split("_")
        return getattr(getattr(self.world, party), kind)

    def headers(self, role: str) -> dict[str, str]:
        if role == "anonymous":
            return {}
        if role not in self._headers:
            self._headers[role] = self.driver.token(self.client, self.person(role))
        return self._headers[role]

    def get(self, role: str, path: str) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.headers(role))

    def post(self, role: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(f"/api/v1{path}", headers=self.headers(role), json=body)

    def verify(self, pdf: bytes, role: str = "anonymous") -> Any:
        headers = {**self.headers(role), "Content-Type": "application/pdf"}
        return self.client.post("/api/v1/agreements/verify", data=pdf, headers=headers)


@pytest.fixture
def caller(client, driver) -> Caller:
    return Caller(client, driver, deal_world.build_deal_world(driver))


def negotiating_deal(caller: Caller) -> int:
    """Open a deal with revision 1 proposed by the licensee's officer; return its id."""
    deal_id = deal_world.open_deal(caller.driver, caller.world)
    deal_world.propose(caller.driver, deal_id, caller.world.licensee.officer)
    return deal_id


def agreed_deal(caller: Caller) -> int:
    """Return a deal whose revision 1 the licensor's officer accepted: agreed and drafted."""
    deal_id = negotiating_deal(caller)
    deal_world.accept(caller.driver, deal_id, 1, caller.world.licensor.officer)
    return deal_id


def sign_as(caller: Caller, deal_id: int, person: Person) -> None:
    with caller.driver.app.app_context():
        agreements.sign(
            db.session,
            deal_world.user(person),
            db.session.get(Deal, deal_id),
            **SIGNATURE,
            fresh_login=True,
            ip_address="127.0.0.1",
            user_agent="pytest",
            channel="api",
        )
        db.session.commit()


def revisions_of(app, deal_id: int) -> int:
    with app.app_context():
        query = sa.select(sa.func.count()).where(DealRevision.deal_id == deal_id)
        return db.session.scalar(query)


def flipped(pdf: bytes) -> bytes:
    """Return the PDF with one byte of its middle changed."""
    middle = len(pdf) // 2
    return pdf[:middle] + bytes([pdf[middle] ^ 0x01]) + pdf[middle + 1 :]


def test_a_licence_is_negotiated_signed_and_verified_over_the_api(app, caller) -> None:
    world = caller.world
    opened = caller.post(
        "licensee_officer", f"/assets/{world.asset_id}/deals", {"challenge_id": world.challenge_id}
    )
    assert opened.status_code == 201, opened.json
    deal = opened.json
    assert deal["status"] == "negotiating"
    assert deal["reference"] == f"LD-{deal['id']:06d}"
    assert deal["your_party"] == "licensee"
    assert deal["licensor"]["name"] == "Licensor University"
    assert deal["asset"]["title"] == "Chitosan barrier layers for paperboard"
    assert deal["challenge"]["id"] == world.challenge_id
    assert DOSSIER_SECRET not in opened.get_data(as_text=True)
    path = f"/deals/{deal['id']}"

    first = caller.post("licensee_officer", f"{path}/revisions", proposal())
    assert first.status_code == 201, first.json
    assert first.json["number"] == 1
    assert first.json["party"] == "licensee"
    assert first.json["terms"]["upfront_fee"] == "25000.00"
    assert first.json["terms"]["royalty_rate_percent"] == "3.50"
    counter = proposal("We need 4% to cover the patent costs.", royalty_rate_percent="4")
    second = caller.post("licensor_admin", f"{path}/revisions", counter)
    assert second.status_code == 201, second.json
    assert second.json["number"] == 2

    redline = caller.get("licensee_officer", f"{path}/revisions/2/diff")
    assert redline.status_code == 200, redline.json
    assert redline.json == [
        {"field": "royalty_rate_percent", "label": "Royalty rate", "before": "3.5%", "after": "4%"}
    ]
    first_diff = caller.get("licensor_officer", f"{path}/revisions/1/diff").json
    assert {"field": "upfront_fee", "label": "Upfront fee", "before": "—"} | {
        "after": "EUR 25,000.00"
    } in first_diff

    accepted = caller.post("licensee_officer", f"{path}/revisions/2/accept")
    assert accepted.status_code == 200, accepted.json
    assert accepted.json["status"] == "agreed"
    assert accepted.json["agreed_revision"] == 2
    assert accepted.json["revisions"][1]["accepted_by"] == ["licensor", "licensee"]
    agreement = accepted.json["agreement"]
    draft = caller.get("licensor_member", f"{path}/agreement.pdf")
    assert draft.status_code == 200
    assert draft.mimetype == "application/pdf"
    assert hashlib.sha256(draft.data).hexdigest() == agreement["draft_sha256"]

    half = caller.post("licensor_officer", f"{path}/sign", SIGNATURE)
    assert half.status_code == 200, half.json
    assert half.json["status"] == "agreed"
    assert [s["party"] for s in half.json["agreement"]["signatures"]] == ["licensor"]
    both = caller.post("licensee_admin", f"{path}/sign", {**SIGNATURE, "signer_name": "Bo Lind"})
    assert both.status_code == 200, both.json
    assert both.json["status"] == "signed"
    final_sha256 = both.json["agreement"]["final_sha256"]
    assert caller.get("licensor_admin", f"/assets/{world.asset_id}").json["status"] == "licensed"

    signed = caller.get("licensee_member", f"{path}/agreement.pdf").data
    assert hashlib.sha256(signed).hexdigest() == final_sha256
    verdict = caller.verify(signed)
    assert verdict.status_code == 200, verdict.json
    assert verdict.json["valid"] is True
    assert verdict.json["stage"] == "signed"
    assert verdict.json["deal_id"] == deal["id"]
    assert verdict.json["reference"] == deal["reference"]
    assert verdict.json["sha256"] == final_sha256
    assert verdict.json["signed_at"]
    assert verdict.json["problem"] is None
    # the answer is public: it never carries a term of the licence
    for term in ("Barrier coatings for food packaging", "25000", "England", "royalty"):
        assert term not in verdict.get_data(as_text=True)
    as_form = caller.client.post(
        "/api/v1/agreements/verify",
        data={"file": (io.BytesIO(signed), "agreement.pdf")},
        content_type="multipart/form-data",
    )
    assert as_form.json["valid"] is True

    tampered = caller.verify(flipped(signed))
    assert tampered.status_code == 200
    assert tampered.json["valid"] is False
    assert tampered.json["deal_id"] is None
    assert tampered.json["reference"] is None
    assert tampered.json["problem"]
    assert tampered.json["sha256"] == hashlib.sha256(flipped(signed)).hexdigest()

    listed = caller.get("licensor_member", "/deals").json
    assert [item["id"] for item in listed["items"]] == [deal["id"]]
    assert listed["items"][0]["status"] == "signed"
    assert caller.get("outsider", "/deals").json["items"] == []


def test_presets_list_the_standard_licences_to_start_from(caller) -> None:
    response = caller.get("anonymous", "/presets")
    assert response.status_code == 200
    presets = {item["key"]: item for item in response.json}
    assert set(presets) == {"express_startup", "evaluation", "option", "research"}
    express = presets["express_startup"]
    assert express["terms"]["exclusivity"] == "exclusive"
    assert express["terms"]["royalty_rate_percent"] == "2"
    assert express["milestones"][0]["months_after"] == 18
    assert presets["research"]["terms"]["term_years"] == 5


def test_a_revision_can_start_from_a_preset_and_stay_open_for_a_while(caller) -> None:
    deal_id = deal_world.open_deal(caller.driver, caller.world)
    open_until = (utcnow() + timedelta(days=14)).isoformat()
    body = {**proposal(), "preset": "express_startup", "open_until": open_until}
    created = caller.post("licensee_admin", f"/deals/{deal_id}/revisions", body)
    assert created.status_code == 201, created.json
    revision = caller.get("licensor_member", f"/deals/{deal_id}/revisions/1").json
    assert revision["preset"] == "express_startup"
    assert revision["open_until"].startswith(open_until[:16])
    assert revision["accepted_by"] == ["licensee"]


def test_comments_are_shared_by_both_parties(caller) -> None:
    deal_id = negotiating_deal(caller)
    made = caller.post("licensor_member", f"/deals/{deal_id}/comments", {"body": "Call Tuesday?"})
    assert made.status_code == 201, made.json
    seen = caller.get("licensee_member", f"/deals/{deal_id}").json["comments"]
    assert [(c["party"], c["body"]) for c in seen] == [("licensor", "Call Tuesday?")]


# each bad term, and the message its field gets
BAD_TERMS = [
    ({"royalty_rate_percent": "150"}, "royalty_rate_percent", "between 0 and 100"),
    ({"upfront_fee": "-5"}, "upfront_fee", "An amount cannot be negative."),
    ({"upfront_fee": "100.555"}, "upfront_fee", "EUR amounts have at most 2 decimal places"),
    ({"currency": "XYZ"}, "currency", "XYZ is not a currency we accept"),
    ({"exclusivity": "sometimes"}, "exclusivity", 'non-exclusive ("non_exclusive")'),
    ({"term_years": 0}, "term_years", "The term must be 1 to 30 years"),
    ({"territory": "UK"}, "territory", "use GB for the United Kingdom"),
    ({"licensed_patents": ["EP 7654321 B1"]}, "licensed_patents", "not one of this offer's"),
    (
        {"milestones": [{"event": "Launch", "amount": "1000", "due": "2001-01-01"}]},
        "milestones",
        "Milestone 1: The due date 2001-01-01 must be after the effective date",
    ),
    ({"diligence": ""}, "diligence", "An exclusive licence must say what the licensee will do"),
    ({"sublicensing": False}, "sublicense_income_percent", "Sublicensing is not allowed"),
    ({"field_of_use": "  "}, "field_of_use", "Say in which field the licence may be used"),
    ({"bonus": "a yacht"}, "bonus", "This is not a licence term."),
]


@pytest.mark.parametrize(("changes", "name", "message"), BAD_TERMS)
def test_bad_terms_are_named_field_by_field_and_nothing_is_saved(
    app, caller, changes, name, message
) -> None:
    deal_id = deal_world.open_deal(caller.driver, caller.world)
    body = {"terms": terms_data(**changes), "message": "Try these."}
    response = caller.post("licensor_officer", f"/deals/{deal_id}/revisions", body)
    assert response.status_code == 422, response.json
    assert response.json["error"]["code"] == "validation_failed"
    assert message in response.json["error"]["fields"][f"terms.{name}"]
    assert revisions_of(app, deal_id) == 0


BAD_REVISIONS = [
    ({"message": "x" * 4001}, "message", "A message has at most 4,000 characters."),
    ({"message": ["hello"]}, "message", "Write the message as text."),
    (
        {"open_until": "2001-01-01"},
        "open_until",
        "A revision stays open until a time in the future.",
    ),
    ({"open_until": "next week"}, "open_until", "like 2027-01-31 or 2027-01-31T17:00:00Z"),
    (
        {"effective_date": "2027-02-30"},
        "effective_date",
        "2027-02-30 is not a day of the calendar.",
    ),
    ({"preset": "cheap"}, "preset", "Choose one of the presets: express_startup"),
    ({"terms": "the usual"}, "terms", "Give the terms as named fields"),
]


@pytest.mark.parametrize(("changes", "name", "message"), BAD_REVISIONS)
def test_bad_revision_fields_are_named_and_nothing_is_saved(
    app, caller, changes, name, message
) -> None:
    deal_id = deal_world.open_deal(caller.driver, caller.world)
    response = caller.post("licensee_officer", f"/deals/{deal_id}/revisions", proposal() | changes)
    assert response.status_code == 422, response.json
    assert message in response.json["error"]["fields"][name]
    assert revisions_of(app, deal_id) == 0


def _expire_revision(app, deal_id: int, number: int) -> None:
    # time passes: the revision's open-until moment is behind us (a bulk update, as rows of
    # revisions refuse changes through the ORM)
    with app.app_context():
        db.session.execute(
            sa.update(DealRevision)
            .where(DealRevision.deal_id == deal_id, DealRevision.number == number)
            .values(open_until=utcnow() - timedelta(minutes=1))
        )
        db.session.commit()


# a refused call: the role, the method, the path and the body
Call = tuple[str, str, str, dict[str, Any] | None]


def _own_revision(caller: Caller) -> Call:
    deal_id = negotiating_deal(caller)
    return "licensee_admin", "post", f"/deals/{deal_id}/revisions/1/accept", None


def _superseded(caller: Caller) -> Call:
    deal_id = negotiating_deal(caller)
    deal_world.propose(caller.driver, deal_id, caller.world.licensor.admin)
    deal_world.propose(caller.driver, deal_id, caller.world.licensee.admin)
    return "licensor_officer", "post", f"/deals/{deal_id}/revisions/1/accept", None


def _expired(caller: Caller) -> Call:
    deal_id = deal_world.open_deal(caller.driver, caller.world)
    soon = {**proposal(), "open_until": (utcnow() + timedelta(days=1)).isoformat()}
    deal_world.propose(caller.driver, deal_id, caller.world.licensee.officer, soon)
    _expire_revision(caller.driver.app, deal_id, 1)
    return "licensor_officer", "post", f"/deals/{deal_id}/revisions/1/accept", None


def _signed(caller: Caller) -> int:
    deal_id = negotiating_deal(caller)
    deal_world.set_deal(caller.driver, deal_id, status=DealStatus.SIGNED)
    return deal_id


def _sign_twice(caller: Caller) -> Call:
    deal_id = agreed_deal(caller)
    sign_as(caller, deal_id, caller.world.licensor.admin)
    return "licensor_officer", "post", f"/deals/{deal_id}/sign", SIGNATURE


def _second_deal(caller: Caller) -> Call:
    negotiating_deal(caller)
    return "licensee_member", "post", f"/assets/{caller.world.asset_id}/deals", {}


def _on_negotiating(role: str, method: str, path: str, body: Any = None) -> Any:
    return lambda caller: (role, method, f"/deals/{negotiating_deal(caller)}{path}", body)


REFUSALS = {
    "accept one's own revision": (_own_revision, 409, "You cannot accept your own revision"),
    "accept a superseded revision": (_superseded, 409, "superseded by revision 3"),
    "accept an expired revision": (_expired, 409, "has expired"),
    "propose on a signed deal": (
        lambda c: ("licensor_officer", "post", f"/deals/{_signed(c)}/revisions", proposal()),
        409,
        "This deal is signed",
    ),
    "accept on a signed deal": (
        lambda c: ("licensor_officer", "post", f"/deals/{_signed(c)}/revisions/1/accept", None),
        409,
        "This deal is signed",
    ),
    "sign before agreeing": (
        _on_negotiating("licensor_admin", "post", "/sign", SIGNATURE),
        409,
        "once both parties have accepted the same revision",
    ),
    "sign twice for one party": (_sign_twice, 409, "has signed this agreement already"),
    "open a second deal": (_second_deal, 409, "already has deal LD-"),
    "accept a revision that does not exist": (
        _on_negotiating("licensor_admin", "post", "/revisions/7/accept"),
        404,
        "has no revision 7",
    ),
    "redline a revision that does not exist": (
        _on_negotiating("licensor_admin", "get", "/revisions/7/diff"),
        404,
        "has no revision 7",
    ),
    "download before agreeing": (
        _on_negotiating("licensee_admin", "get", "/agreement.pdf"),
        404,
        "once both parties have accepted a revision",
    ),
    "read a deal that does not exist": (
        lambda c: ("licensor_admin", "get", "/deals/999", None),
        404,
        "There is no such deal.",
    ),
}
RECORDS = (Deal, DealRevision, DealAcceptance, DealComment, Agreement, AgreementSignature)


def records(app) -> dict[str, Any]:
    """Return the number of rows of every deal record, and each deal's status and version."""
    with app.app_context():
        counts = {
            model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
            for model in RECORDS
        }
        deals = db.session.execute(sa.select(Deal.id, Deal.status, Deal.version)).all()
        return {**counts, "deals": sorted(deals)}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refusals_say_why_and_change_nothing(app, caller, case) -> None:
    setup, status, message = REFUSALS[case]
    role, method, path, body = setup(caller)
    before = records(app)
    response = caller.get(role, path) if method == "get" else caller.post(role, path, body)
    assert response.status_code == status, response.json
    assert message in response.json["error"]["message"]
    assert records(app) == before


def _age_tokens(app) -> None:
    """Make every API token an hour old: too old to sign without the password."""
    with app.app_context():
        db.session.execute(sa.update(ApiToken).values(created_at=utcnow() - timedelta(hours=1)))
        db.session.commit()


@pytest.mark.parametrize(
    ("password", "status", "message"),
    [
        (None, 403, SEND_PASSWORD),
        ("not-my-password", 403, WRONG_PASSWORD),
        (PASSWORD, 200, None),
    ],
)
def test_an_old_token_signs_only_with_the_password(app, caller, password, status, message):
    deal_id = agreed_deal(caller)
    # the signer logs in now, and an hour passes
    caller.headers("licensor_admin")
    _age_tokens(app)
    body = SIGNATURE if password is None else {**SIGNATURE, "password": password}
    response = caller.post("licensor_admin", f"/deals/{deal_id}/sign", body)
    assert response.status_code == status, response.json
    if message is None:
        assert response.json["agreement"]["signatures"][0]["signer_name"] == "Ana Ruiz"
        return
    assert response.json["error"]["code"] == "fresh_login_required"
    assert response.json["error"]["fields"]["password"] == message
    assert records(app)["AgreementSignature"] == 0


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"assent": False}, {"assent"}),
        ({"assent": "yes"}, {"assent"}),
        ({"signer_name": ""}, {"signer_name"}),
        ({"signer_title": None}, {"signer_title"}),
        ({"signer_name": "x" * 121, "signer_title": "x" * 121}, {"signer_name", "signer_title"}),
    ],
)
def test_a_signature_needs_assent_a_name_and_a_title(app, caller, changes, fields) -> None:
    deal_id = agreed_deal(caller)
    response = caller.post("licensee_officer", f"/deals/{deal_id}/sign", {**SIGNATURE, **changes})
    assert response.status_code == 422, response.json
    assert set(response.json["error"]["fields"]) == fields
    assert records(app)["AgreementSignature"] == 0


def test_verification_refuses_what_is_not_a_pdf_upload(app, caller) -> None:
    url = "/api/v1/agreements/verify"
    empty = caller.client.post(url, data=b"", headers={"Content-Type": "application/pdf"})
    assert empty.status_code == 422
    assert "Content-Type: application/pdf" in empty.json["error"]["fields"]["file"]
    no_field = caller.client.post(url, data={"other": "x"}, content_type="multipart/form-data")
    assert no_field.status_code == 422
    text = caller.client.post(url, data=b"hello", headers={"Content-Type": "text/plain"})
    assert text.status_code == 415
    assert "This body is text/plain." in text.json["error"]["message"]
    junk = caller.verify(b"%PDF-1.7 this is no agreement")
    assert junk.status_code == 200
    assert junk.json["valid"] is False
    assert junk.json["problem"]
    app.config["MAX_CONTENT_LENGTH"] = 1024
    too_large = caller.verify(b"%PDF-1.7\n" + b"0" * 2048)
    assert too_large.status_code == 413
    assert too_large.json["error"]["code"] == "too_large"


def test_the_sealed_draft_verifies_too_and_names_no_term(caller) -> None:
    deal_id = agreed_deal(caller)
    draft = caller.get("licensee_officer", f"/deals/{deal_id}/agreement.pdf").data
    verdict = caller.verify(draft).json
    assert verdict["valid"] is True
    assert verdict["stage"] == "draft"
    assert set(verdict) == {
        "valid",
        "stage",
        "deal_id",
        "sha256",
        "signed_at",
        "reference",
        "problem",
    }


PARTIES = ROLES[:6]
MANAGERS = ("licensor_admin", "licensor_officer", "licensee_admin", "licensee_officer")
PUBLIC = dict.fromkeys(ROLES, 200)


def _statuses(parties: dict[str, int] | int, outsider: int = 404) -> dict[str, int]:
    """Return the status of every role: the parties' as given, the outsider's, 401 anonymously."""
    given = dict.fromkeys(PARTIES, parties) if isinstance(parties, int) else parties
    return {**given, "outsider": outsider, "anonymous": 401}


NEGOTIATORS = _statuses({role: 201 if role in MANAGERS else 403 for role in PARTIES})
# revision 1 is the licensee's: its managers may not accept it, the licensor's may
ACCEPTORS = _statuses(
    {
        role: (200 if role.startswith("licensor") else 409) if role in MANAGERS else 403
        for role in PARTIES
    }
)
SIGNERS = _statuses({role: 200 if role in MANAGERS else 403 for role in PARTIES})
# action: (the deal it needs, the method and path, the body, the status of each role)
MATRIX: dict[str, tuple[str, str, str, dict[str, Any] | None, dict[str, int]]] = {
    "list deals": ("negotiating", "get", "/deals", None, _statuses(200, outsider=200)),
    # the licensor owns the offer, the licensee has a deal on it already
    "open a deal": ("negotiating", "post", "/assets/{asset}/deals", {}, _statuses(409, 201)),
    "read the deal": ("negotiating", "get", "/deals/{deal}", None, _statuses(200)),
    "propose": ("negotiating", "post", "/deals/{deal}/revisions", proposal(), NEGOTIATORS),
    "read a revision": ("negotiating", "get", "/deals/{deal}/revisions/1", None, _statuses(200)),
    "redline": ("negotiating", "get", "/deals/{deal}/revisions/1/diff", None, _statuses(200)),
    "accept": ("negotiating", "post", "/deals/{deal}/revisions/1/accept", None, ACCEPTORS),
    "comment": ("negotiating", "post", "/deals/{deal}/comments", {"body": "Hi"}, _statuses(201)),
    "sign": ("agreed", "post", "/deals/{deal}/sign", SIGNATURE, SIGNERS),
    "download": ("agreed", "get", "/deals/{deal}/agreement.pdf", None, _statuses(200)),
    "presets": ("negotiating", "get", "/presets", None, PUBLIC),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", [*MATRIX, "verify"])
def test_who_may_call_each_deal_endpoint(caller, action, role) -> None:
    if action == "verify":
        response = caller.verify(b"%PDF-1.7 not an agreement", role)
        assert response.status_code == 200, response.json
        return
    needs, method, path, body, statuses = MATRIX[action]
    deal_id = agreed_deal(caller) if needs == "agreed" else negotiating_deal(caller)
    path = path.format(deal=deal_id, asset=caller.world.asset_id)
    response = caller.get(role, path) if method == "get" else caller.post(role, path, body)
    assert response.status_code == statuses[role], response.get_data(as_text=True)
    if response.status_code == 404:
        assert response.json["error"] == {"code": "not_found", "message": "There is no such deal."}
    if action == "list deals" and role != "anonymous":
        listed = [item["id"] for item in response.json["items"]]
        assert listed == ([] if role == "outsider" else [deal_id])


GUESS_BODIES = {"/revisions": proposal(), "/comments": {"body": "Hello"}, "/sign": SIGNATURE}


def test_a_guessed_deal_id_looks_exactly_like_a_missing_one(app, caller) -> None:
    deal_id = agreed_deal(caller)
    calls = [
        ("get", ""),
        ("get", "/revisions/1"),
        ("get", "/revisions/1/diff"),
        ("get", "/agreement.pdf"),
        ("post", "/revisions"),
        ("post", "/revisions/1/accept"),
        ("post", "/comments"),
        ("post", "/sign"),
    ]
    for method, path in calls:
        answers = []
        for target in (deal_id, deal_id + 1000):
            url = f"/deals/{target}{path}"
            body = GUESS_BODIES.get(path)
            answer = (
                caller.get("outsider", url)
                if method == "get"
                else caller.post("outsider", url, body)
            )
            answers.append((answer.status_code, answer.json))
        assert answers[0] == answers[1], path
        assert answers[0][0] == 404
    with app.app_context():
        events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "deal.foreign_access")
        ).all()
    assert len(events) == len(calls)
    assert {event.details["path"] for event in events} >= {f"/api/v1/deals/{deal_id}"}


def test_the_openapi_document_describes_the_deal_endpoints(client) -> None:
    spec = client.get("/api/v1/openapi.json").json
    verify = spec["paths"]["/api/v1/agreements/verify"]["post"]
    assert set(verify["requestBody"]["content"]) == {"application/pdf", "multipart/form-data"}
    assert "security" not in verify
    sign = spec["paths"]["/api/v1/deals/{deal_id}/sign"]["post"]
    assert sign["security"] == [{"bearerAuth": []}]
    schemas = spec["components"]["schemas"]
    assert "password" in schemas["SignInput"]["properties"]
    assert "royalty_rate_percent" in schemas["DealTerms"]["properties"]
    pdf = spec["paths"]["/api/v1/deals/{deal_id}/agreement.pdf"]["get"]["responses"]["200"]
    assert "application/pdf" in pdf["content"]
