"""Add challenges, IP offers, proposals, attachments and listing revisions.

Revision ID: 8b24db7a61c0
Revises: e475e0907549
Create Date: 2026-12-01 10:42:34.401282

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8b24db7a61c0"
down_revision = "e475e0907549"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "assets",
        sa.Column("confidential_dossier", sa.Text(), nullable=False),
        sa.Column("patent_numbers", sa.JSON(), nullable=False),
        sa.Column(
            "patent_status",
            sa.Enum(
                "granted",
                "pending",
                "provisional",
                "know_how",
                name="patentstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("jurisdictions", sa.JSON(), nullable=False),
        sa.Column("trl", sa.Integer(), nullable=True),
        sa.Column("fields_of_use", sa.JSON(), nullable=False),
        sa.Column("deal_types", sa.JSON(), nullable=False),
        sa.Column("indicative_terms", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "published",
                "under_negotiation",
                "licensed",
                "withdrawn",
                name="assetstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=600), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("nda_approval_required", sa.Boolean(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "trl IS NULL OR (trl BETWEEN 1 AND 9)", name=op.f("ck_assets_trl_range")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_assets_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_assets_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assets")),
    )
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assets_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_assets_status"), ["status"], unique=False)

    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "owner_type",
            sa.Enum(
                "challenge",
                "asset",
                "proposal",
                name="ownertype",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=128), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("confidential", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("size >= 0", name=op.f("ck_attachments_size_not_negative")),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_attachments_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["users.id"],
            name=op.f("fk_attachments_uploaded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_attachments_storage_key")),
    )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attachments_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_attachments_owner_type"), ["owner_type", "owner_id"], unique=False
        )

    op.create_table(
        "challenges",
        sa.Column("confidential_brief", sa.Text(), nullable=False),
        sa.Column(
            "challenge_type",
            sa.Enum(
                "ideation",
                "theoretical",
                "reduction_to_practice",
                "request_for_proposals",
                "technology_scouting",
                name="challengetype",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("award_amount", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "ip_terms",
            sa.Enum(
                "solver_retains",
                "non_exclusive_license",
                "exclusive_license",
                "assignment",
                name="ipterms",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("trl_sought", sa.Integer(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("awards_allowed", sa.Integer(), server_default="1", nullable=False),
        sa.Column("pseudonym", sa.String(length=64), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "open",
                "evaluating",
                "awarded",
                "closed",
                "withdrawn",
                name="challengestatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=600), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("nda_approval_required", sa.Boolean(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "award_amount IS NULL OR award_amount >= 0", name=op.f("ck_challenges_award_positive")
        ),
        sa.CheckConstraint(
            "awards_allowed BETWEEN 1 AND 50", name=op.f("ck_challenges_awards_allowed_range")
        ),
        sa.CheckConstraint(
            "trl_sought IS NULL OR (trl_sought BETWEEN 1 AND 9)",
            name=op.f("ck_challenges_trl_range"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_challenges_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_challenges_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_challenges")),
    )
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_challenges_deadline"), ["deadline"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_challenges_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_challenges_status"), ["status"], unique=False)

    op.create_table(
        "listing_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_type", sa.String(length=16), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("material", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["users.id"],
            name=op.f("fk_listing_revisions_changed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listing_revisions")),
        sa.UniqueConstraint(
            "listing_type",
            "listing_id",
            "number",
            name=op.f("uq_listing_revisions_listing_type_listing_id_number"),
        ),
    )
    with op.batch_alter_table("listing_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_listing_revisions_listing_type"),
            ["listing_type", "listing_id"],
            unique=False,
        )

    op.create_table(
        "asset_fields",
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_asset_fields_asset_id_assets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("asset_id", "slug", name=op.f("pk_asset_fields")),
    )
    with op.batch_alter_table("asset_fields", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_asset_fields_slug"), ["slug"], unique=False)

    op.create_table(
        "challenge_fields",
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_challenge_fields_challenge_id_challenges"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("challenge_id", "slug", name=op.f("pk_challenge_fields")),
    )
    with op.batch_alter_table("challenge_fields", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_challenge_fields_slug"), ["slug"], unique=False)

    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.String(length=600), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "submitted",
                "shortlisted",
                "declined",
                "awarded",
                "withdrawn",
                name="proposalstatus",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "decline_reason_code",
            sa.Enum(
                "too_early_stage",
                "benefit_unclear",
                "outside_scope",
                "ip_position_unclear",
                "cost",
                "other",
                name="declinereason",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("feedback", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("receipt_sha256", sa.String(length=64), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["assets.id"],
            name=op.f("fk_proposals_asset_id_assets"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_proposals_challenge_id_challenges"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_proposals_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_proposals_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["users.id"],
            name=op.f("fk_proposals_submitted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
    )
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_proposals_challenge_id"), ["challenge_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_proposals_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_proposals_status"), ["status"], unique=False)


def downgrade():
    with op.batch_alter_table("proposals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proposals_status"))
        batch_op.drop_index(batch_op.f("ix_proposals_organization_id"))
        batch_op.drop_index(batch_op.f("ix_proposals_challenge_id"))

    op.drop_table("proposals")
    with op.batch_alter_table("challenge_fields", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_challenge_fields_slug"))

    op.drop_table("challenge_fields")
    with op.batch_alter_table("asset_fields", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asset_fields_slug"))

    op.drop_table("asset_fields")
    with op.batch_alter_table("listing_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_listing_revisions_listing_type"))

    op.drop_table("listing_revisions")
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_challenges_status"))
        batch_op.drop_index(batch_op.f("ix_challenges_organization_id"))
        batch_op.drop_index(batch_op.f("ix_challenges_deadline"))

    op.drop_table("challenges")
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachments_owner_type"))
        batch_op.drop_index(batch_op.f("ix_attachments_organization_id"))

    op.drop_table("attachments")
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assets_status"))
        batch_op.drop_index(batch_op.f("ix_assets_organization_id"))

    op.drop_table("assets")
