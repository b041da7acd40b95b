"""Keeps only the longest of overlapping entity matches from the lookup-table extractor.

`RegexEntityExtractor` runs one regex per lookup table, so one stretch of text can match
several tables: "power line down" is a `hazard` and its "power" a `utility_service`; "water
customer charge" is a `bill_line` and its "water" a `utility_service`. Only the longest match
names what the customer meant, so the shorter ones inside it are dropped. Entities from
other extractors (the spaCy entity ruler) are left alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message

Entity = dict[str, Any]


def _span(entity: Entity) -> tuple[int, int]:
    return int(entity["start"]), int(entity["end"])


def longest_matches(entities: Iterable[Entity]) -> list[Entity]:
    """Of each group of overlapping entities, only the longest; the result in text order.

    A greedy pass over the entities, longest first (then leftmost, then in the order given),
    keeps each one that overlaps none already kept.
    """
    indexed = list(enumerate(entities))
    ranked = sorted(indexed, key=lambda item: (_span(item[1])[0] - _span(item[1])[1],
                                               _span(item[1])[0], item[0]))
    kept: list[tuple[int, Entity]] = []
    for index, entity in ranked:
        start, end = _span(entity)
        if all(end <= _span(other)[0] or start >= _span(other)[1] for _, other in kept):
            kept.append((index, entity))
    return [entity for _, entity in sorted(kept, key=lambda item: (_span(item[1]), item[0]))]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class LongestEntityMatch(GraphComponent):
    """Drops an entity when a longer one from the listed extractors overlaps it.

    Config: `extractors`, the extractor names whose entities compete (default
    `RegexEntityExtractor`). Place it after those extractors and before
    `EntitySynonymMapper`.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"extractors": ["RegexEntityExtractor"]}

    def __init__(self, config: dict[str, Any]) -> None:
        self._extractors = frozenset(config.get("extractors") or ())

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> LongestEntityMatch:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entities: list[Entity] = message.get(ENTITIES) or []
            competing = [e for e in entities if e.get("extractor") in self._extractors]
            if len(competing) < 2:
                continue
            others = [e for e in entities if e.get("extractor") not in self._extractors]
            message.set(ENTITIES, others + longest_matches(competing), add_to_output=True)
        return messages
