"""What the staff console does to trackers and the store, with Rasa's in-memory stores."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from actions.store import handoffs
from actions.store.db import Store
from bot.staff.service import StaffService


class FakeAgent:
    """The parts of rasa.core.agent.Agent the console uses."""

    def __init__(self) -> None:
        self.tracker_store = InMemoryTrackerStore(Domain.empty())
        self.lock_store = InMemoryLockStore()


def _handed_off(agent: FakeAgent, store: Store, sender: str, *, office_open: bool) -> int:
    tracker = DialogueStateTracker.from_events(sender, [
        UserUttered("a person please", timestamp=10.0),
        ActionExecuted("action_human_handoff", timestamp=10.1),
        ConversationPaused(timestamp=10.2),
        UserUttered("call me at 507-555-0199 instead", timestamp=20.0),
        UserUttered("card 4111 1111 1111 1111", timestamp=21.0),
    ])
    asyncio.run(agent.tracker_store.save(tracker))
    with store.transaction() as session:
        handoff, _new = handoffs.open_handoff(
            session, conversation_id=sender, channel="chat", input_channel="rest",
            reason="customer_request", summary="...", transcript=[],
            office_open=office_open, callback_phone=None)
        return handoff.id


def test_messages_since_the_pause_are_copied_once_masked_with_the_callback_number(
    demo_store: Store,
) -> None:
    agent, service = FakeAgent(), StaffService(demo_store)
    handoff_id = _handed_off(agent, demo_store, "web-late", office_open=False)
    shown: dict[str, Any] = asyncio.run(service.show(agent, handoff_id))
    asyncio.run(service.show(agent, handoff_id))
    with demo_store.transaction() as session:
        handoff = handoffs.get_handoff(session, handoff_id)
        texts = [m.text for m in handoff.messages]
        phone = handoff.callback_phone
    assert texts == ["call me at 507-555-0199 instead", "card [card number removed]"]
    assert phone == "+15075550199"
    assert [m["text"] for m in shown["messages"]] == texts


def test_handing_back_resumes_the_tracker_and_listens(demo_store: Store) -> None:
    agent, service = FakeAgent(), StaffService(demo_store)
    handoff_id = _handed_off(agent, demo_store, "web-back", office_open=True)
    reply = asyncio.run(service.reply(agent, handoff_id, "Dana", "Hello from Dana"))
    assert reply["delivery"]["delivered"] is False  # REST cannot receive later messages
    closed = asyncio.run(service.close(agent, handoff_id, "Dana", "Answered", hand_back=True))
    assert closed["status"] == "closed"
    tracker = asyncio.run(agent.tracker_store.retrieve("web-back"))
    assert tracker is not None and not tracker.is_paused()
    tail = list(tracker.events)[-4:]
    assert isinstance(tail[0], BotUttered) and tail[0].text == "Hello from Dana"
    assert isinstance(tail[-1], ActionExecuted) and tail[-1].action_name == ACTION_LISTEN_NAME
    assert "back with" in tail[-2].text
