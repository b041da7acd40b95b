"""Starts the real action server and Rasa server on the trained model for conversation tests.

Both run as child processes on free ports against their own SQLite database holding the
demo accounts, exactly as `careline run` starts them.
"""

from __future__ import annotations

import json
import socket
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from actions.store.cis_import import import_export
from actions.store.db import Store, create_store
from actions.store.repository import NoteView, notes_for_account, notes_for_conversation
from bot.launcher import DEFAULT_MODEL, AssistantProcesses
from tests.conftest import DEMO_ACCOUNTS

_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A port nothing listens on, never one this process handed out before: the kernel can
    give a just-closed port again, and two servers told the same port fail to start."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port not in _HANDED_OUT:
            _HANDED_OUT.add(port)
            return port


@dataclass
class Assistant:
    processes: AssistantProcesses
    store: Store

    @property
    def base_url(self) -> str:
        return self.processes.base_url

    def post_json(self, path: str, body: Any, *, raw: bytes | None = None,
                  content_type: str = "application/json") -> tuple[int, Any]:
        data = raw if raw is not None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base_url + path, data=data, headers={"Content-Type": content_type},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        """One customer turn over the REST channel; returns the bot's messages."""
        status, messages = self.post_json("/webhooks/rest/webhook",
                                          {"sender": sender, "message": text})
        assert status == 200, messages
        return messages

    def texts(self, sender: str, text: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(sender, text))

    def notes(self, account: str) -> list[NoteView]:
        with self.store.transaction() as session:
            return notes_for_account(session, account)

    def conversation_notes(self, sender: str) -> list[NoteView]:
        with self.store.transaction() as session:
            return notes_for_conversation(session, sender)


@contextmanager
def running_assistant(workdir: Path, extra_env: dict[str, str] | None = None
                      ) -> Iterator[Assistant]:
    """Both servers on the trained model, on free ports, with their own demo database."""
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"no trained model at {DEFAULT_MODEL}: run `make model` (make test does)")
    url = f"sqlite:///{workdir / 'careline.db'}"
    store = create_store(url)
    with store.transaction() as session:
        import_export(session, DEMO_ACCOUNTS)
    processes = AssistantProcesses(
        port=free_port(), actions_port=free_port(), log_dir=workdir / "logs",
        extra_env={"DATABASE_URL": url, "CARELINE_SESSION_SECRET": "test-secret",
                   # A Friday in January, inside the cold weather period.
                   "CARELINE_TODAY": "2027-01-15", **(extra_env or {})},
    )
    processes.start()
    try:
        processes.wait_ready()
        yield Assistant(processes=processes, store=store)
    finally:
        processes.stop()
        store.engine.dispose()


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    with running_assistant(tmp_path_factory.mktemp("assistant")) as running:
        yield running


@pytest.fixture()
def sender() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"
