"""The staff token check. Every staff API request must carry ``CARELINE_STAFF_TOKEN`` as a
bearer token; anything else is refused with 401 and the refusal is logged (with the path
and the client address, never the token given)."""

from __future__ import annotations

import hmac
import logging
import os

from sanic.request import Request

logger = logging.getLogger(__name__)

TOKEN_VARIABLE = "CARELINE_STAFF_TOKEN"


def configured_token() -> str | None:
    token = os.environ.get(TOKEN_VARIABLE, "").strip()
    return token or None


def given_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def refusal(request: Request, expected: str | None) -> str | None:
    """Why the request is refused (and logged), or None when it carries the right token."""
    given = given_token(request)
    if expected is None:
        why = f"{TOKEN_VARIABLE} is not set on the server"
    elif given is None:
        why = "no staff token"
    elif not hmac.compare_digest(given.encode(), expected.encode()):
        why = "wrong staff token"
    else:
        return None
    logger.warning("Refused staff request %s %s from %s: %s.", request.method, request.path,
                   request.ip or "unknown", why)
    return why
