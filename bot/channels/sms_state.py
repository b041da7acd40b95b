"""What the SMS channel remembers between webhooks, in the account database.

- opt-outs: a number that texted STOP gets nothing from careline until it texts START;
- deliveries: one row per incoming message (keyed by ``MessageSid``), claimed before the
  message reaches Rasa and holding the reply afterwards, so a retried webhook is answered
  with the same reply and never processed twice;
- choices: the numbered choices last offered in each conversation, so "1" maps back to
  the first button's payload.

The tables are account-store models (``actions/store/models.py``), so the migrations create
them like every other table and the schema is the same whether or not the channel is
loaded. Every method here blocks: the channel calls them on a worker thread.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from actions.store.db import Store, create_store, database_url
from actions.store.models import SmsChoices, SmsDelivery, SmsOptOut
from bot.channels.sms_format import Choice

# How long a delivery row (which holds the reply text, so private data) is kept: Twilio
# retries a webhook within minutes.
DELIVERY_RETENTION = timedelta(hours=24)
# Numbered choices older than this (Rasa's session expiry) no longer count.
CHOICES_TTL = timedelta(minutes=60)

PROCESSING = SmsDelivery.PROCESSING
REPLIED = "replied"  # the reply went back as TwiML: a retry gets it again
SENT = "sent"  # the reply went out through the REST API: a retry gets nothing


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Delivery:
    status: str
    parts: tuple[str, ...]


def delivery_key(message_sid: str | None, idempotency_token: str | None) -> str | None:
    """The de-duplication key of an incoming webhook: its MessageSid, else Twilio's
    idempotency token (hashed when long)."""
    if message_sid:
        return f"sid:{message_sid}"[:100]
    if idempotency_token:
        if len(idempotency_token) <= 90:
            return f"token:{idempotency_token}"
        return "token#" + hashlib.sha256(idempotency_token.encode()).hexdigest()
    return None


class SmsState:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- opt-outs -----------------------------------------------------------------------

    def is_opted_out(self, phone: str) -> bool:
        with self.store.transaction() as session:
            row = session.get(SmsOptOut, phone)
            return bool(row and row.opted_out)

    def set_opted_out(self, phone: str, opted_out: bool) -> None:
        with self.store.transaction() as session:
            session.merge(SmsOptOut(phone=phone, opted_out=opted_out, changed_at=_now()))

    # -- deliveries ---------------------------------------------------------------------

    def claim(self, key: str, conversation_id: str) -> bool:
        """True when this process is the first to see ``key`` and must answer it."""
        try:
            with self.store.transaction() as session:
                session.execute(
                    delete(SmsDelivery).where(
                        SmsDelivery.created_at < _now() - DELIVERY_RETENTION
                    )
                )
                session.add(SmsDelivery(key=key, conversation_id=conversation_id,
                                        status=PROCESSING, created_at=_now()))
        except IntegrityError:
            return False
        return True

    def delivery(self, key: str) -> Delivery | None:
        with self.store.transaction() as session:
            row = session.get(SmsDelivery, key)
            if row is None:
                return None
            return Delivery(status=row.status, parts=tuple(row.parts or ()))

    def finish(self, key: str, parts: list[str], status: str, *,
               conversation_id: str | None = None,
               choices: tuple[Choice, ...] | None = None) -> None:
        """Stores the reply of a claimed message; with ``choices`` (possibly empty), also
        replaces the conversation's numbered choices, in the same transaction."""
        with self.store.transaction() as session:
            row = session.get(SmsDelivery, key)
            if row is not None:
                row.status = status
                row.parts = list(parts)
                row.finished_at = _now()
            if conversation_id is not None and choices is not None:
                self._set_choices(session, conversation_id, choices)

    def release(self, key: str) -> None:
        """Forgets a claim whose processing failed, so a retry processes it again."""
        with self.store.transaction() as session:
            session.execute(delete(SmsDelivery).where(SmsDelivery.key == key))

    # -- numbered choices ---------------------------------------------------------------

    def choices(self, conversation_id: str) -> tuple[Choice, ...]:
        with self.store.transaction() as session:
            row = session.execute(
                select(SmsChoices).where(
                    SmsChoices.conversation_id == conversation_id,
                    SmsChoices.offered_at >= _now() - CHOICES_TTL,
                )
            ).scalar_one_or_none()
            if row is None:
                return ()
            return tuple(Choice(int(c["number"]), str(c["title"]), str(c["payload"]))
                         for c in row.choices)

    @staticmethod
    def _set_choices(session: Session, conversation_id: str,
                     choices: tuple[Choice, ...]) -> None:
        row = session.get(SmsChoices, conversation_id)
        if not choices:
            if row is not None:
                session.delete(row)
            return
        stored = [{"number": c.number, "title": c.title, "payload": c.payload} for c in choices]
        if row is None:
            session.add(SmsChoices(conversation_id=conversation_id, choices=stored,
                                   offered_at=_now()))
        else:
            row.choices = stored
            row.offered_at = _now()


@lru_cache(maxsize=4)
def _state_for(url: str) -> SmsState:
    return SmsState(create_store(url))


def shared_state() -> SmsState:
    """The process's SMS state on ``DATABASE_URL``, made on first use."""
    return _state_for(database_url())
