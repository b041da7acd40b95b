"""initial schema: accounts, premises, bills, contacts, notes, applications

Revision ID: b8ec4d99ff20
Revises:
Create Date: 2026-11-28 15:18:47
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from actions.store.models import ExactDecimal

revision: str = "b8ec4d99ff20"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def _account_fk() -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["account_number"], ["accounts.account_number"])


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("account_number", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("customer_class", sa.String(length=20), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("mailing_line1", sa.String(length=200), nullable=True),
        sa.Column("mailing_city", sa.String(length=100), nullable=True),
        sa.Column("mailing_state", sa.String(length=2), nullable=True),
        sa.Column("mailing_zip", sa.String(length=10), nullable=True),
        sa.Column("public_assistance", sa.Boolean(), nullable=False),
        sa.Column("autopay", sa.Boolean(), nullable=False),
        sa.Column("budget_enrolled", sa.Boolean(), nullable=False),
        sa.Column("budget_plan_amount", ExactDecimal(12, 2), nullable=True),
        sa.Column("past_due_balance", ExactDecimal(12, 2), nullable=False),
        sa.Column("household_size", sa.Integer(), nullable=True),
        sa.Column("military_orders_kind", sa.String(length=40), nullable=True),
        sa.Column("military_orders_date", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("account_number"),
    )
    op.create_table(
        "account_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_number", sa.String(length=20), nullable=True),
        sa.Column("conversation_id", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("author", sa.String(length=60), nullable=False),
        sa.Column("category", sa.String(length=60), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("request_key", sa.String(length=120), nullable=True),
        _account_fk(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("request_key"),
    )
    op.create_index(op.f("ix_account_notes_conversation_id"), "account_notes",
                    ["conversation_id"], unique=False)
    op.create_index("ix_notes_account_time", "account_notes", ["account_number", "created_at"],
                    unique=False)
    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_number", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("decision", sa.String(length=40), nullable=False),
        sa.Column("income_bracket", sa.String(length=40), nullable=True),
        sa.Column("household_size", sa.Integer(), nullable=True),
        sa.Column("monthly_payment", ExactDecimal(12, 2), nullable=True),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("conversation_id", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _account_fk(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_applications_account_number"), "applications",
                    ["account_number"], unique=False)
    op.create_table(
        "bills",
        sa.Column("bill_id", sa.String(length=60), nullable=False),
        sa.Column("account_number", sa.String(length=20), nullable=False),
        sa.Column("bill_date", sa.Date(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("previous_balance", ExactDecimal(12, 2), nullable=False),
        sa.Column("payments", ExactDecimal(12, 2), nullable=False),
        sa.Column("adjustments", ExactDecimal(12, 2), nullable=False),
        sa.Column("current_charges", ExactDecimal(12, 2), nullable=False),
        sa.Column("amount_due", ExactDecimal(12, 2), nullable=False),
        sa.Column("budget_billing", sa.JSON(), nullable=True),
        _account_fk(),
        sa.PrimaryKeyConstraint("bill_id"),
    )
    op.create_index(op.f("ix_bills_account_number"), "bills", ["account_number"], unique=False)
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_number", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("relationship_to_customer", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        _account_fk(),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("account_number", "phone", name="uq_contact_phone"),
    )
    op.create_index(op.f("ix_contacts_account_number"), "contacts", ["account_number"],
                    unique=False)
    op.create_table(
        "conversation_links",
        sa.Column("conversation_id", sa.String(length=100), nullable=False),
        sa.Column("account_number", sa.String(length=20), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        _account_fk(),
        sa.PrimaryKeyConstraint("conversation_id", "account_number"),
    )
    op.create_table(
        "disconnection_notices",
        sa.Column("notice_id", sa.String(length=40), nullable=False),
        sa.Column("account_number", sa.String(length=20), nullable=False),
        sa.Column("notice_date", sa.Date(), nullable=False),
        sa.Column("delivery", sa.String(length=20), nullable=False),
        sa.Column("amount_past_due", ExactDecimal(12, 2), nullable=False),
        _account_fk(),
        sa.PrimaryKeyConstraint("notice_id"),
    )
    op.create_index(op.f("ix_disconnection_notices_account_number"), "disconnection_notices",
                    ["account_number"], unique=False)
    op.create_table(
        "premises",
        sa.Column("premise_id", sa.String(length=40), nullable=False),
        sa.Column("account_number", sa.String(length=20), nullable=False),
        sa.Column("line1", sa.String(length=200), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("zip", sa.String(length=10), nullable=False),
        sa.Column("primary_heat", sa.String(length=40), nullable=True),
        _account_fk(),
        sa.PrimaryKeyConstraint("premise_id"),
    )
    op.create_index(op.f("ix_premises_account_number"), "premises", ["account_number"],
                    unique=False)
    op.create_table(
        "seasonal_absences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_number", sa.String(length=20), nullable=False),
        sa.Column("away_from", sa.Date(), nullable=False),
        sa.Column("away_to", sa.Date(), nullable=False),
        sa.Column("forwarding_line1", sa.String(length=200), nullable=True),
        sa.Column("forwarding_city", sa.String(length=100), nullable=True),
        sa.Column("forwarding_state", sa.String(length=2), nullable=True),
        sa.Column("forwarding_zip", sa.String(length=10), nullable=True),
        sa.Column("conversation_id", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _account_fk(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_seasonal_absences_account_number"), "seasonal_absences",
                    ["account_number"], unique=False)
    op.create_table(
        "bill_services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bill_id", sa.String(length=60), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=40), nullable=False),
        sa.Column("total", ExactDecimal(12, 2), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["bill_id"], ["bills.bill_id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_bill_services_bill_id"), "bill_services", ["bill_id"], unique=False)
    op.create_table(
        "bill_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bill_service_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("quantity", ExactDecimal(14, 4), nullable=True),
        sa.Column("rate", ExactDecimal(14, 6), nullable=True),
        sa.Column("amount", ExactDecimal(12, 2), nullable=False),
        sa.ForeignKeyConstraint(["bill_service_id"], ["bill_services.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_bill_lines_bill_service_id"), "bill_lines", ["bill_service_id"],
                    unique=False)


def downgrade() -> None:
    for table, indexes in (
        ("bill_lines", ["ix_bill_lines_bill_service_id"]),
        ("bill_services", ["ix_bill_services_bill_id"]),
        ("seasonal_absences", ["ix_seasonal_absences_account_number"]),
        ("premises", ["ix_premises_account_number"]),
        ("disconnection_notices", ["ix_disconnection_notices_account_number"]),
        ("conversation_links", []),
        ("contacts", ["ix_contacts_account_number"]),
        ("bills", ["ix_bills_account_number"]),
        ("applications", ["ix_applications_account_number"]),
        ("account_notes", ["ix_notes_account_time", "ix_account_notes_conversation_id"]),
        ("accounts", []),
    ):
        for index in indexes:
            op.drop_index(index, table_name=table)
        op.drop_table(table)
