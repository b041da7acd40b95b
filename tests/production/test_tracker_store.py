"""The cached tracker stores (bot/tracker_store.py) against Rasa's own: the SQL store on the
same database (the same trackers, the same rows, across two processes' stores) and the
in-memory store of the embedded default."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)

from bot.tracker_store import CachedInMemoryTrackerStore, CachedSQLTrackerStore, event_from_dict
from tests.services import postgres_parts, require_postgres, scratch_database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(ROOT / "domain.yml")


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """The store's endpoint settings: a file of SQLite, or a scratch PostgreSQL database
    (production's)."""
    if request.param == "sqlite":
        yield {"dialect": "sqlite", "db": str(tmp_path / "trackers.db")}
        return
    require_postgres()
    with scratch_database("careline_trackers") as url:
        parts = postgres_parts(url)
        yield {"dialect": "postgresql", "host": parts["TRACKER_DB_HOST"],
               "port": parts["TRACKER_DB_PORT"], "db": parts["TRACKER_DB_NAME"],
               "username": parts["TRACKER_DB_USER"]}


def cached(domain: Domain, db: dict[str, str], **kwargs) -> CachedSQLTrackerStore:
    store = CachedSQLTrackerStore(domain=domain, **db, **kwargs)
    _engines.append(store.engine)
    return store


def reference(domain: Domain, db: dict[str, str]) -> SQLTrackerStore:
    store = SQLTrackerStore(domain=domain, **db)
    _engines.append(store.engine)
    return store


_engines: list = []


@pytest.fixture(autouse=True)
def _dispose_engines() -> Iterator[None]:
    # Open connections would keep the scratch database from being dropped.
    yield
    while _engines:
        _engines.pop().dispose()


def run(coroutine):
    return asyncio.run(coroutine)


def turn(tracker, text: str, intent: str, answer: str) -> None:
    tracker.update(UserUttered(text, {"name": intent, "confidence": 0.99}))
    tracker.update(ActionExecuted("utter_" + intent))
    tracker.update(BotUttered(answer))
    tracker.update(ActionExecuted("action_listen"))


def new_conversation(store, sender: str):
    return run(store.get_or_create_tracker(sender))


def greeted(store, sender: str):
    """A stored conversation of one turn ("hi"), as the store saved it."""
    tracker = new_conversation(store, sender)
    turn(tracker, "hi", "greet", "Hello")
    run(store.save(tracker))
    return tracker


def event_dicts(tracker) -> list[dict]:
    return [event.as_dict() for event in tracker.events]


def row_count(store, sender: str) -> int:
    with store.session_scope() as session:
        return session.query(store.SQLEvent).filter(
            store.SQLEvent.sender_id == sender).count()


def test_a_saved_tracker_is_handed_back_without_rebuilding_and_equals_rasas(domain, db):
    store = cached(domain, db)
    tracker = new_conversation(store, "web-1")
    turn(tracker, "hi", "greet", "Hello")
    tracker.update(SlotSet("account_number", "2100001"))
    run(store.save(tracker))

    again = run(store.retrieve("web-1"))
    assert again is tracker  # the cache hit: no rebuild
    assert event_dicts(again) == event_dicts(run(reference(domain, db).retrieve("web-1")))
    assert again.get_slot("account_number") == "2100001"


def test_each_event_is_stored_once_over_many_turns(domain, db):
    store = cached(domain, db)
    tracker = new_conversation(store, "web-2")
    for number in range(5):
        tracker = run(store.retrieve("web-2"))
        turn(tracker, f"message {number}", "greet", f"answer {number}")
        run(store.save(tracker))
    assert row_count(store, "web-2") == len(tracker.events) == 1 + 5 * 4
    assert event_dicts(run(reference(domain, db).retrieve("web-2"))) == event_dicts(tracker)


def test_two_replicas_alternating_see_each_others_turns(domain, db):
    replica_a, replica_b = cached(domain, db), cached(domain, db)
    tracker = new_conversation(replica_a, "web-3")
    turn(tracker, "hi", "greet", "Hello")
    run(replica_a.save(tracker))
    for number, replica in enumerate([replica_b, replica_a, replica_b, replica_a]):
        tracker = run(replica.retrieve("web-3"))
        turn(tracker, f"turn {number}", "explain_bill", f"answer {number}")
        tracker.update(SlotSet("account_number", f"21000{number}"))
        run(replica.save(tracker))

    truth = run(reference(domain, db).retrieve("web-3"))
    assert row_count(replica_a, "web-3") == len(truth.events)
    for replica in (replica_a, replica_b):
        seen = run(replica.retrieve("web-3"))
        assert event_dicts(seen) == event_dicts(truth)
        assert seen.get_slot("account_number") == "210003"
        assert seen.latest_message.text == "turn 3"


def test_a_turn_that_fails_before_saving_leaves_nothing_behind(domain, db):
    store = cached(domain, db)
    greeted(store, "web-4")

    failing = run(store.retrieve("web-4"))
    turn(failing, "this turn crashes", "explain_bill", "never saved")
    again = run(store.retrieve("web-4"))
    assert again is not failing
    assert event_dicts(again) == event_dicts(run(reference(domain, db).retrieve("web-4")))
    assert again.latest_message.text == "hi"


def test_a_second_caller_gets_its_own_tracker_not_the_one_in_use(domain, db):
    store = cached(domain, db)
    tracker = new_conversation(store, "web-5")
    run(store.save(tracker))
    first = run(store.retrieve("web-5"))
    second = run(store.retrieve("web-5"))
    assert first is not second
    assert event_dicts(first) == event_dicts(second)


def test_a_new_session_is_read_back_as_only_that_session(domain, db):
    store = cached(domain, db)
    greeted(store, "web-6")

    tracker = run(store.retrieve("web-6"))
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(SlotSet("account_number", "2100002"))
    tracker.update(ActionExecuted("action_listen"))
    turn(tracker, "back again", "greet", "Welcome back")
    run(store.save(tracker))

    again = run(store.retrieve("web-6"))
    assert again is not tracker  # rebuilt: the session start dropped the old session
    assert event_dicts(again) == event_dicts(run(reference(domain, db).retrieve("web-6")))
    assert "hi" not in [e.text for e in again.events if isinstance(e, UserUttered)]
    assert again.get_slot("account_number") == "2100002"


def test_the_cache_keeps_only_the_most_recent_conversations(domain, db):
    store = cached(domain, db, cache_size="2")  # endpoint values arrive as text
    for sender in ("web-7", "web-8", "web-9"):
        run(store.save(new_conversation(store, sender)))
    assert store.cached_conversations() == ["web-8", "web-9"]
    assert run(store.retrieve("web-7")) is not None  # still in the database


def test_an_unknown_conversation_is_none(domain, db):
    assert run(cached(domain, db).retrieve("nobody")) is None


def test_a_deleted_conversation_is_not_brought_back_from_the_cache(domain, db):
    store = cached(domain, db)
    tracker = new_conversation(store, "web-10")
    turn(tracker, "my account is 2100001", "inform", "Thanks")
    run(store.save(tracker))
    with store.session_scope() as session:
        session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == "web-10").delete()
        session.commit()
    assert run(store.retrieve("web-10")) is None


