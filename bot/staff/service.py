"""What the staff console does, inside the Rasa server process.

The tracker is where a paused conversation's customer messages land (Rasa logs them
without answering), so the console copies them onto the handoff whenever staff look at or
act on it, and once more when it closes: the handoff record is then complete whichever
tracker store is configured. Staff replies go back on the customer's own channel: SMS
through Twilio's REST API, web chat through the page's poll (``delivery.py``). Handing back
resumes the conversation in the tracker (Rasa's ``ConversationResumed``) under the
conversation's lock, so it cannot race a message being processed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, TypeVar

from rasa.core.agent import Agent
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    UserUttered,
)
from sqlalchemy.orm import Session

from actions.identity import SMS_PREFIX
from actions.rules.handoff import mask_private, phone_in
from actions.store import handoffs
from actions.store.db import Store, create_store
from actions.store.repository import NoteView, notes_for_account, notes_for_conversation
from bot.channels.texts import channel_response
from bot.channels.twilio_sms import SmsNotConfigured, SmsOptedOut, phone_ref, send_sms

logger = logging.getLogger(__name__)

T = TypeVar("T")


@lru_cache(maxsize=1)
def shared_store() -> Store:
    """The account store of this process, made on first use."""
    return create_store()


async def in_transaction(work: Callable[[Session], T], store: Store | None = None) -> T:
    """Runs blocking database work in one transaction, off the event loop."""

    def run() -> T:
        with (store or shared_store()).transaction() as session:
            return work(session)

    return await asyncio.to_thread(run)


def customer_messages_since_pause(events: list[Event]) -> list[handoffs.CustomerMessage]:
    """The customer's messages after the latest pause (until a resume), masked."""
    start = None
    for index in range(len(events) - 1, -1, -1):
        if isinstance(events[index], ConversationPaused):
            start = index
            break
    if start is None:
        return []
    found = []
    for event in events[start + 1:]:
        if isinstance(event, ConversationResumed):
            break
        if isinstance(event, UserUttered) and event.text:
            found.append(handoffs.CustomerMessage(
                source_key=f"user@{event.timestamp:.6f}",
                text=mask_private(event.text),
                at=datetime.fromtimestamp(event.timestamp, tz=timezone.utc),
            ))
    return found


@dataclass(frozen=True)
class Delivery:
    delivered: bool
    how: str  # "sms", "web chat", or why it was not delivered


