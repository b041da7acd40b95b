from __future__ import annotations

import pytest

from actions.store.db import Store
from actions.store.repository import (
    add_note,
    link_conversation,
    notes_for_account,
    notes_for_conversation,
)


def test_notes_are_listed_newest_first(demo_store: Store) -> None:
    with demo_store.transaction() as session:
        for n in range(3):
            add_note(session, account_number="2100001", channel="chat",
                     category="payment options", summary=f"note {n}")
    with demo_store.transaction() as session:
        assert [n.summary for n in notes_for_account(session, "2100001")] == [
            "note 2", "note 1", "note 0"
        ]


def test_unverified_conversation_notes_join_the_account_once_linked(demo_store: Store) -> None:
    with demo_store.transaction() as session:
        add_note(session, conversation_id="web-abc", channel="chat",
                 category="outage report", summary="outage numbers given")
    with demo_store.transaction() as session:
        assert notes_for_account(session, "2100001") == []
        link_conversation(session, "web-abc", "2100001")
    with demo_store.transaction() as session:
        notes = notes_for_account(session, "2100001")
        assert [n.summary for n in notes] == ["outage numbers given"]
        assert notes[0].account_number == "2100001"
        # The note itself was not rewritten: linking is a separate record.
        assert notes_for_conversation(session, "web-abc")[0].conversation_id == "web-abc"


def test_a_request_key_is_noted_once(demo_store: Store) -> None:
    with demo_store.transaction() as session:
        first = add_note(session, account_number="2100001", channel="text", category="x",
                         summary="once", request_key="sms:1:x")
        again = add_note(session, account_number="2100001", channel="text", category="x",
                         summary="twice", request_key="sms:1:x")
        assert again.id == first.id
    with demo_store.transaction() as session:
        assert len(notes_for_account(session, "2100001")) == 1


def test_unknown_channel_is_refused(demo_store: Store) -> None:
    with demo_store.transaction() as session, pytest.raises(ValueError):
        add_note(session, channel="fax", category="x", summary="y")
