"""Privacy questions, answered from the RPU customer data policy (privacy.yml). A request to
send data to someone else is never decided here: it goes to staff."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.general import RESET_MISUNDERSTOOD
from actions.handoff import hand_off
from actions.reference import response_values
from actions.rules.privacy import PrivacyAnswers, load_privacy_answers, privacy_topic
from actions.runtime import note_only


@lru_cache(maxsize=1)
def privacy_answers() -> PrivacyAnswers:
    return load_privacy_answers()


class ActionPrivacyQuestion(Action):
    def name(self) -> str:
        return "action_privacy_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        answers = privacy_answers()
        topic = privacy_topic(tracker.latest_message.get("text") or "", answers)
        values = response_values()
        if topic is None:
            dispatcher.utter_message(response="utter_privacy_overview",
                                     answer=answers.overview.format(**values))
            await note_only(tracker, "privacy",
                            "Customer asked how their data is handled; gave the overview of "
                            "the customer data policy.")
            return [RESET_MISUNDERSTOOD]
        dispatcher.utter_message(response="utter_privacy_answer",
                                 answer=topic.answer.format(**values),
                                 section=topic.policy_section)
        if topic.hands_to_staff:
            return await hand_data_request_to_staff(dispatcher, tracker)
        await note_only(tracker, "privacy",
                        f"Customer asked about {topic.id.replace('_', ' ')}; answered from the "
                        f"customer data policy, section {topic.policy_section}.")
        return [RESET_MISUNDERSTOOD]


async def hand_data_request_to_staff(dispatcher: CollectingDispatcher, tracker: Tracker
                                     ) -> list[EventType]:
    """A request to release data to a third party: staff review it with written consent, so
    the conversation is handed off (the handoff writes the note)."""
    return await hand_off(dispatcher, tracker, "data_request",
                          request="release of the customer's data to someone else (nothing "
                                  "was sent; needs written authorization and staff review)")
