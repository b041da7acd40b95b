"""The apology a channel adds when a turn went unanswered.

Rasa logs a failed custom action and carries on, so the customer would get silence (or
half an answer). Importing this module wraps Rasa's ``RemoteAction.run`` so that every
custom action that fails (the action server refuses the connection, times out, answers
with an error or with something that is not an action response) is recorded against its
conversation. After each turn the channels ask :func:`with_apology`; when a custom action
failed during the turn, or the bot said nothing and no person has taken the conversation
over (a paused conversation is quiet on purpose), the customer gets ``utter_channel_error``:
an apology with Customer Care's number. The next message is answered normally once the
action server is back. Recording failures costs nothing on a good turn, where asking the
action server whether it is up cost a request per turn.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from sanic import Sanic

from bot.channels.texts import channel_response

logger = logging.getLogger(__name__)

# conversation id -> time.monotonic() of its latest failed custom action
_failed_at: dict[str, float] = {}


FAILURES_KEPT = 10_000


def _remember_failure(sender_id: str) -> None:
    now = time.monotonic()
    if len(_failed_at) >= FAILURES_KEPT:
        # Records no channel asked about (turns through Rasa's HTTP API) must not pile up.
        for stale in [key for key, when in _failed_at.items() if now - when > 600]:
            del _failed_at[stale]
    _failed_at[sender_id] = now


def _record_custom_action_failures() -> None:
    original = RemoteAction.run
    if getattr(original, "records_failures", False):
        return

    async def run(self: RemoteAction, output_channel: Any, nlg: Any, tracker: Any,
                  domain: Any) -> Any:
        try:
            return await original(self, output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise  # a form declining a slot value: Rasa's normal course, not a failure
        except Exception:
            _remember_failure(tracker.sender_id)
            raise

    run.records_failures = True  # type: ignore[attr-defined]
    RemoteAction.run = run  # type: ignore[method-assign]


_record_custom_action_failures()


def custom_action_failed(sender_id: str, since: float) -> bool:
    """Whether a custom action of ``sender_id`` failed at or after ``since``
    (``time.monotonic()``); the record is used up."""
    failed_at = _failed_at.pop(sender_id, None)
    return failed_at is not None and failed_at >= since


async def with_apology(app: Sanic | None, sender_id: str, messages: list[dict[str, Any]],
                       turn_started: float) -> list[dict[str, Any]]:
    """``messages``, plus the apology when the turn that began at ``turn_started``
    (``time.monotonic()``) needed it: a custom action failed, or the bot said nothing
    in a conversation no person has taken over."""
    try:
        return await _with_apology(app, sender_id, messages, turn_started)
    except Exception:
        # Checking must never cost the customer the answer they already have.
        logger.exception("Could not check whether the turn needs an apology.")
        return messages


async def _with_apology(app: Sanic | None, sender_id: str, messages: list[dict[str, Any]],
                        turn_started: float) -> list[dict[str, Any]]:
    if custom_action_failed(sender_id, turn_started):
        logger.error("A custom action failed (action server unreachable or failing): the "
                     "customer gets an apology.")
    elif messages:
        return messages
    else:
        agent = getattr(getattr(app, "ctx", None), "agent", None)
        store = getattr(agent, "tracker_store", None)
        tracker = await store.retrieve(sender_id) if store is not None else None
        if tracker is not None and tracker.is_paused():
            return messages
        logger.error("A turn went unanswered: the customer gets an apology.")
    return with_apology_added(messages, sender_id)


def with_apology_added(messages: list[dict[str, Any]], sender_id: str) -> list[dict[str, Any]]:
    """``messages`` and then the apology with Customer Care's number."""
    return [*messages, {"recipient_id": sender_id,
                        "text": channel_response("utter_channel_error")}]
