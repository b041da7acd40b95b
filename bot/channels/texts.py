"""Texts a channel sends without going through Rasa (SMS keywords, apologies).

They live in domain.yml with every other response, so wording stays in one place; the
utility's names and numbers are filled in from data/utility/contacts.yml.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from actions.reference import response_values

DOMAIN_FILE = Path(__file__).resolve().parents[2] / "domain.yml"


@lru_cache(maxsize=1)
def _responses() -> dict[str, str]:
    with DOMAIN_FILE.open(encoding="utf-8") as handle:
        domain = yaml.safe_load(handle)
    return {name: variants[0]["text"] for name, variants in domain["responses"].items()
            if variants and "text" in variants[0]}


def channel_response(name: str) -> str:
    """The domain's response ``name`` with the utility's names and numbers filled in."""
    return _responses()[name].format(**response_values())
