"""Deal pages: the negotiation from opening to the signed PDF, bad terms, and who may do what.

The licensor owns the offer, the licensee negotiates a licence of it, the outsider has no part.
Each party has an admin, a licensing officer and a plain member.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from ideagora.accounts import freshness
from ideagora.database import db, utcnow
from ideagora.deals.models import (
    AgreementSignature,
    Deal,
    DealComment,
    DealRevision,
    DealStatus,
)
from tests.helpers import AppDriver, Person, csrf_token_from
from tests.ideagora.deal_world import (
    DOSSIER_SECRET,
    DealWorld,
    accept,
    build_deal_world,
    open_deal,
    proposal,
    propose,
    terms_data,
)

ROLES = [
    "licensor_admin",
    "licensor_officer",
    "licensor_member",
    "licensee_admin",
    "licensee_officer",
    "licensee_member",
    "outsider",
    "anonymous",
]


@pytest.fixture
def world(driver: AppDriver) -> DealWorld:
    return build_deal_world(driver)


def _person(world: DealWorld, role: str) -> Person | None:
    if role == "anonymous":
        return None
    if role == "outsider":
        return world.outsider.admin
    party, kind = role.split("_")
    return getattr(getattr(world, party), kind)


def _client(driver: AppDriver, world: DealWorld, role: str) -> FlaskClient:
    person = _person(world, role)
    return driver.logged_in_client(person) if person else driver.app.test_client()


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def _followed(client: FlaskClient, response: Any) -> str:
    assert response.status_code == 302, _text(response)
    return _text(client.get(response.headers["Location"]))


def _post(client: FlaskClient, url: str, data: dict[str, Any] | None = None, **kwargs: Any):
    """Post with the client's CSRF token, read from the public verification page."""
    token = csrf_token_from(_text(client.get("/agreements/verify")))
    return client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)


def terms_form(terms: dict[str, Any], message: str = "Our terms.", **fields: Any) -> dict:
    """Return the terms form's fields as a browser posts them for these terms."""
    data: dict[str, Any] = {
        "licensed_patents": list(terms["licensed_patents"]),
        "field_of_use": terms["field_of_use"],
        "territory": terms["territory"],
        "exclusivity": terms["exclusivity"],
        "term_kind": "years" if terms.get("term_years") else "life_of_patents",
        "term_years": str(terms.get("term_years") or ""),
        "currency": terms["currency"],
        "upfront_fee": terms["upfront_fee"],
        "annual_fee": terms["annual_fee"],
        "minimum_annual_royalty": terms["minimum_annual_royalty"],
        "royalty_rate_percent": terms["royalty_rate_percent"],
        "sublicense_income_percent": terms["sublicense_income_percent"],
        "patent_costs_paid_by": terms["patent_costs"]["paid_by"],
        "patent_costs_note": terms["patent_costs"]["note"],
        "diligence": terms["diligence"],
        "governing_law": terms["governing_law"],
        "message": message,
    }
    if terms["sublicensing"]:
        data["sublicensing"] = "y"
    for index, milestone in enumerate(terms["milestones"]):
        for key in ("event", "amount", "due"):
            data[f"milestones-{index}-{key}"] = milestone[key]
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def _count(driver: AppDriver, model: Any) -> int:
    with driver.app.app_context():
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _deal(driver: AppDriver, deal_id: int) -> Deal:
    with driver.app.app_context():
        deal = db.session.get(Deal, deal_id)
        db.session.expunge(deal)
        return deal


def _age_the_login(client: FlaskClient, seconds: int = 3600) -> None:
    with client.session_transaction() as session:
        session[freshness.SESSION_KEY] -= seconds


def _sign(driver: AppDriver, client: FlaskClient, deal_id: int, person: Person, **changes: Any):
    data = {"signer_name": person.name, "signer_title": "Head of Licensing", "assent": "y"}
    data.update(changes)
    fields = {key: value for key, value in data.items() if value is not None}
    return driver.submit(client, f"/deals/{deal_id}/sign", fields, form_url=f"/deals/{deal_id}")


