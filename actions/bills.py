"""Bill explanations for verified customers: the whole bill, one line, or a high bill.

The figures come from ``actions.rules.billing``; this module only fetches the bills,
turns the explanation into messages and writes the note.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.general import RESET_MISUNDERSTOOD
from actions.identity import account_in_question, is_verified, verification_needed
from actions.reference import response_values
from actions.rules.billing import (
    BillExplanation,
    bill_from_record,
    explain_bill,
    explain_topic,
    load_line_topics,
)
from actions.rules.rates import RateSchedules, load_rate_schedules
from actions.runtime import in_transaction, write_note
from actions.store.repository import bill_record, bills_for_account, get_account

SERVICE_NAMES = {
    "electric": "Electricity",
    "water": "Water",
    "products_services": "Products & Services",
    "wastewater": "Wastewater (Rochester Public Works)",
    "stormwater": "Stormwater (Rochester Public Works)",
    "taxes": "Taxes",
}


@lru_cache(maxsize=1)
def _schedules() -> RateSchedules:
    return load_rate_schedules()


@lru_cache(maxsize=1)
def _topics() -> dict[str, Any]:
    return load_line_topics()


def explain_latest_bill(session: Session, account_number: str,
                        bill_id: str | None = None) -> BillExplanation | None:
    """The explanation of the account's latest bill (or ``bill_id``), compared with the
    bill before it and, where present, the bill a year earlier."""
    account = get_account(session, account_number)
    if account is None:
        return None
    bills = bills_for_account(session, account_number)
    if bill_id is not None:
        bills = bills[: next((i + 1 for i, b in enumerate(bills) if b.bill_id == bill_id), 0)]
    if not bills:
        return None
    current = bill_from_record(bill_record(bills[-1]))
    previous = bill_from_record(bill_record(bills[-2])) if len(bills) > 1 else None
    year_ago = next(
        (bill_from_record(bill_record(b)) for b in reversed(bills[:-1])
         if 330 <= (bills[-1].period_end - b.period_end).days <= 400),
        None,
    )
    return explain_bill(
        current, _schedules(), account_number=account_number,
        customer_class=account.customer_class, budget_enrolled=bool(account.budget_enrolled),
        previous=previous, year_ago=year_ago,
    )


def _requested_line(tracker: Tracker) -> str | None:
    return next(tracker.get_latest_entity_values("bill_line"), None)


def _service_rows(data: dict[str, Any]) -> list[list[str]]:
    return [[SERVICE_NAMES.get(s["service"], s["service"].replace("_", " ").title()),
             f"${s['total']}"] for s in data["services"]]


def _utter_bill(dispatcher: CollectingDispatcher, tracker: Tracker, data: dict[str, Any]) -> None:
    dispatcher.utter_message(
        response="utter_bill_summary",
        bill_date=data.get("bill_date") or data["period_end"],
        period_start=data["period_start"], period_end=data["period_end"], days=data["days"],
        current_charges=data["current_charges"], amount_due=data["amount_due"],
        due_date=data["due_date"], late_fee=data["late_fee_if_unpaid"],
    )
    rows = _service_rows(data)
    if tracker.get_latest_input_channel() == "webchat":
        dispatcher.utter_message(json_message={"table": {
            "caption": "Current charges", "columns": ["Service", "Amount"],
            "rows": rows + [["Total current charges", f"${data['current_charges']}"]],
        }})
    else:
        dispatcher.utter_message(
            response="utter_bill_services",
            services="\n".join(f"- {name}: {amount}" for name, amount in rows),
        )


class ActionExplainBill(Action):
    def name(self) -> str:
        return "action_explain_bill"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        line = _requested_line(tracker)
        account, switch = account_in_question(tracker)
        if account is None:
            if line is not None and not is_verified(tracker):
                return await _explain_line_in_general(dispatcher, tracker, line)
            return verification_needed(dispatcher, tracker, "explain_bill", None)
        return switch + await explain_for_verified(dispatcher, tracker, line, account)


class ActionHighBill(Action):
    def name(self) -> str:
        return "action_high_bill"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        account, switch = account_in_question(tracker)
        if account is None:
            return verification_needed(dispatcher, tracker, "high_bill", None)
        return switch + await high_bill_for_verified(dispatcher, tracker, account)


async def _explain_line_in_general(dispatcher: CollectingDispatcher, tracker: Tracker,
                                   line: str) -> list[EventType]:
    if line not in _topics():
        dispatcher.utter_message(response="utter_line_unknown")
        return []
    answer = explain_topic(line, None)
    dispatcher.utter_message(response="utter_line_general", title=answer.title,
                             general=answer.general)
    dispatcher.utter_message(response="utter_line_verify_offer")
    await in_transaction(lambda s: write_note(
        s, tracker, "bill explanation",
        f"Explained what the {answer.title} line means in general (customer not verified)."))
    return [RESET_MISUNDERSTOOD]


async def explain_for_verified(dispatcher: CollectingDispatcher, tracker: Tracker,
                               line: str | None, account_number: str) -> list[EventType]:
    def work(session: Session) -> dict[str, Any] | None:
        explanation = explain_latest_bill(session, account_number)
        if explanation is None:
            return None
        data = explanation.to_dict()
        if line is not None and line in _topics():
            answer = explain_topic(line, explanation)
            data["_topic"] = {"title": answer.title, "general": answer.general,
                              "figures": list(answer.figures)}
            what = f"explained the {answer.title} line with the customer's figures"
        else:
            what = (f"explained amount due ${data['amount_due']} due {data['due_date']} and "
                    "each service's total")
        period = f"{data['period_start']} to {data['period_end']}"
        write_note(session, tracker, "bill explanation", account_number=account_number,
                   summary=f"Bill {data['bill_id']} ({period}): {what}.")
        return data

    data = await in_transaction(work)
    if data is None:
        dispatcher.utter_message(response="utter_no_bill", **response_values())
        return []
    topic = data.get("_topic")
    if topic is not None:
        dispatcher.utter_message(response="utter_line_general", title=topic["title"],
                                 general=topic["general"])
        if topic["figures"]:
            dispatcher.utter_message(response="utter_line_figures",
                                     figures=" ".join(topic["figures"]))
    else:
        _utter_bill(dispatcher, tracker, data)
        dispatcher.utter_message(response="utter_bill_follow_up")
    return [RESET_MISUNDERSTOOD, SlotSet("pending_request", None)]


async def high_bill_for_verified(dispatcher: CollectingDispatcher, tracker: Tracker,
                                 account_number: str) -> list[EventType]:
    def work(session: Session) -> dict[str, Any] | None:
        explanation = explain_latest_bill(session, account_number)
        if explanation is None:
            return None
        data = explanation.to_dict()
        comparison = data.get("comparison")
        if comparison is None:
            summary = f"Bill {data['bill_id']}: high-bill question; no earlier bill to compare."
        else:
            top = ", ".join(f"{d['driver']} {d['amount']}" for d in comparison["drivers"][:3])
            summary = (f"Bill {data['bill_id']} compared with {comparison['previous_bill_id']}: "
                       f"change {comparison['change']}; main drivers {top}.")
        write_note(session, tracker, "high bill", summary, account_number=account_number)
        return data

    data = await in_transaction(work)
    if data is None:
        dispatcher.utter_message(response="utter_no_bill", **response_values())
        return []
    comparison = data.get("comparison")
    if comparison is None:
        dispatcher.utter_message(response="utter_high_bill_no_previous")
    else:
        dispatcher.utter_message(
            response="utter_high_bill_intro", current=data["current_charges"],
            previous=comparison["previous_charges"],
            change=_signed(comparison["change"]),
        )
        dispatcher.utter_message(
            response="utter_high_bill_drivers",
            drivers="\n".join(f"- {d['explanation']}" for d in comparison["drivers"]
                              if d["amount"] not in ("0.00", "-0.00")),
        )
        per_day = _usage_per_day(comparison.get("usage_per_day") or [])
        if per_day:
            dispatcher.utter_message(response="utter_high_bill_usage_per_day",
                                     usage_per_day=per_day)
    dispatcher.utter_message(response="utter_high_bill_help")
    return [RESET_MISUNDERSTOOD, SlotSet("pending_request", None)]


def _usage_per_day(rows: list[dict[str, Any]]) -> str:
    """Usage per day, so bills of different lengths compare fairly."""
    parts = []
    for row in rows:
        unit = row["unit"].split(" (")[0]
        parts.append(
            f"{SERVICE_NAMES.get(row['service'], row['service']).split(' (')[0]}: "
            f"{row['current_per_day']} {unit} a day now against "
            f"{row['previous_per_day']} before"
        )
    return ("Usage per day: " + "; ".join(parts) + ".") if parts else ""


def _signed(amount: str) -> str:
    return f"down ${amount.lstrip('-')}" if amount.startswith("-") else f"up ${amount}"
