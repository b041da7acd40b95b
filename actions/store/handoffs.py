"""The handoff queue: conversations passed to Customer Care staff, and what staff did.

Every function takes the caller's session, so a handoff change and the account note that
records it share one transaction. Staff actions (claim, reply, close) each append one note:
on the verified account, or on the conversation when the customer never verified (linked
to the account later through ``conversation_links``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.store.models import Handoff, HandoffMessage, utcnow
from actions.store.repository import add_note

OPEN = "open"
CLAIMED = "claimed"
CLOSED = "closed"
ACTIVE = (OPEN, CLAIMED)
CATEGORY = "handoff"
# Claims and closures happen in the console, not on the customer's channel.
STAFF_CHANNEL = "staff"


class HandoffError(ValueError):
    """A staff action that does not fit the handoff's state (closed, claimed by another)."""


class HandoffNotFound(LookupError):
    pass


@dataclass(frozen=True)
class CustomerMessage:
    """A customer message taken from the tracker after the handoff."""

    source_key: str
    text: str
    at: datetime


@dataclass(frozen=True)
class HandoffView:
    id: int
    conversation_id: str
    channel: str
    input_channel: str | None
    reason: str
    account_number: str | None
    summary: str
    transcript: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    office_open: bool
    callback_phone: str | None
    status: str
    claimed_by: str | None
    outcome: str | None
    created_at: datetime
    claimed_at: datetime | None
    closed_at: datetime | None
    handed_back_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return None if value is None else value.isoformat()

        return {
            "id": self.id, "conversation_id": self.conversation_id, "channel": self.channel,
            "input_channel": self.input_channel, "reason": self.reason,
            "account_number": self.account_number, "summary": self.summary,
            "transcript": self.transcript, "messages": self.messages,
            "office_open": self.office_open, "callback_phone": self.callback_phone,
            "status": self.status, "claimed_by": self.claimed_by, "outcome": self.outcome,
            "created_at": iso(self.created_at), "claimed_at": iso(self.claimed_at),
            "closed_at": iso(self.closed_at), "handed_back_at": iso(self.handed_back_at),
        }


def view(handoff: Handoff) -> HandoffView:
    return HandoffView(
        id=handoff.id, conversation_id=handoff.conversation_id, channel=handoff.channel,
        input_channel=handoff.input_channel, reason=handoff.reason,
        account_number=handoff.account_number, summary=handoff.summary,
        transcript=list(handoff.transcript or []),
        messages=[{"id": m.id, "sender": m.sender, "author": m.author, "text": m.text,
                   "at": m.created_at.isoformat()} for m in handoff.messages],
        office_open=handoff.office_open, callback_phone=handoff.callback_phone,
        status=handoff.status, claimed_by=handoff.claimed_by, outcome=handoff.outcome,
        created_at=handoff.created_at, claimed_at=handoff.claimed_at,
        closed_at=handoff.closed_at, handed_back_at=handoff.handed_back_at,
    )


def active_handoff(session: Session, conversation_id: str) -> Handoff | None:
    """The conversation's handoff that staff have not closed, if any."""
    return session.execute(
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id, Handoff.status.in_(ACTIVE))
        .order_by(Handoff.id.desc())
    ).scalars().first()


def open_handoff(
    session: Session,
    *,
    conversation_id: str,
    channel: str,
    reason: str,
    summary: str,
    transcript: list[dict[str, Any]],
    office_open: bool,
    input_channel: str | None = None,
    account_number: str | None = None,
    callback_phone: str | None = None,
    request_key: str | None = None,
) -> tuple[Handoff, bool]:
    """Opens a handoff, or returns the one already open for the conversation (or for this
    request, when a message is replayed). The second value says whether it is new."""
    if request_key is not None:
        replayed = session.execute(
            select(Handoff).where(Handoff.request_key == request_key)
        ).scalar_one_or_none()
        if replayed is not None:
            return replayed, False
    existing = active_handoff(session, conversation_id)
    if existing is not None:
        return existing, False
    handoff = Handoff(
        conversation_id=conversation_id, channel=channel, input_channel=input_channel,
        reason=reason, account_number=account_number, summary=summary,
        transcript=transcript, office_open=office_open, callback_phone=callback_phone,
        status=OPEN, request_key=request_key,
    )
    session.add(handoff)
    session.flush()
    return handoff, True


def get_handoff(session: Session, handoff_id: int) -> Handoff:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise HandoffNotFound(f"no handoff {handoff_id}")
    return handoff


def queue(session: Session) -> list[Handoff]:
    """Handoffs staff have not closed, oldest first."""
    return list(session.execute(
        select(Handoff).where(Handoff.status.in_(ACTIVE))
        .order_by(Handoff.created_at, Handoff.id)
    ).scalars().all())


