"""The customer's own phone, email and mailing address: read, validated, read back, saved.

The note records the change and what kind of value it replaced, never the old value.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.general import RESET_MISUNDERSTOOD
from actions.identity import account_or_verification
from actions.reference import contact_policy
from actions.rules.contacts import (
    MailingAddress,
    check_email,
    check_phone,
    display_phone,
    parse_mailing_address,
    replaced_value_kind,
)
from actions.runtime import in_transaction, write_note
from actions.store.contacts import set_email, set_mailing_address, set_phone
from actions.store.repository import get_account

FORM = "contact_info_form"
SLOTS = ("ci_field", "ci_value", "ci_confirmed")
FIELD_WORDS = {
    "mailing_address": re.compile(r"\b(address|mail(ing)?|street|po box|moved|moving)\b", re.I),
    "email": re.compile(r"\be-?mail\b", re.I),
    "phone": re.compile(r"\b(phone|number|cell|mobile|landline|call me)\b", re.I),
}
FIELD_NAMES = {"phone": "phone number", "email": "email address",
               "mailing_address": "mailing address"}
FIELD_QUESTIONS = {"phone": "utter_ask_ci_value_phone", "email": "utter_ask_ci_value_email",
                   "mailing_address": "utter_ask_ci_value_mailing_address"}


def field_from_words(value: Any) -> str | None:
    """Which detail the customer means: "my email" → email; checked in an order that lets
    "email address" mean email and "phone number" mean phone."""
    text = str(value or "")
    if FIELD_WORDS["email"].search(text):
        return "email"
    if FIELD_WORDS["phone"].search(text):
        return "phone"
    if FIELD_WORDS["mailing_address"].search(text):
        return "mailing_address"
    return None


def parse_value(field: str, value: Any) -> tuple[str | None, str | None]:
    """(normalised value, problem) for a phone, email or mailing address."""
    if field == "phone":
        check = check_phone(value, contact_policy().phone_region)
        return check.e164, check.problem
    if field == "email":
        email, _ = check_email(value)
        return email, None if email else "that doesn't look like an email address."
    address = parse_mailing_address(value)
    if address is None:
        return None, ("I need the street, city, state and ZIP, for example "
                      "\"123 Main St, Naples, FL 34102\".")
    return address.one_line(), None


def _shown(field: str, value: str) -> str:
    return display_phone(value) if field == "phone" else value


class ActionUpdateContactInfo(Action):
    def name(self) -> str:
        return "action_update_contact_info"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        field = field_from_words(tracker.latest_message.get("text"))
        account, events = account_or_verification(dispatcher, tracker, "update_contact_info")
        if account is None:
            # The detail asked about is kept for after verification.
            return [SlotSet("ci_field", field), *events] if events else events
        return events + start_contact_update(field)


def start_contact_update(field: str | None) -> list[EventType]:
    return [RESET_MISUNDERSTOOD, SlotSet("pending_request", None),
            *[SlotSet(slot, None) for slot in SLOTS], SlotSet("ci_field", field),
            FollowupAction(FORM)]


class ValidateContactInfoForm(FormValidationAction):
    def name(self) -> str:
        return "validate_contact_info_form"

    def validate_ci_field(self, value: Any, dispatcher: CollectingDispatcher,
                          tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        field = field_from_words(value)
        if field is None:
            dispatcher.utter_message(response="utter_invalid_contact_field")
        return {"ci_field": field}

    def validate_ci_value(self, value: Any, dispatcher: CollectingDispatcher,
                          tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        parsed, problem = parse_value(tracker.get_slot("ci_field"), value)
        if parsed is None:
            dispatcher.utter_message(response="utter_invalid_contact_value", problem=problem)
        return {"ci_value": parsed}


class ActionAskCiValue(Action):
    def name(self) -> str:
        return "action_ask_ci_value"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        field = tracker.get_slot("ci_field") or "phone"
        dispatcher.utter_message(response=FIELD_QUESTIONS[field])
        return []


class ActionAskCiConfirmed(Action):
    def name(self) -> str:
        return "action_ask_ci_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        field = tracker.get_slot("ci_field")
        dispatcher.utter_message(response="utter_ask_ci_confirmed",
                                 field_name=FIELD_NAMES[field],
                                 value=_shown(field, tracker.get_slot("ci_value")))
        return []


class ActionSubmitContactInfo(Action):
    def name(self) -> str:
        return "action_submit_contact_info"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        account_number = tracker.get_slot("verified_account")
        field, value = tracker.get_slot("ci_field"), tracker.get_slot("ci_value")
        cleared = [SlotSet(slot, None) for slot in SLOTS]
        if not account_number or not field or not value:
            return cleared
        if tracker.get_slot("ci_confirmed") is not True:
            dispatcher.utter_message(response="utter_contact_info_not_changed")
            await in_transaction(lambda session: write_note(
                session, tracker, "contact information", account_number=account_number,
                summary=f"Customer started changing the {FIELD_NAMES[field]} and cancelled at "
                        "the confirmation. Nothing changed."))
            return cleared + [RESET_MISUNDERSTOOD]

        def work(session: Session) -> None:
            account = get_account(session, account_number)
            new: str | MailingAddress = value
            if field == "phone":
                old: str | MailingAddress | None = set_phone(session, account, value)
            elif field == "email":
                old = set_email(session, account, value)
            else:
                new = parse_mailing_address(value)
                old = set_mailing_address(session, account, new)
            write_note(session, tracker, "contact information", account_number=account_number,
                       summary=f"Customer changed the {FIELD_NAMES[field]} to {value} "
                               f"({replaced_value_kind(field, old, new)}).")

        await in_transaction(work)
        dispatcher.utter_message(response="utter_contact_info_changed",
                                 field_name=FIELD_NAMES[field], value=_shown(field, value))
        return cleared + [RESET_MISUNDERSTOOD]
