"""The web chat channel: serves the chat page and takes messages from it.

    GET  /webhooks/webchat/          the page (no CDN, works offline)
    POST /webhooks/webchat/session   issues a signed conversation token
    POST /webhooks/webchat/webhook   {"session": token, "message": text} -> bot messages
    POST /webhooks/webchat/updates   {"session": token, "after": id} -> staff replies
"""

from __future__ import annotations

import html
import json
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.reference import response_values
from bot.channels.apology import with_apology, with_apology_added
from bot.channels.sessions import SessionSigner, load_secret
from bot.channels.text_input import to_rasa_text
from bot.staff.delivery import web_updates

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
_STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html"}
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self'; script-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


class WebChatInput(InputChannel):
    """Chat page channel with server-issued, signed conversation ids."""

    def __init__(self, signer: SessionSigner | None = None) -> None:
        self._signer = signer

    @classmethod
    def name(cls) -> str:
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls()

    @property
    def signer(self) -> SessionSigner:
        # Made on first use, not at import, so importing the channel has no side effects.
        if self._signer is None:
            self._signer = SessionSigner(load_secret())
        return self._signer

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        webchat = Blueprint("careline_webchat", __name__)

        @webchat.route("/", methods=["GET"])
        async def page(_request: Request) -> HTTPResponse:
            return _static_file("index.html")

        @webchat.route("/static/<name:str>", methods=["GET"])
        async def static(_request: Request, name: str) -> HTTPResponse:
            return _static_file(name)

        @webchat.route("/health", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webchat.route("/session", methods=["POST"])
        async def new_session(_request: Request) -> HTTPResponse:
            return response.json({"session": self.signer.issue()})

        @webchat.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = _json_body(request)
            if body is None:
                return response.json(
                    {"error": "Send JSON: {\"session\": ..., \"message\": ...}."}, status=400
                )
            sender_id = self.signer.sender_id(body.get("session"))
            if sender_id is None:
                return response.json(
                    {"error": "This chat session is not valid. Reload the page to start again."},
                    status=403,
                )
            text, shortened = to_rasa_text(body.get("message"))
            collector = CollectingOutputChannel()
            turn_started = time.monotonic()
            try:
                await on_new_message(
                    UserMessage(
                        text, collector, sender_id, input_channel=self.name(),
                        metadata={"shortened": shortened} if shortened else None,
                    )
                )
            except Exception:
                # The conversation store or lock store is unreachable, say: logged with its
                # traceback here; the customer gets the apology, not an error page.
                logger.exception("Answering a web chat message failed.")
                return response.json(
                    {"messages": with_apology_added(collector.messages, sender_id)})
            messages = await with_apology(request.app, sender_id, collector.messages,
                                          turn_started)
            return response.json({"messages": messages})

        @webchat.route("/updates", methods=["POST"])
        async def updates(request: Request) -> HTTPResponse:
            # Staff replies while the conversation is handed off (bot/staff/delivery.py).
            body = _json_body(request) or {}
            sender_id = self.signer.sender_id(body.get("session"))
            if sender_id is None:
                return response.json({"error": "This chat session is not valid."}, status=403)
            after = body.get("after")
            return response.json(
                await web_updates(sender_id, after if isinstance(after, int) else 0))

        return webchat


def _json_body(request: Request) -> dict[str, Any] | None:
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _static_file(name: str) -> HTTPResponse:
    path = (STATIC_DIR / name).resolve()
    if path.parent != STATIC_DIR or not path.is_file() or path.suffix not in _STATIC_TYPES:
        return response.json({"error": "not found"}, status=404)
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".html":
        # The page names the utility's own numbers, which live in data, not in the markup.
        for name, value in response_values().items():
            text = text.replace("{{" + name + "}}", html.escape(value))
    return response.text(
        text,
        content_type=f"{_STATIC_TYPES[path.suffix]}; charset=utf-8",
        headers=_SECURITY_HEADERS,
    )
