"""Attach files to challenges, IP offers and proposals; find them, remove them, log downloads.

A file is checked (size, then type by content) before anything is written, stored under a
random key, and only then recorded in the database. The stored object lives exactly as long
as its row: if the transaction that adds the row rolls back, the object is deleted; a removed
row's object is deleted once the removal commits.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from collections.abc import Iterator
from typing import IO, Any, BinaryIO

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from ideagora.accounts.models import User
from ideagora.attachments import owners
from ideagora.attachments.content_types import UnsupportedFileType, check_upload, safe_filename
from ideagora.attachments.models import Attachment
from ideagora.audit import services as audit
from ideagora.audit.models import AuditEvent
from ideagora.errors import DomainError, Forbidden, NotFound, ValidationFailed
from ideagora.storage import Storage, StorageError, get_storage, iter_chunks
from ideagora.stored_objects import delete_after_commit, delete_on_rollback, delete_quietly

logger = logging.getLogger(__name__)

NO_SUCH_FILE = "There is no such file."
CHOOSE_A_FILE = "Choose a file to attach."
# uploads up to this size are checked in memory; larger ones spill to a temporary file
SPOOL_MEMORY_MAX = 1024 * 1024


class AttachmentTooLarge(DomainError):
    """The upload is bigger than ``ATTACHMENT_MAX_BYTES``."""

    status, code = 413, "too_large"


class StorageUnavailable(DomainError):
    """The file store could not take or give the file; nothing was recorded."""

    status, code = 503, "storage_unavailable"


def human_size(size: int) -> str:
    """Return a byte count as people read it: "512 bytes", "1.5 KiB", "20 MiB"."""
    if size < 1024:
        return "1 byte" if size == 1 else f"{size} bytes"
    amount = float(size)
    for unit in ("KiB", "MiB", "GiB"):
        amount /= 1024
        if amount < 1024 or unit == "GiB":
            break
    return f"{amount:.1f}".removesuffix(".0") + f" {unit}"


# -- adding ----------------------------------------------------------------------------------


def check_may_attach(user: User, owner: Any) -> None:
    """Refuse anyone who may not attach files to the owner, before the upload is even read."""
    if not owners.rule_for(owner).may_attach(user, owner):
        raise Forbidden("Only members of the organisation it belongs to can attach files here.")


def add_attachment(
    session: Session,
    user: User,
    owner: Any,
    upload_stream: BinaryIO | None,
    filename: str | None,
    *,
    confidential: bool,
    ip_address: str | None,
    storage: Storage | None = None,
    max_bytes: int | None = None,
) -> Attachment:
    """Check an upload, store it and record it as a public or confidential file of ``owner``."""
    rule = owners.rule_for(owner)
    check_may_attach(user, owner)
    if upload_stream is None:
        raise ValidationFailed(CHOOSE_A_FILE, fields={"file": CHOOSE_A_FILE})
    storage = storage or get_storage()
    limit = current_app.config["ATTACHMENT_MAX_BYTES"] if max_bytes is None else max_bytes
    name = safe_filename(filename)
    with _spooled(upload_stream, limit, name) as spool:
        detected = _checked_type(spool, name)
        stored = _store(storage, spool, detected.mime)
    attachment = Attachment(
        owner_type=rule.kind,
        owner_id=owner.id,
        organization_id=user.membership.organization_id,
        uploaded_by_id=user.id,
        storage_key=stored.key,
        filename=name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        confidential=bool(confidential),
    )
    delete_on_rollback(session, storage, stored.key)
    try:
        session.add(attachment)
        session.flush()
        _audit(session, "attachment.added", user, attachment, ip_address)
    except BaseException:
        delete_quietly(storage, stored.key)
        raise
    logger.info(
        "attachment %d (%d bytes) added to %s %d by user %d",
        attachment.id,
        attachment.size,
        rule.kind.value,
        owner.id,
        user.id,
    )
    return attachment


@contextlib.contextmanager
def _spooled(stream: IO[bytes], limit: int, name: str) -> Iterator[BinaryIO]:
    """Copy the upload to a seekable spool, refusing it as soon as it passes ``limit``."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_MAX) as spool:
        size = 0
        try:
            for chunk in iter_chunks(stream):
                size += len(chunk)
                if size > limit:
                    raise AttachmentTooLarge(
                        f'"{name}" is too large: a file can be at most {human_size(limit)}.',
                        fields={"file": f"A file can be at most {human_size(limit)}."},
                    )
                spool.write(chunk)
        except OSError as error:
            logger.error("could not buffer an upload: %s", error)
            raise _unavailable() from error
        spool.seek(0)
        yield spool  # type: ignore[misc]


