"""Know, for each kind of thing files are attached to, how to load it and who may see its files.

Challenges and IP offers are registered here. Another kind plugs in with ``register_owner``
from its own package, for example proposals::

    register_owner(
        OwnerType.PROPOSAL,
        Proposal,
        load_visible=lambda session, user, proposal_id: get_visible_proposal(...),
        may_see_confidential=lambda user, proposal: ...,
        may_attach=lambda user, proposal: ...,
        page_url=lambda proposal: url_for("proposals.detail", proposal_id=proposal.id),
        upload_url=lambda proposal: url_for("proposals.attach", proposal_id=proposal.id),
    )

and its upload routes hand over to ``ideagora.attachments.views.upload_view`` and
``ideagora.api.attachments.upload_for``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import url_for
from sqlalchemy.orm import Session

from ideagora.accounts.models import User
from ideagora.assets import services as assets
from ideagora.assets.models import Asset
from ideagora.attachments.models import OwnerType
from ideagora.challenges import services as challenges
from ideagora.challenges.models import Challenge
from ideagora.listings import services as listings

LoadVisible = Callable[[Session, User | None, int], Any]
UserCheck = Callable[[User | None, Any], bool]


@dataclass(frozen=True)
class OwnerRule:
    """How attachments of one kind of owner are found and guarded.

    ``load_visible(session, user, owner_id)`` returns the owner, raising ``NotFound`` when it
    does not exist or the user may not see it; every file of a visible owner that is not
    confidential is visible too. ``may_see_confidential(user, owner)`` says whether the user
    also sees its confidential files, ``may_attach(user, owner)`` whether they may add (and
    remove) files, ``page_url(owner)`` where the owner's page is, and ``upload_url(owner)``
    where its page's upload form posts to (challenges and IP offers have theirs built in), and
    ``audit_organization_id(session, attachment)`` under whose audit trail a file's events are
    filed: the organisation answerable for the owner, never one an anonymous party could be
    unmasked to (by default the uploader's, which for a listing is its owner).
    """

    kind: OwnerType
    model: type
    load_visible: LoadVisible
    may_see_confidential: UserCheck
    may_attach: UserCheck
    page_url: Callable[[Any], str]
    upload_url: Callable[[Any], str] | None = None
    audit_organization_id: Callable[[Session, Any], int] = lambda _session, attachment: (
        attachment.organization_id
    )


_RULES: dict[OwnerType, OwnerRule] = {}


def register_owner(
    kind: OwnerType,
    model: type,
    *,
    load_visible: LoadVisible,
    may_see_confidential: UserCheck,
    may_attach: UserCheck,
    page_url: Callable[[Any], str],
    upload_url: Callable[[Any], str] | None = None,
    audit_organization_id: Callable[[Session, Any], int] | None = None,
) -> OwnerRule:
    """Make files attachable to instances of ``model``, guarded by the given checks."""
    existing = _RULES.get(kind)
    if existing is not None and existing.model is not model:
        raise ValueError(f"attachments of {kind.value!r} are already owned by {existing.model}")
    rule = OwnerRule(
        kind, model, load_visible, may_see_confidential, may_attach, page_url, upload_url
    )
    if audit_organization_id is not None:
        rule = dataclasses.replace(rule, audit_organization_id=audit_organization_id)
    _RULES[kind] = rule
    return rule


def rule_for_kind(kind: OwnerType) -> OwnerRule:
    """Return the rule of a kind of owner; a kind nobody registered has no visible files."""
    try:
        return _RULES[kind]
    except KeyError:
        raise LookupError(f"no owner of attachments is registered for {kind.value!r}") from None


def rule_for(owner: Any) -> OwnerRule:
    """Return the rule for an owner object."""
    for rule in _RULES.values():
        if isinstance(owner, rule.model):
            return rule
    raise LookupError(f"files cannot be attached to {type(owner).__name__}")


def is_member_of_owner(user: User | None, listing: Any) -> bool:
    """Return whether the user belongs to the organisation that owns the listing."""
    return (
        user is not None
        and user.is_authenticated
        and user.membership is not None
        and user.membership.organization_id == listing.organization_id
    )


def _may_see_confidential(user: User | None, listing: Any) -> bool:
    return listings.access_of(user, listing).may_see_confidential


register_owner(
    OwnerType.CHALLENGE,
    Challenge,
    load_visible=challenges.get_visible_challenge,
    may_see_confidential=_may_see_confidential,
    may_attach=is_member_of_owner,
    page_url=lambda challenge: url_for("challenges.detail", challenge_id=challenge.id),
)
register_owner(
    OwnerType.ASSET,
    Asset,
    load_visible=assets.get_visible_asset,
    may_see_confidential=_may_see_confidential,
    may_attach=is_member_of_owner,
    page_url=lambda asset: url_for("assets.detail", asset_id=asset.id),
)
