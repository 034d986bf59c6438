"""Own the IP-offer table (called assets in the API) and its technical fields."""

from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.ext.associationproxy import AssociationProxy, association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ideagora.database import db, enum_by_value
from ideagora.listings.models import ListingMixin


class PatentStatus(enum.Enum):
    """How the offered IP is protected."""

    GRANTED = "granted"
    PENDING = "pending"
    PROVISIONAL = "provisional"
    KNOW_HOW = "know_how"

    @property
    def label(self) -> str:
        return {
            "granted": "Granted patent",
            "pending": "Patent pending",
            "provisional": "Provisional application",
            "know_how": "Know-how (unpatented)",
        }[self.value]


class DealType(enum.Enum):
    """A kind of deal a licensor is open to."""

    EXCLUSIVE_LICENSE = "exclusive_license"
    NON_EXCLUSIVE_LICENSE = "non_exclusive_license"
    ASSIGNMENT = "assignment"
    COLLABORATION = "collaboration"
    OPTION = "option"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").replace("license", "licence").capitalize()


class AssetStatus(enum.Enum):
    """Where an IP offer is in its life."""

    DRAFT = "draft"
    PUBLISHED = "published"
    UNDER_NEGOTIATION = "under_negotiation"
    LICENSED = "licensed"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class AssetField(db.Model):
    """A technical field an IP offer belongs to."""

    __tablename__ = "asset_fields"

    asset_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assets.id", ondelete="CASCADE"), primary_key=True
    )
    slug: Mapped[str] = mapped_column(sa.String(64), primary_key=True, index=True)

    def __repr__(self) -> str:
        return f"<AssetField {self.asset_id} {self.slug}>"


class Asset(ListingMixin, db.Model):
    """An IP offer: a patent, an application or know-how available for licensing."""

    __tablename__ = "assets"

    confidential_dossier: Mapped[str] = mapped_column(sa.Text, default="")
    patent_numbers: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    patent_status: Mapped[PatentStatus] = mapped_column(enum_by_value(PatentStatus))
    jurisdictions: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    trl: Mapped[int | None] = mapped_column()
    fields_of_use: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    deal_types: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    indicative_terms: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[AssetStatus] = mapped_column(
        enum_by_value(AssetStatus), default=AssetStatus.DRAFT, index=True
    )

    field_links: Mapped[list[AssetField]] = relationship(
        cascade="all, delete-orphan", order_by=AssetField.slug
    )
    fields: AssociationProxy[list[str]] = association_proxy(
        "field_links", "slug", creator=lambda slug: AssetField(slug=slug)
    )

    __table_args__ = (sa.CheckConstraint("trl IS NULL OR (trl BETWEEN 1 AND 9)", name="trl_range"),)

    def __repr__(self) -> str:
        return f"<Asset {self.id} {self.status.value} {self.title!r}>"
