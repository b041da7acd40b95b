"""Starts the assistant as `careline run` does and prints start-up time, the memory of each
server, and turn latency over the REST channel for a short realistic conversation.

    .venv/bin/python -m bench.serve [--rounds 20]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import urllib.request
from pathlib import Path

from actions.store.cis_import import import_export
from actions.store.db import create_store
from bench.procmem import rss_mib
from bot.launcher import AssistantProcesses
from tests.conversation.conftest import free_port

DEMO = Path(__file__).resolve().parents[1] / "data" / "demo" / "accounts.json"
CONVERSATION = ["hi", "how can I pay my bill", "explain my bill", "2100001", "55902",
                "what is the clean air rider?", "why is my bill so high", "my power is out"]


def _turn(base: str, sender: str, text: str) -> float:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(f"{base}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        url = f"sqlite:///{workdir}/careline.db"
        store = create_store(url)
        with store.transaction() as session:
            import_export(session, DEMO)
        processes = AssistantProcesses(port=free_port(), actions_port=free_port(),
                                       log_dir=Path(workdir), extra_env={"DATABASE_URL": url})
        started = time.perf_counter()
        processes.start()
        try:
            processes.wait_ready()
            ready = time.perf_counter() - started
            latencies = [
                _turn(processes.base_url, f"bench-{r}", text)
                for r in range(args.rounds) for text in CONVERSATION
            ]
            pids = processes.pids
            latencies_ms = sorted(1000 * t for t in latencies)
            print(f"start-up until both servers answer: {ready:.1f} s")
            print(f"memory (RSS) Rasa server: {rss_mib(pids['rasa']):.0f} MiB, "
                  f"action server: {rss_mib(pids['actions']):.0f} MiB")
            print(f"sequential turns: {len(latencies_ms)}, "
                  f"p50 {statistics.median(latencies_ms):.0f} ms, "
                  f"p95 {latencies_ms[int(0.95 * len(latencies_ms)) - 1]:.0f} ms")
        finally:
            processes.stop()
            store.engine.dispose()


if __name__ == "__main__":
    main()
