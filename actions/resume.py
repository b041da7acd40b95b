"""After the verification form: confirm, then carry on with what the customer asked."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.arrangements import continue_military, payment_arrangement_for
from actions.bills import explain_for_verified, high_bill_for_verified
from actions.cold_weather import continue_application
from actions.contact_details import start_contact_update
from actions.contacts import list_contacts_for, start_adding_contact, start_removing_contact
from actions.disconnection import answer_for_account
from actions.identity import is_verified
from actions.reference import response_values
from actions.winter import start_winter_form


class ActionResumeAfterVerification(Action):
    """After the verification form: confirm, then do what the customer had asked."""

    def name(self) -> str:
        return "action_resume_after_verification"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        if not is_verified(tracker):
            if tracker.get_slot("verification_locked"):
                dispatcher.utter_message(response="utter_verification_locked",
                                         **response_values())
            return [SlotSet("pending_request", None)]
        account = tracker.get_slot("verified_account")
        dispatcher.utter_message(response="utter_verified", account_number=account)
        request = tracker.get_slot("pending_request") or "explain_bill"
        if request == "high_bill":
            return await high_bill_for_verified(dispatcher, tracker, account)
        if request == "military_payment_arrangement":
            return continue_military(dispatcher)
        if request == "payment_arrangement":
            return await payment_arrangement_for(dispatcher, tracker, account)
        if request == "disconnection_question":
            return await answer_for_account(dispatcher, tracker, account)
        if request == "cold_weather_application":
            return await continue_application(dispatcher, tracker, account)
        if request == "add_third_party_contact":
            return await start_adding_contact(dispatcher, tracker, account,
                                              kind=tracker.get_slot("tp_kind"))
        if request == "list_contacts":
            return await list_contacts_for(dispatcher, tracker, account)
        if request == "remove_third_party_contact":
            return await start_removing_contact(dispatcher, tracker, account)
        if request == "update_contact_info":
            return start_contact_update(tracker.get_slot("ci_field"))
        if request == "leaving_for_winter":
            return start_winter_form()
        return await explain_for_verified(dispatcher, tracker, None, account)
