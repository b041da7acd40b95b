"""Third-party contacts: add (either kind, read back and confirmed), list and remove.

The kinds, their wording and the per-account limit come from third_party_contacts.yml;
each change and its account note are written in one transaction.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.general import RESET_MISUNDERSTOOD
from actions.identity import account_or_verification
from actions.reference import contact_policy, response_values
from actions.rules.contacts import (
    PENDING,
    check_email,
    check_new_contact_phone,
    check_phone,
    clean_name,
    display_phone,
    initial_status,
    masked_phone,
    room_for_contact,
)
from actions.runtime import in_transaction, write_note
from actions.store.contacts import (
    add_contact,
    current_contacts,
    existing_contacts,
    remove_contact,
)

ADD_FORM = "third_party_contact_form"
ADD_SLOTS = ("tp_kind", "tp_name", "tp_relationship", "tp_phone", "tp_email", "tp_confirmed")
REMOVE_FORM = "remove_contact_form"
REMOVE_SLOTS = ("rc_contact", "rc_confirmed")
NO_EMAIL = "none"
CATEGORY = "third-party contact"


def _kind_from_words(value: Any) -> str | None:
    text = str(value or "").lower()
    if "notif" in text or "notice" in text:
        return "notification"
    if "author" in text or "behalf" in text or "discuss" in text or "backup" in text:
        return "authorized"
    return None


async def start_adding_contact(dispatcher: CollectingDispatcher, tracker: Tracker,
                               account: str, *, kind: str | None = None) -> list[EventType]:
    """Checks the account's room for one more contact, then opens the form."""
    policy = contact_policy()
    room = await in_transaction(
        lambda session: room_for_contact(existing_contacts(session, account), policy))
    if not room.allowed:
        dispatcher.utter_message(response="utter_contact_limit_reached",
                                 limit=policy.max_contacts_per_account, **response_values())
        await in_transaction(lambda session: write_note(
            session, tracker, CATEGORY, account_number=account,
            summary="Customer asked to add a contact; the account already has the most "
                    f"contacts allowed ({policy.max_contacts_per_account}). Nothing saved."))
        return [RESET_MISUNDERSTOOD, SlotSet("pending_request", None)]
    if kind is None:
        dispatcher.utter_message(
            response="utter_contact_kinds",
            notification=policy.kinds["notification"].explanation,
            authorized=policy.kinds["authorized"].explanation)
    return [RESET_MISUNDERSTOOD, SlotSet("pending_request", None),
            *[SlotSet(slot, None) for slot in ADD_SLOTS],
            SlotSet("tp_kind", kind), FollowupAction(ADD_FORM)]


class ActionAddThirdPartyContact(Action):
    def name(self) -> str:
        return "action_add_third_party_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        kind = _kind_from_words(next(tracker.get_latest_entity_values("contact_kind"), None))
        account, events = account_or_verification(dispatcher, tracker,
                                                  "add_third_party_contact")
        if account is None:
            # The kind asked for is kept for after verification.
            return [SlotSet("tp_kind", kind), *events] if events else events
        return events + await start_adding_contact(dispatcher, tracker, account, kind=kind)


