"""The apology a channel adds when a turn went unanswered.

Rasa logs a failed custom action and carries on, so the customer would get silence (or
half an answer). After each turn the channels ask :func:`with_apology`; when the bot said
nothing, or the action server refuses connections and the turn ran a custom action, and
no person has taken the conversation over (a paused conversation is quiet on purpose),
the customer gets ``utter_channel_error``: an apology with Customer Care's number. The
next message is answered normally once the action server is back.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

import aiohttp
from rasa.shared.core.constants import DEFAULT_ACTION_NAMES
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import Sanic

from bot.channels.texts import channel_response

logger = logging.getLogger(__name__)

HEALTH_TIMEOUT = aiohttp.ClientTimeout(total=2.0)


def actions_health_url(environ: dict[str, str] | None = None) -> str | None:
    """The action server's /health, next to its /webhook (``ACTION_SERVER_URL``)."""
    url = (environ if environ is not None else os.environ).get("ACTION_SERVER_URL", "")
    if not url:
        return None
    base = url.rstrip("/")
    if base.endswith("/webhook"):
        base = base[: -len("/webhook")]
    return base + "/health"


_http: aiohttp.ClientSession | None = None


def _client() -> aiohttp.ClientSession:
    # One session per server process (and event loop), not one per turn.
    global _http
    loop = asyncio.get_running_loop()
    if _http is None or _http.closed or _http._loop is not loop:  # noqa: SLF001
        _http = aiohttp.ClientSession(timeout=HEALTH_TIMEOUT)
    return _http


async def action_server_up(url: str | None = None) -> bool:
    """False only when the action server refuses or drops the connection.

    A slow answer counts as up: under load the health check waits behind real work, and
    mistaking a busy server for a dead one would send apologies with good answers."""
    url = url or actions_health_url()
    if url is None:
        return True
    try:
        async with _client().get(url) as response:
            return response.status < 500
    except asyncio.TimeoutError:
        return True
    except (aiohttp.ClientConnectionError, OSError):
        return False


def _ran_custom_action(tracker: DialogueStateTracker) -> bool:
    """Whether the last turn ran an action (or form) that needs the action server."""
    local = set(DEFAULT_ACTION_NAMES)
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            return False
        if (isinstance(event, ActionExecuted) and event.action_name
                and not event.action_name.startswith("utter_")
                and event.action_name not in local):
            return True
    return False


async def with_apology(app: Sanic | None, sender_id: str,
                       messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``messages``, plus the apology when the action server is unreachable and the turn
    needed it (it said nothing, or it ran a custom action whose answer was lost)."""
    try:
        return await _with_apology(app, sender_id, messages)
    except Exception:
        # Checking must never cost the customer the answer they already have.
        logger.exception("Could not check whether the turn needs an apology.")
        return messages


async def _with_apology(app: Sanic | None, sender_id: str,
                        messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    # Silence is never an answer (unless a person has the conversation); half an answer
    # only counts as lost when the action server is gone.
    if messages and await action_server_up():
        return messages
    agent = getattr(getattr(app, "ctx", None), "agent", None)
    store = getattr(agent, "tracker_store", None)
    tracker = await store.retrieve(sender_id) if store is not None else None
    if tracker is not None:
        if tracker.is_paused():
            return messages
        if messages and not _ran_custom_action(tracker):
            return messages
    logger.error("A turn went unanswered (action server unreachable or failing): the "
                 "customer gets an apology.")
    return [*messages, {"recipient_id": sender_id,
                        "text": channel_response("utter_channel_error")}]
