"""Add NDA templates and versions, acceptances, disclosure grants and the access log.

Revision ID: 1f5a1ce94a2c
Revises: 241ed02fdb7a
Create Date: 2026-12-01 16:36:23.424656

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "1f5a1ce94a2c"
down_revision = "241ed02fdb7a"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "nda_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=True),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "one_way",
                "mutual",
                name="ndakind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_nda_templates_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_nda_templates_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nda_templates")),
        sa.UniqueConstraint("key", name=op.f("uq_nda_templates_key")),
    )
    with op.batch_alter_table("nda_templates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nda_templates_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "nda_template_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("term_years", sa.Integer(), nullable=False),
        sa.Column("governing_law", sa.String(length=120), nullable=False),
        sa.Column("purpose", sa.String(length=600), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_nda_template_versions_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["nda_templates.id"],
            name=op.f("fk_nda_template_versions_template_id_nda_templates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nda_template_versions")),
        sa.UniqueConstraint(
            "template_id", "number", name=op.f("uq_nda_template_versions_template_id_number")
        ),
    )
    with op.batch_alter_table("nda_template_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nda_template_versions_template_id"), ["template_id"], unique=False
        )

    op.create_table(
        "nda_acceptances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_type", sa.String(length=16), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("listing_title", sa.String(length=200), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_name", sa.String(length=120), nullable=False),
        sa.Column("user_email", sa.String(length=254), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("organization_name", sa.String(length=160), nullable=False),
        sa.Column("owner_organization_id", sa.Integer(), nullable=True),
        sa.Column("owner_organization_name", sa.String(length=160), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=True),
        sa.Column("template_version_id", sa.Integer(), nullable=True),
        sa.Column("template_name", sa.String(length=120), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("term_years", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("signer_name", sa.String(length=120), nullable=False),
        sa.Column("assent_wording", sa.String(length=400), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.String(length=500), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_nda_acceptances_organization_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_organization_id"],
            ["organizations.id"],
            name=op.f("fk_nda_acceptances_owner_organization_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["nda_templates.id"],
            name=op.f("fk_nda_acceptances_template_id_nda_templates"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["template_version_id"],
            ["nda_template_versions.id"],
            name=op.f("fk_nda_acceptances_template_version_id_nda_template_versions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_nda_acceptances_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nda_acceptances")),
    )
    with op.batch_alter_table("nda_acceptances", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nda_acceptances_listing_type"),
            ["listing_type", "listing_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_nda_acceptances_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "disclosure_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_type", sa.String(length=16), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("owner_organization_id", sa.Integer(), nullable=False),
        sa.Column("acceptance_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "active",
                "declined",
                "revoked",
                name="grantstatus",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decision_reason", sa.String(length=1000), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revoke_reason", sa.String(length=1000), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["acceptance_id"],
            ["nda_acceptances.id"],
            name=op.f("fk_disclosure_grants_acceptance_id_nda_acceptances"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_disclosure_grants_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_disclosure_grants_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["owner_organization_id"],
            ["organizations.id"],
            name=op.f("fk_disclosure_grants_owner_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["users.id"],
            name=op.f("fk_disclosure_grants_revoked_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_grants")),
        sa.UniqueConstraint("acceptance_id", name=op.f("uq_disclosure_grants_acceptance_id")),
    )
    with op.batch_alter_table("disclosure_grants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_disclosure_grants_listing_type"),
            ["listing_type", "listing_id", "organization_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_disclosure_grants_owner_organization_id"),
            ["owner_organization_id"],
            unique=False,
        )

    op.create_table(
        "disclosure_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_type", sa.String(length=16), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "requested",
                "granted",
                "approved",
                "declined",
                "revoked",
                "viewed",
                "downloaded",
                name="eventkind",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("grant_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_name", sa.String(length=120), nullable=False),
        sa.Column("user_email", sa.String(length=254), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
        sa.Column("organization_name", sa.String(length=160), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=True),
        sa.Column("user_agent", sa.String(length=500), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("detail", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["grant_id"],
            ["disclosure_grants.id"],
            name=op.f("fk_disclosure_events_grant_id_disclosure_grants"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_disclosure_events_organization_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_disclosure_events_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_events")),
    )
    with op.batch_alter_table("disclosure_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_disclosure_events_listing_type"),
            ["listing_type", "listing_id", "created_at"],
            unique=False,
        )

    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nda_template_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_assets_nda_template_id_nda_templates"),
            "nda_templates",
            ["nda_template_id"],
            ["id"],
            ondelete="SET NULL",
        )

    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nda_template_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_challenges_nda_template_id_nda_templates"),
            "nda_templates",
            ["nda_template_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_challenges_nda_template_id_nda_templates"), type_="foreignkey"
        )
        batch_op.drop_column("nda_template_id")

    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_assets_nda_template_id_nda_templates"), type_="foreignkey"
        )
        batch_op.drop_column("nda_template_id")

    with op.batch_alter_table("disclosure_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disclosure_events_listing_type"))

    op.drop_table("disclosure_events")
    with op.batch_alter_table("disclosure_grants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disclosure_grants_owner_organization_id"))
        batch_op.drop_index(batch_op.f("ix_disclosure_grants_listing_type"))

    op.drop_table("disclosure_grants")
    with op.batch_alter_table("nda_acceptances", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nda_acceptances_organization_id"))
        batch_op.drop_index(batch_op.f("ix_nda_acceptances_listing_type"))

    op.drop_table("nda_acceptances")
    with op.batch_alter_table("nda_template_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nda_template_versions_template_id"))

    op.drop_table("nda_template_versions")
    with op.batch_alter_table("nda_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nda_templates_organization_id"))

    op.drop_table("nda_templates")
