"""The staff console: a page and a small JSON API inside the Rasa server, registered as a
custom channel (credentials.yml) so it shares the server's agent, tracker and lock stores.

    GET  /webhooks/staff/                           the page (no data in it)
    GET  /webhooks/staff/api/handoffs               open handoffs, oldest first
    GET  /webhooks/staff/api/handoffs/<id>          one handoff: summary, transcript,
                                                    messages since, the account's notes
    POST /webhooks/staff/api/handoffs/<id>/claim    {"staff": name}
    POST /webhooks/staff/api/handoffs/<id>/reply    {"staff": name, "text": ...}
    POST /webhooks/staff/api/handoffs/<id>/close    {"staff": name, "outcome": ...}
    POST /webhooks/staff/api/handoffs/<id>/handback {"staff": name, "outcome": ...}

Every API request needs ``Authorization: Bearer $CARELINE_STAFF_TOKEN`` (401 otherwise,
logged). The ``careline handoffs`` command is a client of the same API.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.store.handoffs import HandoffError, HandoffNotFound
from bot.staff.auth import configured_token, refusal
from bot.staff.service import StaffService

STATIC_DIR = Path(__file__).resolve().parent / "static"
_STATIC_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html"}
_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
MAX_NAME = 60
MAX_TEXT = 1600

Handler = Callable[..., Awaitable[HTTPResponse]]


class StaffConsoleInput(InputChannel):
    """Not a customer channel: the staff console, at /webhooks/staff/."""

    def __init__(self, token: str | None = None, service: StaffService | None = None) -> None:
        self._token = token
        self.service = service or StaffService()

    @classmethod
    def name(cls) -> str:
        return "staff"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls()

    @property
    def token(self) -> str | None:
        return self._token or configured_token()

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        staff = Blueprint("careline_staff", __name__)

        def guarded(handler: Handler) -> Handler:
            async def checked(request: Request, **kwargs: Any) -> HTTPResponse:
                why = refusal(request, self.token)
                if why is not None:
                    return response.json({"error": "A valid staff token is required."},
                                         status=401, headers={"WWW-Authenticate": "Bearer"})
                try:
                    return await handler(request, **kwargs)
                except HandoffNotFound as missing:
                    return response.json({"error": str(missing)}, status=404)
                except HandoffError as conflict:
                    return response.json({"error": str(conflict)}, status=409)
                except BadRequest as bad:
                    return response.json({"error": str(bad)}, status=400)

            checked.__name__ = handler.__name__
            return checked

        @staff.route("/", methods=["GET"])
        async def page(_request: Request) -> HTTPResponse:
            return _static_file("index.html")

        @staff.route("/static/<name:str>", methods=["GET"])
        async def static(_request: Request, name: str) -> HTTPResponse:
            return _static_file(name)

        @staff.route("/api/handoffs", methods=["GET"])
        @guarded
        async def queue(request: Request) -> HTTPResponse:
            return response.json({"handoffs": await self.service.queue(_agent(request))})

        @staff.route("/api/handoffs/<handoff_id:int>", methods=["GET"])
        @guarded
        async def show(request: Request, handoff_id: int) -> HTTPResponse:
            return response.json(await self.service.show(_agent(request), handoff_id))

        @staff.route("/api/handoffs/<handoff_id:int>/claim", methods=["POST"])
        @guarded
        async def claim(request: Request, handoff_id: int) -> HTTPResponse:
            name = _field(request, "staff", MAX_NAME)
            return response.json(await self.service.claim(_agent(request), handoff_id, name))

        @staff.route("/api/handoffs/<handoff_id:int>/reply", methods=["POST"])
        @guarded
        async def reply(request: Request, handoff_id: int) -> HTTPResponse:
            name = _field(request, "staff", MAX_NAME)
            text = _field(request, "text", MAX_TEXT)
            return response.json(
                await self.service.reply(_agent(request), handoff_id, name, text))

        @staff.route("/api/handoffs/<handoff_id:int>/close", methods=["POST"])
        @guarded
        async def close(request: Request, handoff_id: int) -> HTTPResponse:
            name = _field(request, "staff", MAX_NAME)
            outcome = _field(request, "outcome", MAX_TEXT)
            return response.json(await self.service.close(
                _agent(request), handoff_id, name, outcome, hand_back=False))

        @staff.route("/api/handoffs/<handoff_id:int>/handback", methods=["POST"])
        @guarded
        async def handback(request: Request, handoff_id: int) -> HTTPResponse:
            name = _field(request, "staff", MAX_NAME)
            outcome = (_body(request).get("outcome") or "").strip()[:MAX_TEXT] \
                or "Handed back to the virtual assistant."
            return response.json(await self.service.close(
                _agent(request), handoff_id, name, outcome, hand_back=True))

        return staff


class BadRequest(ValueError):
    pass


def _agent(request: Request) -> Any:
    return request.app.ctx.agent


def _body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as error:
        raise BadRequest("Send a JSON object.") from error
    if not isinstance(body, dict):
        raise BadRequest("Send a JSON object.")
    return body


def _field(request: Request, name: str, limit: int) -> str:
    value = _body(request).get(name)
    if not isinstance(value, str) or not value.strip():
        raise BadRequest(f"'{name}' is required.")
    if len(value) > limit:
        raise BadRequest(f"'{name}' is longer than {limit} characters.")
    return value.strip()


def _static_file(name: str) -> HTTPResponse:
    path = (STATIC_DIR / name).resolve()
    if path.parent != STATIC_DIR or not path.is_file() or path.suffix not in _STATIC_TYPES:
        return response.json({"error": "not found"}, status=404)
    return response.text(path.read_text(encoding="utf-8"),
                         content_type=f"{_STATIC_TYPES[path.suffix]}; charset=utf-8",
                         headers=_HEADERS)
