"""Own the NDA templates: the platform's defaults, organisations' own, their versions and choice.

A version somebody accepted is evidence and never changes: editing such a template adds a new
version, while a version nobody has signed yet is corrected in place. Only an organisation's
admins and licensing officers write its templates; the platform's come from ``licensing.nda``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ideagora.accounts.models import User
from ideagora.audit import services as audit
from ideagora.disclosure.models import (
    GOVERNING_LAW_MAX,
    PURPOSE_MAX,
    TEMPLATE_BODY_MAX,
    TEMPLATE_NAME_MAX,
    NdaAcceptance,
    NdaKind,
    NdaTemplate,
    NdaTemplateVersion,
)
from ideagora.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ideagora.listings import services as listings
from ideagora.urls import ID_MAX
from licensing import nda

VERSIONED = ("body", "term_years", "governing_law", "purpose")
CHOICE_REFUSED = "Choose one of the platform's NDAs or one of your organisation's own templates."
SAMPLE_RECIPIENT = "Example Recipient Ltd"
SAMPLE_LISTING = "Example listing title"
SAMPLE_REFERENCE = ("challenges", 12)


def ensure_platform_templates(session: Session) -> int:
    """Create the platform's templates, or add a version where the code's text changed.

    Return how many templates or versions were added. Two requests doing this at once are
    safe: the loser of a race on the unique key or version number takes the winner's row.
    """
    added = 0
    for platform in nda.PLATFORM_TEMPLATES:
        template = _platform_row(session, platform.key)
        if template is None:
            added += _insert_platform_template(session, platform)
        elif _differs(template.current_version, platform):
            added += _add_platform_version(session, template, platform)
    return added


def _platform_row(session: Session, key: str) -> NdaTemplate | None:
    return session.scalar(sa.select(NdaTemplate).where(NdaTemplate.key == key))


def _terms_of(platform: nda.PlatformTemplate) -> dict[str, Any]:
    return {
        "body": platform.body,
        "term_years": platform.term_years,
        "governing_law": platform.governing_law,
        "purpose": platform.purpose,
    }


def _differs(version: NdaTemplateVersion, platform: nda.PlatformTemplate) -> bool:
    return any(getattr(version, name) != value for name, value in _terms_of(platform).items())


def _insert_platform_template(session: Session, platform: nda.PlatformTemplate) -> int:
    template = NdaTemplate(key=platform.key, name=platform.name, kind=NdaKind(platform.kind))
    template.versions.append(NdaTemplateVersion(number=1, **_terms_of(platform)))
    return _add_in_savepoint(session, template)


def _add_platform_version(
    session: Session, template: NdaTemplate, platform: nda.PlatformTemplate
) -> int:
    version = NdaTemplateVersion(
        template_id=template.id, number=template.current_version.number + 1, **_terms_of(platform)
    )
    added = _add_in_savepoint(session, version)
    session.refresh(template)
    return added


def _add_in_savepoint(session: Session, row: Any) -> int:
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        # another request wrote the same row first: theirs is as good as ours
        return 0
    return 1


def default_template(session: Session) -> NdaTemplate:
    """Return the platform's default template, creating the platform's templates if missing."""
    ensure_platform_templates(session)
    template = _platform_row(session, nda.DEFAULT_TEMPLATE_KEY)
    assert template is not None, "the default template is one of the platform templates"
    return template


def template_of(session: Session, listing: Any) -> NdaTemplate:
    """Return the template a listing chose, or the platform's default when it chose none."""
    if listing.nda_template_id is not None:
        template = session.get(NdaTemplate, listing.nda_template_id)
        if template is not None:
            return template
    return default_template(session)


def templates_for(session: Session, organization_id: int | None) -> list[NdaTemplate]:
    """Return the templates an organisation may choose: the platform's first, then its own."""
    ensure_platform_templates(session)
    query = sa.select(NdaTemplate).where(
        sa.or_(
            NdaTemplate.organization_id.is_(None), NdaTemplate.organization_id == organization_id
        )
    )
    platform_order = {platform.key: index for index, platform in enumerate(nda.PLATFORM_TEMPLATES)}
    # the platform's in the order the code lists them, then the organisation's by name
    return sorted(
        session.scalars(query),
        key=lambda template: (
            (0, platform_order.get(template.key or "", len(platform_order)), "")
            if template.is_platform
            else (1, 0, template.name.casefold())
        ),
    )