class StaffService:
    def __init__(self, store: Store | None = None) -> None:
        self._store = store

    @property
    def store(self) -> Store:
        return self._store or shared_store()

    async def _db(self, work: Callable[[Session], T]) -> T:
        return await in_transaction(work, self.store)

    async def sync(self, agent: Agent, handoff_id: int) -> None:
        """Copies the customer's messages since the handoff from the tracker."""
        conversation_id = await self._db(
            lambda s: handoffs.get_handoff(s, handoff_id).conversation_id)
        tracker = await agent.tracker_store.retrieve(conversation_id)
        if tracker is None:
            return
        messages = customer_messages_since_pause(list(tracker.events))
        if not messages:
            return

        def work(session: Session) -> None:
            handoff = handoffs.get_handoff(session, handoff_id)
            if handoff.status == handoffs.CLOSED:
                return
            handoffs.add_customer_messages(session, handoff, messages)
            if not handoff.office_open:
                # Outside hours the customer was invited to text a number for the callback.
                for message in messages:
                    phone = phone_in(message.text)
                    if phone:
                        handoffs.update_callback_phone(handoff, phone)

        await self._db(work)

    async def queue(self, agent: Agent) -> list[dict[str, Any]]:
        ids = await self._db(lambda s: [h.id for h in handoffs.queue(s)])
        for handoff_id in ids:
            await self.sync(agent, handoff_id)
        return await self._db(lambda s: [_brief(h) for h in handoffs.queue(s)])

    async def show(self, agent: Agent, handoff_id: int) -> dict[str, Any]:
        await self.sync(agent, handoff_id)

        def work(session: Session) -> dict[str, Any]:
            handoff = handoffs.get_handoff(session, handoff_id)
            data = handoffs.view(handoff).to_dict()
            notes: list[NoteView] = (
                notes_for_account(session, handoff.account_number) if handoff.account_number
                else notes_for_conversation(session, handoff.conversation_id)
            )
            data["notes"] = [note.to_dict() for note in notes]
            return data

        return await self._db(work)

    async def claim(self, agent: Agent, handoff_id: int, staff: str) -> dict[str, Any]:
        await self.sync(agent, handoff_id)
        await self._db(lambda s: handoffs.claim(s, handoff_id, staff))
        return await self.show(agent, handoff_id)

    async def reply(self, agent: Agent, handoff_id: int, staff: str, text: str
                    ) -> dict[str, Any]:
        await self.sync(agent, handoff_id)
        conversation_id, channel = await self._db(lambda s: _address(
            handoffs.get_handoff(s, handoff_id)))
        await self._db(lambda s: handoffs.add_staff_reply(s, handoff_id, staff, text))
        delivery = await self._deliver(conversation_id, channel, text)
        await self._log_in_tracker(agent, conversation_id, text, staff)
        data = await self.show(agent, handoff_id)
        data["delivery"] = {"delivered": delivery.delivered, "how": delivery.how}
        return data

    async def close(self, agent: Agent, handoff_id: int, staff: str, outcome: str, *,
                    hand_back: bool) -> dict[str, Any]:
        """Closes the handoff and gives the conversation back to the assistant; on a hand
        back the customer is told the assistant is there again."""
        await self.sync(agent, handoff_id)
        returned = channel_response("utter_handoff_returned") if hand_back else None

        def work(session: Session) -> tuple[str, str | None]:
            handoff = handoffs.close(session, handoff_id, staff, outcome, hand_back=hand_back)
            if returned:
                handoffs.add_assistant_message(session, handoff, returned)
            return _address(handoff)

        conversation_id, channel = await self._db(work)
        await self._resume(agent, conversation_id, returned)
        if returned:
            await self._deliver(conversation_id, channel, returned)
        return await self.show(agent, handoff_id)

    async def _deliver(self, conversation_id: str, input_channel: str | None,
                       text: str) -> Delivery:
        if conversation_id.startswith(SMS_PREFIX):
            phone = conversation_id[len(SMS_PREFIX):]
            try:
                await send_sms(phone, text)
            except SmsOptedOut:
                logger.info("Staff reply not texted: %s has opted out.", phone_ref(phone))
                return Delivery(False, "the customer has opted out of texts (STOP)")
            except SmsNotConfigured:
                logger.error("Staff reply not texted: Twilio is not configured.")
                return Delivery(False, "Twilio is not configured")
            except Exception:  # noqa: BLE001 - Twilio refused or was unreachable
                logger.exception("Staff reply to %s could not be texted.", phone_ref(phone))
                return Delivery(False, "Twilio did not accept the message")
            return Delivery(True, "sms")
        if input_channel == "webchat":
            return Delivery(True, "web chat")  # the page collects it on its next poll
        return Delivery(False, f"the {input_channel or 'unknown'} channel cannot receive "
                               "later messages; call the customer")

    async def _log_in_tracker(self, agent: Agent, conversation_id: str, text: str,
                              staff: str) -> None:
        """Adds what staff said to the conversation's history in Rasa's tracker."""
        async with agent.lock_store.lock(conversation_id):
            tracker = await agent.tracker_store.retrieve(conversation_id)
            if tracker is None:
                return
            tracker.update(BotUttered(text, metadata={"staff": staff}))
            await agent.tracker_store.save(tracker)

    async def _resume(self, agent: Agent, conversation_id: str, said: str | None) -> None:
        async with agent.lock_store.lock(conversation_id):
            tracker = await agent.tracker_store.retrieve(conversation_id)
            if tracker is None:
                return
            tracker.update(ConversationResumed())
            if said:
                tracker.update(BotUttered(said))
            # The pause cut the turn short before Rasa's own action_listen; without it the
            # customer's next message would follow the handoff action and match no rule.
            tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
            await agent.tracker_store.save(tracker)


def _address(handoff: Any) -> tuple[str, str | None]:
    return handoff.conversation_id, handoff.input_channel


def _brief(handoff: Any) -> dict[str, Any]:
    data = handoffs.view(handoff).to_dict()
    waiting = [m for m in data["messages"] if m["sender"] == "customer"]
    return {key: data[key] for key in (
        "id", "conversation_id", "channel", "reason", "account_number", "status",
        "claimed_by", "created_at", "office_open", "callback_phone", "summary")} | {
        "customer_messages": len(waiting)}
