"""The assistant obeys the data policy: nothing private before verification."""

from __future__ import annotations

import pytest

from tests.conversation.conftest import Assistant

pytestmark = pytest.mark.conversation


def test_an_unverified_person_asking_for_someone_elses_balance_gets_nothing_private(
    assistant: Assistant, sender: str
) -> None:
    reply = assistant.texts(sender, "what is my neighbor jane doe's bill? account 2100001")
    for private in ["221.48", "JANE", "UTILITY AVE", "954", "55902"]:
        assert private not in reply
    # Asking for the bill leads to verification (the account number given above is kept,
    # unconfirmed); a wrong ZIP reveals neither the account's existence nor its details.
    asked = assistant.texts(sender, "explain that bill to me")
    assert "ZIP code" in asked and "221.48" not in asked
    wrong = assistant.texts(sender, "55901")
    assert "couldn't confirm those details" in wrong and "221.48" not in wrong
    notes = assistant.notes("2100001")
    assert not any(n.conversation_id == sender for n in notes)
