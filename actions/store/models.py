"""SQLAlchemy models of the account database.

Money is stored exactly (NUMERIC, or text on SQLite) and read back as Decimal.
Account notes are append-only:
nothing in careline updates or deletes a row of ``account_notes``.
"""

from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy.types import TypeEngine

Base = declarative_base()

class ExactDecimal(TypeDecorator):
    """NUMERIC where the database has an exact one; text on SQLite, whose NUMERIC is a float.

    Money must round-trip to the cent on every database careline supports.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int) -> None:
        super().__init__(precision, scale, asdecimal=True)
        self.precision = precision
        self.scale = scale

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(self.precision + 2))
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> object:
        if value is None or dialect.name != "sqlite":
            return value
        return str(Decimal(value))

    def process_result_value(self, value: object, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(str(value))


def Money() -> ExactDecimal:  # noqa: N802 - reads like the column type it is
    return ExactDecimal(12, 2)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Account(Base):
    __tablename__ = "accounts"

    account_number = Column(String(20), primary_key=True)
    name = Column(String(200), nullable=False)
    customer_class = Column(String(20), nullable=False, default="residential")
    phone = Column(String(20))
    email = Column(String(254))
    mailing_line1 = Column(String(200))
    mailing_city = Column(String(100))
    mailing_state = Column(String(2))
    mailing_zip = Column(String(10))
    public_assistance = Column(Boolean, nullable=False, default=False)
    autopay = Column(Boolean, nullable=False, default=False)
    budget_enrolled = Column(Boolean, nullable=False, default=False)
    budget_plan_amount = Column(Money())
    past_due_balance = Column(Money(), nullable=False, default=Decimal("0.00"))
    household_size = Column(Integer)
    military_orders_kind = Column(String(40))
    military_orders_date = Column(Date)

    premises = relationship("Premise", back_populates="account", order_by="Premise.premise_id")
    bills = relationship("Bill", back_populates="account", order_by="Bill.bill_date")
    contacts = relationship("Contact", back_populates="account", order_by="Contact.id")
    notices = relationship(
        "DisconnectionNotice", back_populates="account", order_by="DisconnectionNotice.notice_date"
    )


class Premise(Base):
    """A service address on an account."""

    __tablename__ = "premises"

    premise_id = Column(String(40), primary_key=True)
    account_number = Column(ForeignKey("accounts.account_number"), nullable=False, index=True)
    line1 = Column(String(200), nullable=False)
    city = Column(String(100), nullable=False)
    state = Column(String(2), nullable=False)
    zip = Column(String(10), nullable=False)
    primary_heat = Column(String(40))

    account = relationship("Account", back_populates="premises")


class Bill(Base):
    __tablename__ = "bills"

    bill_id = Column(String(60), primary_key=True)
    account_number = Column(ForeignKey("accounts.account_number"), nullable=False, index=True)
    bill_date = Column(Date, nullable=False)
    period_start = Column(Date, nullable=False)
    period_end = Column(Date, nullable=False)
    due_date = Column(Date, nullable=False)
    previous_balance = Column(Money(), nullable=False)
    payments = Column(Money(), nullable=False)
    adjustments = Column(Money(), nullable=False)
    current_charges = Column(Money(), nullable=False)
    amount_due = Column(Money(), nullable=False)
    # Budget billing summary exactly as printed on the bill (plan, actual, previous carry-over).
    budget_billing = Column(JSON)

    account = relationship("Account", back_populates="bills")
    services = relationship(
        "BillService", back_populates="bill", order_by="BillService.position",
        cascade="all, delete-orphan",
    )


class BillService(Base):
    """One service section of a bill (electric, water, wastewater, taxes, ...)."""

    __tablename__ = "bill_services"

    id = Column(Integer, primary_key=True)
    bill_id = Column(ForeignKey("bills.bill_id"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    service = Column(String(40), nullable=False)
    total = Column(Money(), nullable=False)
    # Meter reads, usage, unit, rate class, premise: printed details kept as exported.
    details = Column(JSON, nullable=False, default=dict)

    bill = relationship("Bill", back_populates="services")
    lines = relationship(
        "BillLine", back_populates="service", order_by="BillLine.position",
        cascade="all, delete-orphan",
    )


class BillLine(Base):
    __tablename__ = "bill_lines"

    id = Column(Integer, primary_key=True)
    bill_service_id = Column(ForeignKey("bill_services.id"), nullable=False, index=True)
    position = Column(Integer, nullable=False)
    code = Column(String(60), nullable=False)
    description = Column(String(200), nullable=False)
    quantity = Column(ExactDecimal(14, 4))
    rate = Column(ExactDecimal(14, 6))
    amount = Column(Money(), nullable=False)

    service = relationship("BillService", back_populates="lines")


class Contact(Base):
    """A third party on an account: notification-only or an authorized person.

    Status is ``active``, ``pending_confirmation`` (an authorized person until staff have the
    customer's written consent) or ``removed``; a removed contact is kept for the record.
    """

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("account_number", "phone", name="uq_contact_phone"),)

    id = Column(Integer, primary_key=True)
    account_number = Column(ForeignKey("accounts.account_number"), nullable=False, index=True)
    kind = Column(String(20), nullable=False)
    name = Column(String(200), nullable=False)
    relationship_to_customer = Column(String(100))
    phone = Column(String(20), nullable=False)
    email = Column(String(254))
    status = Column(String(30), nullable=False, default="active")
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    removed_at = Column(DateTime(timezone=True))

    account = relationship("Account", back_populates="contacts")


class SeasonalAbsence(Base):
    """A period the customer is away (e.g. for the winter) and where bills go meanwhile."""

    __tablename__ = "seasonal_absences"

    id = Column(Integer, primary_key=True)
    account_number = Column(ForeignKey("accounts.account_number"), nullable=False, index=True)
    away_from = Column(Date, nullable=False)
    away_to = Column(Date, nullable=False)
    # Null when the customer gets e-bills instead of mail while away.
    forwarding_line1 = Column(String(200))
    forwarding_city = Column(String(100))
    forwarding_state = Column(String(2))
    forwarding_zip = Column(String(10))
    conversation_id = Column(String(100))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class DisconnectionNotice(Base):
    __tablename__ = "disconnection_notices"

    notice_id = Column(String(40), primary_key=True)
    account_number = Column(ForeignKey("accounts.account_number"), nullable=False, index=True)
    notice_date = Column(Date, nullable=False)
    delivery = Column(String(20), nullable=False)
    amount_past_due = Column(Money(), nullable=False)

    account = relationship("Account", back_populates="notices")


class AccountNote(Base):
    """The utility's record of one contact with a customer. Append-only."""

    __tablename__ = "account_notes"
    __table_args__ = (Index("ix_notes_account_time", "account_number", "created_at"),)

    id = Column(Integer, primary_key=True)
    # Null while the conversation is unverified; ConversationLink ties it to an account later.
    account_number = Column(ForeignKey("accounts.account_number"), index=False)
    conversation_id = Column(String(100), index=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    channel = Column(String(10), nullable=False)
    author = Column(String(60), nullable=False)
    category = Column(String(60), nullable=False)
    summary = Column(Text, nullable=False)
    # Guards against the same request being noted twice (retries, replayed webhooks).
    request_key = Column(String(120), unique=True)


class ConversationLink(Base):
    """Ties an unverified conversation's notes to the account it later verified for."""

    __tablename__ = "conversation_links"

    conversation_id = Column(String(100), primary_key=True)
    account_number = Column(ForeignKey("accounts.account_number"), primary_key=True)
    linked_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)



class Application(Base):
    """A request the assistant took for staff: cold weather protection, a military or a
    payment arrangement. Holds the outcome and the income bracket, never the income."""

    __tablename__ = "applications"

    id = Column(Integer, primary_key=True)
    account_number = Column(ForeignKey("accounts.account_number"), nullable=False, index=True)
    kind = Column(String(40), nullable=False)
    status = Column(String(30), nullable=False, default="pending staff review")
    decision = Column(String(40), nullable=False)
    income_bracket = Column(String(40))
    household_size = Column(Integer)
    monthly_payment = Column(Money())
    reasons = Column(JSON, nullable=False, default=list)
    conversation_id = Column(String(100))
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class Handoff(Base):
    """A conversation passed to Customer Care staff: why, what the bot learned, the
    transcript up to the handoff, and what staff did with it (open -> claimed -> closed)."""

    __tablename__ = "handoffs"
    __table_args__ = (Index("ix_handoffs_status_created", "status", "created_at"),)

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(100), nullable=False, index=True)
    # Note channel of the conversation ("chat" or "text") and the Rasa input channel the
    # staff reply must go back through ("twilio", "webchat", "rest").
    channel = Column(String(10), nullable=False)
    input_channel = Column(String(20))
    reason = Column(String(40), nullable=False)
    account_number = Column(ForeignKey("accounts.account_number"))
    summary = Column(Text, nullable=False)
    # [{"speaker": "customer" | "assistant", "text": ..., "at": ISO time}], already masked.
    transcript = Column(JSON, nullable=False, default=list)
    office_open = Column(Boolean, nullable=False)
    callback_phone = Column(String(20))
    status = Column(String(12), nullable=False, default="open")
    claimed_by = Column(String(60))
    outcome = Column(Text)
    # The answered request that opened it: a replayed message opens no second handoff.
    request_key = Column(String(120), unique=True)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    claimed_at = Column(DateTime(timezone=True))
    closed_at = Column(DateTime(timezone=True))
    handed_back_at = Column(DateTime(timezone=True))

    messages = relationship("HandoffMessage", back_populates="handoff",
                            order_by="HandoffMessage.id")


