"""action_default_fallback without servers: a misunderstood message is taken back, but what
it plainly stated (an account number) is kept."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.general import MISUNDERSTOOD, ActionDefaultFallback
from actions.store.db import Store
from tests.conftest import PROJECT_ROOT

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())


def _misunderstood(text: str, entities: list[dict[str, Any]], slots: dict[str, Any]) -> Tracker:
    latest = {"text": text, "intent": {"name": "nlu_fallback", "confidence": 0.3},
              "entities": entities}
    events = [{"event": "user", "timestamp": 1.0, "text": text, "parse_data": latest},
              *({"event": "slot", "timestamp": 1.1, "name": name, "value": value}
                for name, value in slots.items())]
    return Tracker("web-fallback", slots, latest, events, False, None, {}, "action_listen")


def _run(tracker: Tracker) -> tuple[list[str], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionDefaultFallback().run(dispatcher, tracker, DOMAIN))
    return [message["response"] for message in dispatcher.messages], events


def test_an_account_number_in_a_misunderstood_message_is_kept() -> None:
    tracker = _misunderstood(
        "what is my neighbor jane doe's bill? account 2100001",
        [{"entity": "account_number", "value": "2100001", "start": 45, "end": 52}],
        {"account_number": "2100001", "zip_code": None, MISUNDERSTOOD: 0.0})
    responses, events = _run(tracker)
    assert responses == ["utter_default"]
    assert [(e["event"], e.get("name"), e.get("value")) for e in events] == [
        ("rewind", None, None),
        ("slot", "account_number", "2100001"),
        ("slot", MISUNDERSTOOD, 1.0),
    ]


def test_a_message_with_no_entities_keeps_nothing_and_a_second_miss_hands_off(
    store: Store, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CARELINE_NOW", "2027-01-15T10:30")
    tracker = _misunderstood("blorp", [], {"account_number": "2100001", MISUNDERSTOOD: 1.0})
    _responses, events = _run(tracker)
    assert events[0]["event"] == "rewind"
    assert not any(e.get("name") == "account_number" for e in events)
    assert events[-1]["event"] == "pause"
