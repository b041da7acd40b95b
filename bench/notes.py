"""Account notes written per second by the store alone (no Rasa, no HTTP), on SQLite and
on PostgreSQL: one transaction per note, as the action server writes them, from one thread
and from the action server's eight database threads.

    nice -n 10 .venv/bin/python -m bench.notes [--notes 2000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import func, select

from actions.store import migrate
from actions.store.cis_import import import_export
from actions.store.db import Store, create_store
from actions.store.models import AccountNote
from actions.store.repository import add_note
from tests.conftest import DEMO_ACCOUNTS
from tests.services import scratch_database

THREADS = 8


def _write(store: Store, count: int, run: str) -> None:
    for number in range(count):
        with store.transaction() as session:
            add_note(session, account_number="2100001", conversation_id=f"bench-{run}",
                     channel="chat", category="bill explanation",
                     summary="Explained bill B-2100001-2023-06: $221.48 due 2023-07-05.",
                     request_key=f"bench-{run}:{number}")


def _rate(store: Store, total: int, threads: int) -> float:
    per_thread = total // threads
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda _: _write(store, per_thread, uuid.uuid4().hex[:8]),
                      range(threads)))
    elapsed = time.perf_counter() - started
    return per_thread * threads / elapsed


def _stores() -> Iterator[tuple[str, Store]]:
    with tempfile.TemporaryDirectory() as scratch:
        store = create_store(f"sqlite:///{Path(scratch) / 'careline.db'}")
        yield "SQLite (WAL)", store
        store.engine.dispose()
    with scratch_database("careline_bench_notes") as url:
        migrate.upgrade(url)
        store = create_store(url)
        yield "PostgreSQL", store
        store.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=2000)
    args = parser.parse_args()
    for name, store in _stores():
        with store.transaction() as session:
            import_export(session, DEMO_ACCOUNTS)
        one = _rate(store, args.notes, 1)
        many = _rate(store, args.notes, THREADS)
        with store.transaction() as session:
            written = session.execute(select(func.count()).select_from(AccountNote)).scalar_one()
        assert written == args.notes + (args.notes // THREADS) * THREADS
        print(f"{name:<14} {one:7.0f} notes/s from 1 thread, "
              f"{many:7.0f} notes/s from {THREADS} threads ({written} notes written)")


if __name__ == "__main__":
    main()
