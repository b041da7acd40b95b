"""SMS channel state under migrations

Before this revision the SMS channel created its three tables itself (create-all) on first
use, so a database may already hold them: such a table is adopted as it is.

Revision ID: 6fe51844a757
Revises: fed317c59e97
Create Date: 2026-11-28 16:08:39.461415
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "6fe51844a757"
down_revision: str | None = "fed317c59e97"
branch_labels: str | None = None
depends_on: str | None = None


def _missing(table: str) -> bool:
    return not sa.inspect(op.get_bind()).has_table(table)


def upgrade() -> None:
    if not _missing("sms_choices") and not _missing("sms_deliveries") \
            and not _missing("sms_opt_outs"):
        return
    op.create_table(
        "sms_choices",
        sa.Column("conversation_id", sa.String(length=40), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("conversation_id"),
    )
    op.create_table(
        "sms_deliveries",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("conversation_id", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    with op.batch_alter_table("sms_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sms_deliveries_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "sms_opt_outs",
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("opted_out", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("phone"),
    )


def downgrade() -> None:
    op.drop_table("sms_opt_outs")
    with op.batch_alter_table("sms_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sms_deliveries_created_at"))

    op.drop_table("sms_deliveries")
    op.drop_table("sms_choices")
