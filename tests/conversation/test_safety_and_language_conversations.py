"""A gas smell and messages in the languages of Rochester, through the trained model."""

from __future__ import annotations

import pytest

from tests.conversation.conftest import Assistant

pytestmark = pytest.mark.conversation


def test_a_gas_smell_gets_the_safety_answer_and_no_outage_numbers(assistant: Assistant,
                                                                  sender: str) -> None:
    reply = assistant.texts(sender, "there's a strong smell of gas near our furnace")
    assert "leave the building" in reply
    assert "911" in reply and "your gas utility" in reply
    assert "not natural gas" in reply
    assert "To report an outage" not in reply
    [note] = assistant.conversation_notes(sender)
    assert note.category == "outage report"
    assert note.summary.startswith("EMERGENCY (gas smell)")


@pytest.mark.parametrize("message", [
    # Spanish, Somali, Hmong and Vietnamese: the languages Rochester's customers write in most
    # after English. None of these sentences is in the training data.
    "buenas tardes, me llegó un recibo muy alto y no entiendo por qué",
    "Waan ka xumahay, Ingiriisiga si fiican uma aqaan. Biilka ayaan ka qabaa su'aal",
    "Nyob zoo, kuv muaj lus nug txog kuv daim nqi dej thiab hluav taws xob",
    "Chào anh chị, tôi muốn hỏi về hóa đơn tiền điện tháng này",
])
def test_other_languages_get_the_english_and_spanish_answer(assistant: Assistant, sender: str,
                                                            message: str) -> None:
    reply = assistant.texts(sender, message)
    assert "interpreters are available by phone" in reply
    assert "hay intérpretes disponibles por teléfono" in reply
    assert "507-280-1500" in reply
    assert [n.category for n in assistant.conversation_notes(sender)] == ["language"]
