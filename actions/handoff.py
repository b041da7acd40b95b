"""Handing a conversation to Customer Care staff.

``hand_off`` is what every path to a person shares: the ``human_handoff`` intent, the
second misunderstanding in a row, and any flow that needs staff (written consent, appeals,
data requests). It opens the handoff (summary and masked transcript from the tracker) and
writes the account note in one transaction, tells the customer what happens next with the
real hours, and pauses the conversation: Rasa then logs the customer's further messages
without answering them, and the staff console copies them onto the handoff.

A flow that calls ``hand_off`` must not write a note of its own for the same request:
the handoff's note is that request's one note.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.identity import SMS_PREFIX
from actions.reference import response_values, utility_calendar
from actions.rules.handoff import (
    REASONS,
    handoff_timing,
    last_four,
    read_conversation,
    summary_paragraph,
)
from actions.runtime import in_transaction, note_channel, request_key, write_note
from actions.store.handoffs import open_handoff
from actions.store.repository import get_account

MISUNDERSTOOD = "misunderstood_in_a_row"


def local_now(timezone: str) -> datetime:
    """Now in the utility's time zone. ``CARELINE_NOW`` (ISO, local time) pins the moment
    and ``CARELINE_TODAY`` the date only, so demos and tests of office hours repeat."""
    zone = ZoneInfo(timezone)
    pinned = os.environ.get("CARELINE_NOW")
    if pinned:
        moment = datetime.fromisoformat(pinned)
        return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)
    now = datetime.now(zone)
    today = os.environ.get("CARELINE_TODAY")
    if today:
        day = datetime.fromisoformat(today).date()
        now = now.replace(year=day.year, month=day.month, day=day.day)
    return now


def _phone_on_file(session: Session, tracker: Tracker, account: str | None) -> str | None:
    """The number to call back: the texting phone, else the verified account's phone."""
    if tracker.sender_id.startswith(SMS_PREFIX):
        return tracker.sender_id[len(SMS_PREFIX):]
    if account:
        found = get_account(session, account)
        return found.phone if found is not None else None
    return None


async def hand_off(dispatcher: CollectingDispatcher, tracker: Tracker, reason: str,
                   *, request: str | None = None) -> list[EventType]:
    """Opens a handoff for ``reason`` (a key of ``REASONS``), tells the customer what
    happens next, and returns the events that pause the conversation.

    ``request`` names what the customer wanted, for the note (e.g. "an appeal of the
    disconnection notice"); the reason's own wording is used without it.
    """
    calendar = utility_calendar()
    now = local_now(calendar.timezone)
    timing = handoff_timing(calendar, now)
    turns, facts = read_conversation(tracker.events)
    channel = note_channel(tracker)
    summary = summary_paragraph(reason, facts, channel=channel)
    account = tracker.get_slot("verified_account") or facts.verified_account
    why = request or REASONS.get(reason, reason)

    def work(session: Session) -> tuple[int, str | None]:
        phone = _phone_on_file(session, tracker, account)
        handoff, new = open_handoff(
            session, conversation_id=tracker.sender_id, channel=channel,
            input_channel=tracker.get_latest_input_channel(), reason=reason,
            account_number=account, summary=summary,
            transcript=[turn.to_dict() for turn in turns], office_open=timing.office_open,
            callback_phone=None if timing.office_open else phone,
            request_key=request_key(tracker, "handoff"),
        )
        if new:
            when = ("Customer Care was open; staff to reply in the conversation."
                    if timing.office_open else
                    "Customer Care was closed; callback requested"
                    + (f" at the number ending {last_four(phone)}." if phone else "."))
            write_note(session, tracker, "handoff",
                       f"Handed to staff (handoff {handoff.id}): {why}. {when}",
                       account_number=account)
        return handoff.id, phone

    handoff_id, phone = await in_transaction(work)
    values: dict[str, Any] = {**response_values(), "handoff_id": str(handoff_id)}
    if reason == "misunderstood":
        dispatcher.utter_message(response="utter_handoff_misunderstood", **values)
    if timing.office_open:
        dispatcher.utter_message(response="utter_handoff_open", closes=timing.closes_text(),
                                 **values)
    else:
        closed_for = f" for {timing.closed_for}" if timing.closed_for else ""
        next_open = timing.next_open_text(now.date())
        if phone:
            dispatcher.utter_message(response="utter_handoff_callback",
                                     closed_for=closed_for, next_open=next_open,
                                     phone_last4=last_four(phone), **values)
        else:
            dispatcher.utter_message(response="utter_handoff_callback_no_number",
                                     closed_for=closed_for, next_open=next_open, **values)
    # Tells the web chat page to start asking for staff replies.
    dispatcher.utter_message(json_message={"handoff": "started", "handoff_id": handoff_id})
    events: list[EventType] = [SlotSet(MISUNDERSTOOD, 0.0)]
    if tracker.active_loop.get("name"):
        # A form the customer was in stays closed: staff take it from here.
        events += [ActiveLoop(None), SlotSet("requested_slot", None)]
    return [*events, ConversationPaused()]


class ActionHumanHandoff(Action):
    """The customer asked for a person."""

    def name(self) -> str:
        return "action_human_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        return await hand_off(dispatcher, tracker, "customer_request")
