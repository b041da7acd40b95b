"""A request whose account database is down or locked fails safe and loses no note."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from actions import runtime
from actions.store import outbox
from actions.store.db import Store, create_store
from actions.store.models import AccountNote, Application
from actions.store.repository import record_application


class FakeTracker:
    """The parts of rasa_sdk's Tracker that write_note reads."""

    def __init__(self, sender_id: str, message_id: str) -> None:
        self.sender_id = sender_id
        self.latest_message = {"message_id": message_id}
        self.events: list[Any] = []

    def get_slot(self, name: str) -> Any:
        return "2100001" if name == "verified_account" else None

    def get_latest_input_channel(self) -> str:
        return "rest"


def _count(store: Store, model: type) -> int:
    with store.transaction() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.fixture()
def outbox_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "note-outbox.jsonl"
    monkeypatch.setenv("CARELINE_NOTE_OUTBOX", str(path))
    return path


@pytest.fixture()
def actions_store(demo_store: Store, outbox_file: Path) -> Iterator[Store]:
    runtime.use_store(demo_store)
    yield demo_store
    runtime.use_store(None)


@pytest.fixture()
def unreachable(outbox_file: Path) -> Iterator[Store]:
    # Nothing listens on port 9: every connection is refused at once.
    store = create_store("postgresql+psycopg2://careline@127.0.0.1:9/careline")
    runtime.use_store(store)
    yield store
    runtime.use_store(None)
    store.engine.dispose()


def _note(tracker: FakeTracker, summary: str = "Explained the bill.") -> None:
    runtime.run_transaction(lambda session: runtime.write_note(
        session, tracker, "bill explanation", summary))


def test_a_note_written_while_the_database_is_down_waits_in_the_outbox_and_lands_once(
        unreachable: Store, demo_store: Store, outbox_file: Path) -> None:
    tracker = FakeTracker("conversation-1", "m1")
    _note(tracker)  # returns normally: the customer still gets the answer
    _note(tracker)  # the same request again (a retry): still one note in the end
    assert outbox.pending(outbox_file) == 2

    runtime.use_store(demo_store)  # the database is back
    runtime.run_transaction(lambda session: None)
    assert outbox.pending(outbox_file) == 0
    with demo_store.transaction() as session:
        notes = session.execute(select(AccountNote)).scalars().all()
        assert [(n.conversation_id, n.summary) for n in notes] == [
            ("conversation-1", "Explained the bill.")]


def test_a_business_write_while_the_database_is_down_raises_and_keeps_nothing(
        unreachable: Store, outbox_file: Path) -> None:
    tracker = FakeTracker("conversation-2", "m1")

    def apply(session: Any) -> int:
        application = record_application(
            session, account_number="2100001", kind="cold weather", decision="protected",
            reasons=["income at or below 50% of state median"])
        runtime.write_note(session, tracker, "cold weather", "Applied.")
        return application.id

    with pytest.raises(runtime.StoreUnavailable):
        runtime.run_transaction(apply)
    # Nothing was saved, so nothing waits to be saved: the customer is told exactly that.
    assert outbox.pending(outbox_file) == 0


def test_a_locked_sqlite_database_keeps_the_note_and_writes_it_after_the_lock(
        actions_store: Store, outbox_file: Path, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    monkeypatch.setenv("CARELINE_SQLITE_BUSY_MS", "200")
    path = tmp_path / "careline.db"
    locked = create_store(f"sqlite:///{path}")  # this engine waits only 200 ms for a lock
    runtime.use_store(locked)
    holder = sqlite3.connect(path, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        tracker = FakeTracker("conversation-3", "m1")
        _note(tracker, "Explained the bill while the database was locked.")
        assert outbox.pending(outbox_file) == 1
    finally:
        holder.rollback()
        holder.close()
    runtime.run_transaction(lambda session: None)
    locked.engine.dispose()
    assert outbox.pending(outbox_file) == 0
    assert _count(actions_store, AccountNote) == 1


def test_a_bug_is_not_mistaken_for_an_outage(actions_store: Store, outbox_file: Path) -> None:
    def broken(_session: Any) -> None:
        raise ValueError("a bug")

    with pytest.raises(ValueError):
        runtime.run_transaction(broken)
    assert outbox.pending(outbox_file) == 0
    assert _count(actions_store, Application) == 0
