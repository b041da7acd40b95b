"""Identity verification, used by every account feature: account number + service ZIP.

Wrong details get one neutral answer whatever was wrong; three failures lock verification
for the conversation. Only these actions ever set ``verified_account``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.reference import contact_policy, response_values
from actions.rules.contacts import may_discuss_account
from actions.runtime import in_transaction, write_note
from actions.store.contacts import contacts_for_phone
from actions.store.models import Account
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


@dataclass(frozen=True)
class SenderContact:
    """A named contact of the account texting from their own phone."""

    name: str
    title: str
    may_discuss: bool


def sms_contact_phone(tracker: Tracker) -> str | None:
    sender = tracker.sender_id
    return sender[len(SMS_PREFIX):] if sender.startswith(SMS_PREFIX) else None


def texting_contact(session: Session, account: Account, phone: str | None
                    ) -> SenderContact | None:
    """The contact of ``account`` whose phone is texting, unless it is the account's own
    phone: an authorized person may discuss the account; a notification contact (or an
    authorized person not yet confirmed by staff) may not."""
    if phone is None or phone == account.phone:
        return None
    policy = contact_policy()
    for contact in contacts_for_phone(session, phone):
        if contact.account_number == account.account_number and contact.kind in policy.kinds:
            kind = policy.kinds[contact.kind]
            return SenderContact(name=contact.name, title=kind.title,
                                 may_discuss=may_discuss_account(kind, contact.status))
    return None


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
        """Over SMS the sender's number, when it is on exactly one account (as the account's
        phone or a contact's), stands in for the account number; the ZIP is still asked for."""
        if not tracker.sender_id.startswith(SMS_PREFIX) or tracker.slots.get("account_number"):
            return []
        phone = tracker.sender_id[len(SMS_PREFIX):]

        def accounts(session: Session) -> list[str]:
            own = [a.account_number for a in accounts_for_phone(session, phone)]
            return own or sorted({c.account_number for c in contacts_for_phone(session, phone)})

        numbers = await in_transaction(accounts)
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
        texter = sms_contact_phone(tracker)

        def work(session: Session) -> bool | SenderContact:
            account = find_verified_account(session, number, zip_code)
            if account is not None:
                contact = texting_contact(session, account, texter)
                if contact is not None and not contact.may_discuss:
                    write_note(session, tracker, "privacy", account_number=number,
                               summary=f"{contact.title.capitalize()} {contact.name} texted "
                                       "from their phone and asked for account details; "
                                       "nothing shared (they may not discuss the account).")
                    return contact
                link_conversation(session, tracker.sender_id, account.account_number)
                return contact or True
            if failures + 1 >= MAX_ATTEMPTS:
                # The note goes on the account whose number was typed, when it exists, so
                # staff can see attempts against it; the customer is told nothing about it.
                known = get_account(session, number) is not None
                write_note(session, tracker, "verification locked",
                           f"Identity verification failed {MAX_ATTEMPTS} times in one "
                           "conversation; verification locked and Customer Care offered.",
                           account_number=number if known else None)
            return False

        outcome = await in_transaction(work)
        if isinstance(outcome, SenderContact) and not outcome.may_discuss:
            dispatcher.utter_message(response="utter_notification_contact_refused",
                                     **response_values())
            return [SlotSet("account_number", None), SlotSet("zip_code", None),
                    SlotSet("requested_slot", None), ActiveLoop(None)]
        if outcome:
            accounts = list(tracker.get_slot("verified_accounts") or [])
            if number not in accounts:
                accounts.append(number)
            acting_as = (f"{outcome.title} {outcome.name}"
                         if isinstance(outcome, SenderContact) else None)
            return [
                SlotSet("verified_as", acting_as),
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


def verification_needed(dispatcher: CollectingDispatcher, tracker: Tracker, request: str,
                        verify_first: str | None = "utter_verify_first") -> list[EventType]:
    """For a request that needs a verified account: the events that verify first (saying
    ``verify_first``, when given) and then resume ``request``; none when verification is
    locked for this conversation, which the customer is told."""
    if tracker.get_slot("verification_locked"):
        dispatcher.utter_message(response="utter_verification_locked", **response_values())
        return []
    if verify_first is not None:
        dispatcher.utter_message(response=verify_first)
    return start_verification(tracker, request)


def account_or_verification(dispatcher: CollectingDispatcher, tracker: Tracker, request: str
                            ) -> tuple[str | None, list[EventType]]:
    """The verified account for ``request``, with the events that switch to it; without one,
    None and the events of :func:`verification_needed`."""
    account, switch = account_in_question(tracker)
    if account is not None:
        return account, switch
    return None, verification_needed(dispatcher, tracker, request)
