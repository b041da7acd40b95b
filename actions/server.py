"""The action server: rasa-sdk's own app, plus what careline adds around every action.

    python -m actions.server [--port 5055]

- An action that meets an unavailable account database (:class:`StoreUnavailable`)
  answers the customer with ``utter_store_unavailable`` (nothing was saved; call Customer
  Care) instead of failing, which Rasa would pass on to the customer as silence.
- Notes kept in the outbox while the database was down are written at start-up.
- Several worker processes (``ACTION_SERVER_SANIC_WORKERS``) share the port; each has
  its own engine, made on first use after the fork.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app, create_argument_parser
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.reference import response_values
from actions.runtime import StoreUnavailable, is_unavailable
from actions.store import outbox
from actions.store.db import create_store

logger = logging.getLogger(__name__)

KEEP_ALIVE_SECONDS = 75


async def _store_unavailable(request: Request, _error: Exception) -> HTTPResponse:
    action = (request.json or {}).get("next_action") if request.body else None
    logger.error("Account database unavailable while running %s: the customer was told "
                 "nothing was saved.", action)
    return response.json({
        "events": [],
        "responses": [{"response": "utter_store_unavailable", **response_values()}],
    })


def build_app(actions_package: str = "actions", cors: Sequence[str] | None = None) -> Sanic:
    app = create_app(actions_package, cors_origins=list(cors) if cors else None)
    # Rasa keeps idle connections to the action server for up to 15 s (aiohttp's default);
    # Sanic closes them after 5 s, and a call racing that close fails with "Cannot write
    # to closing transport". The server keeps them longer than the client does.
    app.config.KEEP_ALIVE_TIMEOUT = KEEP_ALIVE_SECONDS
    app.exception(StoreUnavailable)(_store_unavailable)
    return app


def deliver_waiting_notes() -> None:
    """Writes notes the outbox kept, before workers start (a temporary engine, disposed,
    so no connection is shared across the workers' fork)."""
    if not outbox.has_pending():
        return
    store = create_store()
    try:
        outbox.deliver(store)
    except Exception as error:  # noqa: BLE001 - still down: the next transaction retries
        if not is_unavailable(error):
            raise
        logger.warning("Account database still unavailable; %d note(s) wait in the outbox.",
                       outbox.pending())
    finally:
        store.engine.dispose()


def main(argv: Sequence[str] | None = None) -> None:
    args = create_argument_parser().parse_args(argv)
    utils.configure_colored_logging(args.loglevel)
    utils.update_sanic_log_level()
    deliver_waiting_notes()
    app = build_app(args.actions or "actions", args.cors)
    host = os.environ.get("SANIC_HOST", "127.0.0.1")
    logger.info("Action server on http://%s:%s with %d worker(s).", host, args.port,
                utils.number_of_sanic_workers())
    app.run(host, args.port, workers=utils.number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()
