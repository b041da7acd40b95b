"""The production lock store (bot/lock_store.py) on the machine's Redis: one conversation's
turns run one at a time and in order, across store instances (replicas); a dead holder's
ticket expires; Redis going away is a LockError, not a hang; two calls per turn."""

from __future__ import annotations

import asyncio
import functools
import time

import pytest
import redis
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import AtomicRedisLockStore
from tests.services import REDIS_HOST, REDIS_PORT, require_redis, unique_name


class CountingRedis(redis.Redis):
    """Counts the commands sent to Redis (each is one round trip)."""

    commands = 0

    def execute_command(self, *args, **options):
        CountingRedis.commands += 1
        return super().execute_command(*args, **options)


@pytest.fixture
def prefix() -> str:
    require_redis()
    return unique_name("lock").replace("_", "")


@pytest.fixture
def client():
    connection = CountingRedis(host=REDIS_HOST, port=REDIS_PORT, db=1)
    yield connection
    connection.close()


def in_event_loop(test):
    """Runs an async test body in its own event loop (the project has no async plugin)."""
    @functools.wraps(test)
    def run(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))
    return run


def replica(client: redis.Redis, prefix: str) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(client=client, key_prefix=prefix)


def keys_of(prefix: str) -> list[bytes]:
    """The keys under ``prefix``, read on a connection of its own (not counted)."""
    with redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=1) as observer:
        return observer.keys(f"{prefix}:*")


@in_event_loop
async def test_an_uncontended_turn_takes_two_calls_and_leaves_no_keys(client, prefix):
    store = replica(client, prefix)
    async with store.lock("warm"):  # loads both scripts into Redis once
        pass
    CountingRedis.commands = 0
    async with store.lock("+15075550123") as lock:
        assert keys_of(prefix)  # held while the turn runs
        assert lock.conversation_id == "+15075550123"
    assert CountingRedis.commands == 2
    assert keys_of(prefix) == []


@in_event_loop
async def test_turns_of_one_conversation_run_one_at_a_time_in_arrival_order(client, prefix):
    replicas = [replica(client, prefix), replica(client, prefix)]
    inside: list[int] = []
    order: list[int] = []
    most_at_once = 0

    async def turn(number: int) -> None:
        nonlocal most_at_once
        async with replicas[number % 2].lock("web-abc"):
            inside.append(number)
            most_at_once = max(most_at_once, len(inside))
            order.append(number)
            await asyncio.sleep(0.01)
            inside.remove(number)

    tasks = []
    for number in range(12):
        tasks.append(asyncio.create_task(turn(number)))
        await asyncio.sleep(0.002)  # each takes its ticket before the next arrives
    await asyncio.gather(*tasks)
    assert most_at_once == 1
    assert order == list(range(12))
    assert keys_of(prefix) == []


@in_event_loop
async def test_replicas_racing_for_tickets_in_threads_never_overlap(prefix):
    """Separate connections in separate threads issue tickets at the same instant: the
    read-edit-write of a JSON lock would hand two of them the same number."""
    inside = 0
    most_at_once = 0
    served = 0

    async def turns(store: AtomicRedisLockStore) -> None:
        nonlocal inside, most_at_once, served
        for _ in range(15):
            async with store.lock("sms-race"):
                inside += 1
                most_at_once = max(most_at_once, inside)
                await asyncio.sleep(0.001)
                time.sleep(0.001)  # hold the lock across a real pause of this thread
                inside -= 1
                served += 1

    def replica_thread() -> None:
        connection = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=1)
        asyncio.run(turns(AtomicRedisLockStore(client=connection, key_prefix=prefix)))
        connection.close()

    await asyncio.gather(*(asyncio.to_thread(replica_thread) for _ in range(4)))
    assert served == 60
    assert most_at_once == 1


@in_event_loop
async def test_other_conversations_are_not_held_up(client, prefix):
    store = replica(client, prefix)
    async with store.lock("first"):
        started = time.monotonic()
        async with store.lock("second"):
            pass
        assert time.monotonic() - started < 0.05


@in_event_loop
async def test_a_dead_holders_ticket_expires_and_the_next_turn_goes_ahead(client, prefix):
    store = replica(client, prefix)
    crashed = store.lock("web-dead", lock_lifetime=0.3)
    await crashed.__aenter__()  # the replica dies here: it never releases
    started = time.monotonic()
    async with store.lock("web-dead", lock_lifetime=5):
        waited = time.monotonic() - started
    assert 0.2 < waited < 2


@in_event_loop
async def test_a_ticket_that_expires_while_waiting_is_a_lock_error(client, prefix):
    store = replica(client, prefix)
    async with store.lock("web-slow", lock_lifetime=5):
        with pytest.raises(LockError, match="expired"):
            async with store.lock("web-slow", lock_lifetime=0.2):
                pass
    assert keys_of(prefix) == []


@in_event_loop
async def test_redis_down_is_a_lock_error_not_a_hang():
    unreachable = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=1)
    store = AtomicRedisLockStore(client=unreachable, key_prefix="down")
    with pytest.raises(LockError, match="did not answer"):
        async with store.lock("web-x"):
            pass


@in_event_loop
async def test_rasas_generic_lock_methods_see_the_same_tickets(client, prefix):
    store = replica(client, prefix)
    async with store.lock("web-view"):
        held = store.get_lock("web-view")
        assert held is not None and held.now_serving == held.last_issued
        waiting = asyncio.create_task(store.lock("web-view").__aenter__())
        await asyncio.sleep(0.02)
        queue = store.get_lock("web-view")
        assert queue is not None and queue.now_serving == held.now_serving
        assert queue.last_issued == held.now_serving + 1
        assert queue.is_locked(queue.last_issued)
        waiting.cancel()
        await asyncio.gather(waiting, return_exceptions=True)
    store.save_lock(store.get_lock("web-view") or store.create_lock("web-view"))
    store.delete_lock("web-view")
    assert keys_of(prefix) == []


def test_the_endpoint_configuration_builds_it(prefix):
    config = EndpointConfig(url=REDIS_HOST, type="bot.lock_store.AtomicRedisLockStore",
                            port=REDIS_PORT, db=1, key_prefix=prefix)
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore)
    assert store.key_prefix.startswith(f"{prefix}:")
    assert asyncio.run(_one_turn(store))


async def _one_turn(store: LockStore) -> bool:
    async with store.lock("web-config"):
        return True
