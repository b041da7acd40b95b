"""Which turns get the apology (bot/channels/apology.py): a custom action that failed in
the turn, or silence outside a paused conversation; never a good answer."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

import pytest
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ConversationPaused
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

from bot.channels import apology
from bot.channels.texts import channel_response
from tests.conversation.conftest import free_port

APOLOGY = channel_response("utter_channel_error")
GOOD_ANSWER = [{"recipient_id": "web-1", "text": "Your bill is due on the 15th."}]


def run_remote_action(sender: str) -> None:
    """Run a custom action against an action server that is not there."""
    endpoint = EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook")
    action = RemoteAction("action_explain_bill", endpoint)
    tracker = DialogueStateTracker(sender, [])
    domain = Domain.empty()
    with pytest.raises(RasaException, match="Failed to execute custom action"):
        asyncio.run(action.run(CollectingOutputChannel(),
                               TemplatedNaturalLanguageGenerator(domain.responses),
                               tracker, domain))


def app_with(store: InMemoryTrackerStore) -> SimpleNamespace:
    return SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=store)))


def test_a_failed_custom_action_adds_the_apology_to_half_an_answer() -> None:
    started = time.monotonic()
    run_remote_action("web-1")
    replies = asyncio.run(apology.with_apology(None, "web-1", GOOD_ANSWER, started))
    assert replies == [*GOOD_ANSWER, {"recipient_id": "web-1", "text": APOLOGY}]
    # The record is used up: the next good turn is left alone.
    assert asyncio.run(apology.with_apology(None, "web-1", GOOD_ANSWER,
                                            time.monotonic())) == GOOD_ANSWER


def test_a_failure_before_the_turn_began_is_not_this_turns() -> None:
    run_remote_action("web-2")
    later = time.monotonic() + 1
    assert asyncio.run(apology.with_apology(None, "web-2", GOOD_ANSWER, later)) == GOOD_ANSWER


def test_a_failure_in_another_conversation_is_not_this_ones() -> None:
    started = time.monotonic()
    run_remote_action("web-3")
    assert asyncio.run(apology.with_apology(None, "web-4", GOOD_ANSWER,
                                            started)) == GOOD_ANSWER


def test_a_form_rejecting_a_value_is_not_a_failure(monkeypatch) -> None:
    async def reject(*args, **kwargs):
        raise ActionExecutionRejection("validate_cold_weather_form", "no value")

    sender = "web-5"
    started = time.monotonic()
    assert apology.custom_action_failed(sender, started) is False
    # The wrapper Rasa runs sits in front of the original; a rejection goes through it.
    wrapped = RemoteAction.run
    monkeypatch.setattr(RemoteAction, "run", reject)
    apology._record_custom_action_failures()
    tracker = DialogueStateTracker(sender, [])
    with pytest.raises(ActionExecutionRejection):
        asyncio.run(RemoteAction.run(None, None, None, tracker, None))
    assert RemoteAction.run is not reject and wrapped.records_failures
    assert apology.custom_action_failed(sender, started) is False


def test_silence_gets_the_apology_unless_a_person_has_the_conversation() -> None:
    store = InMemoryTrackerStore(Domain.empty())
    asyncio.run(store.save(DialogueStateTracker("web-6", [])))
    paused = DialogueStateTracker("web-7", [])
    paused.update(ConversationPaused())
    asyncio.run(store.save(paused))
    app = app_with(store)
    started = time.monotonic()

    assert asyncio.run(apology.with_apology(app, "web-6", [], started)) == [
        {"recipient_id": "web-6", "text": APOLOGY}]
    assert asyncio.run(apology.with_apology(app, "web-7", [], started)) == []
