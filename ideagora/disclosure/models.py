"""Own the NDA templates, the acceptances signed under them, the grants they open and the log.

Acceptances and log events are evidence: rows are added, never changed or deleted. A grant is
the one row whose state moves (pending → active or declined; active → revoked), and each move
is also an event of the log and of the audit chain.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideagora.accounts.models import User
from ideagora.database import UTCDateTime, db, enum_by_value, utcnow
from ideagora.organizations.models import Organization
from licensing import nda
from licensing.disclosure import GrantStatus

TEMPLATE_NAME_MAX = 120
TEMPLATE_BODY_MAX = nda.BODY_MAX
GOVERNING_LAW_MAX = 120
PURPOSE_MAX = 600
SIGNER_NAME_MAX = 120
REASON_MAX = 1_000
USER_AGENT_MAX = 500
LISTING_TYPE_MAX = 16


class NdaKind(enum.Enum):
    """Who discloses to whom under the agreement."""

    ONE_WAY = "one_way"
    MUTUAL = "mutual"

    @property
    def label(self) -> str:
        return {"one_way": "One-way", "mutual": "Mutual"}[self.value]


class NdaTemplate(db.Model):
    """An NDA an organisation (or, with no organisation, the platform) offers its listings."""

    __tablename__ = "nda_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    # platform templates are found by key; an organisation's templates have none
    key: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(sa.String(TEMPLATE_NAME_MAX))
    kind: Mapped[NdaKind] = mapped_column(enum_by_value(NdaKind))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    organization: Mapped[Organization | None] = relationship()
    versions: Mapped[list[NdaTemplateVersion]] = relationship(
        back_populates="template",
        order_by="NdaTemplateVersion.number",
        cascade="all, delete-orphan",
    )

    def __repr__(self) -> str:
        return f"<NdaTemplate {self.id} {self.name!r}>"

    @property
    def is_platform(self) -> bool:
        return self.organization_id is None

    @property
    def current_version(self) -> NdaTemplateVersion:
        """Return the newest version: the one new requests sign."""
        return self.versions[-1]


class NdaTemplateVersion(db.Model):
    """One version of a template's text and terms; a version someone accepted never changes."""

    __tablename__ = "nda_template_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(
        sa.ForeignKey("nda_templates.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column()
    body: Mapped[str] = mapped_column(sa.Text)
    term_years: Mapped[int] = mapped_column()
    governing_law: Mapped[str] = mapped_column(sa.String(GOVERNING_LAW_MAX))
    purpose: Mapped[str] = mapped_column(sa.String(PURPOSE_MAX))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    template: Mapped[NdaTemplate] = relationship(back_populates="versions")

    __table_args__ = (sa.UniqueConstraint("template_id", "number"),)

    def __repr__(self) -> str:
        return f"<NdaTemplateVersion {self.template_id} v{self.number}>"


class NdaAcceptance(db.Model):
    """The evidence of one click-through acceptance: who, for whom, what text, when, how."""

    __tablename__ = "nda_acceptances"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_type: Mapped[str] = mapped_column(sa.String(LISTING_TYPE_MAX))
    listing_id: Mapped[int] = mapped_column()
    # the public title the text names, kept as it was when signed
    listing_title: Mapped[str] = mapped_column(sa.String(200))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    user_name: Mapped[str] = mapped_column(sa.String(120))
    user_email: Mapped[str] = mapped_column(sa.String(254))
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    organization_name: Mapped[str] = mapped_column(sa.String(160))
    owner_organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL")
    )
    owner_organization_name: Mapped[str] = mapped_column(sa.String(160))
    template_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("nda_templates.id", ondelete="SET NULL")
    )
    template_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("nda_template_versions.id", ondelete="SET NULL")
    )
    template_name: Mapped[str] = mapped_column(sa.String(TEMPLATE_NAME_MAX))
    template_version: Mapped[int] = mapped_column()
    term_years: Mapped[int] = mapped_column()
    # the exact text shown and its SHA-256 (hex): the hash the signer was shown and sent back
    text: Mapped[str] = mapped_column(sa.Text)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    signer_name: Mapped[str] = mapped_column(sa.String(SIGNER_NAME_MAX))
    assent_wording: Mapped[str] = mapped_column(sa.String(400))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str] = mapped_column(sa.String(USER_AGENT_MAX), default="")
    # "page" or "api": where the assent was given
    channel: Mapped[str] = mapped_column(sa.String(8))

    template_version_row: Mapped[NdaTemplateVersion | None] = relationship()

    __table_args__ = (sa.Index(None, "listing_type", "listing_id"),)

    def __repr__(self) -> str:
        return f"<NdaAcceptance {self.id} org={self.organization_id} {self.sha256[:12]}>"

    @property
    def reference(self) -> str:
        return f"NDA-{self.id:06d}"