def test_the_whole_negotiation_through_the_pages(driver, world) -> None:
    licensee = _client(driver, world, "licensee_officer")
    offer = _text(licensee.get(f"/offers/{world.asset_id}"))
    assert "Open a licence deal" in offer
    response = driver.submit(
        licensee,
        f"/offers/{world.asset_id}/deals",
        {"challenge_id": str(world.challenge_id)},
        form_url=f"/offers/{world.asset_id}",
    )
    page = _followed(licensee, response)
    assert "No terms are proposed yet" in page
    deal_id = int(re.search(r"/deals/(\d+)", response.headers["Location"]).group(1))
    assert f"LD-{deal_id:06d}" in _text(licensee.get(f"/offers/{world.asset_id}"))

    # a preset fills the form; the officer proposes the terms of the shared test world
    form = _text(licensee.get(f"/deals/{deal_id}/revisions/new?preset=express_startup"))
    assert 'value="express_startup" selected' in form
    assert '<input checked class="form-check-input" id="licensed_patents-0"' in form
    assert "diligent efforts" in form
    url = f"/deals/{deal_id}/revisions/new"
    response = driver.submit(licensee, url, terms_form(terms_data(), "Our opening terms."))
    page = _followed(licensee, response)
    assert "Revision 1 is proposed" in page
    assert "Our opening terms." in page
    assert "EUR 25,000.00" in page
    assert "3.5%" in page

    # the licensor counters with a higher royalty; the redline shows before and after
    licensor = _client(driver, world, "licensor_officer")
    assert "Accept revision 1" in _text(licensor.get(f"/deals/{deal_id}"))
    countered = terms_form(terms_data(royalty_rate_percent="4.5"), "A higher royalty, please.")
    _followed(licensor, driver.submit(licensor, url, countered))
    redline = _text(licensee.get(f"/deals/{deal_id}/revisions/2"))
    assert re.search(r"<del>.*3\.5%</del>", redline)
    assert re.search(r"<ins>.*4\.5%</ins>", redline)
    changes = redline.split("The terms of")[0]
    assert "Royalty rate" in changes
    assert "Upfront fee" not in changes

    # the licensee accepts: the deal is agreed and the agreement waits for signatures
    response = driver.submit(
        licensee, f"/deals/{deal_id}/revisions/2/accept", {}, form_url=f"/deals/{deal_id}"
    )
    page = _followed(licensee, response)
    assert "Both parties accept revision 2" in page
    assert "Sign the agreement" in page
    assert _deal(driver, deal_id).status is DealStatus.AGREED

    # the licensor signs at once; the licensee's login is old, so it types its password
    page = _followed(licensor, _sign(driver, licensor, deal_id, world.licensor.officer))
    assert "You signed the agreement" in page
    _age_the_login(licensee)
    response = _sign(driver, licensee, deal_id, world.licensee.officer)
    assert response.status_code == 403
    assert "enter your password again" in _text(response)
    response = _sign(
        driver, licensee, deal_id, world.licensee.officer, password=world.licensee.officer.password
    )
    assert "Both parties have signed" in _followed(licensee, response)
    assert _deal(driver, deal_id).status is DealStatus.SIGNED

    pdf = licensee.get(f"/deals/{deal_id}/agreement.pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")

    # anyone may check the file; one flipped byte makes it invalid
    anyone = driver.app.test_client()
    valid = _verify(driver, anyone, pdf.data)
    assert "Valid: this is an unaltered agreement" in valid
    assert f"LD-{deal_id:06d}" in valid
    assert "3.5%" not in valid
    assert "Barrier coatings" not in valid
    tampered = bytearray(pdf.data)
    tampered[len(tampered) // 2] ^= 0x01
    invalid = _verify(driver, anyone, bytes(tampered))
    assert "Not valid" in invalid
    assert f"LD-{deal_id:06d}" not in invalid


def _verify(driver: AppDriver, client: FlaskClient, pdf: bytes) -> str:
    response = driver.submit(
        client,
        "/agreements/verify",
        {"document": (io.BytesIO(pdf), "agreement.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    return _text(response)


def test_the_deal_pages_never_show_the_confidential_dossier(driver, world) -> None:
    deal_id = open_deal(driver, world)
    propose(driver, deal_id, world.licensee.officer)
    licensee = _client(driver, world, "licensee_member")
    for url in (f"/deals/{deal_id}", f"/deals/{deal_id}/revisions/1", "/deals"):
        page = _text(licensee.get(url))
        assert DOSSIER_SECRET not in page, url


def _due(days: int) -> str:
    return (utcnow() + timedelta(days=days)).date().isoformat()


BAD_TERMS = [
    ({"royalty_rate_percent": "150"}, "royalty_rate_percent", "between 0 and 100"),
    ({"upfront_fee": "-5"}, "upfront_fee", "An amount cannot be negative."),
    ({"upfront_fee": "12.345"}, "upfront_fee", "EUR amounts have at most 2 decimal places"),
    ({"annual_fee": "ten"}, "annual_fee", "Give an amount, like 25000.00, in figures."),
    ({"territory": "EU"}, "territory", "EU is not a country code"),
    ({"term_years": "0"}, "term_years", "The term must be 1 to 30 years"),
    ({"term_years": ""}, "term_years", "Give the licence&#39;s term in years"),
    ({"licensed_patents": None}, "licensed_patents", "Choose at least one of the offer"),
    ({"diligence": ""}, "diligence", "An exclusive licence must say"),
    ({"governing_law": ""}, "governing_law", "Name the law that governs the agreement"),
    ({"field_of_use": ""}, "field_of_use", "Say in which field the licence may be used"),
    ({"sublicensing": None}, "sublicense_income_percent", "Sublicensing is not allowed"),
    ({"milestones-0-due": _due(-3)}, "milestones", "must be after the effective date"),
    ({"milestones-0-event": ""}, "milestones", "Say what event triggers the payment."),
    ({"open_until": _due(-1)}, "open_until", "A revision stays open until a time in the future."),
    ({"effective_date": "2020-01-01"}, "effective_date", "at most a year in the past"),
    ({"message": "x" * 4_001}, "message", "A message has at most 4,000 characters."),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_TERMS)
def test_bad_terms_are_refused_field_by_field_and_nothing_is_written(
    driver, world, changes, field, message
) -> None:
    deal_id = open_deal(driver, world)
    licensee = _client(driver, world, "licensee_officer")
    data = terms_form(terms_data(), **changes)
    response = driver.submit(licensee, f"/deals/{deal_id}/revisions/new", data)
    page = _text(response)
    assert response.status_code == 422
    assert "The revision was not saved" in page
    assert message in page
    if field == "milestones":
        assert 'id="milestones-error"' in page
    else:
        error = re.search(rf'id="{field}-error"[^>]*>([^<]*)<', page)
        assert error, page
        assert message in error.group(1)
        assert (
            re.search(
                rf'id="{field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="{field}"', page
            )
            or field == "licensed_patents"
        )
    # what was typed is kept, so the officer corrects only the field marked
    assert "Barrier coatings for food packaging" in page or field == "field_of_use"
    assert _count(driver, DealRevision) == 0


def test_an_unknown_preset_is_named_and_the_form_still_works(driver, world) -> None:
    deal_id = open_deal(driver, world)
    licensee = _client(driver, world, "licensee_officer")
    response = licensee.get(f"/deals/{deal_id}/revisions/new?preset=free-lunch")
    assert response.status_code == 200
    assert "There is no such preset" in _text(response)


def test_an_empty_comment_is_refused_and_a_comment_is_shown(driver, world) -> None:
    deal_id = open_deal(driver, world)
    member = _client(driver, world, "licensor_member")
    url = f"/deals/{deal_id}/comments"
    response = driver.submit(member, url, {"body": "  "}, form_url=f"/deals/{deal_id}")
    assert response.status_code == 422
    assert "Write a comment." in _text(response)
    assert _count(driver, DealComment) == 0
    response = driver.submit(
        member, url, {"body": "Can you start in March?"}, form_url=f"/deals/{deal_id}"
    )
    assert "Can you start in March?" in _followed(member, response)


def test_refused_acceptances_say_why(driver, world) -> None:
    deal_id = open_deal(driver, world)
    propose(driver, deal_id, world.licensee.officer)
    propose(driver, deal_id, world.licensor.officer, proposal("Counter.", upfront_fee="30000"))
    licensor = _client(driver, world, "licensor_admin")
    own = _post(licensor, f"/deals/{deal_id}/revisions/2/accept")
    assert own.status_code == 409
    assert "You cannot accept your own revision" in _text(own)
    propose(driver, deal_id, world.licensee.officer, proposal("Back to ours."))
    licensee = _client(driver, world, "licensee_admin")
    old = _post(licensee, f"/deals/{deal_id}/revisions/2/accept")
    assert old.status_code == 409
    assert "superseded by revision 3" in _text(old)
    assert _deal(driver, deal_id).status is DealStatus.NEGOTIATING


def test_a_signature_without_the_assent_is_refused(driver, world) -> None:
    deal_id = open_deal(driver, world)
    propose(driver, deal_id, world.licensee.officer)
    accept(driver, deal_id, 1, world.licensor.officer)
    licensor = _client(driver, world, "licensor_officer")
    response = _sign(
        driver, licensor, deal_id, world.licensor.officer, assent=None, signer_title=""
    )
    page = _text(response)
    assert response.status_code == 422
    assert "Tick the box to confirm" in page
    assert "Give your title or position" in page
    assert 'aria-invalid="true"' in page


# what each person gets from each page of a deal
READS = {
    "licensor_admin": 200,
    "licensor_officer": 200,
    "licensor_member": 200,
    "licensee_admin": 200,
    "licensee_officer": 200,
    "licensee_member": 200,
    "outsider": 404,
    "anonymous": 302,
}
MANAGERS_ONLY = {**READS, "licensor_member": 403, "licensee_member": 403}


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_the_pages_of_a_deal(driver, world, role) -> None:
    deal_id = open_deal(driver, world)
    propose(driver, deal_id, world.licensee.officer)
    accept(driver, deal_id, 1, world.licensor.officer)
    client = _client(driver, world, role)
    expected = {
        f"/deals/{deal_id}": READS[role],
        f"/deals/{deal_id}/revisions/1": READS[role],
        f"/deals/{deal_id}/agreement.pdf": READS[role],
        "/deals": 200 if role != "anonymous" else 302,
        "/agreements/verify": 200,
    }
    for url, status in expected.items():
        response = client.get(url)
        assert response.status_code == status, url
        if status == 302:
            assert "/login" in response.headers["Location"]
    if role == "outsider":
        assert f"LD-{deal_id:06d}" not in _text(client.get("/deals"))


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_the_terms_form(driver, world, role) -> None:
    deal_id = open_deal(driver, world)
    response = _client(driver, world, role).get(f"/deals/{deal_id}/revisions/new")
    assert response.status_code == MANAGERS_ONLY[role]


PROPOSE = {**MANAGERS_ONLY, **{role: 302 for role in ROLES[:6] if "member" not in role}}
ACCEPT = {
    **MANAGERS_ONLY,
    "licensor_admin": 302,
    "licensor_officer": 302,
    "licensee_admin": 409,
    "licensee_officer": 409,
}
COMMENT = {**READS, **dict.fromkeys(ROLES[:6], 302)}
SIGN = {**MANAGERS_ONLY, **{role: 302 for role in ROLES[:6] if "member" not in role}}
OPEN = {
    "licensor_admin": 409,
    "licensor_officer": 409,
    "licensor_member": 409,
    "licensee_admin": 409,
    "licensee_officer": 409,
    "licensee_member": 409,
    "outsider": 302,
    "anonymous": 302,
}


def _prepare(driver: AppDriver, world: DealWorld, action: str) -> int:
    """Bring a deal to where the action makes sense and return its id."""
    deal_id = open_deal(driver, world)
    if action in ("accept", "sign"):
        propose(driver, deal_id, world.licensee.officer)
    if action == "sign":
        accept(driver, deal_id, 1, world.licensor.officer)
    return deal_id


def _act(client: FlaskClient, world: DealWorld, action: str, deal_id: int) -> Any:
    if action == "open":
        return _post(client, f"/offers/{world.asset_id}/deals")
    if action == "propose":
        return _post(client, f"/deals/{deal_id}/revisions/new", terms_form(terms_data()))
    if action == "accept":
        return _post(client, f"/deals/{deal_id}/revisions/1/accept")
    if action == "comment":
        return _post(client, f"/deals/{deal_id}/comments", {"body": "Hello."})
    data = {"signer_name": "A Signer", "signer_title": "Director", "assent": "y"}
    return _post(client, f"/deals/{deal_id}/sign", data)


def _state(driver: AppDriver, deal_id: int) -> tuple:
    deal = _deal(driver, deal_id)
    models = (Deal, DealRevision, DealComment, AgreementSignature)
    counts = tuple(_count(driver, model) for model in models)
    return deal.status, deal.version, counts


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("action", "statuses"),
    [
        ("open", OPEN),
        ("propose", PROPOSE),
        ("accept", ACCEPT),
        ("comment", COMMENT),
        ("sign", SIGN),
    ],
)
def test_who_may_act_on_a_deal(driver, world, role, action, statuses) -> None:
    deal_id = _prepare(driver, world, action)
    client = _client(driver, world, role)
    before = _state(driver, deal_id)
    response = _act(client, world, action, deal_id)
    assert response.status_code == statuses[role], _text(response)
    if role == "anonymous":
        assert "/login" in response.headers["Location"]
    if response.status_code != 302 or role == "anonymous":
        assert _state(driver, deal_id) == before
    else:
        assert _state(driver, deal_id) != before


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/offers/{asset}/deals", {}),
        ("/deals/{deal}/revisions/new", {"message": "no token"}),
        ("/deals/{deal}/revisions/1/accept", {}),
        ("/deals/{deal}/comments", {"body": "no token"}),
        ("/deals/{deal}/sign", {"signer_name": "A Signer", "assent": "y"}),
    ],
)
def test_a_post_without_the_csrf_token_is_refused(driver, world, url, data) -> None:
    deal_id = open_deal(driver, world)
    propose(driver, deal_id, world.licensee.officer)
    client = _client(driver, world, "licensor_officer")
    response = client.post(url.format(asset=world.asset_id, deal=deal_id), data=data)
    assert response.status_code == 400
    assert "security token" in _text(response)
    assert _count(driver, DealRevision) == 1
    assert _count(driver, DealComment) == 0
    assert _deal(driver, deal_id).status is DealStatus.NEGOTIATING


def test_the_offer_page_offers_a_deal_to_other_organisations_only(driver, world) -> None:
    offer_url = f"/offers/{world.asset_id}"
    assert "Open a licence deal" not in _text(
        _client(driver, world, "licensor_admin").get(offer_url)
    )
    assert "Open a licence deal" not in _text(driver.app.test_client().get(offer_url))
    assert "Open a licence deal" in _text(_client(driver, world, "outsider").get(offer_url))


@pytest.mark.parametrize(
    ("upload", "status", "message"),
    [
        (None, 422, "Choose the PDF of the agreement to check."),
        ((b"", "empty.pdf"), 422, "Choose the PDF of the agreement to check."),
        ((b"not a pdf at all", "notes.pdf"), 200, "Not valid"),
        ((b"%PDF-1.7\n%%EOF\n", "blank.pdf"), 200, "Not valid"),
    ],
)
def test_the_verification_page_says_what_is_wrong_with_a_file(
    driver, upload, status, message
) -> None:
    client = driver.app.test_client()
    data = {"document": (io.BytesIO(upload[0]), upload[1])} if upload else {}
    response = driver.submit(client, "/agreements/verify", data, content_type="multipart/form-data")
    assert response.status_code == status
    assert message in _text(response)
    assert "Valid: this is" not in _text(response)


def test_the_terms_form_groups_the_terms_and_ties_help_to_each_field(driver, world) -> None:
    deal_id = open_deal(driver, world)
    page = _text(_client(driver, world, "licensee_officer").get(f"/deals/{deal_id}/revisions/new"))
    for legend in ("Scope of the licence", "Money", "Milestones", "Obligations", "Governing law"):
        assert f'<legend class="h5">{legend}</legend>' in page
    for name in ("royalty_rate_percent", "territory", "diligence", "patent_costs_paid_by"):
        assert re.search(rf'aria-describedby="{name}-help"[^>]*id="{name}"', page), name
    assert 'id="milestones-9-event"' in page
    assert 'id="milestones-10-event"' not in page
    assert 'style="' not in page
    assert "<script>" not in page


def test_a_revision_with_more_milestones_than_rows_keeps_them_all(driver, world) -> None:
    deal_id = open_deal(driver, world)
    many = [
        {"event": f"Step {number}", "amount": "1000", "due": _due(30 * number)}
        for number in range(1, 13)
    ]
    propose(driver, deal_id, world.licensee.officer, proposal(milestones=many))
    page = _text(_client(driver, world, "licensor_officer").get(f"/deals/{deal_id}/revisions/new"))
    assert 'value="Step 12"' in page
    assert 'id="milestones-12-event"' not in page
