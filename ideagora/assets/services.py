"""Post, edit, publish and withdraw IP offers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from ideagora.accounts.models import User
from ideagora.assets.models import Asset, AssetStatus, DealType, PatentStatus
from ideagora.audit import services as audit
from ideagora.database import utcnow
from ideagora.disclosure import templates as nda_templates
from ideagora.errors import Conflict, NotFound
from ideagora.listings import services as listings
from ideagora.listings.models import TEXT_MAX
from licensing.patents import parse_patent_numbers

CONFIDENTIAL = {"confidential_dossier"}
MATERIAL = {
    "description",
    "confidential_dossier",
    "patent_numbers",
    "patent_status",
    "trl",
    "deal_types",
    "indicative_terms",
    "fields_of_use",
}
EDITABLE = (
    "title",
    "summary",
    "description",
    "confidential_dossier",
    "keywords",
    "fields",
    "patent_numbers",
    "patent_status",
    "jurisdictions",
    "trl",
    "fields_of_use",
    "deal_types",
    "indicative_terms",
    "nda_approval_required",
    "nda_template_id",
)
_JURISDICTION = re.compile(r"^[A-Z]{2}$")
PHRASE_MAX, PHRASES_MAX = 120, 20
LIST_MAX = 60  # patent numbers or jurisdictions of one offer


def patent_numbers(value: Any) -> list[str]:
    """Return patent numbers in their display form, each checked."""
    if value in (None, ""):
        return []
    items = value.split(";") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise ValueError("Patent numbers must be a list of numbers.")
    if len(items) > LIST_MAX:
        raise ValueError(
            f"Give at most {LIST_MAX} patent numbers; offer a larger family as several."
        )
    return [number.display for number in parse_patent_numbers([i for i in items if i.strip()])]


def jurisdictions(value: Any) -> list[str]:
    """Return two-letter jurisdiction codes such as US, EP, WO or DE."""
    items = _string_list(value, "Jurisdictions")
    codes = [item.strip().upper() for item in items if item.strip()]
    if len(codes) > LIST_MAX:
        raise ValueError(f"Give at most {LIST_MAX} jurisdictions.")
    bad = [code for code in codes if not _JURISDICTION.match(code)]
    if bad:
        raise ValueError(
            f"Jurisdictions are two-letter codes such as US, EP or WO, not "
            f"{', '.join(repr(code) for code in bad)}."
        )
    return list(dict.fromkeys(codes))


def phrases(value: Any, label: str) -> list[str]:
    """Return short phrases such as fields of use."""
    items = [" ".join(item.split()) for item in _string_list(value, label) if item.strip()]
    if any(len(item) > PHRASE_MAX for item in items):
        raise ValueError(f"Each of the {label.lower()} has at most {PHRASE_MAX} characters.")
    if len(items) > PHRASES_MAX:
        raise ValueError(f"Give at most {PHRASES_MAX} {label.lower()}.")
    return list(dict.fromkeys(items))


def deal_types(value: Any) -> list[str]:
    """Return the deal types offered, at least one."""
    items = _string_list(value, "Deal types")
    if not items:
        raise ValueError("Choose at least one deal type.")
    known = {member.value for member in DealType}
    unknown = [item for item in items if item not in known]
    if unknown:
        raise ValueError(
            f"Unknown deal type {unknown[0]!r}; choose from: "
            f"{', '.join(member.value for member in DealType)}."
        )
    return [member.value for member in DealType if member.value in items]


def _string_list(value: Any, label: str) -> list[str]:
    if value in (None, ""):
        return []
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise ValueError(f"{label} must be a list of text.")
    return items


def check_input(data: Mapping[str, Any], *, partial: bool) -> dict[str, Any]:
    """Return checked values for the fields given (all required ones unless ``partial``)."""
    errors = listings.FieldErrors()
    for field in sorted(set(data) - set(EDITABLE) - {"version"}):
        errors.messages[field] = "This field does not exist on an IP offer."
    checks = {
        "confidential_dossier": lambda: listings.text(
            data.get("confidential_dossier"), "The confidential dossier", TEXT_MAX
        ),
        "patent_numbers": lambda: patent_numbers(data.get("patent_numbers")),
        "patent_status": lambda: listings.choice(
            data.get("patent_status"), PatentStatus, "the patent status"
        ),
        "jurisdictions": lambda: jurisdictions(data.get("jurisdictions")),
        "trl": lambda: listings.trl(data.get("trl"), required=True),
        "fields_of_use": lambda: phrases(data.get("fields_of_use"), "Fields of use"),
        "deal_types": lambda: deal_types(data.get("deal_types")),
        "indicative_terms": lambda: listings.text(
            data.get("indicative_terms"), "The indicative terms", 2_000
        ),
        "nda_template_id": lambda: nda_templates.template_id(data.get("nda_template_id")),
    }
    values = listings.common_fields(data, errors, partial=partial)
    for field, check in checks.items():
        if not partial or field in data:
            values[field] = errors.check(field, check)
    errors.raise_if_any()
    _check_protection(values, errors)
    return values


def _check_protection(values: dict[str, Any], errors: listings.FieldErrors) -> None:
    status, numbers = values.get("patent_status"), values.get("patent_numbers")
    if status in (PatentStatus.GRANTED, PatentStatus.PENDING) and numbers == []:
        errors.messages["patent_numbers"] = (
            "Give the patent or application number of a granted or pending patent."
        )
    errors.raise_if_any()


def create_asset(
    session: Session,
    user: User,
    data: Mapping[str, Any],
    *,
    ip_address: str | None,
    record: bool = True,
) -> Asset:
    """Create a draft IP offer owned by the user's organisation.

    ``record=False`` leaves the audit event to a caller that records one for many offers
    (the bulk import, where an event per offer would triple the time of a large file).
    """
    if user.membership is None:
        raise Conflict("Join or create an organisation before offering IP.")
    values = check_input(data, partial=False)
    nda_templates.check_choice(session, user.membership.organization_id, values["nda_template_id"])
    fields = values.pop("fields")
    asset = Asset(**values, organization_id=user.membership.organization_id, created_by_id=user.id)
    asset.fields = fields
    session.add(asset)
    session.flush()
    if record:
        audit.record(
            session,
            "asset.created",
            actor=user,
            subject=asset,
            organization_id=asset.organization_id,
            ip_address=ip_address,
        )
    return asset


def update_asset(
    session: Session, user: User, asset: Asset, data: Mapping[str, Any], *, ip_address: str | None
) -> Asset:
    """Change an IP offer, refusing a save based on an older version; record a revision."""
    listings.require_member(user, asset)
    if asset.status in (AssetStatus.LICENSED, AssetStatus.WITHDRAWN):
        raise Conflict(f"An IP offer that is {asset.status.value} can no longer be edited.")
    listings.check_version(asset, data.get("version"))
    values = check_input(data, partial=True)
    if "nda_template_id" in values:
        nda_templates.check_choice(session, asset.organization_id, values["nda_template_id"])
    # a partial edit must leave the protection consistent with what it does not change
    current = {"patent_status": asset.patent_status, "patent_numbers": asset.patent_numbers}
    _check_protection({**current, **values}, listings.FieldErrors())
    revision = listings.apply_changes(
        session, asset, user, values, confidential=CONFIDENTIAL, material=MATERIAL
    )
    if revision is not None:
        listings.flush_edit(session)
        audit.record(
            session,
            "asset.edited",
            actor=user,
            subject=asset,
            organization_id=asset.organization_id,
            ip_address=ip_address,
            details={
                "revision": revision.number,
                "fields": [change["field"] for change in revision.changes],
            },
        )
    return asset


# action → (states it may start from, state it leads to, the past participle for messages)
_TRANSITIONS = {
    "publish": ({AssetStatus.DRAFT}, AssetStatus.PUBLISHED, "published"),
    "withdraw": (
        {AssetStatus.DRAFT, AssetStatus.PUBLISHED, AssetStatus.UNDER_NEGOTIATION},
        AssetStatus.WITHDRAWN,
        "withdrawn",
    ),
}


def change_status(
    session: Session,
    user: User,
    asset: Asset,
    action: str,
    *,
    ip_address: str | None,
    record: bool = True,
) -> Asset:
    """Publish or withdraw an IP offer (admins and licensing officers only).

    ``record=False`` leaves the audit event to the caller, as for ``create_asset``.
    """
    listings.require_manager(user, asset)
    listings.lock_for_change(session, asset)
    allowed_from, target, done = _TRANSITIONS[action]
    if asset.status not in allowed_from:
        raise Conflict(f"An IP offer that is {asset.status.value} cannot be {done}.")
    asset.status = target
    if action == "publish":
        asset.published_at = utcnow()
    listings.flush_edit(session)
    if record:
        audit.record(
            session,
            f"asset.{done}",
            actor=user,
            subject=asset,
            organization_id=asset.organization_id,
            ip_address=ip_address,
        )
    return asset


PUBLIC_STATUSES = (AssetStatus.PUBLISHED, AssetStatus.UNDER_NEGOTIATION, AssetStatus.LICENSED)


def get_visible_asset(session: Session, user: User | None, asset_id: int) -> Asset:
    """Return an IP offer the user may see: published ones, or any of their own."""
    asset = session.get(Asset, asset_id)
    if asset is None:
        raise NotFound("There is no such IP offer.")
    own = (
        user is not None
        and user.is_authenticated
        and user.membership is not None
        and user.membership.organization_id == asset.organization_id
    )
    if asset.status not in PUBLIC_STATUSES and not own:
        raise NotFound("There is no such IP offer.")
    return asset