def test_events_are_read_back_as_rasa_reads_them():
    every_kind = [ActionExecuted("action_listen"), BotUttered("Hello", {"buttons": []}),
                  SessionStarted(), SlotSet("account_number", "2100001"),
                  UserUttered("hi", {"name": "greet", "confidence": 0.9})]
    for event in every_kind:
        stored = event.as_dict()
        assert event_from_dict(stored) == Event.from_parameters(stored) == event
    assert event_from_dict({"text": "no event name"}) is None
    with pytest.raises(ValueError, match="Unknown event name"):
        event_from_dict({"event": "no_such_event"})


# -- the embedded default's in-memory store ------------------------------------------------

def test_the_in_memory_store_hands_back_its_saved_tracker_once(domain):
    store = CachedInMemoryTrackerStore(domain, cache_size="10")
    tracker = run(store.get_or_create_tracker("web-20"))
    turn(tracker, "hi", "greet", "Hello")
    run(store.save(tracker))
    rasas = InMemoryTrackerStore(domain)
    run(rasas.save(tracker))

    assert run(store.retrieve("web-20")) is tracker
    again = run(store.retrieve("web-20"))  # while the first caller still has it
    assert again is not tracker
    assert event_dicts(again) == event_dicts(run(rasas.retrieve("web-20")))


def test_the_in_memory_store_returns_only_the_latest_session_as_rasas_does(domain):
    store, rasas = CachedInMemoryTrackerStore(domain), InMemoryTrackerStore(domain)
    tracker = run(store.get_or_create_tracker("web-21"))
    turn(tracker, "hi", "greet", "Hello")
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    turn(tracker, "back again", "greet", "Welcome back")
    for each in (store, rasas):
        run(each.save(tracker))
    again = run(store.retrieve("web-21"))
    assert again is not tracker
    assert event_dicts(again) == event_dicts(run(rasas.retrieve("web-21")))
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["back again"]
