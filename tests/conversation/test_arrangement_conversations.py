"""Military and payment arrangements through the real model: amounts from the rules, the
request recorded for staff with its note, no income figure in the note."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from actions.store.models import Application
from tests.conversation.conftest import Assistant

pytestmark = pytest.mark.conversation


def _requests(assistant: Assistant, account: str, kind: str) -> list[Application]:
    with assistant.store.transaction() as session:
        return list(session.execute(
            select(Application).where(Application.account_number == account,
                                      Application.kind == kind).order_by(Application.id)
        ).scalars().all())


def _military(assistant: Assistant, sender: str, monthly_income: str) -> str:
    first = assistant.texts(sender, "my son got deployment orders and we cant pay the bill")
    assert "325E.028" in first and "account number" in first
    assistant.texts(sender, "2100005")
    notice = assistant.texts(sender, "55901")
    assert "voluntary" in notice and "since the date of the orders" in notice
    assistant.texts(sender, "yes")
    assistant.texts(sender, "3")
    assert "gross monthly income" in assistant.texts(sender, "no")
    return assistant.texts(sender, monthly_income)


def test_a_military_household_below_the_median_pays_ten_percent(assistant: Assistant,
                                                                sender: str) -> None:
    reply = _military(assistant, sender, "4,000 a month")
    assert "$400.00 a month" in reply
    assert "seven working days" in reply and "ten working days" in reply
    assert "800-277-8418" in reply  # referral to energy assistance
    [request] = _requests(assistant, "2100005", "military payment arrangement")
    assert request.decision == "ten_percent" and str(request.monthly_payment) == "400.00"
    note = next(n for n in assistant.notes("2100005")
                if n.category == "military payment arrangement")
    assert "$400.00 a month" in note.summary and "4,000" not in note.summary


def test_a_military_household_above_the_median_gets_a_payment_schedule(assistant: Assistant,
                                                                       sender: str) -> None:
    reply = _military(assistant, sender, "12500 a month")
    assert "reasonable payment schedule" in reply
    requests = _requests(assistant, "2100005", "military payment arrangement")
    assert requests[-1].decision == "payment_schedule" and requests[-1].monthly_payment is None


def test_a_payment_arrangement_request_is_recorded_with_the_balance(assistant: Assistant,
                                                                    sender: str) -> None:
    first = assistant.texts(sender, "can I set up a payment plan, I'm behind")
    assert "account number" in first
    assistant.texts(sender, "2100003")
    reply = assistant.texts(sender, "55904")
    assert "$326.30" in reply and "800-277-8418" in reply
    [request] = _requests(assistant, "2100003", "payment arrangement")
    assert request.decision == "requested"
    assert any(n.category == "payment arrangement" and "$326.30" in n.summary
               for n in assistant.notes("2100003"))
