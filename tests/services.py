"""The local PostgreSQL and Redis the test machines provide, and scratch databases on them.

Every test that needs PostgreSQL makes its own uniquely named database and drops it
afterwards, so runs never see each other's data. A test is skipped only when the service
is truly absent, and never where ``CARELINE_REQUIRE_SERVICES=1`` (CI sets it): there an
absent service fails the test.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# The server-level URL: scratch databases are made next to the one it names.
POSTGRES_URL = os.environ.get(
    "CARELINE_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
REDIS_HOST = os.environ.get("CARELINE_TEST_REDIS_HOST", "127.0.0.1")
REDIS_PORT = int(os.environ.get("CARELINE_TEST_REDIS_PORT", "6379"))


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def require(service: str, host: str, port: int) -> None:
    """Skips (or, in CI, fails) the calling test when ``service`` does not answer."""
    if _reachable(host, port):
        return
    reason = f"{service} is not running on {host}:{port}"
    if os.environ.get("CARELINE_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason}, and CARELINE_REQUIRE_SERVICES=1 says it must be")
    pytest.skip(f"{reason}: start it to run this test")


def require_postgres() -> None:
    url = make_url(POSTGRES_URL)
    require("PostgreSQL", url.host or "127.0.0.1", url.port or 5432)


def require_redis() -> None:
    require("Redis", REDIS_HOST, REDIS_PORT)


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@contextmanager
def scratch_database(prefix: str = "careline_test") -> Iterator[str]:
    """A new, empty PostgreSQL database; yields its URL and drops it afterwards."""
    require_postgres()
    name = unique_name(prefix)
    admin = create_engine(POSTGRES_URL, future=True, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            # FORCE: servers under test may still hold connections after a failure.
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def postgres_parts(url: str) -> dict[str, str]:
    """The TRACKER_DB_* variables endpoints.production.yml reads, for a database URL."""
    parsed = make_url(url)
    return {
        "TRACKER_DB_HOST": parsed.host or "127.0.0.1",
        "TRACKER_DB_PORT": str(parsed.port or 5432),
        "TRACKER_DB_NAME": parsed.database or "",
        "TRACKER_DB_USER": parsed.username or "postgres",
        "TRACKER_DB_PASSWORD": parsed.password or "",
    }


def redis_env(prefix: str) -> dict[str, str]:
    """REDIS_* variables with a key prefix of this test's own (alphanumeric)."""
    require_redis()
    return {"REDIS_HOST": REDIS_HOST, "REDIS_PORT": str(REDIS_PORT), "REDIS_DB": "1",
            "REDIS_KEY_PREFIX": prefix.replace("_", "")}
