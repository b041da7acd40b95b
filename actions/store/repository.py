"""Queries and writes on the account store. Each function takes the caller's session, so
a business change and its account note share one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from actions.store.models import (
    Account,
    AccountNote,
    Application,
    Bill,
    ConversationLink,
    Premise,
)

ASSISTANT_AUTHOR = "virtual assistant"
NOTE_CHANNELS = frozenset({"chat", "text", "staff"})


@dataclass(frozen=True)
class NoteView:
    id: int
    account_number: str | None
    conversation_id: str | None
    created_at: datetime
    channel: str
    author: str
    category: str
    summary: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "account_number": self.account_number,
            "conversation_id": self.conversation_id,
            "created_at": self.created_at.isoformat(),
            "channel": self.channel,
            "author": self.author,
            "category": self.category,
            "summary": self.summary,
        }


def get_account(session: Session, account_number: str) -> Account | None:
    return session.get(Account, account_number)


def find_verified_account(session: Session, account_number: str, zip_code: str) -> Account | None:
    """The account when ``zip_code`` is the ZIP of one of its service addresses."""
    zip5 = zip_code.strip()[:5]
    row = session.execute(
        select(Account)
        .join(Premise)
        .where(Account.account_number == account_number.strip(), Premise.zip.startswith(zip5))
    ).scalars().first()
    return row


def accounts_for_phone(session: Session, phone_e164: str) -> list[Account]:
    return list(
        session.execute(select(Account).where(Account.phone == phone_e164)).scalars().all()
    )


def bills_for_account(session: Session, account_number: str) -> list[Bill]:
    """Oldest first."""
    return list(
        session.execute(
            select(Bill).where(Bill.account_number == account_number).order_by(Bill.bill_date)
        ).scalars().all()
    )


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _number(value: Decimal | None) -> str | None:
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return text


def bill_record(bill: Bill) -> dict[str, Any]:
    """The bill in the export's own shape, which the billing rules read."""
    record: dict[str, Any] = {
        "bill_id": bill.bill_id,
        "bill_date": bill.bill_date.isoformat(),
        "period_start": bill.period_start.isoformat(),
        "period_end": bill.period_end.isoformat(),
        "due_date": bill.due_date.isoformat(),
        "previous_balance": _money(bill.previous_balance),
        "payments": _money(bill.payments),
        "adjustments": _money(bill.adjustments),
        "current_charges": _money(bill.current_charges),
        "amount_due": _money(bill.amount_due),
        "services": [],
    }
    if bill.budget_billing:
        record["budget_billing"] = bill.budget_billing
    for service in bill.services:
        lines = []
        for line in service.lines:
            item: dict[str, Any] = {"code": line.code, "description": line.description}
            if line.quantity is not None:
                item["quantity"] = _number(line.quantity)
            if line.rate is not None:
                item["rate"] = _number(line.rate)
            item["amount"] = _money(line.amount)
            lines.append(item)
        record["services"].append(
            {"service": service.service, **service.details, "lines": lines,
             "total": _money(service.total)}
        )
    return record


def add_note(
    session: Session,
    *,
    channel: str,
    category: str,
    summary: str,
    account_number: str | None = None,
    conversation_id: str | None = None,
    author: str = ASSISTANT_AUTHOR,
    request_key: str | None = None,
) -> AccountNote:
    """Appends a note. A note whose ``request_key`` was already written is not written again."""
    if channel not in NOTE_CHANNELS:
        raise ValueError(f"unknown note channel {channel!r}")
    if request_key is not None:
        existing = session.execute(
            select(AccountNote).where(AccountNote.request_key == request_key)
        ).scalar_one_or_none()
        if existing is not None:
            return existing
    note = AccountNote(
        account_number=account_number,
        conversation_id=conversation_id,
        channel=channel,
        author=author,
        category=category,
        summary=summary,
        request_key=request_key,
    )
    session.add(note)
    session.flush()
    return note


def link_conversation(session: Session, conversation_id: str, account_number: str) -> None:
    if session.get(ConversationLink, (conversation_id, account_number)) is None:
        session.add(ConversationLink(conversation_id=conversation_id,
                                     account_number=account_number))
        session.flush()


def notes_for_account(session: Session, account_number: str) -> list[NoteView]:
    """The account's notes, including those of conversations linked to it; newest first."""
    linked = select(ConversationLink.conversation_id).where(
        ConversationLink.account_number == account_number
    )
    rows = session.execute(
        select(AccountNote)
        .where(
            or_(
                AccountNote.account_number == account_number,
                (AccountNote.account_number.is_(None))
                & AccountNote.conversation_id.in_(linked),
            )
        )
        .order_by(AccountNote.created_at.desc(), AccountNote.id.desc())
    ).scalars().all()
    return [_view(note, account_number) for note in rows]


def notes_for_conversation(session: Session, conversation_id: str) -> list[NoteView]:
    rows = session.execute(
        select(AccountNote)
        .where(AccountNote.conversation_id == conversation_id)
        .order_by(AccountNote.created_at, AccountNote.id)
    ).scalars().all()
    return [_view(note, note.account_number) for note in rows]


def _view(note: AccountNote, account_number: str | None) -> NoteView:
    return NoteView(
        id=note.id,
        account_number=note.account_number or account_number,
        conversation_id=note.conversation_id,
        created_at=note.created_at,
        channel=note.channel,
        author=note.author,
        category=note.category,
        summary=note.summary,
    )


def record_application(
    session: Session,
    *,
    account_number: str,
    kind: str,
    decision: str,
    reasons: list[str],
    income_bracket: str | None = None,
    household_size: int | None = None,
    monthly_payment: Decimal | None = None,
    conversation_id: str | None = None,
) -> Application:
    application = Application(
        account_number=account_number, kind=kind, decision=decision, reasons=reasons,
        income_bracket=income_bracket, household_size=household_size,
        monthly_payment=monthly_payment, conversation_id=conversation_id,
    )
    session.add(application)
    session.flush()
    return application


def applications_for_account(session: Session, account_number: str) -> list[Application]:
    return list(
        session.execute(
            select(Application).where(Application.account_number == account_number)
            .order_by(Application.created_at, Application.id)
        ).scalars().all()
    )