def _checked_type(spool: BinaryIO, name: str) -> Any:
    try:
        return check_upload(spool, name)
    except UnsupportedFileType as refusal:
        raise ValidationFailed(str(refusal), fields={"file": str(refusal)}) from None


def _store(storage: Storage, spool: BinaryIO, content_type: str) -> Any:
    try:
        return storage.save(spool, content_type=content_type)
    except (StorageError, OSError) as error:
        logger.error("could not store an attachment in %r: %s", storage, error)
        raise _unavailable() from error


def _unavailable() -> StorageUnavailable:
    return StorageUnavailable(
        "The file could not be stored just now and nothing was saved. Try again in a few minutes."
    )


# -- finding ---------------------------------------------------------------------------------


class HiddenFile(NotFound):
    """A confidential file asked for by someone who may not see it: guessed, or kept from a
    grant since revoked. It answers like a missing file, and is a security event."""

    security_event = "attachment.access_refused"


def get_attachment_for(session: Session, user: User | None, attachment_id: int) -> Attachment:
    """Return an attachment the user may see; ``NotFound`` whether it is absent or hidden."""
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound(NO_SUCH_FILE)
    owner_of(session, user, attachment)
    return attachment


def owner_of(session: Session, user: User | None, attachment: Attachment) -> Any:
    """Return what the attachment belongs to, if the user may see the attachment."""
    try:
        rule = owners.rule_for_kind(attachment.owner_type)
        owner = rule.load_visible(session, user, attachment.owner_id)
    except (LookupError, DomainError):
        raise NotFound(NO_SUCH_FILE) from None
    if attachment.confidential and not rule.may_see_confidential(user, owner):
        raise HiddenFile(NO_SUCH_FILE)
    return owner


def visible_attachments(session: Session, user: User | None, owner: Any) -> list[Attachment]:
    """Return the files of an owner the user can already see, oldest first.

    Confidential files are left out unless the user may see the owner's confidential part.
    """
    rule = owners.rule_for(owner)
    query = sa.select(Attachment).where(
        Attachment.owner_type == rule.kind, Attachment.owner_id == owner.id
    )
    if not rule.may_see_confidential(user, owner):
        query = query.where(Attachment.confidential.is_(False))
    return list(session.scalars(query.order_by(Attachment.created_at, Attachment.id)))


def may_manage(user: User | None, owner: Any) -> bool:
    """Tell whether the user may attach files to the owner and remove them."""
    return owners.rule_for(owner).may_attach(user, owner)


# -- removing and downloading ----------------------------------------------------------------


def remove_attachment(
    session: Session,
    user: User,
    attachment: Attachment,
    *,
    ip_address: str | None,
    storage: Storage | None = None,
) -> None:
    """Remove a file; only members of the organisation that attached it may."""
    owner = owner_of(session, user, attachment)
    member_of_uploader = (
        user.membership is not None
        and user.membership.organization_id == attachment.organization_id
    )
    if not (owners.rule_for(owner).may_attach(user, owner) and member_of_uploader):
        raise Forbidden("Only members of the organisation that attached this file can remove it.")
    _audit(session, "attachment.removed", user, attachment, ip_address)
    session.delete(attachment)
    session.flush()
    delete_after_commit(session, storage or get_storage(), attachment.storage_key)
    logger.info("attachment %d removed by user %d", attachment.id, user.id)


def record_download(
    session: Session,
    user: User | None,
    attachment: Attachment,
    *,
    ip_address: str | None,
    channel: str,
) -> AuditEvent:
    """Write the audit event of one download: which file, by whom, from where."""
    return _audit(session, "attachment.downloaded", user, attachment, ip_address, channel=channel)


def _audit(
    session: Session,
    action: str,
    user: User | None,
    attachment: Attachment,
    ip_address: str | None,
    **details: Any,
) -> AuditEvent:
    actor = user if user is not None and user.is_authenticated else None
    membership = getattr(actor, "membership", None)
    return audit.record(
        session,
        action,
        actor=actor,
        subject=attachment,
        organization_id=_audit_organization_id(session, attachment),
        ip_address=ip_address,
        details={
            "owner_type": attachment.owner_type.value,
            "owner_id": attachment.owner_id,
            "confidential": attachment.confidential,
            "sha256": attachment.sha256,
            "size": attachment.size,
            "actor_organization_id": membership.organization_id if membership else None,
            **details,
        },
    )


def _audit_organization_id(session: Session, attachment: Attachment) -> int:
    """Return whose audit trail a file's events belong to, as its owner's rule says."""
    return owners.rule_for_kind(attachment.owner_type).audit_organization_id(session, attachment)
