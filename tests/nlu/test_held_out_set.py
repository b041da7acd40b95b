"""The held-out set keeps its promises (tests/nlu/README.md): every intent the assistant
knows, at least 15 messages each, none of them a training message, entities with the
training data's canonical values."""

from __future__ import annotations

from collections import Counter

import pytest
import yaml

from bench.nlu_eval import HELD_OUT, ROOT, TRAIN_DATA, load_training_data, near_duplicates


@pytest.fixture(scope="module")
def held_out():
    return load_training_data(HELD_OUT)


@pytest.fixture(scope="module")
def training():
    return load_training_data(TRAIN_DATA)


def test_every_intent_has_at_least_15_held_out_messages(held_out, training) -> None:
    # Every intent the model is trained on (the domain's `empty_message` is set by the
    # channels for an empty text, never predicted).
    intents = set(yaml.safe_load((ROOT / "domain.yml").read_text())["intents"])
    assert {example.get("intent") for example in training.intent_examples} == (
        intents - {"empty_message"})
    counts = Counter(example.get("intent") for example in held_out.intent_examples)
    assert set(counts) == intents - {"empty_message"}
    assert min(counts.values()) >= 15, counts.most_common()[-3:]


def test_no_held_out_message_is_a_training_message(held_out, training) -> None:
    copied = [pair for pair in near_duplicates(
        [e.get("text") for e in held_out.intent_examples],
        [e.get("text") for e in training.intent_examples], threshold=1.0)]
    assert copied == []


def test_held_out_entities_use_the_training_datas_values(held_out, training) -> None:
    def values(data) -> set[tuple[str, str]]:
        return {(entity["entity"], entity.get("value"))
                for example in data.intent_examples
                for entity in example.get("entities") or []}

    assert values(held_out) <= values(training)