class DisclosureGrant(db.Model):
    """One organisation's access to one listing's confidential part, under one acceptance."""

    __tablename__ = "disclosure_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_type: Mapped[str] = mapped_column(sa.String(LISTING_TYPE_MAX))
    listing_id: Mapped[int] = mapped_column()
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE")
    )
    owner_organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    acceptance_id: Mapped[int] = mapped_column(
        sa.ForeignKey("nda_acceptances.id", ondelete="RESTRICT"), unique=True
    )
    status: Mapped[GrantStatus] = mapped_column(enum_by_value(GrantStatus, 16))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # when the NDA's term ends: the grant stops giving access then
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    decision_reason: Mapped[str] = mapped_column(sa.String(REASON_MAX), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    revoke_reason: Mapped[str] = mapped_column(sa.String(REASON_MAX), default="")
    # bumped by every change of state: two officers deciding at once cannot both win
    version: Mapped[int] = mapped_column(default=1)

    organization: Mapped[Organization] = relationship(foreign_keys=[organization_id])
    owner_organization: Mapped[Organization] = relationship(foreign_keys=[owner_organization_id])
    acceptance: Mapped[NdaAcceptance] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])

    __table_args__ = (sa.Index(None, "listing_type", "listing_id", "organization_id"),)
    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<DisclosureGrant {self.id} org={self.organization_id} {self.status.value}>"

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at


class EventKind(enum.Enum):
    """What the access log of a listing records."""

    REQUESTED = "requested"
    GRANTED = "granted"
    APPROVED = "approved"
    DECLINED = "declined"
    REVOKED = "revoked"
    VIEWED = "viewed"
    DOWNLOADED = "downloaded"

    @property
    def label(self) -> str:
        return {
            "requested": "NDA accepted, access requested",
            "granted": "NDA accepted, access granted",
            "approved": "Request approved",
            "declined": "Request declined",
            "revoked": "Access revoked",
            "viewed": "Confidential text viewed",
            "downloaded": "Confidential file downloaded",
        }[self.value]


class DisclosureEvent(db.Model):
    """One line of a listing's access log; rows are never updated or deleted."""

    __tablename__ = "disclosure_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_type: Mapped[str] = mapped_column(sa.String(LISTING_TYPE_MAX))
    listing_id: Mapped[int] = mapped_column()
    kind: Mapped[EventKind] = mapped_column(enum_by_value(EventKind, 16))
    grant_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("disclosure_grants.id", ondelete="SET NULL")
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # names as they were at the time, so the log still reads after a rename or a departure
    user_name: Mapped[str] = mapped_column(sa.String(120), default="")
    user_email: Mapped[str] = mapped_column(sa.String(254), default="")
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL")
    )
    organization_name: Mapped[str] = mapped_column(sa.String(160), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str] = mapped_column(sa.String(USER_AGENT_MAX), default="")
    channel: Mapped[str] = mapped_column(sa.String(8), default="")
    # e.g. the file downloaded, or the reason of a decision: never confidential text
    detail: Mapped[str] = mapped_column(sa.String(REASON_MAX), default="")

    __table_args__ = (sa.Index(None, "listing_type", "listing_id", "created_at"),)

    def __repr__(self) -> str:
        return (
            f"<DisclosureEvent {self.id} {self.kind.value} {self.listing_type}:{self.listing_id}>"
        )


@sa.event.listens_for(NdaAcceptance, "before_update")
@sa.event.listens_for(NdaAcceptance, "before_delete")
@sa.event.listens_for(DisclosureEvent, "before_update")
@sa.event.listens_for(DisclosureEvent, "before_delete")
def _refuse_change(_mapper: Any, _connection: Any, target: Any) -> None:
    raise PermissionError(f"evidence is append-only; refused to change {target!r}")
