"""Identity verification, used by every account feature: account number + service ZIP.

Wrong details get one neutral answer whatever was wrong; three failures lock verification
for the conversation. Only these actions ever set ``verified_account``.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.runtime import in_transaction, write_note
from actions.store.repository import (
    accounts_for_phone,
    find_verified_account,
    get_account,
    link_conversation,
)

FORM = "verify_identity_form"
SMS_PREFIX = "sms:"
MAX_ATTEMPTS = 3
_ACCOUNT = re.compile(r"(?<!\d)(\d{7})(?!\d)")
_ZIP = re.compile(r"(?<!\d)(\d{5})(?:-\d{4})?(?!\d)")


def parse_account_number(value: Any) -> str | None:
    digits = re.sub(r"(?<=\d)[\s-](?=\d)", "", str(value or ""))
    match = _ACCOUNT.search(digits)
    return match.group(1) if match else None


def parse_zip_code(value: Any) -> str | None:
    match = _ZIP.search(str(value or ""))
    return match.group(1) if match else None


def is_verified(tracker: Tracker) -> bool:
    return bool(tracker.get_slot("verified_account"))


def account_in_question(tracker: Tracker) -> tuple[str | None, list[EventType]]:
    """The verified account a request is about, with the events that switch to it.

    A customer verified for several accounts in one conversation can name one of them; an
    account not yet verified in this conversation returns None (verify it first).
    """
    current = tracker.get_slot("verified_account")
    named = parse_account_number(next(tracker.get_latest_entity_values("account_number"), ""))
    if named is None or named == current:
        return current, []
    if named in (tracker.get_slot("verified_accounts") or []):
        return named, [SlotSet("verified_account", named)]
    return None, []


def start_verification(tracker: Tracker, request: str) -> list[EventType]:
    """Remembers what the customer asked for and opens the verification form."""
    return [SlotSet("pending_request", request), FollowupAction(FORM)]


class ValidateVerifyIdentityForm(FormValidationAction):
    def name(self) -> str:
        return "validate_verify_identity_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        if tracker.get_slot("verification_locked"):
            return [SlotSet("requested_slot", None), ActiveLoop(None)]
        events = await self._phone_factor(tracker)
        events += await super().run(dispatcher, tracker, domain)
        number = tracker.slots.get("account_number")
        zip_code = tracker.slots.get("zip_code")
        if number and zip_code:
            events += await self._check(dispatcher, tracker, number, zip_code)
        return events

    async def _phone_factor(self, tracker: Tracker) -> list[EventType]:
        """Over SMS the sender's number, when it is on exactly one account, stands in for the
        account number; the ZIP code is still asked for."""
        if not tracker.sender_id.startswith(SMS_PREFIX) or tracker.slots.get("account_number"):
            return []
        phone = tracker.sender_id[len(SMS_PREFIX):]
        numbers = await in_transaction(
            lambda session: [a.account_number for a in accounts_for_phone(session, phone)]
        )
        if len(numbers) != 1:
            return []
        tracker.slots["account_number"] = numbers[0]
        return [SlotSet("account_number", numbers[0])]

    def validate_account_number(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        number = parse_account_number(value)
        if number is None:
            dispatcher.utter_message(response="utter_invalid_account_number")
        # A ZIP typed in the same message is still wanted.
        zip_code = parse_zip_code(str(value).replace(number or "", "")) if number else None
        result: dict[str, Any] = {"account_number": number}
        if zip_code and not tracker.slots.get("zip_code"):
            result["zip_code"] = zip_code
        return result

    def validate_zip_code(self, value: Any, dispatcher: CollectingDispatcher,
                          tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        zip_code = parse_zip_code(value)
        if zip_code is None:
            dispatcher.utter_message(response="utter_invalid_zip_code")
        return {"zip_code": zip_code}

    async def _check(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                     number: str, zip_code: str) -> list[EventType]:
        failures = float(tracker.get_slot("verification_failures") or 0)

        def work(session: Session) -> bool:
            account = find_verified_account(session, number, zip_code)
            if account is not None:
                link_conversation(session, tracker.sender_id, account.account_number)
                return True
            if failures + 1 >= MAX_ATTEMPTS:
                # The note goes on the account whose number was typed, when it exists, so
                # staff can see attempts against it; the customer is told nothing about it.
                known = get_account(session, number) is not None
                write_note(session, tracker, "verification locked",
                           f"Identity verification failed {MAX_ATTEMPTS} times in one "
                           "conversation; verification locked and Customer Care offered.",
                           account_number=number if known else None)
            return False

        if await in_transaction(work):
            accounts = list(tracker.get_slot("verified_accounts") or [])
            if number not in accounts:
                accounts.append(number)
            return [
                SlotSet("verified_account", number),
                SlotSet("verified_accounts", accounts),
                SlotSet("account_number", None),
                SlotSet("zip_code", None),
                SlotSet("requested_slot", None),
            ]
        failures += 1
        cleared = [SlotSet("account_number", None), SlotSet("zip_code", None),
                   SlotSet("verification_failures", failures)]
        if failures >= MAX_ATTEMPTS:
            return cleared + [SlotSet("verification_locked", True),
                              SlotSet("requested_slot", None)]
        dispatcher.utter_message(response="utter_verification_failed")
        return cleared
