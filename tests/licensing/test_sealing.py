"""The exchange's seal: made once, checked by pyHanko's own validator, tampering caught."""

from __future__ import annotations

import hashlib
import io
import re
import stat
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography import x509
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.validation import (
    SignatureCoverageLevel,
    read_certification_data,
    validate_pdf_signature,
)
from pyhanko_certvalidator import ValidationContext

from licensing.agreement import render_agreement
from licensing.sealing import (
    CERT_FILE,
    KEY_FILE,
    SEAL_FIELD,
    SealingError,
    ensure_platform_certificate,
    seal,
    verify,
)
from tests.licensing.test_agreement import DATA

SIGNED_AT = datetime(2026, 12, 4, 12, 0, 5, tzinfo=UTC)
REASON = "Licence agreement issued by the Ideagora exchange"
ALTERED = "The file was altered after it was sealed: its content does not match the seal."
DAMAGED = "The file is damaged or truncated: it cannot be read as a PDF."
ADDED = "Content was added to the file after it was sealed: the seal does not cover it."
FOREIGN = "The file is signed, but not with this exchange's certificate."


@pytest.fixture(scope="module")
def platform(tmp_path_factory) -> tuple[Path, Path]:
    return ensure_platform_certificate(tmp_path_factory.mktemp("platform"))


@pytest.fixture(scope="module")
def stranger(tmp_path_factory) -> tuple[Path, Path]:
    """A certificate made the same way by someone else: it must not pass for the exchange's."""
    return ensure_platform_certificate(tmp_path_factory.mktemp("stranger"))


@pytest.fixture(scope="module")
def draft() -> bytes:
    return render_agreement(DATA)


@pytest.fixture(scope="module")
def sealed(platform, draft) -> bytes:
    key_path, cert_path = platform
    return seal_with(draft, key_path, cert_path)


def seal_with(pdf: bytes, key_path: Path, cert_path: Path) -> bytes:
    return seal(
        pdf,
        key_path=key_path,
        cert_path=cert_path,
        reference="LD-000012",
        reason=REASON,
        location="Ideagora exchange",
        signed_at=SIGNED_AT,
    )


def test_the_certificate_is_made_once_with_a_private_key(tmp_path) -> None:
    key_path, cert_path = ensure_platform_certificate(tmp_path / "instance")
    assert (key_path.name, cert_path.name) == (KEY_FILE, CERT_FILE)
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    key, certificate = key_path.read_bytes(), cert_path.read_bytes()
    assert key.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert ensure_platform_certificate(tmp_path / "instance") == (key_path, cert_path)
    assert (key_path.read_bytes(), cert_path.read_bytes()) == (key, certificate)
    loaded = x509.load_pem_x509_certificate(certificate)
    assert loaded.subject == loaded.issuer
    assert "Ideagora agreement seal" in loaded.subject.rfc4514_string()
    usage = loaded.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature
    assert usage.content_commitment
    assert loaded.not_valid_after_utc - loaded.not_valid_before_utc > timedelta(days=3650)


def test_a_missing_certificate_is_made_again_with_a_new_key(tmp_path) -> None:
    key_path, cert_path = ensure_platform_certificate(tmp_path)
    old_key = key_path.read_bytes()
    cert_path.unlink()
    assert ensure_platform_certificate(tmp_path) == (key_path, cert_path)
    assert cert_path.is_file()
    assert key_path.read_bytes() != old_key


def test_pyhanko_validates_the_seal_against_the_platform_certificate(platform, sealed) -> None:
    _key_path, cert_path = platform
    reader = PdfFileReader(io.BytesIO(sealed))
    (embedded,) = reader.embedded_signatures
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(cert_path))])
    status = validate_pdf_signature(embedded, context)
    assert status.bottom_line
    assert status.intact
    assert status.valid
    assert status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signer_reported_dt == SIGNED_AT
    assert embedded.field_name == SEAL_FIELD
    assert str(embedded.sig_object["/SubFilter"]) == "/ETSI.CAdES.detached"
    assert str(embedded.sig_object["/Reason"]) == f"{REASON} (reference LD-000012)"
    # a certification signature that permits no change after it
    assert read_certification_data(reader).permission == fields.MDPPerm.NO_CHANGES


def test_the_sealed_original_verifies(platform, sealed) -> None:
    verification = verify(sealed, cert_path=platform[1])
    assert (verification.valid, verification.intact, verification.trusted) == (True, True, True)
    assert verification.problem is None
    assert verification.reference == "LD-000012"
    assert verification.signed_at == SIGNED_AT
    assert verification.sha256 == hashlib.sha256(sealed).hexdigest()


def test_the_seal_keeps_the_document_readable(sealed, draft) -> None:
    assert sealed.startswith(draft)
    reader = PdfFileReader(io.BytesIO(sealed))
    assert int(reader.root["/Pages"]["/Count"]) == int(
        PdfFileReader(io.BytesIO(draft)).root["/Pages"]["/Count"]
    )


