"""Turn latency, throughput and memory of the embedded default and the production profile,
against bare NLU (``/model/parse``) on the same server, in one run.

    nice -n 10 .venv/bin/python -m bench.load [--seconds 30] [--profiles default production]

For each profile: the servers start as ``careline run`` starts them (production: two Rasa
replicas behind alternating requests, PostgreSQL trackers and accounts, Redis locks, an
action server with one worker; each run on scratch databases dropped afterwards). Turns go
to the web chat webhook (the JSON webhook both profiles serve) with a realistic mix:
greeting, verification (2100001 / 55902), bill explanation, a bill line, then the cold
weather form steps. It prints p50/p95 sequential and with 16 concurrent conversations,
messages per second, each process's RSS, and bare NLU: in the sequential phase each text
is first sent to /model/parse on the same server, right before its turn, so the two figures
the turn/parse ratio compares come from the same moments (this machine's speed drifts by a
third over minutes).
The "stock" run is the embedded default started with Rasa's own ``rasa run`` instead of
careline's entry point (bot/rasa_server.py): the baseline the others are compared with.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from actions.store import migrate
from actions.store.cis_import import import_export
from actions.store.db import create_store
from bench.procmem import rss_mib
from bot.launcher import AssistantProcesses
from tests.conftest import DEMO_ACCOUNTS
from tests.conversation.conftest import free_port
from tests.services import postgres_parts, redis_env, scratch_database, unique_name

API_TOKEN = "bench-api-token"
MIX = ["hi", "explain my bill", "2100001", "55902", "what is the clean air rider?",
       "I need to apply for the cold weather rule", "yes", "3", "no", "about 31,500 a year",
       "yes", "yes"]
CONCURRENCY = 16


@dataclass
class Figures:
    latencies_ms: list[float]
    seconds: float

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[max(0, int(0.95 * len(ordered)) - 1)]

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / self.seconds

    def line(self, label: str) -> str:
        return (f"  {label:<34} n={len(self.latencies_ms):>4}  p50 {self.p50:6.0f} ms  "
                f"p95 {self.p95:6.0f} ms  {self.rate:6.1f} msg/s")


async def _session(http: aiohttp.ClientSession, base: str) -> str:
    async with http.post(f"{base}/webhooks/webchat/session") as response:
        return (await response.json())["session"]


async def _timed_post(http: aiohttp.ClientSession, url: str, body: dict) -> float:
    started = time.perf_counter()
    async with http.post(url, json=body) as response:
        await response.read()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status} for {body!r} at {url}")
    return 1000 * (time.perf_counter() - started)


async def _conversation(http: aiohttp.ClientSession, replicas: list[str], offset: int,
                        deadline: float | None, latencies: list[float],
                        parse_latencies: list[float] | None = None) -> None:
    """Runs the mix (again and again until ``deadline``, else once); with
    ``parse_latencies``, each text is parsed on the same server just before its turn."""
    turn = offset
    while True:
        token = await _session(http, replicas[turn % len(replicas)])
        for text in MIX:
            if deadline is not None and time.monotonic() >= deadline:
                return
            turn += 1
            base = replicas[turn % len(replicas)]
            if parse_latencies is not None:
                parse_latencies.append(await _timed_post(
                    http, f"{base}/model/parse?token={API_TOKEN}", {"text": text}))
            latencies.append(await _timed_post(http, f"{base}/webhooks/webchat/webhook",
                                               {"session": token, "message": text}))
        if deadline is None:
            return


async def _measure(replicas: list[str], rounds: int, seconds: float
                   ) -> tuple[Figures, Figures, Figures]:
    timeout = aiohttp.ClientTimeout(total=300)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        await _conversation(http, replicas, 0, None, [])  # warm-up
        sequential: list[float] = []
        parsing: list[float] = []
        for number in range(rounds):
            await _conversation(http, replicas, number, None, sequential, parsing)
        # Rates over the time each kind of request took, not the time between them.
        parse = Figures(parsing, sum(parsing) / 1000)
        seq = Figures(sequential, sum(sequential) / 1000)
        concurrent: list[float] = []
        deadline = time.monotonic() + seconds
        started = time.perf_counter()
        await asyncio.gather(*(_conversation(http, replicas, n, deadline, concurrent)
                               for n in range(CONCURRENCY)))
        conc = Figures(concurrent, time.perf_counter() - started)
    return parse, seq, conc


@contextmanager
def _servers(run: str, workdir: Path) -> Iterator[AssistantProcesses]:
    profile = "default" if run == "stock" else run
    env = {"CARELINE_SESSION_SECRET": "bench", "CARELINE_TODAY": "2027-01-15",
           "CARELINE_API_TOKEN": API_TOKEN,
           "CARELINE_NOTE_OUTBOX": str(workdir / "outbox.jsonl")}
    with ExitStack() as stack:
        if profile == "production":
            account_url = stack.enter_context(scratch_database("careline_bench"))
            tracker_url = stack.enter_context(scratch_database("careline_bench_tracker"))
            migrate.upgrade(account_url)
            env.update(postgres_parts(tracker_url))
            env.update(redis_env(unique_name("bench")))
            # One action worker: on two cores a second one only takes CPU from the replicas
            # (measured: 21 msg/s with two workers, 27 with one, at 16 concurrent).
            extra = {"replica_ports": [free_port()], "action_workers": 1}
        else:
            account_url = f"sqlite:///{workdir / 'careline.db'}"
            extra = {}
        store = create_store(account_url, create_schema=True)
        with store.transaction() as session:
            import_export(session, DEMO_ACCOUNTS)
        store.engine.dispose()
        env["DATABASE_URL"] = account_url
        processes = AssistantProcesses(port=free_port(), actions_port=free_port(),
                                       profile=profile, log_dir=workdir / "logs",
                                       extra_env=env, stock_rasa=run == "stock", **extra)
        processes.start()
        try:
            processes.wait_ready(timeout=600)
            yield processes
        finally:
            processes.stop()


def run_profile(profile: str, rounds: int, seconds: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as scratch, _servers(profile, Path(scratch)) as servers:
        parse, seq, conc = asyncio.run(_measure(servers.base_urls, rounds, seconds))
        memory = {name: rss_mib(pid) for name, pid in servers.pids.items()}
    print(f"\n{profile} ({len(servers.base_urls)} Rasa process(es))")
    print(parse.line("/model/parse, sequential"))
    print(seq.line("turns, sequential"))
    print(conc.line(f"turns, {CONCURRENCY} concurrent conversations"))
    print(f"  turn p50 / parse p50: {seq.p50 / parse.p50:.1f}x")
    print("  memory (RSS): " + ", ".join(f"{name} {mib:.0f} MiB" for name, mib in memory.items()))
    return {"parse_p50": parse.p50, "turn_p50": seq.p50, "concurrent_rate": conc.rate,
            "sequential_rate": seq.rate}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10, help="sequential conversations")
    parser.add_argument("--seconds", type=float, default=30.0, help="concurrent phase")
    parser.add_argument("--profiles", nargs="+", default=["stock", "default", "production"],
                        help="stock = the embedded default on plain `rasa run`")
    args = parser.parse_args()
    results = {profile: run_profile(profile, args.rounds, args.seconds)
               for profile in args.profiles}
    if "stock" in results:
        stock = results["stock"]
        for profile, figures in results.items():
            print(f"{profile}: {CONCURRENCY} concurrent = "
                  f"{figures['concurrent_rate'] / stock['concurrent_rate']:.1f}x the throughput "
                  f"of one stock `rasa run` process at {CONCURRENCY} concurrent "
                  f"({figures['concurrent_rate'] / stock['sequential_rate']:.1f}x its "
                  "sequential rate)")


if __name__ == "__main__":
    main()
