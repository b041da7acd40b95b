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
from sqlalchemy.orm import Session

from actions.store.db import Store, create_store
from actions.store.repository import add_note

logger = logging.getLogger(__name__)

T = TypeVar("T")

_store: Store | None = None
_store_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None

_CHANNEL_FOR_INPUT = {"twilio": "text", "sms": "text"}


def store() -> Store:
    """The process's store, created on first use from ``DATABASE_URL``."""
    global _store
    with _store_lock:
        if _store is None:
            _store = create_store()
        return _store


def use_store(replacement: Store | None) -> None:
    """Points the actions at another store (tests) or back at the default (None)."""
    global _store
    with _store_lock:
        _store = replacement


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _store_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=8, thread_name_prefix="careline-db")
        return _executor


async def in_transaction(work: Callable[[Session], T]) -> T:
    """Runs ``work`` in one database transaction on the thread pool, off the event loop."""

    def _run() -> T:
        with store().transaction() as session:
            return work(session)

    return await asyncio.get_running_loop().run_in_executor(_pool(), _run)


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
    add_note(
        session,
        account_number=account_number or tracker.get_slot("verified_account"),
        conversation_id=tracker.sender_id,
        channel=note_channel(tracker),
        category=category,
        summary=summary,
        request_key=request_key(tracker, category),
    )


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