def add_customer_messages(session: Session, handoff: Handoff,
                          messages: Iterable[CustomerMessage]) -> int:
    """Adds the customer's messages not already on the handoff; returns how many."""
    known = {m.source_key for m in handoff.messages if m.source_key}
    added = 0
    for message in messages:
        if message.source_key in known:
            continue
        session.add(HandoffMessage(handoff_id=handoff.id, sender="customer",
                                   author="customer", text=message.text,
                                   created_at=message.at, source_key=message.source_key))
        known.add(message.source_key)
        added += 1
    if added:
        session.flush()
        session.expire(handoff, ["messages"])
    return added


def update_callback_phone(handoff: Handoff, phone: str) -> None:
    """A number the customer gave for the callback after the handoff opened."""
    handoff.callback_phone = phone


def _note(session: Session, handoff: Handoff, *, channel: str, author: str,
          summary: str) -> None:
    add_note(session, account_number=handoff.account_number,
             conversation_id=handoff.conversation_id, channel=channel, author=author,
             category=CATEGORY, summary=summary)


def _require_active(handoff: Handoff) -> None:
    if handoff.status == CLOSED:
        raise HandoffError(f"handoff {handoff.id} is closed")


def claim(session: Session, handoff_id: int, staff: str) -> tuple[Handoff, bool]:
    """Claims the handoff for ``staff``; claiming one's own again changes nothing."""
    handoff = get_handoff(session, handoff_id)
    _require_active(handoff)
    if handoff.status == CLAIMED:
        if handoff.claimed_by == staff:
            return handoff, False
        raise HandoffError(f"handoff {handoff.id} is claimed by {handoff.claimed_by}")
    handoff.status = CLAIMED
    handoff.claimed_by = staff
    handoff.claimed_at = utcnow()
    _note(session, handoff, channel=STAFF_CHANNEL, author=staff,
          summary=f"{staff} took the conversation handed off to staff (handoff {handoff.id}).")
    session.flush()
    return handoff, True


def add_staff_reply(session: Session, handoff_id: int, staff: str, text: str
                    ) -> HandoffMessage:
    """Records a staff reply (claiming the handoff first if nobody has) and its note, on
    the customer's own channel."""
    text = text.strip()
    if not text:
        raise HandoffError("a reply needs some text")
    handoff, _new = claim(session, handoff_id, staff)
    message = HandoffMessage(handoff_id=handoff.id, sender="staff", author=staff, text=text)
    session.add(message)
    _note(session, handoff, channel=handoff.channel, author=staff,
          summary=f"{staff} replied to the customer (handoff {handoff.id}): {text}")
    session.flush()
    session.expire(handoff, ["messages"])
    return message


def close(session: Session, handoff_id: int, staff: str, outcome: str, *,
          hand_back: bool = False) -> Handoff:
    """Closes the handoff with its outcome; the conversation goes back to the assistant."""
    outcome = outcome.strip()
    if not outcome:
        raise HandoffError("closing a handoff needs an outcome")
    handoff = get_handoff(session, handoff_id)
    _require_active(handoff)
    if handoff.status == CLAIMED and handoff.claimed_by != staff:
        raise HandoffError(f"handoff {handoff.id} is claimed by {handoff.claimed_by}")
    now = utcnow()
    handoff.status = CLOSED
    handoff.claimed_by = handoff.claimed_by or staff
    handoff.outcome = outcome
    handoff.closed_at = now
    handoff.handed_back_at = now
    how = "handed the conversation back to the virtual assistant" if hand_back \
        else "closed the handoff"
    _note(session, handoff, channel=STAFF_CHANNEL, author=staff,
          summary=f"{staff} {how} (handoff {handoff.id}). Outcome: {outcome}")
    session.flush()
    return handoff


def add_assistant_message(session: Session, handoff: Handoff, text: str) -> HandoffMessage:
    """What the assistant says on the handoff's behalf (back from staff); the closing note
    already records it."""
    message = HandoffMessage(handoff_id=handoff.id, sender="assistant",
                             author="virtual assistant", text=text)
    session.add(message)
    session.flush()
    return message


def outgoing_messages_after(session: Session, conversation_id: str, after_id: int
                            ) -> list[HandoffMessage]:
    """Messages to the customer (staff replies, the assistant's return) newer than
    ``after_id``, for the web chat page to show."""
    return list(session.execute(
        select(HandoffMessage)
        .join(Handoff)
        .where(Handoff.conversation_id == conversation_id,
               HandoffMessage.sender != "customer", HandoffMessage.id > after_id)
        .order_by(HandoffMessage.id)
    ).scalars().all())
