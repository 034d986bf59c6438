"""Own the licence deals: their revisions of terms, the acceptances, comments and agreements.

A deal is negotiated between the licensor (the IP offer's organisation) and the licensee (the
organisation that opened it). Revisions, acceptances, comments and signatures are records of
what happened: rows are added, never changed or deleted. A deal's own row moves through its
states, guarded by a version counter so that two officers acting at once cannot both win.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideagora.accounts.models import User
from ideagora.assets.models import Asset
from ideagora.challenges.models import Challenge
from ideagora.database import UTCDateTime, db, enum_by_value, utcnow
from ideagora.organizations.models import Organization

MESSAGE_MAX = 4_000
COMMENT_MAX = 4_000
SIGNER_NAME_MAX = 120
SIGNER_TITLE_MAX = 120
USER_AGENT_MAX = 500


class DealStatus(enum.Enum):
    """Where a deal is: terms going back and forth, agreed, signed by both, or given up."""

    NEGOTIATING = "negotiating"
    AGREED = "agreed"
    SIGNED = "signed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class PartyRole(enum.Enum):
    """Which side of the deal an organisation is on."""

    LICENSOR = "licensor"
    LICENSEE = "licensee"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Deal(db.Model):
    """A negotiation of a licence of one IP offer between its owner and one other organisation."""

    __tablename__ = "deals"

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assets.id", ondelete="CASCADE"), index=True
    )
    challenge_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("challenges.id", ondelete="SET NULL")
    )
    licensor_organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    licensee_organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[DealStatus] = mapped_column(
        enum_by_value(DealStatus, 16), default=DealStatus.NEGOTIATING
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # the revision both parties accepted, once the deal is agreed
    agreed_revision: Mapped[int | None] = mapped_column()
    agreed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    asset: Mapped[Asset] = relationship()
    challenge: Mapped[Challenge | None] = relationship()
    licensor: Mapped[Organization] = relationship(foreign_keys=[licensor_organization_id])
    licensee: Mapped[Organization] = relationship(foreign_keys=[licensee_organization_id])
    opened_by: Mapped[User | None] = relationship()
    revisions: Mapped[list[DealRevision]] = relationship(
        back_populates="deal", order_by="DealRevision.number"
    )

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Deal {self.id} asset={self.asset_id} {self.status.value}>"

    @property
    def reference(self) -> str:
        """The deal's reference on documents, such as ``LD-000042``."""
        return f"LD-{self.id:06d}"

    def role_of(self, organization_id: int | None) -> PartyRole | None:
        """Return which party an organisation is, or None if it is neither."""
        if organization_id == self.licensor_organization_id:
            return PartyRole.LICENSOR
        if organization_id == self.licensee_organization_id:
            return PartyRole.LICENSEE
        return None

    @property
    def latest_revision(self) -> DealRevision | None:
        return self.revisions[-1] if self.revisions else None


