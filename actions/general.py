"""Answers that need no account: greetings, topics, ways to pay, outages, the fallback."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import hand_off
from actions.reference import outage_numbers, response_values, utility_calendar
from actions.rules.calendar import is_office_open
from actions.rules.outage import detect_hazard, outage_guidance
from actions.runtime import note_only

MISUNDERSTOOD = "misunderstood_in_a_row"
RESET_MISUNDERSTOOD = SlotSet(MISUNDERSTOOD, 0.0)


# intent -> (response, note category or None, note summary)
TOPICS: dict[str, tuple[str, str | None, str]] = {
    "bot_challenge": ("utter_iamabot", None, ""),
    "what_can_you_do": ("utter_what_i_can_do", None, ""),
    "out_of_scope": ("utter_out_of_scope", None, ""),
    "other_language": (
        "utter_other_language", "language",
        "Customer wrote in another language; told in English and Spanish that the assistant "
        "works in English and that Customer Care has interpreters by phone.",
    ),
}


def _intent(tracker: Tracker) -> str:
    return (tracker.latest_message.get("intent") or {}).get("name") or ""


class ActionAnswerTopic(Action):
    """Answers a general question with its response and notes the request."""

    def name(self) -> str:
        return "action_answer_topic"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        response, category, summary = TOPICS.get(_intent(tracker), TOPICS["what_can_you_do"])
        dispatcher.utter_message(response=response, **response_values())
        if category is not None:
            await note_only(tracker, category, summary)
        return [RESET_MISUNDERSTOOD]


class ActionPaymentOptions(Action):
    def name(self) -> str:
        return "action_payment_options"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(response="utter_payment_options", **response_values())
        await note_only(tracker, "payment options",
                        "Customer asked how to pay; gave online, phone (no fee), in person, "
                        "drop box, kiosk and autopay options.")
        return [RESET_MISUNDERSTOOD]


class ActionReportOutage(Action):
    """Gives the outage numbers for the current hour; an emergency is said first."""

    def name(self) -> str:
        return "action_report_outage"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        calendar = utility_calendar()
        now = datetime.now(ZoneInfo(calendar.timezone))
        hazard = detect_hazard(tracker.latest_message.get("text") or "",
                               tracker.get_slot("hazard"))
        office_open = is_office_open(calendar, "customer_care", now)
        guidance = outage_guidance(outage_numbers(), office_open=office_open,
                                   hazard=hazard)
        values = {
            **response_values(),
            "water_now": guidance.water_phone,
            "water_note": "Customer Care is open now" if guidance.water_office_open
            else "the 24-hour line while Customer Care is closed",
        }
        if guidance.emergency == "downed_line":
            dispatcher.utter_message(response="utter_outage_downed_line", **values)
        elif guidance.emergency == "water_main_break":
            dispatcher.utter_message(response="utter_water_main_break", **values)
        elif guidance.emergency == "gas_smell":
            dispatcher.utter_message(response="utter_gas_smell", **values)
        if guidance.give_outage_numbers:
            dispatcher.utter_message(response="utter_outage_numbers", **values)
            summary = (f"Customer reported an outage; gave electric {guidance.electric_phone} "
                       f"and water {guidance.water_phone}.")
        else:
            summary = ("Customer reported a gas smell; told to leave the building and call 911 "
                       "and the gas utility (the utility supplies no gas).")
        if guidance.emergency:
            summary = f"EMERGENCY ({guidance.emergency.replace('_', ' ')}): " + summary
        await note_only(tracker, "outage report", summary)
        return [RESET_MISUNDERSTOOD, SlotSet("hazard", None), SlotSet("utility_service", None)]


class ActionDefaultFallback(Action):
    """Offers the main topics; after two misunderstandings in a row, hands off to staff."""

    def name(self) -> str:
        return "action_default_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        misses = float(tracker.get_slot(MISUNDERSTOOD) or 0) + 1
        # Reverting the message would also drop what it plainly stated ("... account
        # 2100001"); the customer should not have to give it again.
        kept = entity_slots_of_latest_message(tracker, domain)
        if misses >= 2:
            # A person takes over; hand_off pauses the conversation and resets the count.
            return [UserUtteranceReverted(), *kept,
                    *await hand_off(dispatcher, tracker, "misunderstood")]
        dispatcher.utter_message(response="utter_default")
        return [UserUtteranceReverted(), *kept, SlotSet(MISUNDERSTOOD, misses)]


def entity_slots_of_latest_message(tracker: Tracker, domain: dict[str, Any]) -> list[SlotSet]:
    """The slots the latest message filled from entities it contained (an account number, a
    ZIP code), as they stand now."""
    entities = {entity.get("entity") for entity in tracker.latest_message.get("entities") or []}
    slots = []
    for name, slot in (domain.get("slots") or {}).items():
        from_entities = {mapping.get("entity") for mapping in slot.get("mappings") or []
                         if mapping.get("type") == "from_entity"}
        value = tracker.get_slot(name)
        if from_entities & entities and value is not None:
            slots.append(SlotSet(name, value))
    return slots
