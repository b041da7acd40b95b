"""Military payment arrangements (Minn. Stat. 325E.028) and payment arrangements.

The amount comes from the pure rules; the request is recorded for staff to confirm, with
its account note in the same transaction. Income is asked only after a notice and consent.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.cold_weather import cold_weather_tables, referral_lines
from actions.general import RESET_MISUNDERSTOOD
from actions.identity import account_in_question, verification_needed
from actions.income_forms import IncomeFormValidation, declined
from actions.reference import response_values, utility_calendar
from actions.rules.answers import parse_monthly_income
from actions.rules.military import MilitaryRequest, decide_military_arrangement
from actions.rules.payment_arrangements import payment_options, situation_on
from actions.runtime import in_transaction, local_today, write_note
from actions.store.repository import get_account, record_application

MILITARY_FORM = "military_form"
MILITARY_SLOTS = ("ma_income_consent", "ma_household_size", "ma_energy_assistance",
                  "ma_monthly_income")


class ActionMilitaryStart(Action):
    def name(self) -> str:
        return "action_military_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(response="utter_military_info", **response_values())
        account, switch = account_in_question(tracker)
        if account is None:
            return verification_needed(dispatcher, tracker, "military_payment_arrangement",
                                       "utter_arrangement_verify_first")
        return switch + continue_military(dispatcher)


def continue_military(dispatcher: CollectingDispatcher) -> list[EventType]:
    dispatcher.utter_message(response="utter_military_notice", **response_values())
    return [RESET_MISUNDERSTOOD, SlotSet("pending_request", None),
            *[SlotSet(slot, None) for slot in MILITARY_SLOTS], FollowupAction(MILITARY_FORM)]


class ValidateMilitaryForm(IncomeFormValidation):
    consent_slot = "ma_income_consent"
    household_slot = "ma_household_size"
    income_slot = "ma_monthly_income"

    def name(self) -> str:
        return "validate_military_form"

    def parse_income(self, value: Any) -> Decimal | None:
        return parse_monthly_income(value)

    def validate_ma_household_size(self, value: Any, dispatcher: CollectingDispatcher,
                                   tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return self.household_answer(value, dispatcher)

    def validate_ma_monthly_income(self, value: Any, dispatcher: CollectingDispatcher,
                                   tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return self.income_answer(value, dispatcher)


class ActionSubmitMilitary(Action):
    def name(self) -> str:
        return "action_submit_military"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        account_number = tracker.get_slot("verified_account")
        cleared = [SlotSet(slot, None) for slot in MILITARY_SLOTS]
        if not account_number:
            return cleared
        if tracker.get_slot("ma_income_consent") is False:
            return await declined(
                dispatcher, tracker, account_number=account_number, cleared=cleared,
                response="utter_military_declined", category="military payment arrangement",
                summary="Customer asked about a military payment arrangement and chose not to "
                        "give income in chat; told to call Customer Care to set it up.")
        today = local_today(utility_calendar().timezone)

        def work(session: Session) -> tuple[Any, int]:
            account = get_account(session, account_number)
            request = MilitaryRequest(
                day=today, household_size=int(tracker.get_slot("ma_household_size")),
                gross_monthly_income=Decimal(str(tracker.get_slot("ma_monthly_income"))),
                receives_energy_assistance=bool(tracker.get_slot("ma_energy_assistance")),
                orders_date=account.military_orders_date,
            )
            decision = decide_military_arrangement(request, cold_weather_tables())
            bracket = "below state median or energy assistance" if decision.ten_percent \
                else "at or above state median"
            record = record_application(
                session, account_number=account_number, kind="military payment arrangement",
                decision=decision.decision, reasons=list(decision.reasons),
                income_bracket=bracket, household_size=request.household_size,
                monthly_payment=decision.monthly_payment, conversation_id=tracker.sender_id,
            )
            amount = (f"${decision.monthly_payment} a month (10% of gross monthly income)"
                      if decision.monthly_payment is not None else "a payment schedule")
            write_note(session, tracker, "military payment arrangement",
                       account_number=account_number,
                       summary=f"Military payment arrangement request {record.id}: {amount}; "
                               f"household of {request.household_size}, {bracket}. "
                               "Pending staff confirmation.")
            return decision, record.id

        decision, request_id = await in_transaction(work)
        values = {**response_values(), "request_id": request_id,
                  "reasons": " ".join(decision.reasons)}
        if decision.monthly_payment is not None:
            dispatcher.utter_message(response="utter_military_ten_percent",
                                     monthly_payment=f"{decision.monthly_payment:,.2f}",
                                     **values)
        else:
            dispatcher.utter_message(response="utter_military_schedule", **values)
        dispatcher.utter_message(response="utter_military_appeal", **response_values())
        dispatcher.utter_message(response="utter_referrals",
                                 referrals=referral_lines(payment_options(
                                     situation_on(cold_weather_tables(), today,
                                                  military_orders=True),
                                     cold_weather_tables()).referrals))
        return cleared + [RESET_MISUNDERSTOOD]


class ActionPaymentArrangement(Action):
    def name(self) -> str:
        return "action_payment_arrangement"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        account, switch = account_in_question(tracker)
        if account is None:
            dispatcher.utter_message(response="utter_payment_arrangement_info",
                                     **response_values())
            return verification_needed(dispatcher, tracker, "payment_arrangement",
                                       "utter_arrangement_verify_first")
        return switch + await payment_arrangement_for(dispatcher, tracker, account)


async def payment_arrangement_for(dispatcher: CollectingDispatcher, tracker: Tracker,
                                  account_number: str) -> list[EventType]:
    today = local_today(utility_calendar().timezone)

    def work(session: Session) -> dict[str, Any]:
        account = get_account(session, account_number)
        advice = payment_options(
            situation_on(cold_weather_tables(), today,
                         residential=account.customer_class == "residential",
                         military_orders=account.military_orders_date is not None),
            cold_weather_tables(),
        )
        balance = account.past_due_balance or Decimal("0.00")
        record = record_application(
            session, account_number=account_number, kind="payment arrangement",
            decision="requested", reasons=list(advice.reasons),
            conversation_id=tracker.sender_id,
        )
        write_note(session, tracker, "payment arrangement", account_number=account_number,
                   summary=f"Payment arrangement request {record.id}: past-due balance "
                           f"${balance:,.2f}; options given: "
                           f"{', '.join(o.name for o in advice.options)}. Pending staff "
                           "confirmation.")
        return {
            "request_id": record.id,
            "balance": f"{balance:,.2f}",
            "options": "\n".join(f"- {o.name}: {o.summary}" for o in advice.options),
            "referrals": referral_lines(advice.referrals),
        }

    values = await in_transaction(work)
    dispatcher.utter_message(response="utter_payment_arrangement_options", **values,
                             **response_values())
    dispatcher.utter_message(response="utter_referrals", referrals=values["referrals"])
    return [RESET_MISUNDERSTOOD]
