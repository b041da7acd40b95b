"""A Redis lock store for conversations that takes and releases a lock in one Redis call
each, atomically.

Rasa's ``RedisLockStore`` keeps each conversation's ``TicketLock`` as one JSON value and
changes it by reading, editing in Python and writing back: seven round trips per turn
(issue a ticket: get, set; acquire: get; release: get, set, get, delete). The read and the
write are separate commands, so two replicas issuing tickets for the same conversation at
the same moment can both read the same lock and hand out the same ticket number: both
turns then run at once. Here each step is one Lua script, which Redis runs atomically:

- acquire: with no ticket yet, takes the next number from a counter (``INCR``) and records
  it with its expiry (Redis's own clock, so replicas with skewed clocks agree) in a hash of
  live tickets; then drops expired tickets and answers whether this ticket is the lowest
  live one, which holds the lock. A waiting turn calls it again with its ticket.
- release: removes the ticket and, when none is left, both keys.

Tickets are served in the order they were issued, as Rasa's are, and a ticket that outlives
its lifetime (a replica died holding it) stops blocking the ones behind it. A waiting turn
checks again every ``poll_seconds`` (Rasa waits a whole second between attempts; a customer
who sends two texts in a row should not wait that long for the second answer).

Endpoint configuration (``endpoints.production.yml``): ``type:
bot.lock_store.AtomicRedisLockStore`` with the keys of Rasa's Redis lock store (``url``,
``port``, ``db``, ``username``, ``password``, ``use_ssl``, ``key_prefix``,
``socket_timeout``).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import redis
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import (
    DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX,
    LOCK_LIFETIME,
    LockError,
    LockStore,
)
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

# KEYS[1]: ticket counter, KEYS[2]: hash of live tickets (number -> expiry in ms).
# ARGV[1]: the caller's ticket (0 to issue one), ARGV[2]: lifetime in ms.
# Returns {ticket, state}: state 1 = holds the lock, 0 = waiting, -1 = ticket expired.
_ACQUIRE = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local ticket = tonumber(ARGV[1])
local lifetime = tonumber(ARGV[2])
if ticket == 0 then
  ticket = redis.call('INCR', KEYS[1])
  redis.call('HSET', KEYS[2], ticket, now + lifetime)
  for _, key in ipairs(KEYS) do
    if redis.call('PTTL', key) < lifetime then redis.call('PEXPIRE', key, lifetime) end
  end
end
local entries = redis.call('HGETALL', KEYS[2])
local lowest = nil
local live = false
for i = 1, #entries, 2 do
  local number = tonumber(entries[i])
  if tonumber(entries[i + 1]) <= now then
    redis.call('HDEL', KEYS[2], entries[i])
  else
    if number == ticket then live = true end
    if lowest == nil or number < lowest then lowest = number end
  end
end
if not live then return {ticket, -1} end
if lowest == ticket then return {ticket, 1} end
return {ticket, 0}
"""

_RELEASE = """
redis.call('HDEL', KEYS[2], ARGV[1])
if redis.call('HLEN', KEYS[2]) == 0 then redis.call('DEL', KEYS[1], KEYS[2]) end
return 1
"""

WAITING, EXPIRED = 0, -1  # and 1: the ticket holds the lock


class AtomicRedisLockStore(LockStore):
    """Conversation locks in Redis, one atomic call to take a ticket and one to give it
    back."""

    poll_seconds = 0.05

    def __init__(self, endpoint_config: EndpointConfig | None = None, *,
                 client: redis.Redis | None = None, key_prefix: str | None = None) -> None:
        settings: dict[str, Any] = dict(endpoint_config.kwargs) if endpoint_config else {}
        if client is None:
            client = redis.Redis(
                host=(endpoint_config.url if endpoint_config else None) or "localhost",
                port=int(settings.get("port") or 6379),
                db=int(settings.get("db") or 1),
                username=settings.get("username") or None,
                password=settings.get("password") or None,
                ssl=bool(settings.get("use_ssl", False)),
                socket_timeout=float(settings.get("socket_timeout") or 10),
            )
        self.red = client
        prefix = key_prefix if key_prefix is not None else settings.get("key_prefix")
        self.key_prefix = DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX
        if prefix:
            if str(prefix).isalnum():
                self.key_prefix = f"{prefix}:{DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX}"
            else:
                logger.warning("Ignoring the non-alphanumeric Redis key prefix %r.", prefix)
        self._acquire = self.red.register_script(_ACQUIRE)
        self._release = self.red.register_script(_RELEASE)
        super().__init__()

    def _keys(self, conversation_id: str) -> list[str]:
        base = self.key_prefix + conversation_id
        return [f"{base}:next", f"{base}:tickets"]

    def _call(self, script: Any, conversation_id: str, *args: Any) -> Any:
        try:
            return script(keys=self._keys(conversation_id), args=list(args))
        except redis.RedisError as error:
            raise LockError(f"The lock store (Redis) did not answer: {error}") from error

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncIterator[TicketLock]:
        """Holds the conversation's lock for the body; raises ``LockError`` when Redis is
        unreachable or the ticket expired before its turn came."""
        lifetime_ms = max(1, math.ceil(lock_lifetime * 1000))
        ticket, state = self._call(self._acquire, conversation_id, 0, lifetime_ms)
        try:
            poll = min(self.poll_seconds, wait_time_in_seconds)
            while state == WAITING:
                await asyncio.sleep(poll)
                ticket, state = self._call(self._acquire, conversation_id, ticket, lifetime_ms)
            if state == EXPIRED:
                raise LockError(f"Could not acquire lock for conversation_id "
                                f"'{conversation_id}': its ticket expired while waiting.")
            yield self._ticket_lock(conversation_id, ticket, lock_lifetime)
        finally:
            self._call(self._release, conversation_id, ticket)

    @staticmethod
    def _ticket_lock(conversation_id: str, ticket: int, lifetime: float) -> TicketLock:
        return TicketLock(conversation_id, [Ticket(ticket, time.time() + lifetime)])

    # Rasa's generic LockStore methods (issue_ticket, cleanup, ...) read and write a whole
    # TicketLock; they are served from the same keys so any caller of them stays correct.
    def get_lock(self, conversation_id: str) -> TicketLock | None:
        counter, tickets = self._keys(conversation_id)
        entries = self.red.hgetall(tickets)
        if not entries:
            return None
        live = sorted((int(number), int(expiry) / 1000) for number, expiry in entries.items())
        return TicketLock(conversation_id, [Ticket(n, e) for n, e in live])

    def save_lock(self, lock: TicketLock) -> None:
        counter, tickets = self._keys(lock.conversation_id)
        with self.red.pipeline() as pipe:
            pipe.delete(tickets)
            if lock.tickets:
                expires_ms = {t.number: int(t.expires * 1000) for t in lock.tickets}
                pipe.hset(tickets, mapping=expires_ms)
                pipe.set(counter, lock.last_issued)
                for key in (counter, tickets):
                    pipe.pexpireat(key, max(expires_ms.values()))
            pipe.execute()

    def delete_lock(self, conversation_id: str) -> None:
        deleted = self.red.delete(*self._keys(conversation_id))
        self._log_deletion(conversation_id, bool(deleted))
