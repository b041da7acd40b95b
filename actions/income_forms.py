"""What the forms that ask about income share: consent first, then household size and
income, each read by a pure parser; a customer who declines ends the form at once."""

from __future__ import annotations

from abc import abstractmethod
from decimal import Decimal
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.reference import response_values
from actions.rules.answers import parse_count
from actions.runtime import in_transaction, write_note


class IncomeFormValidation(FormValidationAction):
    """Base of the validation actions of income forms; subclasses name their slots."""

    consent_slot: str
    household_slot: str
    income_slot: str

    @abstractmethod
    def parse_income(self, value: Any) -> Decimal | None:
        """The income figure in a customer's answer, or None."""

    @abstractmethod
    def name(self) -> str:
        """The validation action's name (validate_<form>)."""

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> list[str]:
        if tracker.slots.get(self.consent_slot) is False:
            return [self.consent_slot]
        return list(domain_slots)

    def household_answer(self, value: Any, dispatcher: CollectingDispatcher) -> dict[str, Any]:
        size = parse_count(value)
        if size is None:
            dispatcher.utter_message(response="utter_invalid_household_size")
        return {self.household_slot: None if size is None else float(size)}

    def income_answer(self, value: Any, dispatcher: CollectingDispatcher) -> dict[str, Any]:
        income = self.parse_income(value)
        if income is None:
            dispatcher.utter_message(response="utter_invalid_income")
        return {self.income_slot: None if income is None else str(income)}


async def declined(dispatcher: CollectingDispatcher, tracker: Tracker, *, account_number: str,
                   response: str, category: str, summary: str,
                   cleared: list[EventType]) -> list[EventType]:
    """The customer chose not to give income: other ways to go on, and the note."""
    dispatcher.utter_message(response=response, **response_values())
    await in_transaction(lambda session: write_note(
        session, tracker, category, summary, account_number=account_number))
    return cleared


