"""Cold Weather Rule applications (Minn. Stat. 216B.097), decided by the pure rule.

Income is asked only after a Tennessen notice and only with the customer's agreement; the
note and the application keep the outcome and the income bracket, never the figure.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.general import RESET_MISUNDERSTOOD
from actions.identity import account_in_question, verification_needed
from actions.income_forms import IncomeFormValidation, declined
from actions.reference import response_values, utility_calendar
from actions.rules.answers import parse_annual_income
from actions.rules.cold_weather import ColdWeatherApplication, decide_protection
from actions.rules.eligibility_tables import (
    ColdWeatherTables,
    Referral,
    load_cold_weather_tables,
)
from actions.runtime import in_transaction, local_today, write_note
from actions.store.repository import get_account, record_application

FORM = "cold_weather_form"
SLOTS = ("cw_income_consent", "cw_household_size", "cw_public_assistance", "cw_annual_income",
         "cw_heat_affected", "cw_payment_agreement")
BRACKET_WORDS = {
    "public_assistance": "receives public assistance",
    "at_or_below_limit": "income at or below 50% of state median",
    "above_limit": "income above 50% of state median",
    "not_given": "income not given",
}


@lru_cache(maxsize=1)
def cold_weather_tables() -> ColdWeatherTables:
    return load_cold_weather_tables()


def _today() -> date:
    return local_today(utility_calendar().timezone)


def referral_lines(referrals: tuple[Referral, ...]) -> str:
    """One line per program, with the number (or address) to reach it."""
    return "\n".join(f"- {r.name}: {r.phone or r.url or r.description}" for r in referrals)


class ActionColdWeatherStart(Action):
    """Explains the rule; a verified residential customer can then apply here."""

    def name(self) -> str:
        return "action_cold_weather_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(response="utter_cold_weather_info", **response_values())
        account, switch = account_in_question(tracker)
        if account is None:
            return verification_needed(dispatcher, tracker, "cold_weather_application",
                                       "utter_cold_weather_verify_first")
        return switch + await continue_application(dispatcher, tracker, account)


async def continue_application(dispatcher: CollectingDispatcher, tracker: Tracker,
                               account_number: str) -> list[EventType]:
    """For a verified customer: residential accounts get the notice and the form."""
    residential = await in_transaction(
        lambda session: (get_account(session, account_number).customer_class == "residential")
    )
    if not residential:
        dispatcher.utter_message(response="utter_cold_weather_not_residential",
                                 **response_values())
        await in_transaction(lambda s: write_note(
            s, tracker, "cold weather rule", account_number=account_number,
            summary="Customer asked about the Cold Weather Rule; explained that it protects "
                    "residential service only."))
        return [RESET_MISUNDERSTOOD, SlotSet("pending_request", None)]
    dispatcher.utter_message(response="utter_tennessen_notice", **response_values())
    return [RESET_MISUNDERSTOOD, SlotSet("pending_request", None),
            *[SlotSet(slot, None) for slot in SLOTS], FollowupAction(FORM)]


class ValidateColdWeatherForm(IncomeFormValidation):
    consent_slot = "cw_income_consent"
    household_slot = "cw_household_size"
    income_slot = "cw_annual_income"

    def name(self) -> str:
        return "validate_cold_weather_form"

    def parse_income(self, value: Any) -> Decimal | None:
        return parse_annual_income(value)

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        slots = await super().required_slots(domain_slots, dispatcher, tracker, domain)
        # Public assistance meets the income condition on its own.
        if tracker.slots.get("cw_public_assistance") is True and self.income_slot in slots:
            slots.remove(self.income_slot)
        return slots

    def validate_cw_household_size(self, value: Any, dispatcher: CollectingDispatcher,
                                   tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return self.household_answer(value, dispatcher)

    def validate_cw_annual_income(self, value: Any, dispatcher: CollectingDispatcher,
                                  tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return self.income_answer(value, dispatcher)


class ActionSubmitColdWeather(Action):
    """Decides protection, records the application and its note in one transaction."""

    def name(self) -> str:
        return "action_submit_cold_weather"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        account_number = tracker.get_slot("verified_account")
        cleared = [SlotSet(slot, None) for slot in SLOTS]
        if not account_number:
            return cleared
        if tracker.get_slot("cw_income_consent") is False:
            return await declined(
                dispatcher, tracker, account_number=account_number, cleared=cleared,
                response="utter_cold_weather_declined", category="cold weather rule",
                summary="Customer chose not to give income information for a Cold Weather "
                        "Rule application in chat; told how to apply by phone or paper form "
                        "and referred to energy assistance.")
        application = ColdWeatherApplication(
            day=_today(),
            household_size=int(tracker.get_slot("cw_household_size")),
            primary_heat_affected=bool(tracker.get_slot("cw_heat_affected")),
            payment_agreement=bool(tracker.get_slot("cw_payment_agreement")),
            annual_income=(None if tracker.get_slot("cw_annual_income") is None
                           else Decimal(str(tracker.get_slot("cw_annual_income")))),
            public_assistance=bool(tracker.get_slot("cw_public_assistance")),
        )
        decision = decide_protection(application, cold_weather_tables())
        bracket = BRACKET_WORDS.get(decision.income_condition, decision.income_condition)

        def work(session: Session) -> int:
            record = record_application(
                session, account_number=account_number, kind="cold weather rule",
                decision=decision.decision, reasons=list(decision.reasons),
                income_bracket=decision.income_condition,
                household_size=application.household_size, conversation_id=tracker.sender_id,
            )
            write_note(session, tracker, "cold weather rule", account_number=account_number,
                       summary=f"Cold Weather Rule application {record.id} taken in chat: "
                               f"{decision.decision.replace('_', ' ')}; household of "
                               f"{application.household_size}, {bracket}. Referrals given. "
                               "Pending staff review.")
            return record.id

        application_id = await in_transaction(work)
        response = ("utter_cold_weather_protected" if decision.protected
                    else "utter_cold_weather_not_protected")
        dispatcher.utter_message(response=response, application_id=application_id,
                                 reasons=" ".join(decision.reasons), **response_values())
        dispatcher.utter_message(
            response="utter_referrals",
            referrals=referral_lines(decision.referrals),
        )
        return cleared + [RESET_MISUNDERSTOOD]
