"""careline's REST channel (development, tests and benchmarks; off in production).

    POST /webhooks/rest/webhook   {"sender": "...", "message": "..."} -> bot messages

Rasa's own RestInput at the same address, made strict: a body that is not a JSON object
with a string ``sender`` gets 400 (415 for another content type) instead of a server
error or a conversation named "default"; the text is cleaned like every other channel's
(control characters, length, intent injection); the client cannot choose the input
channel or metadata; and a turn lost to an unreachable action server gets the apology.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.apology import with_apology, with_apology_added
from bot.channels.text_input import to_rasa_text

logger = logging.getLogger(__name__)

MAX_SENDER_CHARS = 100  # account_notes.conversation_id


def _error(message: str, status: int) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def parse_body(request: Request) -> tuple[str, object] | HTTPResponse:
    """(sender, message) from the request, or the error response to send."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return _error("Send JSON (Content-Type: application/json).", 415)
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return _error('The body is not valid JSON: send {"sender": ..., "message": ...}.', 400)
    if not isinstance(body, dict):
        return _error('Send a JSON object: {"sender": ..., "message": ...}.', 400)
    sender = body.get("sender")
    if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_CHARS:
        return _error(f"'sender' must be a non-empty string of at most {MAX_SENDER_CHARS} "
                      "characters.", 400)
    if any(not ch.isprintable() for ch in sender):
        return _error("'sender' must not contain control characters.", 400)
    return sender, body.get("message")


class CarelineRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        rest = Blueprint("careline_rest", __name__)

        @rest.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @rest.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            parsed = parse_body(request)
            if isinstance(parsed, HTTPResponse):
                return parsed
            sender, message = parsed
            text, shortened = to_rasa_text(message)
            collector = CollectingOutputChannel()
            turn_started = time.monotonic()
            try:
                await on_new_message(
                    UserMessage(text, collector, sender, input_channel=self.name(),
                                metadata={"shortened": shortened} if shortened else None)
                )
            except Exception:
                # Logged with its traceback here; the customer gets the apology, not it.
                logger.exception("Answering a REST message failed.")
                return response.json(with_apology_added(collector.messages, sender))
            return response.json(await with_apology(request.app, sender, collector.messages,
                                                    turn_started))

        return rest
