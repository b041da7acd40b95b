"""Disconnection questions through the real model, decided by the date rule.

The clock is pinned to Friday 2027-01-15 (tests/conversation/conftest.py). Account 2100003
has a notice mailed 2026-11-16; Monday 2027-01-18 is Martin Luther King Jr. Day.
"""

from __future__ import annotations

import pytest

from tests.conversation.conftest import Assistant

pytestmark = pytest.mark.conversation


def test_a_friday_in_january_is_refused_and_the_earliest_date_given(assistant: Assistant,
                                                                    sender: str) -> None:
    first = assistant.texts(sender, "can you shut off my electricity? I got a disconnect notice")
    assert "account number" in first
    assistant.texts(sender, "2100003")
    reply = assistant.texts(sender, "55904")
    assert "verified for account 2100003" in reply
    assert "is a Friday" in reply
    assert "January 19, 2027" in reply  # Monday the 18th is a holiday
    assert "appeal" in reply and "800-277-8418" in reply
    [note] = [n for n in assistant.notes("2100003") if n.category == "disconnection"]
    assert "not allowed on 2027-01-15" in note.summary and "N-2100003-2026-11" in note.summary


def test_an_account_without_a_notice_is_told_so(assistant: Assistant, sender: str) -> None:
    assistant.texts(sender, "am I going to be disconnected?")
    assistant.texts(sender, "2100001")
    reply = assistant.texts(sender, "55902")
    assert "no disconnection notice" in reply
