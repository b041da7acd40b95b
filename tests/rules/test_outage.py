"""Outage reports: which hazard a message describes and which numbers the customer gets."""

from __future__ import annotations

import pytest

from actions.rules.outage import OutageNumbers, detect_hazard, outage_guidance

NUMBERS = OutageNumbers(electric_phone="507-280-9191", water_office_hours_phone="507-280-1500",
                        water_after_hours_phone="507-280-9191")


@pytest.mark.parametrize("text", [
    "I smell gas in the basement",
    "it smells like natural gas by the stove",
    "we keep smelling gas near the meter",
    "there's a gas leak behind my house",
    "strong gas odor in the kitchen",
    "I can hear gas hissing by the meter",
    "the whole place smells like rotten eggs",
])
def test_gas_smells_are_recognised_from_the_wording(text: str) -> None:
    assert detect_hazard(text) == "gas_smell"


@pytest.mark.parametrize("text", [
    "my power is out",
    "how do I pay my gas bill",
    "it smells like gasoline in my garage",
    "my gas furnace needs electricity to run",
])
def test_other_messages_about_gas_are_not_a_gas_smell(text: str) -> None:
    assert detect_hazard(text) != "gas_smell"


def test_the_nlu_entity_wins_over_the_wording() -> None:
    assert detect_hazard("something is wrong out front", "gas_smell") == "gas_smell"
    assert detect_hazard("I smell gas", "downed_line") == "downed_line"


def test_a_gas_smell_gets_the_safety_answer_and_no_outage_numbers() -> None:
    guidance = outage_guidance(NUMBERS, office_open=True, hazard="gas_smell")
    assert guidance.emergency == "gas_smell"
    assert guidance.give_outage_numbers is False
    assert "911" in guidance.reasons[0] and "leave the building" in guidance.reasons[0]
    assert "not natural gas" in guidance.reasons[1]


def test_a_downed_line_is_an_emergency_that_still_gets_the_outage_numbers() -> None:
    guidance = outage_guidance(NUMBERS, office_open=False, hazard="downed_line")
    assert guidance.emergency == "downed_line"
    assert guidance.give_outage_numbers is True
    assert guidance.reasons[0].startswith("A downed line")
    assert guidance.water_phone == "507-280-9191"


def test_a_plain_outage_uses_customer_care_for_water_while_it_is_open() -> None:
    guidance = outage_guidance(NUMBERS, office_open=True, hazard=None)
    assert guidance.emergency is None
    assert guidance.give_outage_numbers is True
    assert guidance.water_phone == "507-280-1500"
    assert guidance.electric_phone == "507-280-9191"
