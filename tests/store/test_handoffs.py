"""The handoff queue in the account store, and the notes its staff actions leave."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from actions.store import handoffs
from actions.store.db import Store
from actions.store.repository import notes_for_account, notes_for_conversation


def _open(store: Store, conversation: str = "sms:+15075550101",
          account: str | None = "2100001", key: str | None = None) -> int:
    with store.transaction() as session:
        handoff, new = handoffs.open_handoff(
            session, conversation_id=conversation, channel="text", input_channel="twilio",
            reason="customer_request", summary="Handed off because ...",
            transcript=[{"speaker": "customer", "text": "a person please",
                         "at": "2027-01-15T16:30:00+00:00"}],
            office_open=True, account_number=account, request_key=key)
        assert new
        return handoff.id


def test_the_queue_is_open_handoffs_oldest_first(demo_store: Store) -> None:
    first = _open(demo_store, "web-a", None)
    second = _open(demo_store, "web-b", None)
    third = _open(demo_store, "web-c", None)
    with demo_store.transaction() as session:
        handoffs.close(session, second, "Dana", "Answered by phone")
    with demo_store.transaction() as session:
        assert [h.id for h in handoffs.queue(session)] == [first, third]


def test_a_conversation_has_one_open_handoff_and_a_replay_opens_none(demo_store: Store) -> None:
    handoff_id = _open(demo_store, key="sms:+15075550101:SM1:handoff")
    with demo_store.transaction() as session:
        again, new = handoffs.open_handoff(
            session, conversation_id="sms:+15075550101", channel="text", reason="appeal",
            summary="", transcript=[], office_open=True)
        assert (again.id, new) == (handoff_id, False)


def test_claim_reply_and_close_each_leave_one_note(demo_store: Store) -> None:
    handoff_id = _open(demo_store)
    with demo_store.transaction() as session:
        handoffs.claim(session, handoff_id, "Dana")
        handoffs.claim(session, handoff_id, "Dana")  # again: nothing new
        handoffs.add_staff_reply(session, handoff_id, "Dana", "Hi, this is Dana.")
        handoffs.close(session, handoff_id, "Dana", "Explained the bill", hand_back=True)
    with demo_store.transaction() as session:
        notes = list(reversed(notes_for_account(session, "2100001")))
        handoff = handoffs.view(handoffs.get_handoff(session, handoff_id))
    assert [(n.category, n.channel, n.author) for n in notes] == [
        ("handoff", "staff", "Dana"), ("handoff", "text", "Dana"), ("handoff", "staff", "Dana")]
    assert "Hi, this is Dana." in notes[1].summary
    assert "handed the conversation back" in notes[2].summary
    assert "Explained the bill" in notes[2].summary
    assert (handoff.status, handoff.claimed_by, handoff.outcome) == (
        "closed", "Dana", "Explained the bill")
    assert [m["text"] for m in handoff.messages] == ["Hi, this is Dana."]


def test_an_unverified_conversation_gets_conversation_notes(demo_store: Store) -> None:
    handoff_id = _open(demo_store, "web-xyz", None)
    with demo_store.transaction() as session:
        handoffs.add_staff_reply(session, handoff_id, "Lee", "Hello")
    with demo_store.transaction() as session:
        notes = notes_for_conversation(session, "web-xyz")
    assert [(n.account_number, n.channel) for n in notes] == [(None, "staff"), (None, "text")]


def test_a_handoff_claimed_by_someone_else_or_closed_is_refused(demo_store: Store) -> None:
    handoff_id = _open(demo_store)
    with demo_store.transaction() as session:
        handoffs.claim(session, handoff_id, "Dana")
    with demo_store.transaction() as session, pytest.raises(handoffs.HandoffError):
        handoffs.add_staff_reply(session, handoff_id, "Lee", "Hi")
    with demo_store.transaction() as session:
        handoffs.close(session, handoff_id, "Dana", "done")
    with demo_store.transaction() as session, pytest.raises(handoffs.HandoffError):
        handoffs.close(session, handoff_id, "Dana", "again")
    with demo_store.transaction() as session, pytest.raises(handoffs.HandoffNotFound):
        handoffs.claim(session, 9999, "Dana")


def test_customer_messages_are_copied_once(demo_store: Store) -> None:
    handoff_id = _open(demo_store)
    at = datetime(2027, 1, 15, 16, 31, tzinfo=timezone.utc)
    messages = [handoffs.CustomerMessage("user@1.0", "are you there?", at),
                handoffs.CustomerMessage("user@2.0", "hello?", at)]
    with demo_store.transaction() as session:
        handoff = handoffs.get_handoff(session, handoff_id)
        assert handoffs.add_customer_messages(session, handoff, messages) == 2
    with demo_store.transaction() as session:
        handoff = handoffs.get_handoff(session, handoff_id)
        assert handoffs.add_customer_messages(session, handoff, messages) == 0
        assert [m.text for m in handoff.messages] == ["are you there?", "hello?"]


def test_the_web_page_gets_only_outgoing_messages_after_its_last(demo_store: Store) -> None:
    handoff_id = _open(demo_store, "web-page", None)
    with demo_store.transaction() as session:
        handoff = handoffs.get_handoff(session, handoff_id)
        handoffs.add_customer_messages(session, handoff, [handoffs.CustomerMessage(
            "user@1.0", "hi", datetime(2027, 1, 15, tzinfo=timezone.utc))])
        first = handoffs.add_staff_reply(session, handoff_id, "Dana", "one").id
        handoffs.add_staff_reply(session, handoff_id, "Dana", "two")
    with demo_store.transaction() as session:
        assert [m.text for m in handoffs.outgoing_messages_after(session, "web-page", 0)] == \
            ["one", "two"]
        assert [m.text for m in handoffs.outgoing_messages_after(session, "web-page", first)] \
            == ["two"]
