"""A deal's licence agreement: drafted and sealed, signed by both parties, verified by anyone."""

from __future__ import annotations

import hashlib
import io
import os
import threading
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
import sqlalchemy as sa
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from ideagora.accounts.errors import FreshLoginRequired
from ideagora.assets.models import Asset, AssetStatus
from ideagora.audit.models import AuditEvent
from ideagora.database import db
from ideagora.deals import agreements
from ideagora.deals import services as deals
from ideagora.deals.models import Agreement, AgreementSignature, Deal, DealStatus, PartyRole
from ideagora.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ideagora.storage import get_storage
from licensing.agreement import AgreementData, Party, render_agreement
from licensing.sealing import ensure_platform_certificate, seal
from tests.helpers import AppDriver, Person
from tests.ideagora.deal_world import (
    DealWorld,
    accept,
    build_deal_world,
    open_deal,
    proposal,
    propose,
    user,
)
from tests.licensing.pdf_text import flat, pdf_pages

TITLE = "Director of Technology Transfer"
FIELD_OF_USE = "Barrier coatings for food packaging"


@pytest.fixture(scope="module")
def seal_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One platform seal for this module's tests, in a temporary folder of its own."""
    return tmp_path_factory.mktemp("agreement-seal")


@pytest.fixture
def world(driver: AppDriver) -> DealWorld:
    return build_deal_world(driver)


def agreed_deal(driver: AppDriver, world: DealWorld, **term_changes: Any) -> int:
    """Open a deal, let the licensee propose terms and the licensor accept them; return its id."""
    deal_id = open_deal(driver, world)
    number = propose(driver, deal_id, world.licensee.officer, proposal(**term_changes))
    accept(driver, deal_id, number, world.licensor.officer)
    return deal_id


def sign(driver: AppDriver, deal_id: int, person: Person, **changes: Any) -> None:
    """Sign the deal's agreement as the person, with a valid signature unless changed."""
    values: dict[str, Any] = {
        "signer_name": person.name,
        "signer_title": TITLE,
        "assent": True,
        "fresh_login": True,
        "ip_address": "203.0.113.7",
        "user_agent": "Mozilla/5.0 (signing test)",
        "channel": "web",
        **changes,
    }
    with driver.app.app_context():
        deal = db.session.get(Deal, deal_id)
        agreements.sign(db.session, user(person), deal, **values)
        db.session.commit()


def signed_deal(driver: AppDriver, world: DealWorld, **term_changes: Any) -> int:
    deal_id = agreed_deal(driver, world, **term_changes)
    sign(driver, deal_id, world.licensee.officer)
    sign(driver, deal_id, world.licensor.admin)
    return deal_id


def agreement_of(deal_id: int) -> Agreement:
    return db.session.scalar(sa.select(Agreement).where(Agreement.deal_id == deal_id))


def stored(key: str) -> bytes:
    return get_storage().read(key)


def pyhanko_status(driver: AppDriver, pdf: bytes) -> Any:
    """Validate the PDF's seal with pyHanko's own validator, trusting the platform certificate."""
    with driver.app.app_context():
        _, cert_path = agreements.seal_files()
    embedded = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(cert_path))])
    return validate_pdf_signature(embedded, context)


def actions(deal_id: int) -> list[str]:
    events = db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))
    return [
        event.action
        for event in events
        if event.action.startswith("agreement.") and event.details.get("deal_id") == deal_id
    ]


