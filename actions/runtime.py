"""What every action shares: the store (made on first use), a thread pool for blocking
database work, and the account note that records each answered request."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from rasa_sdk import Tracker
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, PendingRollbackError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from actions.store import outbox
from actions.store.db import Store, create_store
from actions.store.models import AccountNote
from actions.store.repository import add_note

logger = logging.getLogger(__name__)

T = TypeVar("T")

_store: Store | None = None
_store_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None

_CHANNEL_FOR_INPUT = {"twilio": "text", "sms": "text"}

# Session.info keys: the notes a transaction wrote, those kept in the outbox instead, and
# whether it wrote anything besides notes.
_NOTES = "careline_notes"
_NOTES_KEPT = "careline_notes_kept"
_BUSINESS_WRITES = "careline_business_writes"
_NOTHING = object()


class StoreUnavailable(RuntimeError):
    """The account database is down or locked: nothing of the request was saved.

    The action server answers it with ``utter_store_unavailable`` (actions/server.py)."""


def is_unavailable(error: BaseException) -> bool:
    """A database that cannot be reached or stays locked, as opposed to a bug."""
    if isinstance(error, PoolTimeout):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    # SQLite reports a missing table as an OperationalError too; that is a bug.
    return isinstance(error, (OperationalError, InterfaceError)) and "no such" not in str(error)


def _track_writes(session: Session, _context: object, _instances: object) -> None:
    if any(not isinstance(row, AccountNote)
           for row in (*session.new, *session.dirty, *session.deleted)):
        session.info[_BUSINESS_WRITES] = True


def _watched(new_store: Store) -> Store:
    if not event.contains(new_store.sessions, "before_flush", _track_writes):
        event.listen(new_store.sessions, "before_flush", _track_writes)
    return new_store


def store() -> Store:
    """The process's store, created on first use from ``DATABASE_URL``."""
    global _store
    with _store_lock:
        if _store is None:
            _store = _watched(create_store())
        return _store


def use_store(replacement: Store | None) -> None:
    """Points the actions at another store (tests) or back at the default (None)."""
    global _store
    with _store_lock:
        _store = _watched(replacement) if replacement is not None else None


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _store_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="careline-db")
        return _executor


def _keep_notes(info: dict[str, Any]) -> None:
    kept = info.setdefault(_NOTES_KEPT, [])
    for note in info.get(_NOTES, []):
        if not any(note is done for done in kept):
            outbox.keep(note)
            kept.append(note)


def run_transaction(work: Callable[[Session], T]) -> T:
    """Runs ``work`` in one transaction (blocking), failing safe when the database is down.

    When the database cannot be reached or stays locked, a transaction that wrote only
    account notes still returns its result and its notes wait in the outbox (written by
    the next transaction that succeeds); any other transaction raises
    :class:`StoreUnavailable`, and nothing of it was saved.
    """
    result: Any = _NOTHING
    info: dict[str, Any] = {}
    try:
        with store().transaction() as session:
            info = session.info
            result = work(session)
    except Exception as error:
        notes_kept = bool(info.get(_NOTES_KEPT))
        # After write_note kept a note, the session reports the earlier failure as a
        # pending rollback; that is the same outage, not a bug.
        if not (is_unavailable(error)
                or (notes_kept and isinstance(error, PendingRollbackError))):
            raise
        if result is not _NOTHING and not info.get(_BUSINESS_WRITES):
            _keep_notes(info)
            return result
        raise StoreUnavailable("the account database is unavailable") from error
    if outbox.has_pending():
        try:
            outbox.deliver(store())
        except Exception as error:  # noqa: BLE001 - retried after the next transaction
            if not is_unavailable(error):
                raise
    return result


async def in_transaction(work: Callable[[Session], T]) -> T:
    """Runs ``work`` in one database transaction on the thread pool, off the event loop
    (see :func:`run_transaction` for what happens when the database is unavailable)."""
    return await asyncio.get_running_loop().run_in_executor(
        _pool(), run_transaction, work)


def note_channel(tracker: Tracker) -> str:
    """``text`` for SMS conversations, ``chat`` for web chat and REST."""
    return _CHANNEL_FOR_INPUT.get(tracker.get_latest_input_channel() or "", "chat")


def request_key(tracker: Tracker, category: str) -> str:
    """Identifies one answered request, so a replayed message is not noted twice."""
    message_id = tracker.latest_message.get("message_id") or str(len(tracker.events))
    return f"{tracker.sender_id}:{message_id}:{category}"[:120]


def write_note(session: Session, tracker: Tracker, category: str, summary: str,
               *, account_number: str | None = None) -> None:
    """Appends the account note for the request the tracker is answering; when a named
    contact is acting for the customer, the note says who."""
    acting_as = tracker.get_slot("verified_as")
    if acting_as:
        summary = f"{summary} (Conversation with {acting_as}.)"
    note = {
        "account_number": account_number or tracker.get_slot("verified_account"),
        "conversation_id": tracker.sender_id,
        "channel": note_channel(tracker),
        "category": category,
        "summary": summary,
        "request_key": request_key(tracker, category),
    }
    # If the database fails while this transaction has written nothing but notes, the
    # note waits in the outbox: the customer still gets the answer, and the note is
    # written when the database returns.
    session.info.setdefault(_NOTES, []).append(note)
    try:
        add_note(session, **note)
    except Exception as error:
        if not is_unavailable(error) or session.info.get(_BUSINESS_WRITES):
            raise
        _keep_notes(session.info)


async def note_only(tracker: Tracker, category: str, summary: str) -> None:
    """Writes just the note for a request whose answer changed no business data."""
    await in_transaction(lambda session: write_note(session, tracker, category, summary))


def slot_text(tracker: Tracker, name: str) -> str | None:
    value: Any = tracker.get_slot(name)
    return str(value) if value not in (None, "") else None


def local_today(timezone: str) -> date:
    """Today in the utility's time zone. ``CARELINE_TODAY`` (YYYY-MM-DD) pins it, so demos
    and tests of date rules give the same answer on any day."""
    pinned = os.environ.get("CARELINE_TODAY")
    if pinned:
        return date.fromisoformat(pinned)
    return datetime.now(ZoneInfo(timezone)).date()
