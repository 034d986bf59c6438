"""Add licence deals: revisions of terms, acceptances, comments, agreements and signatures.

Revision ID: 4da3e359f127
Revises: 1f5a1ce94a2c
Create Date: 2026-12-01 17:39:38.045815

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "4da3e359f127"
down_revision = "1f5a1ce94a2c"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "deals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("challenge_id", sa.Integer(), nullable=True),
        sa.Column("licensor_organization_id", sa.Integer(), nullable=False),
        sa.Column("licensee_organization_id", sa.Integer(), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "negotiating",
                "agreed",
                "signed",
                "cancelled",
                name="dealstatus",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("agreed_revision", sa.Integer(), nullable=True),
        sa.Column("agreed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_deals_asset_id_assets"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["challenge_id"],
            ["challenges.id"],
            name=op.f("fk_deals_challenge_id_challenges"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["licensee_organization_id"],
            ["organizations.id"],
            name=op.f("fk_deals_licensee_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["licensor_organization_id"],
            ["organizations.id"],
            name=op.f("fk_deals_licensor_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"],
            ["users.id"],
            name=op.f("fk_deals_opened_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deals")),
    )
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deals_asset_id"), ["asset_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_deals_licensee_organization_id"),
            ["licensee_organization_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_deals_licensor_organization_id"),
            ["licensor_organization_id"],
            unique=False,
        )

    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("revision_number", sa.Integer(), nullable=False),
        sa.Column("draft_key", sa.String(length=200), nullable=False),
        sa.Column("draft_sha256", sa.String(length=64), nullable=False),
        sa.Column("drafted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("final_key", sa.String(length=200), nullable=True),
        sa.Column("final_sha256", sa.String(length=64), nullable=True),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_agreements_deal_id_deals"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreements")),
        sa.UniqueConstraint("deal_id", name=op.f("uq_agreements_deal_id")),
    )
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreements_draft_sha256"), ["draft_sha256"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_agreements_final_sha256"), ["final_sha256"], unique=False
        )

    op.create_table(
        "deal_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_name", sa.String(length=120), nullable=False),
        sa.Column(
            "party",
            sa.Enum(
                "licensor",
                "licensee",
                name="partyrole",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["deals.id"],
            name=op.f("fk_deal_comments_deal_id_deals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_deal_comments_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_comments")),
    )
    with op.batch_alter_table("deal_comments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deal_comments_deal_id"), ["deal_id"], unique=False)

    op.create_table(
        "deal_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("proposed_by_name", sa.String(length=120), nullable=False),
        sa.Column(
            "party",
            sa.Enum(
                "licensor",
                "licensee",
                name="partyrole",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("open_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("preset", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["deals.id"],
            name=op.f("fk_deal_revisions_deal_id_deals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"],
            ["users.id"],
            name=op.f("fk_deal_revisions_proposed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_revisions")),
        sa.UniqueConstraint("deal_id", "number", name=op.f("uq_deal_revisions_deal_id_number")),
    )
    op.create_table(
        "agreement_signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column(
            "party",
            sa.Enum(
                "licensor",
                "licensee",
                name="partyrole",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("organization_name", sa.String(length=160), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_name", sa.String(length=120), nullable=False),
        sa.Column("user_email", sa.String(length=254), nullable=False),
        sa.Column("signer_name", sa.String(length=120), nullable=False),
        sa.Column("signer_title", sa.String(length=120), nullable=False),
        sa.Column("assent_wording", sa.String(length=400), nullable=False),
        sa.Column("document_sha256", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.String(length=500), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreements.id"],
            name=op.f("fk_agreement_signatures_agreement_id_agreements"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_agreement_signatures_organization_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_agreement_signatures_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_signatures")),
        sa.UniqueConstraint(
            "agreement_id", "party", name=op.f("uq_agreement_signatures_agreement_id_party")
        ),
    )
    with op.batch_alter_table("agreement_signatures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_signatures_agreement_id"), ["agreement_id"], unique=False
        )

    op.create_table(
        "deal_acceptances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deal_id", sa.Integer(), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("revision_number", sa.Integer(), nullable=False),
        sa.Column(
            "party",
            sa.Enum(
                "licensor",
                "licensee",
                name="partyrole",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_name", sa.String(length=120), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["deal_id"],
            ["deals.id"],
            name=op.f("fk_deal_acceptances_deal_id_deals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_deal_acceptances_organization_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["revision_id"],
            ["deal_revisions.id"],
            name=op.f("fk_deal_acceptances_revision_id_deal_revisions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_deal_acceptances_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deal_acceptances")),
        sa.UniqueConstraint(
            "revision_id", "party", name=op.f("uq_deal_acceptances_revision_id_party")
        ),
    )
    with op.batch_alter_table("deal_acceptances", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deal_acceptances_deal_id"), ["deal_id"], unique=False)


def downgrade():
    with op.batch_alter_table("deal_acceptances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_acceptances_deal_id"))

    op.drop_table("deal_acceptances")
    with op.batch_alter_table("agreement_signatures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_signatures_agreement_id"))

    op.drop_table("agreement_signatures")
    op.drop_table("deal_revisions")
    with op.batch_alter_table("deal_comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deal_comments_deal_id"))

    op.drop_table("deal_comments")
    with op.batch_alter_table("agreements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreements_final_sha256"))
        batch_op.drop_index(batch_op.f("ix_agreements_draft_sha256"))

    op.drop_table("agreements")
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deals_licensor_organization_id"))
        batch_op.drop_index(batch_op.f("ix_deals_licensee_organization_id"))
        batch_op.drop_index(batch_op.f("ix_deals_asset_id"))

    op.drop_table("deals")
