"""Cold Weather Rule applications through the real model, decided by the pure rule.

The assistant's clock is pinned to Friday 2027-01-15 (tests/conversation/conftest.py), inside the
cold weather period; the 50%-of-median limit for a household of three is $57,829.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from actions.store.models import Application
from tests.conversation.conftest import Assistant

pytestmark = pytest.mark.conversation


def _start(assistant: Assistant, sender: str, account: str, zip_code: str) -> str:
    first = assistant.texts(sender, "I need to apply for the cold weather rule")
    assert "October 1" in first and "April 30" in first
    assistant.texts(sender, account)
    notice = assistant.texts(sender, zip_code)
    assert "voluntary" in notice and "don't have to" in notice
    assert "go on" in notice
    return notice


def _applications(assistant: Assistant, account: str) -> list[Application]:
    with assistant.store.transaction() as session:
        return list(session.execute(
            select(Application).where(Application.account_number == account,
                                      Application.kind == "cold weather rule")
        ).scalars().all())


def test_a_qualifying_household_is_protected_and_the_note_has_no_income(
    assistant: Assistant, sender: str
) -> None:
    _start(assistant, sender, "2100004", "55906")
    assert "How many people" in assistant.texts(sender, "yes")
    assert "public assistance" in assistant.texts(sender, "3")
    assert "yearly income" in assistant.texts(sender, "no")
    assert "primary heat" in assistant.texts(sender, "about 31,500 a year")
    assert "payment agreement" in assistant.texts(sender, "yes")
    result = assistant.texts(sender, "yes")
    assert "qualifies for Cold Weather Rule protection" in result
    assert "800-277-8418" in result
    [application] = _applications(assistant, "2100004")
    assert (application.decision, application.income_bracket, application.household_size) == (
        "protected", "at_or_below_limit", 3)
    notes = [n for n in assistant.notes("2100004") if n.category == "cold weather rule"]
    assert len(notes) == 1
    assert "31,500" not in notes[0].summary and "31500" not in notes[0].summary
    assert "at or below 50% of state median" in notes[0].summary


def test_a_household_above_the_limit_hears_why_and_what_else_helps(
    assistant: Assistant, sender: str
) -> None:
    _start(assistant, sender, "2100007", "55904")
    for answer in ["yes", "3", "no", "90000 a year", "yes"]:
        assistant.texts(sender, answer)
    result = assistant.texts(sender, "yes")
    assert "doesn't qualify" in result and "57,829" in result
    assert "Neighbors Chipping In" in result or "800-277-8418" in result
    [application] = _applications(assistant, "2100007")
    assert application.decision == "not_protected"
    assert application.income_bracket == "above_limit"


def test_a_customer_who_declines_to_give_income_is_told_the_other_ways_to_apply(
    assistant: Assistant, sender: str
) -> None:
    _start(assistant, sender, "2100005", "55901")
    reply = assistant.texts(sender, "no")
    assert "don't have to share your income" in reply and "paper form" in reply
    assert _applications(assistant, "2100005") == []
    notes = [n for n in assistant.notes("2100005") if n.category == "cold weather rule"]
    assert len(notes) == 1 and "chose not to give income" in notes[0].summary


def test_public_assistance_skips_the_income_question(assistant: Assistant, sender: str) -> None:
    _start(assistant, sender, "2100002", "55901")
    assistant.texts(sender, "yes")
    assistant.texts(sender, "two of us")
    assert "primary heat" in assistant.texts(sender, "yes")
    assistant.texts(sender, "yes")
    result = assistant.texts(sender, "yes")
    assert "qualifies" in result
    [application] = _applications(assistant, "2100002")
    assert application.income_bracket == "public_assistance"
