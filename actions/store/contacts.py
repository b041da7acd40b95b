"""Contacts on an account, the customer's own contact details and away periods: the rows the
contact features read and write. Callers write the account note in the same session."""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.rules.contacts import ACTIVE, PENDING, REMOVED, ExistingContact, MailingAddress
from actions.store.models import Account, Contact, SeasonalAbsence


def current_contacts(session: Session, account_number: str) -> list[Contact]:
    """Contacts not removed, oldest first (the order the customer is shown)."""
    return list(session.execute(
        select(Contact).where(Contact.account_number == account_number,
                              Contact.status != REMOVED).order_by(Contact.id)
    ).scalars().all())


def existing_contacts(session: Session, account_number: str) -> list[ExistingContact]:
    return [ExistingContact(name=c.name, phone=c.phone, status=c.status)
            for c in current_contacts(session, account_number)]


def add_contact(session: Session, *, account_number: str, kind: str, name: str,
                relationship: str | None, phone: str, email: str | None,
                status: str) -> Contact:
    """Adds a contact; a removed contact with the same phone comes back with the new
    details (one row per phone per account)."""
    contact = session.execute(
        select(Contact).where(Contact.account_number == account_number, Contact.phone == phone)
    ).scalar_one_or_none()
    if contact is None:
        contact = Contact(account_number=account_number, phone=phone)
        session.add(contact)
    elif contact.status != REMOVED:
        raise ValueError(f"{phone} is already a contact on account {account_number}")
    contact.kind = kind
    contact.name = name
    contact.relationship_to_customer = relationship
    contact.email = email
    contact.status = status
    contact.removed_at = None
    contact.created_at = datetime.now(timezone.utc)
    session.flush()
    return contact


def remove_contact(session: Session, account_number: str, contact_id: int) -> Contact | None:
    contact = session.get(Contact, contact_id)
    if contact is None or contact.account_number != account_number or contact.status == REMOVED:
        return None
    contact.status = REMOVED
    contact.removed_at = datetime.now(timezone.utc)
    session.flush()
    return contact


def contacts_for_phone(session: Session, phone_e164: str) -> list[Contact]:
    """Current contacts with this phone, on any account (a text from a named contact)."""
    return list(session.execute(
        select(Contact).where(Contact.phone == phone_e164, Contact.status != REMOVED)
    ).scalars().all())


def set_phone(session: Session, account: Account, phone_e164: str) -> str | None:
    previous = account.phone
    account.phone = phone_e164
    session.flush()
    return previous


def set_email(session: Session, account: Account, email: str) -> str | None:
    previous = account.email
    account.email = email
    session.flush()
    return previous


def set_mailing_address(session: Session, account: Account, address: MailingAddress
                        ) -> MailingAddress | None:
    previous = (MailingAddress(account.mailing_line1, account.mailing_city or "",
                               account.mailing_state or "", account.mailing_zip or "")
                if account.mailing_line1 else None)
    account.mailing_line1 = address.line1
    account.mailing_city = address.city
    account.mailing_state = address.state
    account.mailing_zip = address.zip
    session.flush()
    return previous


def record_absence(session: Session, *, account_number: str, away_from: date, away_to: date,
                   forwarding: MailingAddress | None, conversation_id: str) -> SeasonalAbsence:
    absence = SeasonalAbsence(
        account_number=account_number, away_from=away_from, away_to=away_to,
        forwarding_line1=forwarding.line1 if forwarding else None,
        forwarding_city=forwarding.city if forwarding else None,
        forwarding_state=forwarding.state if forwarding else None,
        forwarding_zip=forwarding.zip if forwarding else None,
        conversation_id=conversation_id,
    )
    session.add(absence)
    session.flush()
    return absence


def confirm_contact(session: Session, contact_id: int) -> Contact | None:
    """Staff confirm a pending authorized person once the written consent is on file."""
    contact = session.get(Contact, contact_id)
    if contact is None or contact.status != PENDING:
        return None
    contact.status = ACTIVE
    session.flush()
    return contact
