"""Privacy answers come from privacy.yml (RPU Policy 29) and cite their section."""

from __future__ import annotations

import pytest

from actions.rules.privacy import load_privacy_answers, privacy_topic

ANSWERS = load_privacy_answers()


@pytest.mark.parametrize("question, topic", [
    ("do you sell my data?", "sold"),
    ("can the police get my usage records", "disclosure"),
    ("who can see my bill", "disclosure"),
    ("how do you protect my information", "protection"),
    ("can I see what data you have on me", "access"),
    ("my address on file is wrong, how do I correct it", "access"),
    ("what information do you collect about me", "collected"),
    ("what do you use my data for", "use"),
    ("please send my usage history to my landlord", "data_request"),
])
def test_questions_find_their_policy_topic(question: str, topic: str) -> None:
    found = privacy_topic(question, ANSWERS)
    assert found is not None and found.id == topic


def test_a_general_question_gets_the_overview() -> None:
    assert privacy_topic("privacy policy?", ANSWERS) is None
    assert "does not sell" in ANSWERS.overview


def test_every_answer_cites_the_policy_and_only_data_requests_go_to_staff() -> None:
    assert {t.id for t in ANSWERS.topics if t.hands_to_staff} == {"data_request"}
    assert all(t.policy_section and t.answer for t in ANSWERS.topics)
    disclosure = next(t for t in ANSWERS.topics if t.id == "disclosure")
    for recipient in ("law enforcement", "child support", "four premises", "50%"):
        assert recipient in disclosure.answer
