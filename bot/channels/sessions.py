"""Server-issued, signed web chat session ids.

A browser never chooses its conversation id: the server hands out a random id with an
HMAC over it, and every message must carry that token. Web conversations live under the
``web-`` prefix, so no web request can address an SMS conversation.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

WEB_PREFIX = "web-"
_SECRET_FILE = Path(__file__).resolve().parents[2] / "var" / "session-secret"


def load_secret() -> bytes:
    """``CARELINE_SESSION_SECRET``, else a random secret kept in var/ for this install.

    Replicas behind one address must share the secret, so production sets the variable.
    """
    configured = os.environ.get("CARELINE_SESSION_SECRET")
    if configured:
        return configured.encode()
    if _SECRET_FILE.exists():
        return _SECRET_FILE.read_bytes().strip()
    _SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32).encode()
    _SECRET_FILE.write_bytes(secret)
    _SECRET_FILE.chmod(0o600)
    return secret


class SessionSigner:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _signature(self, session_id: str) -> str:
        return hmac.new(self._secret, session_id.encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self) -> str:
        session_id = secrets.token_urlsafe(18)
        return f"{session_id}.{self._signature(session_id)}"

    def sender_id(self, token: object) -> str | None:
        """The conversation id for a valid token, or None for anything forged or malformed."""
        if not isinstance(token, str) or token.count(".") != 1 or len(token) > 200:
            return None
        session_id, signature = token.split(".")
        if not session_id or not hmac.compare_digest(signature, self._signature(session_id)):
            return None
        return WEB_PREFIX + session_id
