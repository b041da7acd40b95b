"""Engine and session factory. Called at start-up by whoever needs the store."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from actions.store.models import Base

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "careline.db"


def database_url() -> str:
    """``DATABASE_URL`` from the environment, else the embedded SQLite file."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"


def sqlite_busy_timeout_ms() -> int:
    """How long a SQLite writer waits for a lock (``CARELINE_SQLITE_BUSY_MS``, default 10 s)
    before the write fails and the note goes to the outbox (actions/runtime.py)."""
    return int(os.environ.get("CARELINE_SQLITE_BUSY_MS") or 10000)


def _enable_sqlite_pragmas(engine: Engine) -> None:
    # WAL lets the action server read while a note is written; the busy timeout makes a
    # writer wait for a lock instead of failing at once under concurrent conversations.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={sqlite_busy_timeout_ms()}")
        cursor.close()


def make_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, future=True,
            connect_args={"check_same_thread": False, "timeout": sqlite_busy_timeout_ms() / 1000}
        )
        _enable_sqlite_pragmas(engine)
        return engine
    return create_engine(url, future=True, pool_pre_ping=True)


@dataclass
class Store:
    """An engine with its session factory: one per process, made at start-up."""

    engine: Engine
    sessions: sessionmaker

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits on success, rolls back on any error."""
        with self.sessions.begin() as session:
            yield session

    def create_schema(self) -> None:
        Base.metadata.create_all(self.engine)


def create_store(url: str | None = None, *, create_schema: bool | None = None) -> Store:
    """The store on ``url`` (default ``DATABASE_URL``).

    ``create_schema`` (default: only on SQLite, the embedded default) creates missing tables
    from the models. Any other database gets its schema from the migrations
    (``careline db upgrade``), so production never drifts from what the revisions say.
    """
    engine = make_engine(url)
    store = Store(engine=engine, sessions=sessionmaker(engine, future=True, expire_on_commit=False))
    if create_schema or (create_schema is None and engine.dialect.name == "sqlite"):
        store.create_schema()
    return store
