"""Rules every listing follows: input checks, who may change it, versions, revisions, access."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ideagora.accounts.models import User
from ideagora.database import db, utcnow
from ideagora.disclosure.policy import access_for
from ideagora.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ideagora.listings.models import (
    KEYWORD_MAX,
    KEYWORDS_MAX,
    SUMMARY_MAX,
    TEXT_MAX,
    TITLE_MAX,
    ListingRevision,
)
from ideagora.organizations.models import Role
from ideagora.taxonomy import check_field_slugs
from licensing.disclosure import Access

MANAGER_ROLES = (Role.ADMIN, Role.LICENSING_OFFICER)


class FieldErrors:
    """Collect a message per field, then raise them together."""

    def __init__(self) -> None:
        self.messages: dict[str, str] = {}

    def check(self, field: str, parse: Callable[[], Any]) -> Any:
        """Return ``parse()``, or record its ``ValueError`` against the field."""
        try:
            return parse()
        except ValueError as error:
            self.messages[field] = str(error)
            return None

    def raise_if_any(self, message: str = "Some fields are missing or not valid.") -> None:
        if self.messages:
            raise ValidationFailed(message, fields=self.messages)


# what no text field takes: control characters other than tab and line breaks (a NUL cannot
# even be stored by PostgreSQL)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text(value: Any, label: str, max_length: int, *, required: bool = False) -> str:
    """Return stripped text, refusing what is missing, too long or not text."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValueError(f"{label} must be text.")
    if _CONTROL.search(value):
        raise ValueError(f"{label} holds control characters; paste it as plain text.")
    value = value.strip()
    if required and not value:
        raise ValueError(f"Enter {label.lower()}.")
    if len(value) > max_length:
        raise ValueError(
            f"{label} has at most {max_length:,} characters (this has {len(value):,})."
        )
    return value


def keywords(value: Any) -> list[str]:
    """Return de-duplicated keywords from a list or a comma-separated string."""
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise ValueError("Keywords must be a list of words or phrases.")
    cleaned: list[str] = []
    for item in (" ".join(item.split()).lower() for item in items):
        if len(item) > KEYWORD_MAX:
            raise ValueError(f"A keyword has at most {KEYWORD_MAX} characters: {item[:20]!r}…")
        if item and item not in cleaned:
            cleaned.append(item)
    if len(cleaned) > KEYWORDS_MAX:
        raise ValueError(f"Give at most {KEYWORDS_MAX} keywords.")
    return cleaned