class ValidateThirdPartyContactForm(FormValidationAction):
    def name(self) -> str:
        return "validate_third_party_contact_form"

    def validate_tp_kind(self, value: Any, dispatcher: CollectingDispatcher,
                         tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        kind = _kind_from_words(value)
        if kind is None:
            dispatcher.utter_message(response="utter_invalid_contact_kind")
        return {"tp_kind": kind}

    def validate_tp_name(self, value: Any, dispatcher: CollectingDispatcher,
                         tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        name = clean_name(value)
        if name is None:
            dispatcher.utter_message(response="utter_invalid_contact_name")
        return {"tp_name": name}

    def validate_tp_relationship(self, value: Any, dispatcher: CollectingDispatcher,
                                 tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        relationship = clean_name(value)
        if relationship is None:
            dispatcher.utter_message(response="utter_invalid_contact_relationship")
        return {"tp_relationship": relationship}

    async def validate_tp_phone(self, value: Any, dispatcher: CollectingDispatcher,
                                tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        check = check_phone(value, contact_policy().phone_region)
        if check.e164 is None:
            dispatcher.utter_message(response="utter_invalid_contact_phone",
                                     problem=check.problem)
            return {"tp_phone": None}
        account = tracker.get_slot("verified_account")
        duplicate = await in_transaction(lambda session: check_new_contact_phone(
            check.e164, existing_contacts(session, account)))
        if not duplicate.allowed:
            dispatcher.utter_message(response="utter_contact_duplicate",
                                     name=duplicate.duplicate_of)
            return {"tp_phone": None}
        return {"tp_phone": check.e164}

    def validate_tp_email(self, value: Any, dispatcher: CollectingDispatcher,
                          tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        email, declined = check_email(value)
        if declined:
            return {"tp_email": NO_EMAIL}
        if email is None:
            dispatcher.utter_message(response="utter_invalid_email")
        return {"tp_email": email}


def _read_back(tracker: Tracker) -> dict[str, str]:
    policy = contact_policy()
    email = tracker.get_slot("tp_email")
    return {
        "kind_title": policy.kinds[tracker.get_slot("tp_kind")].title,
        "name": tracker.get_slot("tp_name"),
        "relationship": tracker.get_slot("tp_relationship"),
        "phone": display_phone(tracker.get_slot("tp_phone")),
        "email": "no email" if email in (None, NO_EMAIL) else email,
    }


class ActionAskTpConfirmed(Action):
    """Reads everything back before anything is saved."""

    def name(self) -> str:
        return "action_ask_tp_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(response="utter_ask_tp_confirmed", **_read_back(tracker))
        return []


class ActionSubmitThirdPartyContact(Action):
    def name(self) -> str:
        return "action_submit_third_party_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        account = tracker.get_slot("verified_account")
        cleared = [SlotSet(slot, None) for slot in ADD_SLOTS]
        if not account or tracker.get_slot("tp_kind") is None:
            return cleared
        details = _read_back(tracker)
        if tracker.get_slot("tp_confirmed") is not True:
            dispatcher.utter_message(response="utter_contact_not_saved")
            await in_transaction(lambda session: write_note(
                session, tracker, CATEGORY, account_number=account,
                summary=f"Customer started adding a {details['kind_title']} and cancelled at "
                        "the confirmation. Nothing saved."))
            return cleared + [RESET_MISUNDERSTOOD]
        kind = contact_policy().kinds[tracker.get_slot("tp_kind")]
        email = tracker.get_slot("tp_email")
        status = initial_status(kind)

        def work(session: Session) -> int:
            contact = add_contact(
                session, account_number=account, kind=kind.key, name=details["name"],
                relationship=details["relationship"], phone=tracker.get_slot("tp_phone"),
                email=None if email == NO_EMAIL else email, status=status)
            pending = " Pending staff confirmation of the customer's written consent." \
                if status == PENDING else ""
            write_note(session, tracker, CATEGORY, account_number=account,
                       summary=f"Added {kind.title} {details['name']} "
                               f"({details['relationship']}), phone {contact.phone}"
                               f"{', email ' + contact.email if contact.email else ''}; "
                               f"contact {contact.id}.{pending}")
            return contact.id

        await in_transaction(work)
        response = ("utter_contact_saved_pending" if status == PENDING
                    else "utter_contact_saved_notification")
        dispatcher.utter_message(response=response, **details, **response_values())
        return cleared + [RESET_MISUNDERSTOOD]


def _contact_lines(contacts: list[Any]) -> str:
    policy = contact_policy()
    lines = []
    for number, contact in enumerate(contacts, start=1):
        title = policy.kinds[contact.kind].title if contact.kind in policy.kinds else contact.kind
        pending = ", waiting for staff confirmation" if contact.status == PENDING else ""
        lines.append(f"{number}. {contact.name} ({contact.relationship_to_customer or title}): "
                     f"{title}, phone {masked_phone(contact.phone)}{pending}")
    return "\n".join(lines)


class ActionListContacts(Action):
    def name(self) -> str:
        return "action_list_contacts"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        account, events = account_or_verification(dispatcher, tracker, "list_contacts")
        if account is None:
            return events
        return events + await list_contacts_for(dispatcher, tracker, account)


async def list_contacts_for(dispatcher: CollectingDispatcher, tracker: Tracker,
                            account: str) -> list[EventType]:
    def work(session: Session) -> str:
        lines = _contact_lines(current_contacts(session, account))
        write_note(session, tracker, CATEGORY, account_number=account,
                   summary="Customer reviewed the contacts on the account "
                           f"({lines.count(chr(10)) + 1 if lines else 0} listed).")
        return lines

    lines = await in_transaction(work)
    if lines:
        dispatcher.utter_message(response="utter_contact_list", contacts=lines)
    else:
        dispatcher.utter_message(response="utter_no_contacts")
    return [RESET_MISUNDERSTOOD, SlotSet("pending_request", None)]


class ActionRemoveThirdPartyContact(Action):
    def name(self) -> str:
        return "action_remove_third_party_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        account, events = account_or_verification(dispatcher, tracker,
                                                  "remove_third_party_contact")
        if account is None:
            return events
        return events + await start_removing_contact(dispatcher, tracker, account)


async def start_removing_contact(dispatcher: CollectingDispatcher, tracker: Tracker,
                                 account: str) -> list[EventType]:
    contacts = await in_transaction(lambda session: current_contacts(session, account))
    if not contacts:
        dispatcher.utter_message(response="utter_no_contacts")
        await in_transaction(lambda session: write_note(
            session, tracker, CATEGORY, account_number=account,
            summary="Customer asked to remove a contact; the account has none."))
        return [RESET_MISUNDERSTOOD, SlotSet("pending_request", None)]
    return [RESET_MISUNDERSTOOD, SlotSet("pending_request", None),
            *[SlotSet(slot, None) for slot in REMOVE_SLOTS], FollowupAction(REMOVE_FORM)]


def _choose(value: Any, contacts: list[Any]) -> Any | None:
    """The contact a customer picked by number in the list, name, or last digits of phone."""
    text = " ".join(str(value or "").lower().split())
    digits = "".join(ch for ch in text if ch.isdigit())
    if digits and len(digits) <= 2 and 1 <= int(digits) <= len(contacts):
        return contacts[int(digits) - 1]
    matches = [c for c in contacts
               if (len(digits) >= 4 and c.phone.endswith(digits))
               or (text and (c.name.lower() in text or text in c.name.lower()))]
    return matches[0] if len(matches) == 1 else None


class ActionAskRcContact(Action):
    def name(self) -> str:
        return "action_ask_rc_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        account = tracker.get_slot("verified_account")
        contacts = await in_transaction(lambda session: current_contacts(session, account))
        dispatcher.utter_message(
            response="utter_ask_rc_contact", contacts=_contact_lines(contacts),
            buttons=[{"title": f"{n}. {c.name}", "payload": str(n)}
                     for n, c in enumerate(contacts, start=1)])
        return []


class ValidateRemoveContactForm(FormValidationAction):
    def name(self) -> str:
        return "validate_remove_contact_form"

    async def validate_rc_contact(self, value: Any, dispatcher: CollectingDispatcher,
                                  tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        account = tracker.get_slot("verified_account")
        contacts = await in_transaction(lambda session: current_contacts(session, account))
        chosen = _choose(value, contacts)
        if chosen is None:
            dispatcher.utter_message(response="utter_invalid_contact_choice")
            return {"rc_contact": None}
        return {"rc_contact": str(chosen.id)}


class ActionAskRcConfirmed(Action):
    def name(self) -> str:
        return "action_ask_rc_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        account = tracker.get_slot("verified_account")
        contact_id = int(tracker.get_slot("rc_contact"))
        contacts = await in_transaction(lambda session: current_contacts(session, account))
        name = next((c.name for c in contacts if c.id == contact_id), "that contact")
        dispatcher.utter_message(response="utter_ask_rc_confirmed", name=name)
        return []


class ActionSubmitRemoveContact(Action):
    def name(self) -> str:
        return "action_submit_remove_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        account = tracker.get_slot("verified_account")
        cleared = [SlotSet(slot, None) for slot in REMOVE_SLOTS]
        contact_id = tracker.get_slot("rc_contact")
        if not account or contact_id is None:
            return cleared
        if tracker.get_slot("rc_confirmed") is not True:
            dispatcher.utter_message(response="utter_contact_kept")
            await in_transaction(lambda session: write_note(
                session, tracker, CATEGORY, account_number=account,
                summary=f"Customer started removing contact {contact_id} and cancelled at the "
                        "confirmation. Nothing changed."))
            return cleared + [RESET_MISUNDERSTOOD]

        def work(session: Session) -> str | None:
            contact = remove_contact(session, account, int(contact_id))
            if contact is None:
                return None
            write_note(session, tracker, CATEGORY, account_number=account,
                       summary=f"Removed {contact.kind} contact {contact.name} "
                               f"(contact {contact.id}) at the customer's request.")
            return contact.name

        name = await in_transaction(work)
        dispatcher.utter_message(response="utter_contact_removed" if name
                                 else "utter_contact_kept", name=name or "")
        return cleared + [RESET_MISUNDERSTOOD]
