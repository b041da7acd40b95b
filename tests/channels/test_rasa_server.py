"""careline's Rasa entry point validates action server responses exactly as Rasa does, with
the schema compiled once, and keeps its connections to the action server open."""

from __future__ import annotations

import asyncio
from datetime import datetime

import aiohttp
import aiohttp.web
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_server import (
    action_response_validator,
    response_is_valid,
    shared_session,
    validate_action_result,
)
from tests.conversation.conftest import free_port

ACTION = RemoteAction("action_test", None)
GOOD = {"events": [{"event": "slot", "name": "zip_code", "value": "55902"}],
        "responses": [{"response": "utter_verified", "account_number": "2100001"}]}
BAD = {"events": [{"name": "zip_code"}], "responses": []}  # an event needs its type


def test_a_valid_response_passes_both_validators() -> None:
    assert validate_action_result(ACTION, GOOD) is True
    assert RemoteAction._validate_action_result(ACTION, GOOD) is True


def test_an_invalid_response_is_refused_with_rasas_hint() -> None:
    with pytest.raises(ValidationError) as ours:
        validate_action_result(ACTION, BAD)
    assert "Failed to validate Action server response" in ours.value.message
    with pytest.raises(ValidationError):
        RemoteAction._validate_action_result(ACTION, BAD)


def test_the_schema_is_compiled_once() -> None:
    assert action_response_validator() is action_response_validator()


# -- calls to the action server share open connections ------------------------------------

async def _serve(port: int, peers: list[tuple]) -> aiohttp.web.AppRunner:
    async def webhook(request: aiohttp.web.Request) -> aiohttp.web.Response:
        peers.append(request.transport.get_extra_info("peername"))
        return aiohttp.web.json_response({"events": [], "responses": []})

    app = aiohttp.web.Application()
    app.router.add_post("/webhook", webhook)
    runner = aiohttp.web.AppRunner(app)
    await runner.setup()
    await aiohttp.web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


def test_calls_reuse_one_connection_and_survive_a_restarted_action_server(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(EndpointConfig, "session", shared_session)
    port = free_port()
    endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")

    async def scenario() -> tuple[list[tuple], list[tuple]]:
        before, after = [], []
        runner = await _serve(port, before)
        for _ in range(5):
            assert await endpoint.request(json={"next_action": "action_test"}) == {
                "events": [], "responses": []}
        await runner.cleanup()  # the action server restarts: its connections close
        runner = await _serve(port, after)
        for _ in range(3):
            assert await endpoint.request(json={"next_action": "action_test"}) is not None
        await runner.cleanup()
        await shared_session(endpoint).session.close()
        return before, after

    before, after = asyncio.run(scenario())
    assert len(before) == 5 and len(set(before)) == 1  # one connection for five calls
    assert len(after) == 3 and len(set(after)) == 1


# -- the event schemas resolved by name accept and refuse exactly what Rasa's validator does

def _sample_events() -> list[dict]:
    """One event of every type Rasa's response schema knows, as Rasa serialises it."""
    from rasa.shared.core import events as ev

    samples = [
        ev.UserUttered("my bill is high", {"name": "high_bill", "confidence": 0.9},
                       [{"entity": "bill_line", "value": "energy", "start": 0, "end": 2}]),
        ev.ActionExecuted("action_explain_bill", policy="RulePolicy", confidence=1.0),
        ev.SlotSet("zip_code", "55902"), ev.SlotSet("household_size", 3),
        ev.SlotSet("verified", True), ev.SlotSet("contacts", [{"name": "Robert"}]),
        ev.EntitiesAdded([{"entity": "bill_line", "value": "energy"}]),
        ev.DefinePrevUserUtteredFeaturization(True),
        ev.ReminderCancelled(name="reminder"), ev.ReminderScheduled("EXTERNAL", datetime.now()),
        ev.ActionExecutionRejected("cold_weather_form"), ev.LoopInterrupted(True),
        ev.ActiveLoop("cold_weather_form"), ev.ActiveLoop(None), ev.AllSlotsReset(),
        ev.ConversationResumed(), ev.ConversationPaused(), ev.FollowupAction("action_listen"),
        ev.StoryExported(), ev.Restarted(), ev.UserUtteranceReverted(), ev.ActionReverted(),
        ev.BotUttered("Hello", {"buttons": [{"title": "Yes", "payload": "/affirm"}]}),
        ev.SessionStarted(), ev.AgentUttered("hi"),
    ]
    found = [event.as_dict() for event in samples]
    found += [{"event": "form", "name": "cold_weather_form"},
              {"event": "form_validation", "validate": False}]
    return found


def _variants(event: dict) -> list[dict]:
    """The event, and malformed versions of it: each key missing, each key of every wrong
    type, another type's name, an unknown name."""
    variants = [event]
    for key in event:
        variants.append({k: v for k, v in event.items() if k != key})
        for wrong in (None, 7, 1.5, "text", [], {}, True):
            variants.append({**event, key: wrong})
    for name in ("slot", "user", "bot", "action", "active_loop", "no_such_event"):
        variants.append({**event, "event": name})
    variants.append({**event, "extra": "allowed?"})
    return variants


def test_fast_and_full_validation_agree_on_every_event_type_and_malformed_ones() -> None:
    full = action_response_validator()
    checked = accepted = 0
    for event in _sample_events():
        for variant in _variants(event):
            response = {"events": [variant], "responses": [{"text": "ok"}]}
            assert response_is_valid(response) == full.is_valid(response), variant
            checked += 1
            accepted += full.is_valid(response)
    for response in ({}, {"events": None}, {"events": "x"}, {"events": [1]},
                     {"responses": "x"}, {"events": [], "responses": [1]}, []):
        assert response_is_valid(response) == full.is_valid(response), response
    assert checked > 900 and 0 < accepted < checked  # both kinds were really compared
