"""Disconnection questions: for a verified customer with a notice, whether and when
disconnection could happen, decided by the pure date rule, and what protects them."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.cold_weather import cold_weather_tables
from actions.general import RESET_MISUNDERSTOOD
from actions.identity import account_in_question, verification_needed
from actions.reference import response_values, utility_calendar
from actions.rules.calendar import format_day
from actions.rules.disconnection import DisconnectionFacts, NoticeDelivery, check_disconnection
from actions.runtime import in_transaction, local_today, write_note
from actions.store.repository import applications_for_account, get_account


class ActionDisconnectionQuestion(Action):
    def name(self) -> str:
        return "action_disconnection_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        account, switch = account_in_question(tracker)
        if account is None:
            dispatcher.utter_message(response="utter_disconnection_info", **response_values())
            return verification_needed(dispatcher, tracker, "disconnection_question",
                                       "utter_disconnection_verify_first")
        return switch + await answer_for_account(dispatcher, tracker, account)


async def answer_for_account(dispatcher: CollectingDispatcher, tracker: Tracker,
                             account_number: str) -> list[EventType]:
    calendar = utility_calendar()
    today = local_today(calendar.timezone)

    def work(session: Session) -> dict[str, Any]:
        account = get_account(session, account_number)
        notice = account.notices[-1] if account.notices else None
        if notice is None:
            write_note(session, tracker, "disconnection", account_number=account_number,
                       summary="Customer asked about disconnection; no disconnection notice "
                               "is on the account.")
            return {"notice": None}
        protected = any(a.kind == "cold weather rule" and a.decision == "protected"
                        for a in applications_for_account(session, account_number))
        decision = check_disconnection(
            DisconnectionFacts(
                day=today, notice_date=notice.notice_date,
                notice_delivery=NoticeDelivery(notice.delivery),
                residential=account.customer_class == "residential",
                cold_weather_protected=protected,
            ),
            calendar, cold_weather_tables(),
        )
        earliest = format_day(decision.earliest_date) if decision.earliest_date else None
        write_note(session, tracker, "disconnection", account_number=account_number,
                   summary=f"Customer asked about notice {notice.notice_id} "
                           f"({notice.delivery} {notice.notice_date.isoformat()}): "
                           f"disconnection {decision.decision.replace('_', ' ')} on "
                           f"{today.isoformat()}; earliest date {earliest or 'none'}. "
                           "Protections and appeal rights explained.")
        return {"notice": notice.notice_date.isoformat(), "amount": f"{notice.amount_past_due}",
                "delivery": notice.delivery, "allowed": decision.allowed,
                "reasons": " ".join(decision.reasons), "earliest": earliest}

    facts = await in_transaction(work)
    if facts["notice"] is None:
        dispatcher.utter_message(response="utter_disconnection_no_notice", **response_values())
    else:
        response = ("utter_disconnection_allowed" if facts["allowed"]
                    else "utter_disconnection_not_allowed")
        dispatcher.utter_message(response=response, **facts, **response_values())
        dispatcher.utter_message(response="utter_disconnection_protections",
                                 **response_values())
    return [RESET_MISUNDERSTOOD]
