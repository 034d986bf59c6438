"""Seal agreements with the exchange's certificate, and tell whether a PDF is a sealed original.

A seal is a PAdES baseline (B-B) certification signature made with pyHanko: it covers every
byte of the file, and certifies that no change is permitted after it. The deal reference is
written into the signature's reason as ``<reason> (reference <reference>)``, so verification can
name the deal without reading the document's terms.

Verification trusts the exchange's own certificate only, and calls a file a valid original only
when the seal is cryptographically intact, was made with that certificate and covers the whole
file. Whatever the bytes (altered, truncated, extended, signed by someone else, not a PDF at
all), ``verify`` returns a verdict with a sentence saying what is wrong; it never raises.

In development the certificate is self-signed and made on first use by
``ensure_platform_certificate``; in production it is configured with the instance.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import logging
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_signer import PdfSigningSession
from pyhanko.sign.validation import (
    PdfSignatureStatus,
    SignatureCoverageLevel,
    validate_pdf_signature,
)
from pyhanko_certvalidator import ValidationContext

logger = logging.getLogger(__name__)

SEAL_FIELD = "IdeagoraSeal"
KEY_FILE = "platform-seal-key.pem"
CERT_FILE = "platform-seal-cert.pem"
CERT_YEARS = 10
_REFERENCE = re.compile(r"\(reference ([^()\s]+)\)\Z")
_SAFE_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*\Z")


class SealingError(Exception):
    """The seal could not be applied: unusable key or certificate, or bytes that are no PDF."""


@dataclass(frozen=True)
class Verification:
    """The verdict on a file: is it an unaltered original sealed by the exchange, and if not, why.

    ``valid`` is the verdict; ``intact`` says the sealed bytes are unchanged and the signature
    is sound; ``trusted`` says the seal was made with the exchange's certificate. ``sha256`` is
    the fingerprint of the whole file as received.
    """

    valid: bool
    intact: bool
    trusted: bool
    signed_at: datetime | None
    reference: str | None
    sha256: str
    problem: str | None


def ensure_platform_certificate(
    directory: Path | str, *, common_name: str = "Ideagora agreement seal"
) -> tuple[Path, Path]:
    """Return the key and certificate paths in the folder, making a self-signed pair if absent.

    The key is written with mode 0600. A lock keeps two processes starting together from
    writing a key and a certificate that do not belong together.
    """
    folder = Path(directory)
    key_path, cert_path = folder / KEY_FILE, folder / CERT_FILE
    if key_path.is_file() and cert_path.is_file():
        return key_path, cert_path
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".platform-seal.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (key_path.is_file() and cert_path.is_file()):
            key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
            _write(key_path, _key_pem(key), mode=0o600)
            _write(cert_path, _self_signed(key, common_name), mode=0o644)
            logger.info("Platform seal certificate created in %s", folder)
    return key_path, cert_path


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _self_signed(key: rsa.RSAPrivateKey, common_name: str) -> bytes:
    """Return a PEM certificate for document signing, issued by the key to itself."""
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Ideagora"),
    ])  # fmt: skip
    now = datetime.now(UTC)
    usage = x509.KeyUsage(
        digital_signature=True, content_commitment=True, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=365 * CERT_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


def _write(path: Path, content: bytes, *, mode: int) -> None:
    """Write the file whole under a temporary name, then move it into place."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)
    os.chmod(temporary, mode)
    os.replace(temporary, path)


class _TimedSigner(signers.PdfSigner):
    """A PDF signer that stamps a given signing time instead of the clock's."""

    def __init__(
        self,
        metadata: signers.PdfSignatureMetadata,
        signer: signers.Signer,
        *,
        signed_at: datetime,
    ) -> None:
        super().__init__(metadata, signer)
        self._signed_at = signed_at

    def init_signing_session(
        self, pdf_out: BasePdfFileWriter, existing_fields_only: bool = False
    ) -> PdfSigningSession:
        session = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = self._signed_at
        return session


def seal(
    pdf_bytes: bytes,
    *,
    key_path: Path | str,
    cert_path: Path | str,
    reference: str,
    reason: str,
    location: str,
    signed_at: datetime | None = None,
) -> bytes:
    """Return the PDF with the exchange's PAdES seal, naming the deal reference in its reason."""
    if not _SAFE_REFERENCE.match(reference):
        raise SealingError(f"A reference is letters, digits and . _ / - only, not {reference!r}.")
    signer = signers.SimpleSigner.load(str(key_path), str(cert_path))
    if signer is None:
        raise SealingError(f"The seal key {key_path} or certificate {cert_path} cannot be read.")
    metadata = signers.PdfSignatureMetadata(
        field_name=SEAL_FIELD,
        reason=f"{reason} (reference {reference})",
        location=location,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    moment = signed_at or datetime.now(UTC)
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes))
    except Exception as error:  # the reader's failures on bad bytes have no common class
        raise SealingError("Only a PDF file can be sealed.") from error
    signing = _TimedSigner(metadata, signer, signed_at=moment.replace(microsecond=0))
    try:
        return signing.sign_pdf(writer).getvalue()
    except SigningError as error:
        raise SealingError(f"The PDF cannot be sealed: {error}") from error


def verify(pdf_bytes: bytes, *, cert_path: Path | str) -> Verification:
    """Return whether the bytes are an unaltered PDF sealed with the certificate, and why not."""
    sha256 = hashlib.sha256(pdf_bytes).hexdigest()
    trust_root = load_cert_from_pemder(str(cert_path))

    def refused(problem: str) -> Verification:
        return Verification(False, False, False, None, None, sha256, problem)

    if pdf_bytes.lstrip()[:5] != b"%PDF-":
        return refused("The file is not a PDF.")
    try:
        seals = PdfFileReader(io.BytesIO(pdf_bytes)).embedded_regular_signatures
    except Exception:  # a damaged file fails anywhere in the parser, with any error
        logger.info("An uploaded PDF could not be read for verification (sha256 %s)", sha256)
        return refused("The file is damaged or truncated: it cannot be read as a PDF.")
    if not seals:
        return refused("The PDF carries no signature: it was not sealed by this exchange.")
    seal_found = next((found for found in seals if found.field_name == SEAL_FIELD), seals[-1])
    reason = str(seal_found.sig_object.get("/Reason", ""))
    match = _REFERENCE.search(reason)
    try:
        status = validate_pdf_signature(seal_found, ValidationContext(trust_roots=[trust_root]))
    except Exception:  # a forged or corrupted signature may break the validator in many ways
        logger.info("A seal could not be validated (sha256 %s)", sha256, exc_info=True)
        return refused("The signature of the file is damaged: the file was altered.")
    return _verdict(status, sha256, match.group(1) if match else None)


def _verdict(status: PdfSignatureStatus, sha256: str, reference: str | None) -> Verification:
    intact = bool(status.intact and status.valid)
    trusted = bool(status.trusted)
    whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    if not intact:
        problem = "The file was altered after it was sealed: its content does not match the seal."
    elif not trusted:
        problem = "The file is signed, but not with this exchange's certificate."
    elif not whole_file:
        problem = "Content was added to the file after it was sealed: the seal does not cover it."
    else:
        problem = None
    signed_at = status.signer_reported_dt
    return Verification(
        valid=problem is None,
        intact=intact,
        trusted=trusted,
        signed_at=signed_at.astimezone(UTC) if signed_at else None,
        reference=reference,
        sha256=sha256,
        problem=problem,
    )
