"""The production profile running for real: two Rasa replicas sharing the tracker store on
PostgreSQL and the lock store on Redis, one action server with two workers, and the
account database on PostgreSQL with its schema from the migrations.

Each module run gets its own PostgreSQL databases (accounts, trackers) and its own Redis
key prefix, all removed afterwards.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from actions.store import migrate
from actions.store.cis_import import import_export
from actions.store.db import Store, create_store
from actions.store.repository import NoteView, notes_for_conversation
from bot.launcher import DEFAULT_MODEL, AssistantProcesses
from tests.conftest import DEMO_ACCOUNTS
from tests.conversation.conftest import free_port
from tests.services import postgres_parts, redis_env, scratch_database, unique_name

SESSION_SECRET = "production-test-secret"


def post_json(url: str, body: Any, timeout: float = 120) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


@dataclass
class WebChat:
    """One customer's web chat conversation, sent to whichever replica the caller picks."""

    token: str

    @property
    def sender(self) -> str:
        return "web-" + self.token.split(".")[0]

    def say(self, base_url: str, message: str, timeout: float = 120) -> tuple[int, str]:
        status, body = post_json(f"{base_url}/webhooks/webchat/webhook",
                                 {"session": self.token, "message": message}, timeout)
        if status != 200:
            return status, json.dumps(body)
        return status, "\n".join(m.get("text") or "" for m in body["messages"])


@dataclass
class Production:
    processes: AssistantProcesses
    store: Store
    account_url: str
    tracker_url: str
    outbox: Path

    @property
    def replicas(self) -> list[str]:
        return self.processes.base_urls

    def chat(self) -> WebChat:
        status, body = post_json(f"{self.replicas[0]}/webhooks/webchat/session", {})
        assert status == 200, body
        return WebChat(body["session"])

    def conversation_notes(self, sender: str) -> list[NoteView]:
        with self.store.transaction() as session:
            return notes_for_conversation(session, sender)

    def tracked_events(self, sender: str) -> int:
        engine = create_engine(self.tracker_url, future=True)
        try:
            with engine.connect() as connection:
                return connection.execute(
                    text("SELECT count(*) FROM events WHERE sender_id = :s"), {"s": sender}
                ).scalar_one()
        finally:
            engine.dispose()

    def set_account_database_reachable(self, reachable: bool) -> None:
        """Takes the account database away from every client (and gives it back)."""
        _set_database_reachable(self.account_url, reachable)

    def set_tracker_database_reachable(self, reachable: bool) -> None:
        """Takes the conversation (tracker) database away from the replicas."""
        _set_database_reachable(self.tracker_url, reachable)


def _set_database_reachable(url: str, reachable: bool) -> None:
    name = url.rsplit("/", 1)[-1]
    admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", future=True,
                          isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(
                f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(reachable).lower()}'))
            if not reachable:
                connection.execute(text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
    finally:
        admin.dispose()


@pytest.fixture(scope="package")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Production]:
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"no trained model at {DEFAULT_MODEL}: run `make model` (make test does)")
    workdir = tmp_path_factory.mktemp("production")
    with scratch_database("careline_accounts") as account_url, \
            scratch_database("careline_tracker") as tracker_url:
        migrate.upgrade(account_url)
        # Tables the migrations do not have yet (a model changed without a revision) are
        # reported by tests/store/test_migrations.py; here they must not stop the servers.
        store = create_store(account_url, create_schema=True)
        with store.transaction() as session:
            import_export(session, DEMO_ACCOUNTS)
        outbox = workdir / "note-outbox.jsonl"
        processes = AssistantProcesses(
            port=free_port(), actions_port=free_port(), replica_ports=[free_port()],
            action_workers=2, profile="production", log_dir=workdir / "logs",
            extra_env={
                "DATABASE_URL": account_url, "CARELINE_SESSION_SECRET": SESSION_SECRET,
                "CARELINE_TODAY": "2027-01-15", "CARELINE_NOTE_OUTBOX": str(outbox),
                **postgres_parts(tracker_url), **redis_env(unique_name("careline")),
                # The API on, as production may have it: only with a token.
                "CARELINE_API_TOKEN": "production-test-api-token",
            },
        )
        processes.start()
        try:
            processes.wait_ready(timeout=400)
            yield Production(processes, store, account_url, tracker_url, outbox)
        finally:
            processes.stop()
            store.engine.dispose()