class DealRevision(db.Model):
    """One proposal of terms: numbered, by one party, with a message; never changed."""

    __tablename__ = "deal_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(sa.ForeignKey("deals.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column()
    proposed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    proposed_by_name: Mapped[str] = mapped_column(sa.String(120))
    party: Mapped[PartyRole] = mapped_column(enum_by_value(PartyRole, 16))
    # the canonical form of licensing.terms.terms_json
    terms: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    effective_date: Mapped[date] = mapped_column(sa.Date)
    message: Mapped[str] = mapped_column(sa.Text, default="")
    # the other party can accept it until then; None: until a new revision supersedes it
    open_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    preset: Mapped[str | None] = mapped_column(sa.String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    deal: Mapped[Deal] = relationship(back_populates="revisions")
    proposed_by: Mapped[User | None] = relationship()

    __table_args__ = (sa.UniqueConstraint("deal_id", "number"),)

    def __repr__(self) -> str:
        return f"<DealRevision {self.deal_id}#{self.number} by {self.party.value}>"


class DealAcceptance(db.Model):
    """One party's acceptance of one revision: who, when, from where."""

    __tablename__ = "deal_acceptances"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(sa.ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    revision_id: Mapped[int] = mapped_column(sa.ForeignKey("deal_revisions.id", ondelete="CASCADE"))
    revision_number: Mapped[int] = mapped_column()
    party: Mapped[PartyRole] = mapped_column(enum_by_value(PartyRole, 16))
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL")
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    user_name: Mapped[str] = mapped_column(sa.String(120))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str] = mapped_column(sa.String(USER_AGENT_MAX), default="")

    __table_args__ = (sa.UniqueConstraint("revision_id", "party"),)

    def __repr__(self) -> str:
        return f"<DealAcceptance {self.deal_id}#{self.revision_number} {self.party.value}>"


class DealComment(db.Model):
    """A message on a deal from any member of either party."""

    __tablename__ = "deal_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(sa.ForeignKey("deals.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    user_name: Mapped[str] = mapped_column(sa.String(120))
    party: Mapped[PartyRole] = mapped_column(enum_by_value(PartyRole, 16))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<DealComment {self.id} deal={self.deal_id}>"


class Agreement(db.Model):
    """The licence agreement drafted from a deal's agreed revision, sealed, then signed."""

    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    deal_id: Mapped[int] = mapped_column(sa.ForeignKey("deals.id", ondelete="CASCADE"), unique=True)
    revision_number: Mapped[int] = mapped_column()
    # the sealed draft both parties sign, and its SHA-256
    draft_key: Mapped[str] = mapped_column(sa.String(200))
    draft_sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    drafted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # the final PDF with both signatures, sealed again, once both have signed
    final_key: Mapped[str | None] = mapped_column(sa.String(200))
    final_sha256: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    sealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    deal: Mapped[Deal] = relationship()
    signatures: Mapped[list[AgreementSignature]] = relationship(
        back_populates="agreement", order_by="AgreementSignature.id"
    )

    def __repr__(self) -> str:
        return f"<Agreement {self.id} deal={self.deal_id}>"


class AgreementSignature(db.Model):
    """One party's electronic signature of the sealed draft: evidence, never changed."""

    __tablename__ = "agreement_signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agreements.id", ondelete="CASCADE"), index=True
    )
    party: Mapped[PartyRole] = mapped_column(enum_by_value(PartyRole, 16))
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL")
    )
    organization_name: Mapped[str] = mapped_column(sa.String(160))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    user_name: Mapped[str] = mapped_column(sa.String(120))
    user_email: Mapped[str] = mapped_column(sa.String(254))
    signer_name: Mapped[str] = mapped_column(sa.String(SIGNER_NAME_MAX))
    signer_title: Mapped[str] = mapped_column(sa.String(SIGNER_TITLE_MAX))
    assent_wording: Mapped[str] = mapped_column(sa.String(400))
    document_sha256: Mapped[str] = mapped_column(sa.String(64))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip_address: Mapped[str | None] = mapped_column(sa.String(45))
    user_agent: Mapped[str] = mapped_column(sa.String(USER_AGENT_MAX), default="")
    channel: Mapped[str] = mapped_column(sa.String(8))

    agreement: Mapped[Agreement] = relationship(back_populates="signatures")

    __table_args__ = (sa.UniqueConstraint("agreement_id", "party"),)

    def __repr__(self) -> str:
        return f"<AgreementSignature {self.agreement_id} {self.party.value}>"


@sa.event.listens_for(DealRevision, "before_update")
@sa.event.listens_for(DealRevision, "before_delete")
@sa.event.listens_for(DealAcceptance, "before_update")
@sa.event.listens_for(DealAcceptance, "before_delete")
@sa.event.listens_for(DealComment, "before_update")
@sa.event.listens_for(DealComment, "before_delete")
@sa.event.listens_for(AgreementSignature, "before_update")
@sa.event.listens_for(AgreementSignature, "before_delete")
def _refuse_change(_mapper: Any, _connection: Any, target: Any) -> None:
    raise PermissionError(f"deal records are append-only; refused to change {target!r}")
