"""The Rasa server as careline starts it: ``rasa`` with two adjustments made before it runs.

Rasa 3.6 checks every action server response with ``jsonschema.validate``, which first
checks the (unchanging) response schema itself against the JSON Schema meta-schema on every
call. In a profile of a realistic conversation that was 47% of the Rasa server's CPU: more
than understanding the message. Here the schema is checked once and compiled into a
validator. The schema says each event must match exactly one of 23 event-type schemas
(``oneOf``), each fixed to its ``event`` name by a ``const``, so jsonschema tried all 23 for
every event (0.7 ms an event). An event can only match the one schema of its own name, so
:func:`response_is_valid` checks that one; a response it does not accept goes through the
full validator, which raises Rasa's error. Responses are accepted and refused exactly as
before (tests/channels/test_rasa_server.py compares both on every Rasa event type).

Rasa also opens a new HTTP session, and so a new TCP connection, for every call to the
action server, and closes it afterwards: connecting was the largest part of a custom
action's cost in the Rasa process, and of each call's cost in the action server. Here each
endpoint's calls share one session per event loop, whose connections stay open between
calls (the action server keeps idle connections longer than the client does:
actions/server.py), with the same headers, authentication and timeout as Rasa's.

    python -m bot.rasa_server run --model models/careline.tar.gz ...   (same arguments)
"""

from __future__ import annotations

import asyncio
import copy
import sys
import weakref
from functools import lru_cache
from typing import Any

import aiohttp
from jsonschema import ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig


@lru_cache(maxsize=1)
def action_response_validator() -> Validator:
    """The action server response schema, checked once and compiled."""
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


@lru_cache(maxsize=1)
def _validators_by_part() -> tuple[Validator, Validator, dict[str, Validator]]:
    """The response without its events' schema, an event's common part, and each event
    type's own schema by its ``event`` name."""
    schema = copy.deepcopy(RemoteAction.action_response_format_spec())
    events = schema["properties"]["events"]
    event_schema = events["items"]
    events["items"] = {}
    alternatives = event_schema.pop("oneOf")
    validator_class = validator_for(schema)
    by_name = {alternative["properties"]["event"]["const"]: validator_class(alternative)
               for alternative in alternatives}
    if len(by_name) != len(alternatives):  # a later Rasa's schema: keep to the full check
        raise ValueError("event schemas are not one per event name")
    return validator_class(schema), validator_class(event_schema), by_name


def response_is_valid(result: Any) -> bool:
    """Whether ``result`` fits the action response schema (``oneOf`` resolved by name)."""
    try:
        outer, common, by_name = _validators_by_part()
    except (KeyError, TypeError, ValueError):
        return action_response_validator().is_valid(result)
    if not outer.is_valid(result):
        return False
    for event in result.get("events") or []:
        if not common.is_valid(event):
            return False
        own = by_name.get(event["event"])
        if own is None or not own.is_valid(event):
            return False
    return True


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """``RemoteAction._validate_action_result``, faster; raises the same ValidationError,
    with the same hint, for a response that does not fit the schema."""
    if response_is_valid(result):
        return True
    try:
        action_response_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response "
            "from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise


class _SharedSession:
    """``async with`` yields the shared session and leaves it open (Rasa's ``request``
    closes the session it gets from ``EndpointConfig.session`` after each call)."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *exc_info: object) -> None:
        return None


_sessions: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop,
                                     dict[tuple, aiohttp.ClientSession]] = (
    weakref.WeakKeyDictionary())


def shared_session(self: EndpointConfig) -> _SharedSession:
    """``EndpointConfig.session`` for Rasa's ``request``: one open session per event loop
    and per headers and credentials."""
    auth = (aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
            if self.basic_auth else None)
    key = (tuple(sorted((self.headers or {}).items())), auth)
    per_loop = _sessions.setdefault(asyncio.get_running_loop(), {})
    session = per_loop.get(key)
    if session is None or session.closed:
        session = aiohttp.ClientSession(
            headers=self.headers, auth=auth,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT))
        per_loop[key] = session
    return _SharedSession(session)


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    EndpointConfig.session = shared_session  # type: ignore[method-assign,assignment]


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
