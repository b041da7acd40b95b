"""careline's Rasa entry point validates action server responses exactly as Rasa does, with
the schema compiled once."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot.rasa_server import action_response_validator, validate_action_result

ACTION = RemoteAction("action_test", None)
GOOD = {"events": [{"event": "slot", "name": "zip_code", "value": "55902"}],
        "responses": [{"response": "utter_verified", "account_number": "2100001"}]}
BAD = {"events": [{"name": "zip_code"}], "responses": []}  # an event needs its type


def test_a_valid_response_passes_both_validators() -> None:
    assert validate_action_result(ACTION, GOOD) is True
    assert RemoteAction._validate_action_result(ACTION, GOOD) is True


def test_an_invalid_response_is_refused_with_rasas_hint() -> None:
    with pytest.raises(ValidationError) as ours:
        validate_action_result(ACTION, BAD)
    assert "Failed to validate Action server response" in ours.value.message
    with pytest.raises(ValidationError):
        RemoteAction._validate_action_result(ACTION, BAD)


def test_the_schema_is_compiled_once() -> None:
    assert action_response_validator() is action_response_validator()