def technical_fields(value: Any) -> list[str]:
    """Return known technical-field slugs, at least one."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise ValueError("Choose at least one technical field.")
    return check_field_slugs(value)


def trl(value: Any, *, required: bool) -> int | None:
    """Return a technology readiness level from 1 to 9."""
    if value in (None, ""):
        if required:
            raise ValueError("Give the technology readiness level (TRL), from 1 to 9.")
        return None
    if isinstance(value, bool) or not str(value).strip().isdigit() or not 1 <= int(value) <= 9:
        raise ValueError("The technology readiness level (TRL) is a whole number from 1 to 9.")
    return int(value)


def flag(value: Any, label: str) -> bool:
    """Return a yes/no value."""
    if value in (None, ""):
        return False
    if isinstance(value, bool):
        return value
    raise ValueError(f"{label} must be true or false.")


def choice(value: Any, enum_class: type, label: str) -> Any:
    """Return the enum member named by its value."""
    try:
        return enum_class(value)
    except ValueError:
        choices = ", ".join(member.value for member in enum_class)
        raise ValueError(f"Choose {label} from: {choices}.") from None


def common_fields(
    data: Mapping[str, Any], errors: FieldErrors, *, partial: bool = False
) -> dict[str, Any]:
    """Check the fields every listing has: all of them, or only those sent when ``partial``."""
    checks = {
        "title": lambda: text(data.get("title"), "A title", TITLE_MAX, required=True),
        "summary": lambda: text(data.get("summary"), "A summary", SUMMARY_MAX, required=True),
        "description": lambda: text(data.get("description"), "The description", TEXT_MAX),
        "keywords": lambda: keywords(data.get("keywords")),
        "fields": lambda: technical_fields(data.get("fields")),
        "nda_approval_required": lambda: flag(
            data.get("nda_approval_required"), "NDA approval required"
        ),
    }
    return {
        field: errors.check(field, check)
        for field, check in checks.items()
        if not partial or field in data
    }


def require_member(user: User, listing: Any) -> None:
    """Refuse anyone outside the owning organisation; others must not learn it exists."""
    if user.membership is None or user.membership.organization_id != listing.organization_id:
        raise NotFound("There is no such listing.")


def require_manager(user: User, listing: Any) -> None:
    """Refuse members who are neither admins nor licensing officers of the owner."""
    require_member(user, listing)
    if user.membership.role not in MANAGER_ROLES:
        raise Forbidden("Only an admin or a licensing officer of the organisation can do this.")


VERSION_MISSING = (
    'Send the version of the listing you edited (its "version" field), so that a save '
    "made from an older copy never overwrites a newer one."
)


def _version(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.strip().isdigit():
        return int(value)
    if value in (None, ""):
        raise ValidationFailed(VERSION_MISSING, fields={"version": VERSION_MISSING})
    message = "The version is the whole number the listing had when you started editing."
    raise ValidationFailed(message, fields={"version": message})


def check_version(listing: Any, edited_version: Any) -> None:
    """Refuse a save that names no version, or was made from an older copy than the current."""
    expected_version = _version(edited_version)
    if expected_version != listing.version:
        raise Conflict(
            "Someone else saved this listing while you were editing it (you edited version "
            f"{expected_version}, it is now version {listing.version}). Reload it, then make "
            "your changes again.",
            fields={"version": f"The current version is {listing.version}."},
        )


def lock_for_change(session: Session, listing: Any) -> None:
    """Read the listing afresh and hold its row until commit, so two changes never interleave."""
    session.refresh(listing, with_for_update=True)


def flush_edit(session: Session) -> None:
    """Write an edit, turning a concurrent save that got there first into a conflict."""
    try:
        session.flush()
    except StaleDataError as error:
        raise Conflict(
            "Someone else saved this listing at the same moment. Reload it, then "
            "make your changes again."
        ) from error


def apply_changes(
    session: Session,
    listing: Any,
    user: User,
    values: Mapping[str, Any],
    *,
    confidential: set[str],
    material: set[str],
) -> ListingRevision | None:
    """Set the new values and record which fields changed as a numbered revision."""
    changes = []
    for field, after in values.items():
        before = list(getattr(listing, field)) if field == "fields" else getattr(listing, field)
        if before == after:
            continue
        setattr(listing, field, after)
        if field in confidential:
            changes.append({"field": field, "confidential": True})
        else:
            changes.append({"field": field, "before": _plain(before), "after": _plain(after)})
    if not changes:
        return None
    listing.updated_at = utcnow()
    return _record_revision(session, listing, user, changes, material)


def _record_revision(
    session: Session, listing: Any, user: User, changes: list[dict[str, Any]], material: set[str]
) -> ListingRevision:
    listing_type = listing.__tablename__
    last = session.scalar(
        sa.select(sa.func.max(ListingRevision.number)).where(
            ListingRevision.listing_type == listing_type, ListingRevision.listing_id == listing.id
        )
    )
    revision = ListingRevision(
        listing_type=listing_type,
        listing_id=listing.id,
        number=(last or 0) + 1,
        changed_by_id=user.id,
        changes=changes,
        material=any(change["field"] in material for change in changes),
    )
    session.add(revision)
    return revision


def _plain(value: Any) -> Any:
    if hasattr(value, "value"):
        return value.value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if value.__class__.__name__ == "Decimal":
        return str(value)
    return value


def revisions(session: Session, listing: Any) -> list[ListingRevision]:
    """Return a listing's revisions, newest first."""
    return list(
        session.scalars(
            sa.select(ListingRevision)
            .where(
                ListingRevision.listing_type == listing.__tablename__,
                ListingRevision.listing_id == listing.id,
            )
            .order_by(ListingRevision.number.desc())
        )
    )


def access_of(user: User | None, listing: Any) -> Access:
    """Return what the user's organisation may see of the listing's confidential part."""
    organization_id = (
        user.membership.organization_id
        if user is not None and user.is_authenticated and user.membership is not None
        else None
    )
    return access_for(db.session, organization_id, listing)
