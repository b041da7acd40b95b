"""action_human_handoff without servers: what it stores, says and returns, by the hour."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHumanHandoff
from actions.store import handoffs
from actions.store.db import Store
from actions.store.repository import notes_for_account, notes_for_conversation


def _tracker(sender: str, *, verified: str | None = None, channel: str = "rest") -> Tracker:
    events: list[dict[str, Any]] = [
        {"event": "user", "timestamp": 1.0, "text": "what is the clean air rider?",
         "input_channel": channel, "parse_data": {"intent": {"name": "explain_bill"}}},
        {"event": "bot", "timestamp": 2.0, "text": "Clean Air Rider: ..."},
        {"event": "user", "timestamp": 3.0, "text": "a person please", "input_channel": channel,
         "message_id": "m-3", "parse_data": {"intent": {"name": "human_handoff"}}},
    ]
    slots = {"verified_account": verified}
    latest = {"intent": {"name": "human_handoff"}, "message_id": "m-3", "text": "a person please"}
    return Tracker(sender, slots, latest, events, False, None, {}, "action_listen")


def _run(tracker: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionHumanHandoff().run(dispatcher, tracker, {}))
    return dispatcher.messages, events


def test_during_hours_the_customer_hears_someone_will_reply_and_the_bot_pauses(
    store: Store, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CARELINE_NOW", "2027-01-15T10:30")
    messages, events = _run(_tracker("web-abc", verified="2100001", channel="webchat"))
    assert messages[0]["response"] == "utter_handoff_open"
    assert messages[0]["closes"] == "5:00 p.m."
    assert messages[-1]["custom"]["handoff"] == "started"
    assert events[-1]["event"] == "pause"
    with store.transaction() as session:
        handoff = handoffs.active_handoff(session, "web-abc")
        assert handoff is not None and handoff.office_open and handoff.callback_phone is None
        assert (handoff.account_number, handoff.channel, handoff.input_channel) == (
            "2100001", "chat", "webchat")
        notes = notes_for_account(session, "2100001")
    assert [(n.category, n.channel) for n in notes] == [("handoff", "chat")]
    assert f"handoff {handoff.id}" in notes[0].summary


def test_after_hours_a_texting_customer_gets_a_callback_to_their_phone(
    store: Store, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CARELINE_NOW", "2027-01-15T18:10")  # Friday evening; Monday is MLK Day
    messages, _events = _run(_tracker("sms:+15075550188", channel="twilio"))
    assert messages[0]["response"] == "utter_handoff_callback"
    assert messages[0]["phone_last4"] == "0188"
    assert messages[0]["next_open"] == "on Tuesday, January 19, 2027, at 8:00 a.m."
    with store.transaction() as session:
        handoff = handoffs.active_handoff(session, "sms:+15075550188")
        assert handoff is not None and handoff.callback_phone == "+15075550188"
        [note] = notes_for_conversation(session, "sms:+15075550188")
    assert note.channel == "text" and "callback requested" in note.summary


def test_after_hours_an_unverified_web_customer_is_asked_for_a_number(
    store: Store, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CARELINE_NOW", "2026-12-25T11:00")
    messages, _events = _run(_tracker("web-xmas", channel="webchat"))
    assert messages[0]["response"] == "utter_handoff_callback_no_number"
    assert messages[0]["closed_for"] == " for Christmas Day"


def test_a_replayed_request_opens_one_handoff_and_one_note(
    store: Store, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CARELINE_NOW", "2027-01-15T10:30")
    _run(_tracker("web-twice", verified="2100001"))
    _run(_tracker("web-twice", verified="2100001"))
    with store.transaction() as session:
        assert len(handoffs.queue(session)) == 1
        assert len(notes_for_account(session, "2100001")) == 1