def test_agreeing_drafts_a_sealed_agreement_from_the_agreed_terms(driver, world) -> None:
    deal_id = agreed_deal(driver, world)
    with driver.app.app_context():
        deal = db.session.get(Deal, deal_id)
        agreement = agreement_of(deal_id)
        draft = stored(agreement.draft_key)
        unsealed = agreements.render_draft(deal)
        db.session.expire_all()
        assert agreements.render_draft(db.session.get(Deal, deal_id)) == unsealed
        # the seal is an incremental update: the drafted bytes come first, unchanged
        assert draft.startswith(unsealed)
        assert hashlib.sha256(draft).hexdigest() == agreement.draft_sha256
        assert agreement.revision_number == 1
        assert actions(deal_id) == ["agreement.drafted"]
    status = pyhanko_status(driver, draft)
    assert status.bottom_line
    assert status.intact
    assert status.valid
    assert status.trusted
    assert status.coverage is SignatureCoverageLevel.ENTIRE_FILE
    text = flat(" ".join(pdf_pages(draft)))
    assert "Licensor University" in text
    assert "Licensee Coatings Ltd" in text
    assert f"LD-{deal_id:06d}" in text
    assert FIELD_OF_USE in text
    assert "Signature page" not in text


def test_each_party_signs_and_the_evidence_is_kept(driver, world) -> None:
    deal_id = agreed_deal(driver, world)
    sign(driver, deal_id, world.licensee.officer, signer_name="  Ada   Lovelace ")
    with driver.app.app_context():
        deal = db.session.get(Deal, deal_id)
        agreement = agreement_of(deal_id)
        (signature,) = agreement.signatures
        assert deal.status is DealStatus.AGREED
        assert agreement.final_key is None
        assert signature.party is PartyRole.LICENSEE
        assert signature.organization_name == "Licensee Coatings Ltd"
        assert signature.user_email == world.licensee.officer.email
        assert (signature.signer_name, signature.signer_title) == ("Ada Lovelace", TITLE)
        assert signature.assent_wording == (
            "I sign this licence agreement on behalf of Licensee Coatings Ltd, "
            "which I am authorised to bind."
        )
        assert signature.document_sha256 == agreement.draft_sha256
        assert signature.ip_address == "203.0.113.7"
        assert signature.user_agent == "Mozilla/5.0 (signing test)"
        assert signature.channel == "web"
        # until both have signed, the parties download the sealed draft
        name, pdf = agreements.agreement_file(db.session, user(world.licensor.member), deal)
        assert name == f"LD-{deal_id:06d}-licence-agreement.pdf"
        assert hashlib.sha256(pdf).hexdigest() == agreement.draft_sha256
    sign(driver, deal_id, world.licensor.admin)
    with driver.app.app_context():
        deal = db.session.get(Deal, deal_id)
        agreement = agreement_of(deal_id)
        last = max(signature.signed_at for signature in agreement.signatures)
        assert deal.status is DealStatus.SIGNED
        assert deal.signed_at == last == agreement.sealed_at
        final = stored(agreement.final_key)
        assert hashlib.sha256(final).hexdigest() == agreement.final_sha256
        name, pdf = agreements.agreement_file(db.session, user(world.licensee.member), deal)
        assert (name, pdf) == (f"LD-{deal_id:06d}-licence-agreement-signed.pdf", final)
        assert actions(deal_id) == [
            "agreement.drafted",
            "agreement.signed",
            "agreement.signed",
            "agreement.sealed",
        ]
    status = pyhanko_status(driver, final)
    assert status.bottom_line
    assert status.coverage is SignatureCoverageLevel.ENTIRE_FILE
    assert status.signer_reported_dt == last.replace(microsecond=0)


def test_the_final_pdf_shows_both_signatures_and_the_draft_fingerprint(driver, world) -> None:
    deal_id = signed_deal(driver, world)
    with driver.app.app_context():
        agreement = agreement_of(deal_id)
        final, draft_sha256 = stored(agreement.final_key), agreement.draft_sha256
    pages = pdf_pages(final)
    signature_pages = flat(" ".join(page for page in pages if "Signature page" in page))
    assert signature_pages, "the final agreement has no signature page"
    for person in (world.licensee.officer, world.licensor.admin):
        assert person.name in signature_pages
    assert TITLE in signature_pages
    assert "Licensor University" in signature_pages
    assert "Licensee Coatings Ltd" in signature_pages
    # the fingerprint may wrap across lines of its table cell
    assert draft_sha256 in "".join(signature_pages.split())