def get_template_for(session: Session, user: User | None, template_id: int) -> NdaTemplate:
    """Return a template the user may read: any platform one, or one of their organisation's."""
    template = session.get(NdaTemplate, template_id)
    if template is None or not (template.is_platform or _is_member(user, template)):
        raise NotFound("There is no such NDA template.")
    return template


def _is_member(user: User | None, template: NdaTemplate) -> bool:
    return _membership_in(user, template.organization_id) is not None


def _membership_in(user: User | None, organization_id: int | None) -> Any:
    """Return the user's membership when it is of that organisation, else None."""
    if user is None or not user.is_authenticated or user.membership is None:
        return None
    return user.membership if user.membership.organization_id == organization_id else None


def may_edit(user: User | None, template: NdaTemplate) -> bool:
    """Return whether the user may change the template (its organisation's admins and LOs)."""
    return not template.is_platform and may_write_templates(user, template.organization_id)


def may_write_templates(user: User | None, organization_id: int | None) -> bool:
    """Return whether the user may write new templates for the organisation."""
    membership = _membership_in(user, organization_id)
    return membership is not None and membership.role in listings.MANAGER_ROLES


def check_choice(session: Session, organization_id: int, template_id: int | None) -> None:
    """Refuse a listing's template unless it is none, a platform one, or the organisation's."""
    if template_id is None:
        return
    template = session.get(NdaTemplate, template_id)
    if template is None or not (
        template.is_platform or template.organization_id == organization_id
    ):
        raise ValidationFailed(CHOICE_REFUSED, fields={"nda_template_id": CHOICE_REFUSED})


def template_id(value: Any) -> int | None:
    """Return a listing's chosen template id from input: None (the default) or a whole number."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not text.isascii() or not text.isdigit() or int(text) > ID_MAX:
        raise ValueError("Choose the NDA by its template id, or leave it empty for the default.")
    return int(text)


PLATFORM_READ_ONLY = (
    "The platform's NDA templates cannot be edited; write your organisation's own, "
    "starting from one of them if you like."
)
TERM_MESSAGE = (
    f"The confidentiality period is a whole number of years from {nda.TERM_YEARS_RANGE.start} "
    f"to {nda.TERM_YEARS_RANGE.stop - 1}."
)


def term_years(value: Any) -> int:
    """Return a confidentiality period in years, within the range the platform allows."""
    text = "" if value is None or isinstance(value, bool) else str(value).strip()
    if not (text.isascii() and text.isdigit()) or int(text) not in nda.TERM_YEARS_RANGE:
        raise ValueError(TERM_MESSAGE)
    return int(text)


def template_body(value: Any) -> str:
    """Return a template's text with plain line endings, refusing one ``licensing.nda`` rejects."""
    body = listings.text(value, "The text", TEMPLATE_BODY_MAX)
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    try:
        nda.check_template(body)
    except nda.TemplateProblem as problem:
        raise ValueError(problem.message) from None
    return body


