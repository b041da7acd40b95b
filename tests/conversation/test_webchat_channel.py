"""The web chat channel over HTTP: signed sessions, bad input, no crash."""

from __future__ import annotations

import urllib.request

import pytest

from tests.conversation.conftest import Assistant

pytestmark = pytest.mark.conversation


def _session(assistant: Assistant) -> str:
    status, body = assistant.post_json("/webhooks/webchat/session", {})
    assert status == 200
    return body["session"]


def test_a_signed_session_chats_and_its_notes_carry_the_web_conversation_id(
    assistant: Assistant,
) -> None:
    token = _session(assistant)
    status, body = assistant.post_json("/webhooks/webchat/webhook",
                                       {"session": token, "message": "ways to pay?"})
    assert status == 200
    assert "1-855-631-3643" in body["messages"][0]["text"]
    sender = "web-" + token.split(".")[0]
    notes = assistant.conversation_notes(sender)
    assert [(n.category, n.channel) for n in notes] == [("payment options", "chat")]


@pytest.mark.parametrize("token", ["forged.0123456789abcdef0123456789abcdef", "", None, "x"])
def test_a_forged_or_missing_session_is_refused(assistant: Assistant, token: object) -> None:
    status, body = assistant.post_json("/webhooks/webchat/webhook",
                                       {"session": token, "message": "hi"})
    assert status == 403 and "not valid" in body["error"]


def test_malformed_json_and_wrong_content_type_get_a_clear_answer(assistant: Assistant) -> None:
    status, body = assistant.post_json("/webhooks/webchat/webhook", None, raw=b"{not json")
    assert status == 400 and "Send JSON" in body["error"]
    status, body = assistant.post_json("/webhooks/webchat/webhook", None, raw=b"message=hi",
                                       content_type="application/x-www-form-urlencoded")
    assert status == 400


@pytest.mark.parametrize("text", [
    "", "   ", "a" * 10_000, "hi \x00\x1b there", "💡💧⚡️😡", "'; DROP TABLE accounts; --",
    "<script>alert(1)</script>",
])
def test_bad_input_gets_a_polite_reply(assistant: Assistant, text: str) -> None:
    status, body = assistant.post_json("/webhooks/webchat/webhook",
                                       {"session": _session(assistant), "message": text})
    assert status == 200
    assert body["messages"] and body["messages"][0]["text"]
    assert "<script>" not in body["messages"][0]["text"]


def test_the_page_is_served_with_a_strict_content_security_policy(assistant: Assistant) -> None:
    with urllib.request.urlopen(assistant.processes.webchat_url, timeout=10) as response:
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert b"<script src=\"static/chat.js\"" in response.read()
