"""Answers to privacy questions, chosen from the RPU customer data policy (privacy.yml)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from actions.rules import DEFAULT_DATA_DIR


@dataclass(frozen=True)
class PrivacyTopic:
    id: str
    keywords: tuple[str, ...]
    answer: str
    policy_section: str
    hands_to_staff: bool = False


@dataclass(frozen=True)
class PrivacyAnswers:
    topics: tuple[PrivacyTopic, ...]
    overview: str
    source: str


def _prose(text: str) -> str:
    return " ".join(text.split())


def load_privacy_answers(path: Path = DEFAULT_DATA_DIR / "privacy.yml") -> PrivacyAnswers:
    with path.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    topics = tuple(
        PrivacyTopic(id=item["id"], keywords=tuple(k.lower() for k in item["keywords"]),
                     answer=_prose(item["answer"]), policy_section=item["policy_section"],
                     hands_to_staff=bool(item.get("hands_to_staff", False)))
        for item in raw["topics"]
    )
    return PrivacyAnswers(topics=topics, overview=_prose(raw["overview"]),
                          source=_prose(raw["source"]))


def privacy_topic(question: str, answers: PrivacyAnswers) -> PrivacyTopic | None:
    """The first topic (in the file's order) with a keyword in the question, or None for a
    general question, which gets the overview."""
    text = " ".join(question.lower().replace("’", "'").split())
    for topic in answers.topics:
        if any(keyword in text for keyword in topic.keywords):
            return topic
    return None
