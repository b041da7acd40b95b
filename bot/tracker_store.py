"""Rasa's tracker stores, without rebuilding every conversation on every turn: the SQL
store (production) and, at the end, the in-memory store (the embedded default).

Rasa's ``SQLTrackerStore`` reads all of the current session's events on each turn, parses
their JSON and replays them into a new tracker; to save, it counts the stored events again
and writes the rest. On the production profile that was about a third of a Rasa replica's
CPU. :class:`CachedSQLTrackerStore` keeps the tracker it last saved for each conversation
and, on the next turn, reads only the row of the cached tracker's newest event and any rows
after it:

- no rows after it: the cached tracker is still exactly the database's, and is handed out
  as it is;
- newer rows (another replica answered a turn in between): their events are applied to the
  cached tracker, which is what a full rebuild would replay too;
- nothing cached, its newest row gone (the conversation was deleted), or the newer rows
  start a new session: Rasa's own full rebuild.

The database stays the only record, so replicas stay coherent: each turn of a
conversation runs under its lock in the Redis lock store, and whichever replica runs it
sees every event written before. A cached tracker is handed to one caller at a time (it
leaves the cache until it is saved again), so a turn that fails before saving can never
leave unsaved events in the cache, and two callers never share one object.

Endpoint configuration (``endpoints.production.yml``): ``type:
bot.tracker_store.CachedSQLTrackerStore`` with the SQL tracker store's keys, plus an
optional ``cache_size`` (conversations kept, least recently used first out).
"""

from __future__ import annotations

import json
import logging
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event, SessionStarted, split_events
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

logger = logging.getLogger(__name__)

DEFAULT_CACHE_SIZE = 1000
# The columns of Rasa's ``events`` table a row is written with, in the order of _row's keys.
_EVENT_COLUMNS = ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")


@cache
def _event_class(type_name: str) -> type[Event] | None:
    return Event.resolve_by_type(type_name)


def event_from_dict(parameters: dict[str, Any]) -> Event | None:
    """``Event.from_parameters``, without searching every subclass of ``Event`` for the
    type name each time (that search was most of the time spent catching a tracker up)."""
    type_name = parameters.get("event")
    event_class = _event_class(type_name) if type_name is not None else None
    return event_class._from_parameters(parameters) if event_class else None


@dataclass(frozen=True)
class StoredThrough:
    """How far a tracker object is in the database: its newest stored event (the object
    itself, so events appended later are found by identity) and that event's row id."""

    event: Event | None
    row_id: int


class LiveTrackers:
    """The tracker objects a store saved last, by conversation, least recently saved out
    first. ``take`` hands one out and forgets it until it is saved again, so no two callers
    share a tracker and a turn that fails before saving leaves nothing behind."""

    def __init__(self, size: int | str = DEFAULT_CACHE_SIZE) -> None:
        self.size = max(0, int(size))  # endpoint values arrive as text
        self._trackers: OrderedDict[str, DialogueStateTracker] = OrderedDict()
        # Sanic runs one process's coroutines on one thread; the staff console's commands
        # and tests may call from others.
        self._guard = threading.Lock()

    def take(self, sender_id: str) -> DialogueStateTracker | None:
        with self._guard:
            return self._trackers.pop(sender_id, None)

    def keep(self, tracker: DialogueStateTracker) -> None:
        with self._guard:
            self._trackers.pop(tracker.sender_id, None)
            if self.size == 0:
                return
            self._trackers[tracker.sender_id] = tracker
            while len(self._trackers) > self.size:
                self._trackers.popitem(last=False)

    def forget(self, sender_id: str) -> None:
        with self._guard:
            self._trackers.pop(sender_id, None)

    def senders(self) -> list[str]:
        with self._guard:
            return list(self._trackers)


class CachedSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` with an in-process cache checked against the database."""

    def __init__(self, *args: Any, cache_size: int | str = DEFAULT_CACHE_SIZE,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.live = LiveTrackers(cache_size)
        # id(tracker) -> (weak reference, StoredThrough) for every tracker this store
        # handed out or saved; entries leave with their tracker.
        self._stored: dict[int, tuple[weakref.ref, StoredThrough]] = {}
        # Sanic runs the coroutines of one process on one thread, but the staff console's
        # commands and tests may call from others. Reentrant: a tracker can be freed, and
        # its weak reference's callback take this lock, while this thread holds it.
        self._guard = threading.RLock()
        self._rows_since_statement: Any = None

    # -- what the database holds -----------------------------------------------------------

    def stored_through(self, tracker: DialogueStateTracker) -> StoredThrough | None:
        with self._guard:
            entry = self._stored.get(id(tracker))
        if entry is None or entry[0]() is not tracker:
            return None
        return entry[1]

    def _remember(self, tracker: DialogueStateTracker, through: StoredThrough) -> None:
        key = id(tracker)

        def forget(_: weakref.ref, key: int = key) -> None:
            with self._guard:
                self._stored.pop(key, None)

        with self._guard:
            self._stored[key] = (weakref.ref(tracker, forget), through)

    def _newest_row_id(self, session: Any, sender_id: str) -> int | None:
        return session.query(sa.func.max(self.SQLEvent.id)).filter(
            self.SQLEvent.sender_id == sender_id).scalar()

    # -- retrieve --------------------------------------------------------------------------

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        cached = self.live.take(sender_id)
        through = self.stored_through(cached) if cached is not None else None
        if through is not None:
            # A plain connection and a statement compiled once: the ORM session and query
            # building cost more than the query itself on this, every turn's, path.
            with self.engine.connect() as connection:
                rows = connection.execute(self._rows_since,
                                          {"sender": sender_id, "since": through.row_id}).all()
            if self._catch_up(cached, through, rows):
                return cached
        with self.session_scope() as session:
            return self._rebuild(session, sender_id)

    @property
    def _rows_since(self) -> Any:
        """The conversation's rows from a row id on, oldest first."""
        if self._rows_since_statement is None:
            table = self.SQLEvent.__table__
            self._rows_since_statement = (
                sa.select(table.c.id, table.c.type_name, table.c.data)
                .where(table.c.sender_id == sa.bindparam("sender"),
                       table.c.id >= sa.bindparam("since"))
                .order_by(table.c.id))
        return self._rows_since_statement

    def _catch_up(self, tracker: DialogueStateTracker, through: StoredThrough,
                  rows: list[Any]) -> bool:
        """Brings the cached ``tracker`` up to the database from ``rows``: its newest
        stored event's row and any rows after it (another process's turns). False when
        that row is gone (the conversation was deleted) or the newer rows start a new
        session; the full rebuild then reads what the database holds."""
        if not rows or rows[0].id != through.row_id:
            return False
        newer = rows[1:]
        if any(row.type_name == SessionStarted.type_name for row in newer):
            return False
        if not newer:
            return True
        events = [event_from_dict(json.loads(row.data)) for row in newer]
        for event in events:
            tracker.update(event)
        self._remember(tracker, StoredThrough(events[-1], newer[-1].id))
        return True

    def _rebuild(self, session: Any, sender_id: str) -> DialogueStateTracker | None:
        rows = self._event_query(session, sender_id,
                                 fetch_events_from_all_sessions=False).all()
        if not self.domain or not rows:
            return None
        tracker = DialogueStateTracker.from_dict(
            sender_id, [json.loads(row.data) for row in rows], self.domain.slots)
        self._remember(tracker, StoredThrough(tracker.events[-1] if tracker.events else None,
                                              rows[-1].id))
        return tracker

    # -- save ------------------------------------------------------------------------------

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        through = self.stored_through(tracker)
        new_events = self._events_after(tracker, through) if through is not None else None
        if new_events is not None:
            with self.engine.begin() as connection:
                newest = self._insert(connection, tracker.sender_id, new_events)
            newest = newest if newest is not None else through.row_id
        else:
            # A tracker this store did not hand out (a new conversation, or one built
            # elsewhere): Rasa's rule, the events past the number already stored.
            with self.session_scope() as session:
                new_events = list(self._additional_events(session, tracker))
                newest = self._insert(session.connection(), tracker.sender_id, new_events)
                if newest is None:
                    newest = self._newest_row_id(session, tracker.sender_id)
                session.commit()
        if newest is None:
            return
        self._remember(tracker, StoredThrough(tracker.events[-1] if tracker.events else None,
                                              newest))
        # A tracker that started a new session in this turn also holds the earlier
        # session's events; the next turn rebuilds it from the database (the new session
        # only), as Rasa's store would.
        if not any(isinstance(event, SessionStarted) for event in new_events):
            self.live.keep(tracker)

    def _insert(self, connection: Any, sender_id: str, events: list[Event]) -> int | None:
        """Writes ``events`` in one statement (adding ORM rows sent one INSERT each) and
        returns the newest row's id (None when there were none)."""
        if not events:
            return None
        table = self.SQLEvent.__table__
        rows = [self._row(sender_id, event) for event in events]
        if connection.dialect.full_returning:  # PostgreSQL
            # Driver SQL: SQLAlchemy would compile a new multi-row statement every turn.
            placeholders = ", ".join([self._row_placeholder] * len(rows))
            values = tuple(row[column] for row in rows for column in _EVENT_COLUMNS)
            ids = connection.exec_driver_sql(
                f"{self._insert_prefix(connection)} VALUES {placeholders} RETURNING id",
                values)
            return max(row_id for (row_id,) in ids)
        connection.execute(sa.insert(table), rows)
        # The newest row is this turn's last: the conversation's lock keeps any other
        # process from writing its events meanwhile.
        return connection.execute(sa.select(sa.func.max(table.c.id))
                                  .where(table.c.sender_id == sender_id)).scalar()

    _row_placeholder = "(" + ", ".join(["%s"] * 6) + ")"

    def _insert_prefix(self, connection: Any) -> str:
        quote = connection.dialect.identifier_preparer
        columns = ", ".join(quote.quote(column) for column in _EVENT_COLUMNS)
        return f"INSERT INTO {quote.format_table(self.SQLEvent.__table__)} ({columns})"

    @staticmethod
    def _events_after(tracker: DialogueStateTracker,
                      through: StoredThrough) -> list[Event] | None:
        events = list(tracker.events)
        if through.event is None:
            return events
        for index in range(len(events) - 1, -1, -1):
            if events[index] is through.event:
                return events[index + 1:]
        return None  # the stored event fell out of a bounded history: count instead

    @staticmethod
    def _row(sender_id: str, event: Event) -> dict[str, Any]:
        """The ``events`` row Rasa's store writes for ``event``."""
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    def cached_conversations(self) -> list[str]:
        return self.live.senders()


class CachedInMemoryTrackerStore(InMemoryTrackerStore):
    """Rasa's in-memory tracker store (the embedded default, one process) without
    rebuilding the tracker from its JSON on every turn.

    Rasa's store keeps each conversation as JSON and rebuilds the tracker from it on every
    turn (a sixth of the Rasa process's CPU on the embedded default). This one still keeps
    the JSON, but also the tracker object it last saved, and hands that object back, to one
    caller at a time, as the cached SQL store does. A tracker holding more than one session
    is not kept (Rasa's store returns only the latest session, which the JSON gives), so
    each session's first turn rebuilds it once.
    """

    def __init__(self, domain: Domain, event_broker: Any = None,
                 cache_size: int | str = DEFAULT_CACHE_SIZE, **kwargs: Any) -> None:
        super().__init__(domain, event_broker, **kwargs)
        self.live = LiveTrackers(cache_size)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await super().save(tracker)
        # Split as Rasa's store splits it when it returns the latest session.
        sessions = split_events(tracker.events, ActionExecuted,
                                {"action_name": ACTION_SESSION_START_NAME},
                                include_splitting_event=True)
        if len(sessions) <= 1:
            self.live.keep(tracker)
        else:
            self.live.forget(tracker.sender_id)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        live = self.live.take(sender_id)
        return live if live is not None else await super().retrieve(sender_id)
