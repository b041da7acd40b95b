"""Leaving for the winter, as "Plugged In" (Sep/Oct 2023) advises: the away dates noted on
the account, bills forwarded (or e-bills), a reminder about autopay, and a backup contact
added through the contact form as an authorized person."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.contacts import start_adding_contact
from actions.general import RESET_MISUNDERSTOOD
from actions.identity import account_or_verification
from actions.reference import response_values, utility_calendar
from actions.rules.contacts import parse_mailing_address
from actions.rules.seasonal_absence import parse_away_period
from actions.runtime import in_transaction, local_today, write_note
from actions.store.contacts import record_absence
from actions.store.repository import get_account

FORM = "winter_form"
SLOTS = ("wf_away_from", "wf_away_to", "wf_away_dates", "wf_forwarding", "wf_backup_contact")
E_BILL = "e-bill"
_E_BILL_WORDS = re.compile(r"\b(e-?bills?|e-?mail|online|paperless|app|portal|no)\b", re.I)


class ActionLeavingForWinter(Action):
    def name(self) -> str:
        return "action_leaving_for_winter"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(response="utter_leaving_for_winter_intro")
        account, events = account_or_verification(dispatcher, tracker, "leaving_for_winter")
        if account is None:
            return events
        return events + start_winter_form()


def start_winter_form() -> list[EventType]:
    return [RESET_MISUNDERSTOOD, SlotSet("pending_request", None),
            *[SlotSet(slot, None) for slot in SLOTS], FollowupAction(FORM)]


class ValidateWinterForm(FormValidationAction):
    def name(self) -> str:
        return "validate_winter_form"

    def validate_wf_away_dates(self, value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        period = parse_away_period(value, local_today(utility_calendar().timezone))
        if period is None:
            dispatcher.utter_message(response="utter_invalid_away_dates")
            return {"wf_away_dates": None}
        return {"wf_away_dates": period.note_text(), "wf_away_from": period.start.isoformat(),
                "wf_away_to": period.end.isoformat()}

    def validate_wf_forwarding(self, value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        address = parse_mailing_address(value)
        if address is not None:
            return {"wf_forwarding": address.one_line()}
        if _E_BILL_WORDS.search(str(value or "")):
            return {"wf_forwarding": E_BILL}
        dispatcher.utter_message(response="utter_invalid_forwarding_address")
        return {"wf_forwarding": None}


class ActionSubmitWinter(Action):
    """Notes the away period with where bills go, reminds about e-bills and autopay, then
    offers the contact form for a backup contact."""

    def name(self) -> str:
        return "action_submit_winter"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        account_number = tracker.get_slot("verified_account")
        cleared = [SlotSet(slot, None) for slot in SLOTS]
        if not account_number or not tracker.get_slot("wf_away_dates"):
            return cleared
        forwarding_text = tracker.get_slot("wf_forwarding")
        forwarding = (None if forwarding_text in (None, E_BILL)
                      else parse_mailing_address(forwarding_text))
        away = tracker.get_slot("wf_away_dates")

        def work(session: Session) -> bool:
            record_absence(session, account_number=account_number,
                           away_from=date.fromisoformat(tracker.get_slot("wf_away_from")),
                           away_to=date.fromisoformat(tracker.get_slot("wf_away_to")),
                           forwarding=forwarding, conversation_id=tracker.sender_id)
            where = (f"bills forwarded to {forwarding.one_line()}" if forwarding
                     else "bills by email (e-bill) while away")
            write_note(session, tracker, "leaving for the winter",
                       account_number=account_number, summary=f"Customer {away}; {where}.")
            return bool(get_account(session, account_number).autopay)

        autopay = await in_transaction(work)
        dispatcher.utter_message(response="utter_winter_noted", away=away,
                                 bills=("we'll mail your bills to " + forwarding.one_line()
                                        if forwarding else
                                        "you'll want e-bills: sign up in the RPU Connect app "
                                        "or online portal so bills reach you by email"))
        dispatcher.utter_message(response="utter_winter_autopay_on" if autopay
                                 else "utter_winter_autopay_reminder", **response_values())
        if tracker.get_slot("wf_backup_contact") is True:
            return cleared + await start_adding_contact(dispatcher, tracker, account_number,
                                                        kind="authorized")
        return cleared + [RESET_MISUNDERSTOOD]
