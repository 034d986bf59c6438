"""Add the search outbox, notifications, saved searches and alert bookkeeping.

Revision ID: 241ed02fdb7a
Revises: 8b24db7a61c0
Create Date: 2026-12-01 14:06:10.841655

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "241ed02fdb7a"
down_revision = "8b24db7a61c0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pending_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_key", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_alerts")),
    )
    with op.batch_alter_table("pending_alerts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pending_alerts_listing_key"), ["listing_key"], unique=False
        )

    op.create_table(
        "search_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("listing_type", sa.String(length=16), nullable=False),
        sa.Column("listing_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_outbox")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("search_outbox", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_search_outbox_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("listing_key", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_alert_deliveries_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_deliveries")),
        sa.UniqueConstraint(
            "listing_key",
            "target",
            "user_id",
            name=op.f("uq_alert_deliveries_listing_key_target_user_id"),
        ),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("listing_key", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notifications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_emailed_at", ["emailed_at"], unique=False)
        batch_op.create_index(
            "ix_notifications_user_id_created_at", ["user_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_notifications_user_id_read_at", ["user_id", "read_at"], unique=False
        )

    op.create_table(
        "saved_searches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("arguments", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_saved_searches_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_searches")),
        sa.UniqueConstraint("user_id", "name", name=op.f("uq_saved_searches_user_id_name")),
    )
    with op.batch_alter_table("saved_searches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saved_searches_user_id"), ["user_id"], unique=False)

    # ### end Alembic commands ###


def downgrade():
    with op.batch_alter_table("saved_searches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_searches_user_id"))

    op.drop_table("saved_searches")
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_id_read_at")
        batch_op.drop_index("ix_notifications_user_id_created_at")
        batch_op.drop_index("ix_notifications_emailed_at")

    op.drop_table("notifications")
    op.drop_table("alert_deliveries")
    with op.batch_alter_table("search_outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_outbox_created_at"))

    op.drop_table("search_outbox")
    with op.batch_alter_table("pending_alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_alerts_listing_key"))

    op.drop_table("pending_alerts")
    # ### end Alembic commands ###