def test_both_parties_signing_at_once_both_count_and_the_deal_is_signed_once(driver, world) -> None:
    deal_id = agreed_deal(driver, world)
    start = threading.Barrier(2, timeout=30)
    failures: list[BaseException] = []

    def sign_at_once(person: Person) -> None:
        start.wait()
        try:
            sign(driver, deal_id, person)
        except BaseException as error:  # a thread's failure must reach the test
            failures.append(error)

    people = (world.licensee.officer, world.licensor.officer)
    threads = [threading.Thread(target=sign_at_once, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with driver.app.app_context():
        agreement = agreement_of(deal_id)
        assert {signature.party for signature in agreement.signatures} == set(PartyRole)
        assert db.session.get(Deal, deal_id).status is DealStatus.SIGNED
        assert actions(deal_id).count("agreement.sealed") == 1
        signature_page = flat(pdf_pages(stored(agreement.final_key))[-1])
    assert all(person.name in signature_page for person in people)


@pytest.mark.parametrize(
    ("exclusivity", "status"),
    [
        ("exclusive", AssetStatus.LICENSED),
        ("exclusive_in_field", AssetStatus.PUBLISHED),
        ("non_exclusive", AssetStatus.PUBLISHED),
    ],
)
def test_signing_licenses_the_offer_only_for_an_exclusive_licence(
    driver, world, exclusivity, status
) -> None:
    signed_deal(driver, world, exclusivity=exclusivity)
    with driver.app.app_context():
        assert db.session.get(Asset, world.asset_id).status is status


def _refusal_case(driver: AppDriver, world: DealWorld, case: str) -> tuple[int, Person]:
    """Return the deal and the person of a refused signature."""
    if case == "not agreed":
        deal_id = open_deal(driver, world)
        propose(driver, deal_id, world.licensee.officer)
        return deal_id, world.licensor.officer
    deal_id = agreed_deal(driver, world)
    if case == "second signature":
        sign(driver, deal_id, world.licensee.officer)
        return deal_id, world.licensee.admin
    people = {"member": world.licensee.member, "outsider": world.outsider.admin}
    return deal_id, people.get(case, world.licensee.officer)


@pytest.mark.parametrize(
    ("case", "changes", "error", "status", "message"),
    [
        ("member", {}, Forbidden, 403, "Only an admin or a licensing officer"),
        ("outsider", {}, NotFound, 404, "There is no such deal."),
        ("not agreed", {}, Conflict, 409, "once both parties have accepted"),
        ("second signature", {}, Conflict, 409, "has signed this agreement already"),
        ("stale login", {"fresh_login": False}, FreshLoginRequired, 403, "recent login"),
        ("no assent", {"assent": False}, ValidationFailed, 422, "Tick the box"),
        ("no name", {"signer_name": " "}, ValidationFailed, 422, "Type your full name"),
        ("no title", {"signer_title": ""}, ValidationFailed, 422, "Give your title"),
    ],
)
def test_a_refused_signature_writes_nothing(
    driver, world, case, changes, error, status, message
) -> None:
    deal_id, person = _refusal_case(driver, world, case)
    with driver.app.app_context():
        before = (db.session.get(Deal, deal_id).status, actions(deal_id))
        signatures = db.session.scalar(sa.select(sa.func.count(AgreementSignature.id)))
    with pytest.raises(error) as raised:
        sign(driver, deal_id, person, **changes)
    assert raised.value.status == status
    assert message in raised.value.message
    with driver.app.app_context():
        assert (db.session.get(Deal, deal_id).status, actions(deal_id)) == before
        count = db.session.scalar(sa.select(sa.func.count(AgreementSignature.id)))
        assert count == signatures


@pytest.mark.parametrize(
    ("changes", "messages"),
    [
        (
            {"assent": False},
            {
                "assent": "Tick the box to confirm that you sign on behalf of Licensee "
                "Coatings Ltd and may bind it."
            },
        ),
        ({"signer_name": "A"}, {"signer_name": "Type your full name to sign."}),
        ({"signer_name": "N" * 121}, {"signer_name": "A name has at most 120 characters."}),
        (
            {"signer_title": None},
            {"signer_title": "Give your title or position, such as Head of Licensing."},
        ),
        ({"signer_title": "T" * 121}, {"signer_title": "A title has at most 120 characters."}),
        (
            {"assent": False, "signer_name": "", "signer_title": " "},
            {"assent": ..., "signer_name": ..., "signer_title": ...},
        ),
    ],
)
def test_a_bad_signature_names_each_field(driver, world, changes, messages) -> None:
    deal_id = agreed_deal(driver, world)
    with pytest.raises(ValidationFailed) as raised:
        sign(driver, deal_id, world.licensee.officer, **changes)
    assert set(raised.value.fields) == set(messages)
    for field, message in messages.items():
        if message is not ...:
            assert raised.value.fields[field] == message


def test_only_the_parties_get_the_agreement_and_only_once_agreed(driver, world) -> None:
    deal_id = open_deal(driver, world)
    with driver.app.app_context():
        deal = db.session.get(Deal, deal_id)
        with pytest.raises(NotFound, match="drafted once both parties"):
            agreements.agreement_file(db.session, user(world.licensee.officer), deal)
    accept(driver, deal_id, propose(driver, deal_id, world.licensee.officer), world.licensor.admin)
    with driver.app.app_context():
        deal = db.session.get(Deal, deal_id)
        with pytest.raises(NotFound, match=r"There is no such deal\."):
            agreements.agreement_file(db.session, user(world.outsider.admin), deal)


def verify(driver: AppDriver, data: bytes) -> dict[str, Any]:
    with driver.app.app_context():
        return agreements.verify_upload(db.session, data)


def final_pdf(driver: AppDriver, deal_id: int) -> bytes:
    with driver.app.app_context():
        return stored(agreement_of(deal_id).final_key)


def test_verifying_the_final_agreement_names_the_deal_and_no_terms(driver, world) -> None:
    deal_id = signed_deal(driver, world)
    final = final_pdf(driver, deal_id)
    answer = verify(driver, final)
    with driver.app.app_context():
        deal = db.session.get(Deal, deal_id)
        signed_at, draft_key = deal.signed_at, agreement_of(deal_id).draft_key
        draft = stored(draft_key)
    assert answer == {
        "valid": True,
        "stage": "signed",
        "deal_id": deal_id,
        "reference": f"LD-{deal_id:06d}",
        "sha256": hashlib.sha256(final).hexdigest(),
        "signed_at": signed_at.replace(microsecond=0),
        "problem": None,
    }
    drafted = verify(driver, draft)
    assert (drafted["valid"], drafted["stage"]) == (True, "draft")


def _flip_one_byte(pdf: bytes) -> bytes:
    position = len(pdf) // 3
    return pdf[:position] + bytes([pdf[position] ^ 0x01]) + pdf[position + 1 :]


def _sealed_elsewhere(directory: Path) -> bytes:
    """Return an unrelated agreement sealed with another self-signed certificate."""
    key_path, cert_path = ensure_platform_certificate(directory)
    data = AgreementData(
        reference="LD-999999",
        effective_date=date(2026, 1, 5),
        licensor=Party("Somebody Else Ltd", "company"),
        licensee=Party("Another Party BV", "company"),
        revision=1,
        terms={"exclusivity": "non_exclusive", "licensed_patents": ["EP 1234567 B1"]},
    )
    return seal(
        render_agreement(data),
        key_path=key_path,
        cert_path=cert_path,
        reference="LD-999999",
        reason="Licence agreement issued by Ideagora",
        location="Ideagora",
        signed_at=datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    ("upload", "problem"),
    [
        ("one byte flipped", "altered"),
        ("sealed with another certificate", "not with this exchange's certificate"),
        ("random bytes", "not a PDF"),
        ("empty", "not a PDF"),
        ("truncated", "damaged or truncated"),
    ],
)
def test_verifying_anything_else_says_why_it_is_not_valid(
    driver, world, tmp_path, upload, problem
) -> None:
    deal_id = signed_deal(driver, world)
    final = final_pdf(driver, deal_id)
    data = {
        "one byte flipped": lambda: _flip_one_byte(final),
        "sealed with another certificate": lambda: _sealed_elsewhere(tmp_path / "stranger"),
        "random bytes": lambda: os.urandom(4096),
        "empty": lambda: b"",
        "truncated": lambda: final[: len(final) // 2],
    }[upload]()
    answer = verify(driver, data)
    assert answer["valid"] is False
    assert answer["deal_id"] is None
    assert answer["reference"] is None
    assert answer["signed_at"] is None
    assert answer["sha256"] == hashlib.sha256(data).hexdigest()
    assert answer["problem"]
    assert problem in answer["problem"]


def test_a_pdf_sealed_here_but_never_issued_is_not_an_agreement(driver, world) -> None:
    with driver.app.app_context():
        key_path, cert_path = agreements.seal_files()
    other = render_agreement(
        AgreementData(
            reference="LD-123456",
            effective_date=date(2026, 3, 1),
            licensor=Party("Licensor University", "university"),
            licensee=Party("Nobody Ltd", "company"),
            revision=2,
            terms={"exclusivity": "exclusive", "licensed_patents": ["EP 1234567 B1"]},
        )
    )
    sealed = seal(
        other,
        key_path=key_path,
        cert_path=cert_path,
        reference="LD-123456",
        reason="Licence agreement issued by Ideagora",
        location="Ideagora",
    )
    answer = verify(driver, sealed)
    assert answer["valid"] is False
    assert answer["reference"] is None
    assert answer["problem"] == agreements.NOT_ISSUED_HERE


def test_the_first_page_of_the_final_agreement_renders_as_a_printed_page(
    driver, world, tmp_path
) -> None:
    deal_id = signed_deal(driver, world)
    document = pypdfium2.PdfDocument(final_pdf(driver, deal_id))
    try:
        image = document[0].render(scale=1).to_pil().convert("L")
    finally:
        document.close()
    image.save(tmp_path / "agreement-page1.png")
    width, height = image.size
    assert height > width  # portrait A4
    dark = sum(image.histogram()[:128])
    # a page of text: more than a title, far less than a filled block
    assert 0.02 < dark / (width * height) < 0.5


def test_an_agreement_rolled_back_leaves_no_stored_file(driver, world, app_config) -> None:
    deal_id = open_deal(driver, world)
    propose(driver, deal_id, world.licensor.officer)
    uploads = Path(app_config["STORAGE_LOCAL_DIR"])
    before = sorted(path for path in uploads.rglob("*") if path.is_file())
    with driver.app.app_context():
        deal = db.session.get(Deal, deal_id)
        officer = user(world.licensee.officer)
        deals.accept(db.session, officer, deal, 1, ip_address=None, user_agent="", channel="page")
        key = agreements.agreement_of(db.session, deal).draft_key
        assert get_storage().exists(key)
        db.session.rollback()
        assert not get_storage().exists(key)
    assert sorted(path for path in uploads.rglob("*") if path.is_file()) == before


def test_an_option_is_drafted_as_an_option_and_leaves_the_offer_published(driver, world) -> None:
    deal_id = open_deal(driver, world)
    with driver.app.app_context():
        deal = db.session.get(Deal, deal_id)
        terms = deals.starting_terms(deal, "option")
        terms["field_of_use"] = "Barrier coatings for food packaging"
    propose(driver, deal_id, world.licensor.officer, {"terms": terms, "preset": "option"})
    accept(driver, deal_id, 1, world.licensee.officer)
    sign(driver, deal_id, world.licensee.officer)
    sign(driver, deal_id, world.licensor.admin)
    with driver.app.app_context():
        deal = db.session.get(Deal, deal_id)
        assert deal.status is DealStatus.SIGNED
        assert deal.asset.status is AssetStatus.PUBLISHED
        text = flat(" ".join(pdf_pages(stored(agreement_of(deal_id).final_key))))
    assert "Option Agreement" in text[:400]
    assert "Grant of option" in text
    assert "sell, offer for sale" not in text
