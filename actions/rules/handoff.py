"""Handing a conversation to staff: the transcript, its masking, the summary paragraph and
when Customer Care can answer. Pure functions over plain data (tracker events as dicts,
the calendar); no Rasa, no database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from actions.rules.calendar import (
    CalendarNotCoveredError,
    UtilityCalendar,
    closure_on,
    format_day,
    format_time,
    observed_holiday_on,
    office,
    to_local,
)

CUSTOMER = "customer"
ASSISTANT = "assistant"

# Slots whose answer is an income figure: the transcript keeps that the question was
# answered, never the figure (the application and its note keep the bracket).
INCOME_SLOTS = frozenset({"cw_annual_income", "ma_monthly_income"})

REASONS = {
    "customer_request": "the customer asked for a person",
    "misunderstood": "the assistant did not understand the customer twice in a row",
    "written_consent": "the request needs the customer's written consent",
    "appeal": "the customer wants to appeal, which staff decide",
    "data_request": "the customer asked for their data, which staff handle",
}

_INTENT_PHRASES = {
    "explain_bill": "an explanation of the bill",
    "high_bill": "why the bill is high",
    "payment_options": "ways to pay",
    "report_outage": "an outage",
    "cold_weather_application": "Cold Weather Rule protection",
    "disconnection_question": "disconnection",
    "military_payment_arrangement": "a military payment arrangement",
    "payment_arrangement": "a payment arrangement",
    "add_third_party_contact": "adding a third-party contact",
    "list_contacts": "the contacts on the account",
    "remove_third_party_contact": "removing a contact",
    "update_contact_info": "updating contact information",
    "leaving_for_winter": "leaving for the winter",
    "privacy_question": "how their data is handled",
    "human_handoff": "talking to a person",
}
# Turns that carry no request of their own.
_QUIET_INTENTS = frozenset({
    "greet", "goodbye", "thank_you", "affirm", "deny", "inform", "stop", "empty_message",
    "nlu_fallback", "out_of_scope", "bot_challenge", "what_can_you_do", "other_language",
})
_ACTION_PHRASES = {
    "action_explain_bill": "explained the bill",
    "action_high_bill": "compared the bill with the previous one",
    "action_payment_options": "gave the ways to pay",
    "action_report_outage": "gave the outage numbers",
    "action_disconnection_question": "answered the disconnection question",
    "action_submit_cold_weather": "recorded a Cold Weather Rule application",
    "action_submit_military": "recorded a military payment arrangement request",
    "action_payment_arrangement": "offered payment arrangement options",
    "action_answer_topic": "answered a general question",
}
_FORM_NAMES = {
    "verify_identity_form": "account verification",
    "cold_weather_form": "the Cold Weather Rule questions",
    "military_form": "the military arrangement questions",
}


@dataclass(frozen=True)
class Turn:
    speaker: str  # CUSTOMER or ASSISTANT
    text: str
    at: dt.datetime

    def to_dict(self) -> dict[str, str]:
        return {"speaker": self.speaker, "text": self.text, "at": self.at.isoformat()}


@dataclass(frozen=True)
class ConversationFacts:
    """What the assistant learned and did before the handoff."""

    requests: tuple[str, ...]  # phrases, in the order first asked
    done: tuple[str, ...]  # what the assistant did, in order
    forms_completed: tuple[str, ...]
    forms_stopped: tuple[str, ...]
    verified_account: str | None
    last_customer_text: str | None


# --- masking --------------------------------------------------------------------------

_DIGIT_RUN = re.compile(r"(?<![\w$])\d(?:[ -]?\d){7,18}(?!\w)")
# Written like a phone number (507-555-0101): kept even next to words like "card".
_PHONE_SHAPE = re.compile(r"^(?:1[ .-])?\d{3}[ .-]\d{3}[ .-]\d{4}$")
_SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")
_BANK_WORDS = re.compile(r"\b(bank|routing|checking|savings|ach|card|visa|mastercard|"
                         r"discover|amex|credit|debit)\b", re.IGNORECASE)
_INCOME_WORDS = re.compile(r"\b(income|salary|wages?|earn\w*|paychecks?|pension|"
                           r"(?:i|we) make)\b", re.IGNORECASE)
_AMOUNT = re.compile(r"(?:\$\s?)?\d[\d,]*(?:\.\d+)?(?:\s?(?:k|thousand))?\b", re.IGNORECASE)
# The assistant repeats a figure it was given ("your gross monthly income of $4,200.00").
_ECHOED_INCOME = re.compile(r"(income (?:of|is|was) )\$?\d[\d,]*(?:\.\d+)?", re.IGNORECASE)

CARD_MASK = "[card number removed]"
BANK_MASK = "[bank number removed]"
SSN_MASK = "[SSN removed]"
INCOME_MASK = "[income figure withheld]"


def _luhn_ok(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _looks_like_phone(digits: str) -> bool:
    return len(digits) == 10 or (len(digits) == 11 and digits.startswith("1"))


def mask_private(text: str, *, income_answer: bool = False, said_by: str = CUSTOMER) -> str:
    """``text`` without details staff do not need and the customer did not need to give:
    card and bank numbers, social security numbers, and income figures (every amount in
    an answer to an income question; amounts the customer says next to income words; a
    figure the assistant repeats). The income bracket stays: the assistant's decision
    says which side of the limit the household is, and the application records it.

    Account numbers (7 digits), ZIP codes and phone numbers stay: the customer gives them
    to be verified or called back; so do the bill's own amounts.
    """
    customer = said_by == CUSTOMER
    money_context = customer and bool(_BANK_WORDS.search(text))

    def digits_run(match: re.Match[str]) -> str:
        found = match.group(0)
        digits = re.sub(r"\D", "", found)
        if 13 <= len(digits) <= 19 and _luhn_ok(digits):
            return CARD_MASK
        if not customer or _PHONE_SHAPE.match(found):
            return found  # the assistant never asks for bank numbers; its are phone lines
        if money_context or not _looks_like_phone(digits):
            return BANK_MASK
        return found

    masked = _SSN.sub(SSN_MASK, text)
    masked = _DIGIT_RUN.sub(digits_run, masked)
    if said_by != CUSTOMER:
        return _ECHOED_INCOME.sub(lambda m: m.group(1) + INCOME_MASK, masked)
    if income_answer or _INCOME_WORDS.search(masked):
        masked = _AMOUNT.sub(lambda m: INCOME_MASK if re.search(r"\d", m.group(0))
                             else m.group(0), masked)
    return masked


# --- reading the tracker's events -----------------------------------------------------


def _when(event: Mapping[str, Any]) -> dt.datetime:
    return dt.datetime.fromtimestamp(float(event.get("timestamp") or 0), tz=dt.timezone.utc)


def _intent(event: Mapping[str, Any]) -> str:
    return ((event.get("parse_data") or {}).get("intent") or {}).get("name") or ""


def _customer_text(event: Mapping[str, Any]) -> str:
    text = str(event.get("text") or "")
    if text.startswith("/"):
        # A button press: show what it meant rather than the payload.
        return f"[chose: {text[1:].split('{')[0].replace('_', ' ')}]"
    return text


def _request_phrase(event: Mapping[str, Any]) -> str | None:
    intent = _intent(event)
    if not intent or intent in _QUIET_INTENTS:
        return None
    phrase = _INTENT_PHRASES.get(intent, intent.replace("_", " "))
    lines = [e.get("value") for e in (event.get("parse_data") or {}).get("entities") or []
             if e.get("entity") == "bill_line" and e.get("value")]
    if lines:
        phrase = f"the {lines[0]} line of the bill" if intent == "explain_bill" else phrase
    return phrase


def read_conversation(events: Sequence[Mapping[str, Any]]
                      ) -> tuple[list[Turn], ConversationFacts]:
    """The transcript (masked) and what the assistant learned, from the tracker's events.

    Only the current session counts: a ``session_started`` event starts afresh, as Rasa
    itself does.
    """
    turns: list[Turn] = []
    requests: list[str] = []
    done: list[str] = []
    completed: list[str] = []
    stopped: list[str] = []
    verified: str | None = None
    requested_slot: str | None = None
    last_action: str | None = None
    last_customer: str | None = None
    for event in events:
        kind = event.get("event")
        if kind == "session_started":
            turns, requests, done, completed, stopped = [], [], [], [], []
            verified = requested_slot = last_customer = None
        elif kind == "user":
            text = mask_private(_customer_text(event),
                                income_answer=requested_slot in INCOME_SLOTS)
            turns.append(Turn(CUSTOMER, text, _when(event)))
            last_customer = text
            phrase = _request_phrase(event)
            if phrase and phrase not in requests:
                requests.append(phrase)
        elif kind == "bot" and event.get("text"):
            turns.append(Turn(ASSISTANT, mask_private(str(event["text"]), said_by=ASSISTANT),
                              _when(event)))
        elif kind == "slot":
            if event.get("name") == "requested_slot":
                requested_slot = event.get("value")
            elif event.get("name") == "verified_account" and event.get("value"):
                verified = str(event["value"])
        elif kind == "action":
            last_action = event.get("name")
            phrase = _ACTION_PHRASES.get(last_action or "")
            if phrase and phrase not in done:
                done.append(phrase)
        elif kind == "active_loop" and event.get("name") is None and last_action:
            form = _FORM_NAMES.get(last_action, last_action.replace("_", " "))
            if last_action == "action_deactivate_loop":
                stopped.append("a form")
            elif last_action.endswith("_form") and form not in completed:
                completed.append(form)
            requested_slot = None
    facts = ConversationFacts(
        requests=tuple(requests), done=tuple(done), forms_completed=tuple(completed),
        forms_stopped=tuple(stopped), verified_account=verified,
        last_customer_text=last_customer,
    )
    return turns, facts


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def summary_paragraph(reason: str, facts: ConversationFacts, *, channel: str) -> str:
    """One paragraph for staff: why, who, what the customer wanted, what the bot did."""
    how = "by text message" if channel == "text" else "in web chat"
    parts = [f"Handed off because {REASONS.get(reason, reason.replace('_', ' '))}; "
             f"the customer is {how}."]
    if facts.verified_account:
        parts.append(f"Verified as the holder of account {facts.verified_account}.")
    else:
        parts.append("Not verified: do not discuss account details until identity is "
                     "confirmed.")
    asked = [r for r in facts.requests if r != _INTENT_PHRASES["human_handoff"]]
    if asked:
        parts.append(f"The customer asked about {_join(asked)}.")
    if facts.done:
        parts.append(f"The assistant {_join(list(facts.done))}.")
    if facts.forms_completed:
        parts.append(f"Completed: {_join(list(facts.forms_completed))}.")
    if facts.forms_stopped:
        parts.append("The customer stopped a form part way.")
    if facts.last_customer_text:
        parts.append(f'Last message: "{facts.last_customer_text}".')
    return " ".join(parts)


# --- when staff can answer ------------------------------------------------------------


@dataclass(frozen=True)
class HandoffTiming:
    office_open: bool
    closes: dt.time | None  # today's closing time while open
    next_open: dt.datetime | None  # local time staff are next in, while closed
    closed_for: str | None  # a holiday or closure name, when that is why

    def closes_text(self) -> str:
        return format_time(self.closes) if self.closes else ""

    def next_open_text(self, today: dt.date) -> str:
        if self.next_open is None:
            return "on the next working day"
        day = self.next_open.date()
        when = format_time(self.next_open.time())
        if day == today:
            return f"today at {when}"
        if day == today + dt.timedelta(days=1):
            return f"tomorrow, {format_day(day)}, at {when}"
        return f"on {format_day(day)}, at {when}"


def _closed_day_reason(calendar: UtilityCalendar, day: dt.date) -> str | None:
    holiday = observed_holiday_on(calendar, day)
    if holiday is not None:
        return holiday.name
    closure = closure_on(calendar, day)
    return closure.reason if closure is not None else None


def handoff_timing(calendar: UtilityCalendar, now: dt.datetime,
                   office_key: str = "customer_care") -> HandoffTiming:
    """Whether the office is open at ``now`` and, if not, when it next opens (holidays and
    closures from the calendar). A year the calendar does not cover counts weekdays only,
    and the next opening is left unnamed rather than guessed."""
    hours = office(calendar, office_key)
    local = to_local(calendar, now)
    try:
        closed_for = _closed_day_reason(calendar, local.date())
    except CalendarNotCoveredError:
        within = local.weekday() in hours.weekdays and hours.opens <= local.time() < hours.closes
        return HandoffTiming(within, hours.closes if within else None, None, None)
    open_day = local.weekday() in hours.weekdays and closed_for is None
    if open_day and hours.opens <= local.time() < hours.closes:
        return HandoffTiming(True, hours.closes, None, None)
    day = local.date()
    if not (open_day and local.time() < hours.opens):
        day += dt.timedelta(days=1)
    for _ in range(31):
        try:
            day_closed = _closed_day_reason(calendar, day)
        except CalendarNotCoveredError:
            return HandoffTiming(False, None, None, closed_for)
        if day.weekday() in hours.weekdays and day_closed is None:
            return HandoffTiming(False, None,
                                 dt.datetime.combine(day, hours.opens, tzinfo=local.tzinfo),
                                 closed_for)
        day += dt.timedelta(days=1)
    return HandoffTiming(False, None, None, closed_for)


# --- callback numbers -----------------------------------------------------------------

_PHONE = re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?\(?(\d{3})\)?[\s.-]?(\d{3})[\s.-]?(\d{4})(?!\d)")


def phone_in(text: str) -> str | None:
    """A North American phone number in ``text``, as E.164, or None."""
    match = _PHONE.search(text or "")
    return None if match is None else "+1" + "".join(match.groups())


def last_four(phone: str) -> str:
    return re.sub(r"\D", "", phone)[-4:]
