"""The lookup tables in data/nlu/lookups.yml are what the RegexEntityExtractor finds, so a
phrase annotated in training or listed as a synonym but missing from its table is an entity
the live assistant never extracts (as "make changes" was for contact_kind)."""

from __future__ import annotations

from collections import defaultdict

import pytest

from bench.nlu_eval import TRAIN_DATA, load_training_data


@pytest.fixture(scope="module")
def training():
    return load_training_data(TRAIN_DATA)


def _canonical_values(training) -> dict[str, set[str]]:
    """Entity name -> every value the training data annotates it with."""
    values: dict[str, set[str]] = defaultdict(set)
    for example in training.intent_examples:
        for entity in example.get("entities") or []:
            values[entity["entity"]].add(entity.get("value"))
    return values


def _annotated_phrases(training) -> dict[str, set[str]]:
    """Entity name -> every surface form the training data annotates or maps to its values."""
    phrases: dict[str, set[str]] = defaultdict(set)
    values = _canonical_values(training)
    for example in training.intent_examples:
        text = example.get("text")
        for entity in example.get("entities") or []:
            phrases[entity["entity"]].add(text[entity["start"]:entity["end"]].lower())
    for surface, value in training.entity_synonyms.items():
        for name, canonical in values.items():
            if value in canonical:
                phrases[name].add(surface.lower())
    return phrases


def test_every_annotated_phrase_and_synonym_is_in_its_lookup_table(training) -> None:
    phrases = _annotated_phrases(training)
    assert training.lookup_tables
    for table in training.lookup_tables:
        listed = {element.lower() for element in table["elements"]}
        # A word-boundary pattern cannot end on a period: "power cost adj." is found as
        # "power cost adj", which the synonyms map the same way.
        missing = {phrase for phrase in phrases[table["name"]] if phrase.rstrip(".") not in listed}
        assert missing == set(), table["name"]


def test_lookup_tables_list_longer_phrases_first(training) -> None:
    # Rasa joins a table into one regex alternation, which takes the first alternative that
    # matches at a position.
    for table in training.lookup_tables:
        lengths = [len(element) for element in table["elements"]]
        assert lengths == sorted(lengths, reverse=True), table["name"]


def test_every_lookup_phrase_maps_to_a_canonical_value(training) -> None:
    # The extractor reports the phrase it matched; without a synonym, "act for him" would
    # reach the actions as the value "act for him" instead of "authorized".
    canonical = _canonical_values(training)
    synonyms = {surface.lower(): value for surface, value in training.entity_synonyms.items()}
    for table in training.lookup_tables:
        unmapped = {element for element in table["elements"]
                    if synonyms.get(element.lower(), element.lower())
                    not in canonical[table["name"]]}
        assert unmapped == set(), table["name"]
