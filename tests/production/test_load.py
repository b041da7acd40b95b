"""200 concurrent conversations for 60 seconds on the production profile (two Rasa
replicas, PostgreSQL, Redis): no error responses, every request noted exactly once, and
memory flat at the end. Its figures are printed; timing targets live in bench/."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

import aiohttp
import pytest
from sqlalchemy import func, select

from actions.reference import response_values
from actions.store.models import AccountNote
from bench.procmem import rss_mib
from tests.production.conftest import Production

pytestmark = [pytest.mark.conversation, pytest.mark.services, pytest.mark.load,
              pytest.mark.timeout(900)]

CONVERSATIONS = 200
DURATION = 60.0
SCRIPT = ["hi", "how can I pay my bill?", "explain my bill", "2100001", "55902",
          "what is the clean air rider?"]
APOLOGY = response_values()["customer_care_phone"]  # in every apology, in no answer here


@dataclass
class Tally:
    turns: int = 0
    errors: list[str] = field(default_factory=list)
    # conversation id -> how many script steps it completed
    steps: dict[str, int] = field(default_factory=dict)


async def _turn(http: aiohttp.ClientSession, base: str, token: str, text: str) -> str:
    async with http.post(f"{base}/webhooks/webchat/webhook",
                         json={"session": token, "message": text}) as response:
        body = await response.json(content_type=None)
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {body}")
        reply = "\n".join(m.get("text") or "" for m in body["messages"])
        if not reply.strip() or APOLOGY in reply:
            raise RuntimeError(f"no answer or an apology to {text!r}: {reply!r}")
        return reply


async def _customer(http: aiohttp.ClientSession, replicas: list[str], number: int,
                    deadline: float, tally: Tally) -> None:
    turn = number  # spread the first turns over both replicas
    while time.monotonic() < deadline:
        async with http.post(f"{replicas[turn % 2]}/webhooks/webchat/session") as response:
            token = (await response.json())["session"]
        sender = "web-" + token.split(".")[0]
        tally.steps[sender] = 0
        for text in SCRIPT:
            if time.monotonic() >= deadline:
                return
            turn += 1
            try:
                await _turn(http, replicas[turn % 2], token, text)
            except Exception as error:  # noqa: BLE001 - every failure is counted
                tally.errors.append(f"{sender} {text!r}: {error}")
                return
            tally.turns += 1
            tally.steps[sender] += 1


async def _load(replicas: list[str]) -> Tally:
    tally = Tally()
    deadline = time.monotonic() + DURATION
    connector = aiohttp.TCPConnector(limit=CONVERSATIONS)
    timeout = aiohttp.ClientTimeout(total=300)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        await asyncio.gather(*(_customer(http, replicas, n, deadline, tally)
                               for n in range(CONVERSATIONS)))
    return tally


def _memory(production: Production) -> dict[str, float]:
    return {name: rss_mib(pid) for name, pid in production.processes.pids.items()}


def test_200_concurrent_conversations_for_60_seconds(production: Production) -> None:
    # A reference conversation: how many notes each step of the script writes.
    chat = production.chat()
    per_step = []
    for index, text in enumerate(SCRIPT):
        status, reply = chat.say(production.replicas[index % 2], text)
        assert status == 200 and reply
        per_step.append(len(production.conversation_notes(chat.sender)))
    before = _memory(production)

    started = time.monotonic()
    tally = asyncio.run(_load(production.replicas))
    elapsed = time.monotonic() - started
    after = _memory(production)

    print(f"\n{tally.turns} turns by {CONVERSATIONS} concurrent customers in {elapsed:.0f} s "
          f"({tally.turns / elapsed:.1f} msg/s), {len(tally.steps)} conversations")
    for name in before:
        print(f"  {name}: RSS {before[name]:.0f} MiB before, {after[name]:.0f} MiB after")

    assert tally.errors == [], tally.errors[:5]
    assert tally.turns > 0

    # Every completed step left exactly the notes it leaves when run alone: none lost,
    # none twice.
    with production.store.transaction() as session:
        counted = Counter(dict(session.execute(
            select(AccountNote.conversation_id, func.count())
            .where(AccountNote.conversation_id.in_(list(tally.steps)))
            .group_by(AccountNote.conversation_id)).all()))
    expected = {sender: per_step[steps - 1] if steps else 0
                for sender, steps in tally.steps.items()}
    wrong = {s: (counted.get(s, 0), n) for s, n in expected.items() if counted.get(s, 0) != n}
    assert wrong == {}, f"(noted, expected) per conversation: {list(wrong.items())[:5]}"

    # Memory flat: no process grew by more than a quarter (plus 64 MiB of slack for
    # caches that fill once) over the whole run.
    grew = {name: (before[name], after[name]) for name in before
            if after[name] > before[name] * 1.25 + 64}
    assert grew == {}, grew