class HandoffMessage(Base):
    """A message after the handoff: the customer's (copied from the tracker) or staff's."""

    __tablename__ = "handoff_messages"
    __table_args__ = (UniqueConstraint("handoff_id", "source_key", name="uq_handoff_message"),)

    id = Column(Integer, primary_key=True)
    handoff_id = Column(ForeignKey("handoffs.id"), nullable=False, index=True)
    sender = Column(String(10), nullable=False)  # "customer" or "staff"
    author = Column(String(60), nullable=False)
    text = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    # The tracker event a customer message was copied from, so copying twice adds nothing.
    source_key = Column(String(60))

    handoff = relationship("Handoff", back_populates="messages")


# Account notes are append-only (see actions/store/append_only.py); the guard needs the
# class above, so it is attached here rather than at the top of the module.
from actions.store.append_only import guard_append_only  # noqa: E402

guard_append_only(AccountNote)


# --- SMS channel state (bot/channels/sms_state.py) ---------------------------------------


class SmsOptOut(Base):
    """A number that texted STOP (opted_out) or START again."""

    __tablename__ = "sms_opt_outs"

    phone = Column(String(20), primary_key=True)
    opted_out = Column(Boolean, nullable=False)
    changed_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class SmsDelivery(Base):
    """One incoming text, claimed before it reaches Rasa, holding the reply afterwards."""

    __tablename__ = "sms_deliveries"

    PROCESSING = "processing"

    key = Column(String(100), primary_key=True)
    conversation_id = Column(String(40), nullable=False)
    status = Column(String(12), nullable=False, default=PROCESSING)
    parts = Column(JSON)
    created_at = Column(DateTime(timezone=True), nullable=False, default=utcnow, index=True)
    finished_at = Column(DateTime(timezone=True))


class SmsChoices(Base):
    """The numbered choices last offered in a conversation."""

    __tablename__ = "sms_choices"

    conversation_id = Column(String(40), primary_key=True)
    choices = Column(JSON, nullable=False)
    offered_at = Column(DateTime(timezone=True), nullable=False, default=utcnow)
