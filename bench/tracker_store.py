"""Time a turn's tracker read and write in the production tracker store against Rasa's own,
on a scratch PostgreSQL database: one replica answering every turn, and two replicas
alternating (each turn then first catches up on the other replica's turn).

    .venv/bin/python -m bench.tracker_store [--turns 40] [--conversations 5]

Each turn adds what a real one does (the customer's message, an action, the bot's answer,
listen: twice), so the trackers grow as conversations do.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from pathlib import Path

from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered

from bot.tracker_store import CachedSQLTrackerStore
from tests.services import postgres_parts, scratch_database

ROOT = Path(__file__).resolve().parents[1]


def _add_turn(tracker, text: str, intent: str, answer: str) -> None:
    tracker.update(UserUttered(text, {"name": intent, "confidence": 0.97}))
    tracker.update(ActionExecuted(f"utter_{intent}"))
    tracker.update(BotUttered(answer))
    tracker.update(ActionExecuted("action_listen"))


async def _measure(replicas: list[TrackerStore], label: str, conversations: int,
                   turns: int) -> tuple[float, float]:
    reads: list[float] = []
    writes: list[float] = []
    for number in range(conversations):
        sender = f"{label}-{number}"
        tracker = await replicas[0].get_or_create_tracker(sender)
        _add_turn(tracker, "hi", "greet", "Hello! How can I help?")
        await replicas[0].save(tracker)
        for turn in range(turns):
            store = replicas[turn % len(replicas)]
            started = time.perf_counter()
            tracker = await store.retrieve(sender)
            read = time.perf_counter()
            _add_turn(tracker, "explain my bill", "explain_bill", "Your bill has " + "x" * 300)
            _add_turn(tracker, "ok thanks", "thank_you", "You're welcome " + "y" * 100)
            written = time.perf_counter()
            await store.save(tracker)
            reads.append(read - started)
            writes.append(time.perf_counter() - written)
    return 1000 * statistics.mean(reads), 1000 * statistics.mean(writes)


async def _run(settings: dict[str, str], conversations: int, turns: int) -> None:
    domain = Domain.load(ROOT / "domain.yml")
    for name, kind in (("Rasa's SQLTrackerStore", SQLTrackerStore),
                       ("CachedSQLTrackerStore", CachedSQLTrackerStore)):
        first, second = kind(domain=domain, **settings), kind(domain=domain, **settings)
        for pattern, replicas in (("one replica", [first]), ("two alternating", [first, second])):
            label = f"{kind.__name__}-{pattern.replace(' ', '-')}"
            read, write = await _measure(replicas, label, conversations, turns)
            print(f"  {name:<24} {pattern:<16} read {read:5.2f} ms  write {write:5.2f} ms  "
                  f"turn {read + write:5.2f} ms")
        first.engine.dispose()
        second.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=40, help="turns per conversation")
    parser.add_argument("--conversations", type=int, default=5)
    args = parser.parse_args()
    with scratch_database("careline_bench_trackers") as url:
        parts = postgres_parts(url)
        settings = {"dialect": "postgresql", "host": parts["TRACKER_DB_HOST"],
                    "port": parts["TRACKER_DB_PORT"], "db": parts["TRACKER_DB_NAME"],
                    "username": parts["TRACKER_DB_USER"]}
        print(f"tracker store, PostgreSQL, {args.conversations} conversations x "
              f"{args.turns} turns (mean per turn):")
        asyncio.run(_run(settings, args.conversations, args.turns))


if __name__ == "__main__":
    main()