def byte_range(pdf: bytes) -> tuple[int, int, int, int]:
    found = re.search(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", pdf)
    assert found is not None
    first, length, second, rest = (int(group) for group in found.groups())
    return first, length, second, rest


def flip(offset: Callable[[bytes], int]) -> Callable[[bytes], bytes]:
    def change(pdf: bytes) -> bytes:
        altered = bytearray(pdf)
        altered[offset(pdf)] ^= 0x01
        return bytes(altered)

    return change


def incremental_update(pdf: bytes) -> bytes:
    """Return the file with a new revision that renames the document, as an editor would."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    writer.trailer["/Info"] = writer.add_object(
        generic.DictionaryObject({generic.NameObject("/Title"): generic.TextStringObject("Mine")})
    )
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


TAMPERING = [
    ("a byte of the header", flip(lambda pdf: 10), ALTERED),
    ("a byte of the first page", flip(lambda pdf: 2000), ALTERED),
    ("a byte in the middle", flip(lambda pdf: len(pdf) // 2), ALTERED),
    ("a byte of the last drawn content", flip(lambda pdf: byte_range(pdf)[1] - 4000), ALTERED),
    ("a byte of the signature itself", flip(lambda pdf: byte_range(pdf)[1] + 200), None),
    ("a byte of the final cross-reference", flip(lambda pdf: len(pdf) - 40), None),
    ("the last 100 bytes cut off", lambda pdf: pdf[:-100], DAMAGED),
    ("half of the file cut off", lambda pdf: pdf[: len(pdf) // 2], DAMAGED),
    ("a comment appended", lambda pdf: pdf + b"\n% a note added later\n", ADDED),
    ("a new revision appended", incremental_update, ADDED),
]


@pytest.mark.parametrize(
    ("change", "expected"),
    [(change, expected) for _name, change, expected in TAMPERING],
    ids=[name for name, _change, _expected in TAMPERING],
)
def test_a_tampered_file_is_not_valid(platform, sealed, change, expected) -> None:
    tampered = change(sealed)
    verification = verify(tampered, cert_path=platform[1])
    assert not verification.valid
    assert verification.sha256 == hashlib.sha256(tampered).hexdigest()
    assert verification.problem
    if expected is not None:
        assert verification.problem == expected
    if expected == ADDED:
        # the sealed part is unchanged: only what follows it is not covered
        assert (verification.intact, verification.trusted) == (True, True)
    else:
        assert not verification.intact


def test_a_file_sealed_with_another_certificate_is_not_trusted(platform, stranger, draft) -> None:
    forged = seal_with(draft, *stranger)
    verification = verify(forged, cert_path=platform[1])
    assert (verification.valid, verification.intact, verification.trusted) == (False, True, False)
    assert verification.problem == FOREIGN


def test_another_signature_added_after_the_seal_is_detected(platform, stranger, sealed) -> None:
    signer = signers.SimpleSigner.load(str(stranger[0]), str(stranger[1]))
    metadata = signers.PdfSignatureMetadata(field_name="Countersignature")
    countersigner = signers.PdfSigner(metadata, signer)
    # pyHanko itself refuses to sign after a seal that permits no change: a forger's tool would not
    countersigner._enforce_certification_constraints = lambda reader: None
    output = countersigner.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(sealed)))
    verification = verify(output.getvalue(), cert_path=platform[1])
    assert not verification.valid
    assert verification.problem == ADDED


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "The file is not a PDF."),
        (b"PK\x03\x04 a zip archive", "The file is not a PDF."),
        (b"Licence agreement LD-000012", "The file is not a PDF."),
        (b"%PDF-1.7\n garbage that is no document", DAMAGED),
    ],
)
def test_what_is_not_a_sealed_pdf_gets_a_clear_problem(platform, content, expected) -> None:
    verification = verify(content, cert_path=platform[1])
    assert (verification.valid, verification.intact, verification.trusted) == (False, False, False)
    assert verification.problem == expected
    assert (verification.reference, verification.signed_at) == (None, None)


def test_an_unsigned_agreement_is_not_an_original(platform, draft) -> None:
    verification = verify(draft, cert_path=platform[1])
    assert not verification.valid
    assert verification.problem == (
        "The PDF carries no signature: it was not sealed by this exchange."
    )


def test_the_signing_time_is_stored_in_utc(platform, draft) -> None:
    in_lisbon = datetime(2026, 7, 1, 9, 0, 0, 123456, tzinfo=timezone(timedelta(hours=1)))
    sealed = seal(
        draft,
        key_path=platform[0],
        cert_path=platform[1],
        reference="LD-7",
        reason=REASON,
        location="Ideagora exchange",
        signed_at=in_lisbon,
    )
    verification = verify(sealed, cert_path=platform[1])
    assert verification.signed_at == datetime(2026, 7, 1, 8, 0, 0, tzinfo=UTC)
    assert verification.reference == "LD-7"


@pytest.mark.parametrize(
    ("pdf", "reference", "message"),
    [
        (b"not a pdf", "LD-1", "Only a PDF file can be sealed."),
        (None, "LD 1 (copy)", "A reference is letters, digits and . _ / - only"),
        ("sealed", "LD-1", "The PDF cannot be sealed"),
    ],
)
def test_what_cannot_be_sealed_is_refused(platform, draft, sealed, pdf, reference, message) -> None:
    content = {None: draft, "sealed": sealed}.get(pdf, pdf)
    with pytest.raises(SealingError, match=re.escape(message)):
        seal(
            content,
            key_path=platform[0],
            cert_path=platform[1],
            reference=reference,
            reason=REASON,
            location="Ideagora exchange",
        )


def test_an_unreadable_key_is_refused(tmp_path, platform, draft) -> None:
    missing = tmp_path / "missing-key.pem"
    with pytest.raises(SealingError, match="cannot be read"):
        seal(
            draft,
            key_path=missing,
            cert_path=platform[1],
            reference="LD-1",
            reason=REASON,
            location="Ideagora exchange",
        )


def test_pyhanko_refuses_to_sign_a_sealed_agreement_again(stranger, sealed) -> None:
    signer = signers.SimpleSigner.load(str(stranger[0]), str(stranger[1]))
    metadata = signers.PdfSignatureMetadata(field_name="Countersignature")
    with pytest.raises(SigningError, match="forbids all changes"):
        signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(sealed)), metadata, signer)