def check_input(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return a template's checked name, kind and versioned terms, or refuse them all at once."""
    errors = listings.FieldErrors()
    checks = {
        "name": lambda: listings.text(
            data.get("name"), "The name", TEMPLATE_NAME_MAX, required=True
        ),
        "kind": lambda: listings.choice(data.get("kind"), NdaKind, "the kind of NDA"),
        "body": lambda: template_body(data.get("body")),
        "term_years": lambda: term_years(data.get("term_years")),
        "governing_law": lambda: listings.text(
            data.get("governing_law"), "The governing law", GOVERNING_LAW_MAX, required=True
        ),
        "purpose": lambda: listings.text(
            data.get("purpose"), "The purpose", PURPOSE_MAX, required=True
        ),
    }
    values = {field: errors.check(field, check) for field, check in checks.items()}
    errors.raise_if_any("Some fields of the template need changing.")
    return values


def _require_writer(user: User, organization_id: int | None) -> None:
    if organization_id is None or user.membership is None:
        raise Forbidden("Join an organisation before writing NDA templates.")
    if user.membership.organization_id != organization_id:
        raise NotFound("There is no such NDA template.")
    if user.membership.role not in listings.MANAGER_ROLES:
        raise Forbidden(
            "Only an admin or a licensing officer of the organisation can write its NDA templates."
        )


def create_template(
    session: Session, user: User, data: Mapping[str, Any], *, ip_address: str | None
) -> NdaTemplate:
    """Write a new template of the user's organisation, as its version 1."""
    organization_id = user.membership.organization_id if user.membership else None
    _require_writer(user, organization_id)
    values = check_input(data)
    template = NdaTemplate(
        organization_id=organization_id,
        name=values.pop("name"),
        kind=values.pop("kind"),
        created_by_id=user.id,
    )
    template.versions.append(NdaTemplateVersion(number=1, created_by_id=user.id, **values))
    session.add(template)
    session.flush()
    _record(session, "nda_template.created", user, template, ip_address, version=1)
    return template


def update_template(
    session: Session,
    user: User,
    template: NdaTemplate,
    data: Mapping[str, Any],
    *,
    ip_address: str | None,
) -> NdaTemplateVersion:
    """Change a template: in place while nobody accepted its current version, else as a new one.

    Return the version that now holds the text.
    """
    if template.is_platform:
        raise Forbidden(PLATFORM_READ_ONLY)
    _require_writer(user, template.organization_id)
    values = check_input(data)
    current = template.current_version
    # hold the version row, so an acceptance cannot slip in between the check and the change
    session.refresh(current, with_for_update=True)
    changed = [field for field in VERSIONED if getattr(current, field) != values[field]]
    renamed = (template.name, template.kind) != (values["name"], values["kind"])
    template.name, template.kind = values["name"], values["kind"]
    version = current
    if changed and _accepted(session, current):
        version = NdaTemplateVersion(
            number=current.number + 1,
            created_by_id=user.id,
            **{field: values[field] for field in VERSIONED},
        )
        template.versions.append(version)
    else:
        for field in changed:
            setattr(current, field, values[field])
    _flush_edit(session)
    if changed or renamed:
        _record(
            session,
            "nda_template.edited",
            user,
            template,
            ip_address,
            version=version.number,
            new_version=version is not current,
            fields=changed + (["name"] if renamed else []),
        )
    return version


def _accepted(session: Session, version: NdaTemplateVersion) -> bool:
    return bool(
        session.scalar(
            sa.select(sa.exists().where(NdaAcceptance.template_version_id == version.id))
        )
    )


def _flush_edit(session: Session) -> None:
    try:
        session.flush()
    except IntegrityError as error:
        # the unique version number: another officer saved a new version at the same moment
        raise Conflict(
            "Someone else saved a new version of this template at the same moment. "
            "Reload it, then make your changes again."
        ) from error


def _record(
    session: Session,
    action: str,
    user: User,
    template: NdaTemplate,
    ip_address: str | None,
    **details: Any,
) -> None:
    audit.record(
        session,
        action,
        actor=user,
        subject=template,
        organization_id=template.organization_id,
        ip_address=ip_address,
        details={"name": template.name, **details},
    )


def accepted_versions(session: Session, template: NdaTemplate) -> set[int]:
    """Return the ids of the template's versions somebody accepted (and so can never change)."""
    ids = [version.id for version in template.versions]
    return set(
        session.scalars(
            sa.select(NdaAcceptance.template_version_id)
            .where(NdaAcceptance.template_version_id.in_(ids))
            .distinct()
        )
    )


def sample_text(version: Any, owner_name: str) -> str:
    """Return a version's text filled in with its own terms and sample parties and listing."""
    values = {
        "owner": owner_name,
        "recipient": SAMPLE_RECIPIENT,
        "listing": SAMPLE_LISTING,
        "listing_reference": nda.listing_reference(*SAMPLE_REFERENCE),
        "purpose": version.purpose,
        "term_years": str(version.term_years),
        "governing_law": version.governing_law,
    }
    return nda.render(version.body, values)


def preview(data: Mapping[str, Any], owner_name: str) -> str:
    """Return the text a template's input would give, with sample values; nothing is saved."""
    return sample_text(SimpleNamespace(**check_input(data)), owner_name)
