"""A local fake of Twilio's REST API for outbound messages.

Records every ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json`` (form fields and
the Basic-auth user) and answers like Twilio does (201 with a JSON message resource), so
twilio's own ``Client`` can be pointed at it and tests can check exactly what was sent.
"""

from __future__ import annotations

import base64
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

_MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(AC[0-9a-zA-Z]+)/Messages\.json$")


@dataclass(frozen=True)
class SentMessage:
    account_sid: str
    auth_user: str
    auth_password: str
    to: str
    from_: str
    body: str
    sid: str


class FakeTwilio:
    def __init__(self) -> None:
        self.messages: list[SentMessage] = []
        self.refused_paths: list[str] = []
        self._lock = threading.Lock()
        self._sids = itertools.count(1)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeTwilio:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
            self.refused_paths.clear()

    def sent_to(self, phone: str) -> list[SentMessage]:
        with self._lock:
            return [m for m in self.messages if m.to == phone]

    def wait_for(self, phone: str, count: int = 1, timeout: float = 10.0) -> list[SentMessage]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            sent = self.sent_to(phone)
            if len(sent) >= count:
                return sent
            time.sleep(0.05)
        return self.sent_to(phone)

    def _record(self, account_sid: str, auth: tuple[str, str],
                fields: dict[str, list[str]]) -> dict[str, object]:
        sid = f"SM{next(self._sids):032x}"
        message = SentMessage(
            account_sid=account_sid, auth_user=auth[0], auth_password=auth[1],
            to=fields.get("To", [""])[0], from_=fields.get("From", [""])[0],
            body=fields.get("Body", [""])[0], sid=sid,
        )
        with self._lock:
            self.messages.append(message)
        return {
            "sid": sid, "account_sid": account_sid, "to": message.to, "from": message.from_,
            "body": message.body, "status": "queued", "direction": "outbound-api",
            "num_segments": "1", "num_media": "0", "api_version": "2010-04-01",
            "date_created": "Mon, 01 Jan 2024 00:00:00 +0000",
            "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}.json",
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:  # keep test output quiet
                pass

            def _reply(self, status: int, payload: dict[str, object]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                match = _MESSAGES_PATH.match(self.path)
                auth = _basic_auth(self.headers.get("Authorization", ""))
                if match is None or auth is None or auth[0] != match.group(1):
                    with fake._lock:
                        fake.refused_paths.append(self.path)
                    self._reply(404 if match is None else 401,
                                {"code": 20404 if match is None else 20003,
                                 "message": "not found" if match is None else "unauthorized",
                                 "status": 404 if match is None else 401})
                    return
                length = int(self.headers.get("Content-Length") or 0)
                fields = parse_qs(self.rfile.read(length).decode("utf-8"),
                                  keep_blank_values=True)
                self._reply(201, fake._record(match.group(1), auth, fields))

        return Handler


def _basic_auth(header: str) -> tuple[str, str] | None:
    if not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return None
    return user, password
