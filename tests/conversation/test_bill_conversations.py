"""Verify -> explain -> ask about a line -> ask why it is high, through the real model."""

from __future__ import annotations

import pytest

from tests.conversation.conftest import Assistant

pytestmark = pytest.mark.conversation


def _verify(assistant: Assistant, sender: str, account: str, zip_code: str) -> str:
    assert "account number" in assistant.texts(sender, "explain my bill")
    assert "ZIP" in assistant.texts(sender, account)
    return assistant.texts(sender, zip_code)


def test_verified_customer_gets_the_sample_bill_explained(assistant: Assistant,
                                                          sender: str) -> None:
    reply = _verify(assistant, sender, "2100001", "55902")
    assert "verified for account 2100001" in reply
    assert "$221.48" in reply and "due 2023-07-05" in reply
    assert "late fee of $5.00" in reply
    for service, total in [("Electricity", "137.90"), ("Water", "17.03"),
                           ("Wastewater", "41.80"), ("Taxes", "11.45")]:
        assert f"{service}" in reply and f"${total}" in reply

    line = assistant.texts(sender, "what is the clean air rider?")
    assert "Emission Reduction Project" in line
    assert "1.72" in line  # the customer's own figure

    high = assistant.texts(sender, "why is my bill so high")
    assert "previous bill" in high
    assert "a day" in high  # usage per day so periods compare fairly
    assert "budget billing" in high.lower()

    notes = assistant.notes("2100001")
    assert [n.category for n in notes] == ["high bill", "bill explanation", "bill explanation"]
    assert all(n.channel == "chat" for n in notes)
    assert "B-2100001-2023-06" in notes[-1].summary


def test_a_bill_line_question_before_verifying_gets_only_the_general_meaning(
    assistant: Assistant, sender: str
) -> None:
    reply = assistant.texts(sender, "what is the fire hydrant charge?")
    assert "hydrant" in reply.lower()
    assert "$" not in reply
    notes = assistant.conversation_notes(sender)
    assert len(notes) == 1 and notes[0].account_number is None


def test_wrong_zip_gets_a_neutral_answer(assistant: Assistant, sender: str) -> None:
    wrong_zip = _verify(assistant, sender, "2100001", "55999")
    unknown_account = _verify(assistant, f"{sender}-b", "2999999", "55902")
    assert "couldn't confirm those details" in wrong_zip
    assert wrong_zip == unknown_account  # nothing says which part was wrong
    assert "221.48" not in wrong_zip


def test_three_failures_lock_verification_for_the_conversation(assistant: Assistant,
                                                               sender: str) -> None:
    assistant.texts(sender, "explain my bill")
    for _attempt in range(3):
        assistant.texts(sender, "2100001")
        reply = assistant.texts(sender, "55901")
    assert "507-280-1500" in reply and "security" in reply
    # Even the right details are refused now.
    again = assistant.texts(sender, "explain my bill")
    assert "221.48" not in again and "security" in again
    notes = assistant.notes("2100001")
    assert any(n.category == "verification locked" and n.conversation_id == sender
               for n in notes)


def test_a_customer_with_two_accounts_can_say_which(assistant: Assistant, sender: str) -> None:
    _verify(assistant, sender, "2100001", "55902")
    assistant.texts(sender, "explain my bill for account 2100007")
    reply = assistant.texts(sender, "55904")
    assert "verified for account 2100007" in reply and "$327.91" in reply
    back = assistant.texts(sender, "explain the bill for account 2100001 please")
    assert "$221.48" in back
    assert any("B-2100007" in n.summary for n in assistant.notes("2100007"))


def test_over_sms_the_number_on_file_is_one_factor_and_the_zip_is_still_asked(
    assistant: Assistant,
) -> None:
    sender = "sms:+15075550101"
    first = assistant.texts(sender, "explain my bill")
    assert "ZIP" in first and "account number" not in first
    assert "221.48" not in first
    reply = assistant.texts(sender, "55902")
    assert "verified for account 2100001" in reply and "$221.48" in reply
