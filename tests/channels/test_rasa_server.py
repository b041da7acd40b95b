"""careline's Rasa entry point validates action server responses exactly as Rasa does, with
the schema compiled once, and keeps its connections to the action server open."""

from __future__ import annotations

import asyncio

import aiohttp
import aiohttp.web
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_server import action_response_validator, shared_session, validate_action_result
from tests.conversation.conftest import free_port

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


# -- calls to the action server share open connections ------------------------------------

async def _serve(port: int, peers: list[tuple]) -> aiohttp.web.AppRunner:
    async def webhook(request: aiohttp.web.Request) -> aiohttp.web.Response:
        peers.append(request.transport.get_extra_info("peername"))
        return aiohttp.web.json_response({"events": [], "responses": []})

    app = aiohttp.web.Application()
    app.router.add_post("/webhook", webhook)
    runner = aiohttp.web.AppRunner(app)
    await runner.setup()
    await aiohttp.web.TCPSite(runner, "127.0.0.1", port).start()
    return runner


def test_calls_reuse_one_connection_and_survive_a_restarted_action_server(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(EndpointConfig, "session", shared_session)
    port = free_port()
    endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")

    async def scenario() -> tuple[list[tuple], list[tuple]]:
        before, after = [], []
        runner = await _serve(port, before)
        for _ in range(5):
            assert await endpoint.request(json={"next_action": "action_test"}) == {
                "events": [], "responses": []}
        await runner.cleanup()  # the action server restarts: its connections close
        runner = await _serve(port, after)
        for _ in range(3):
            assert await endpoint.request(json={"next_action": "action_test"}) is not None
        await runner.cleanup()
        return before, after

    before, after = asyncio.run(scenario())
    assert len(before) == 5 and len(set(before)) == 1  # one connection for five calls
    assert len(after) == 3 and len(set(after)) == 1
