"""The custom NLU component that keeps only the longest of overlapping lookup matches."""

from __future__ import annotations

from typing import Any

from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlp.longest_match import LongestEntityMatch, longest_matches


def entity(name: str, start: int, end: int, extractor: str = "RegexEntityExtractor"
           ) -> dict[str, Any]:
    return {"entity": name, "start": start, "end": end, "value": "x", "extractor": extractor}


def test_a_hazard_swallows_the_service_word_inside_it() -> None:
    # "there's a power line down": hazard 10-25, "power" 10-15
    kept = longest_matches([entity("utility_service", 10, 15), entity("hazard", 10, 25)])
    assert [e["entity"] for e in kept] == ["hazard"]


def test_separate_matches_are_all_kept_in_text_order() -> None:
    # "water customer charge and the power": bill_line 0-21, service 30-35, service 0-5
    kept = longest_matches([entity("utility_service", 30, 35), entity("bill_line", 0, 21),
                            entity("utility_service", 0, 5)])
    assert [(e["entity"], e["start"]) for e in kept] == [("bill_line", 0),
                                                        ("utility_service", 30)]


def test_partly_overlapping_matches_keep_the_longer_and_on_a_tie_the_earlier() -> None:
    assert [e["start"] for e in longest_matches([entity("a", 0, 8), entity("b", 5, 20)])] == [5]
    assert [e["start"] for e in longest_matches([entity("a", 5, 10), entity("b", 0, 5),
                                                 entity("c", 3, 8)])] == [0, 5]


def test_touching_matches_do_not_overlap() -> None:
    assert len(longest_matches([entity("a", 0, 5), entity("b", 5, 9)])) == 2


def test_the_component_leaves_other_extractors_alone() -> None:
    message = Message({TEXT: "power line down at 55902", ENTITIES: [
        entity("utility_service", 0, 5), entity("hazard", 0, 15),
        entity("zip_code", 19, 24, extractor="SpacyEntityExtractor"),
    ]})
    component = LongestEntityMatch(LongestEntityMatch.get_default_config())
    [processed] = component.process([message])
    assert sorted(e["entity"] for e in processed.get(ENTITIES)) == ["hazard", "zip_code"]
