"""Starts the action server and the Rasa server as child processes and stops them together.

Used by ``careline run`` and by the conversation tests, so both exercise the same start-up.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = PROJECT_ROOT / "models" / "careline.tar.gz"

PROFILES = {
    # The embedded default: SQLite account store, in-memory tracker and lock stores,
    # REST channel on for development and tests.
    "default": {"credentials": "credentials.yml", "endpoints": "endpoints.yml"},
    # What a utility deploys: see README "Production profile".
    "production": {
        "credentials": "credentials.production.yml",
        "endpoints": "endpoints.production.yml",
    },
}

# The benchmarks' stock baseline keeps Rasa's own tracker store too.
STOCK_ENDPOINTS = "bench/endpoints.stock.yml"

# Values endpoints.production.yml substitutes, where the environment (.env) has none. Rasa
# refuses a file naming an unset variable, so each has a local default here.
PRODUCTION_DEFAULTS = {
    "TRACKER_DB_HOST": "127.0.0.1",
    "TRACKER_DB_PORT": "5432",
    "TRACKER_DB_NAME": "careline_tracker",
    "TRACKER_DB_USER": "postgres",
    "TRACKER_DB_PASSWORD": "",
    # The database Rasa logs in to first, to create TRACKER_DB_NAME when it is missing.
    "TRACKER_DB_LOGIN_DB": "postgres",
    "REDIS_HOST": "127.0.0.1",
    "REDIS_PORT": "6379",
    "REDIS_DB": "1",
    "REDIS_PASSWORD": "",
    # Alphanumeric; lets several deployments (or test runs) share one Redis.
    "REDIS_KEY_PREFIX": "careline",
}
API_TOKEN_VARIABLE = "CARELINE_API_TOKEN"


@dataclass
class AssistantProcesses:
    """The action server and one or more Rasa servers (replicas) as child processes.

    Replicas listen on ``port`` and then ``replica_ports``; in the production profile they
    share the tracker store (PostgreSQL) and lock store (Redis), so any of them can take
    any message of a conversation.
    """

    port: int = 5005
    actions_port: int = 5055
    profile: str = "default"
    model: Path = DEFAULT_MODEL
    host: str = "127.0.0.1"
    extra_env: dict[str, str] = field(default_factory=dict)
    log_dir: Path | None = None
    replica_ports: list[int] = field(default_factory=list)
    # Sanic worker processes of the action server; None: ACTION_SERVER_SANIC_WORKERS or 1.
    action_workers: int | None = None
    # Plain `rasa run` instead of careline's entry point: the benchmarks' stock baseline.
    stock_rasa: bool = False
    _children: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_urls(self) -> list[str]:
        """One address per Rasa replica."""
        return [f"http://{self.host}:{port}" for port in [self.port, *self.replica_ports]]

    @property
    def webchat_url(self) -> str:
        return f"{self.base_url}/webhooks/webchat/"

    @property
    def pids(self) -> dict[str, int]:
        """Process ids of the running servers, by name ("actions", "rasa", "rasa-2", ...)."""
        return {name: child.pid for name, child in self._children.items()}

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env["ACTION_SERVER_URL"] = f"http://127.0.0.1:{self.actions_port}/webhook"
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        env.setdefault("RASA_TELEMETRY_ENABLED", "false")
        # The action server trusts whatever tracker it is sent: only the Rasa servers on
        # this host may reach it (containers set SANIC_HOST=0.0.0.0 on a private network).
        env.setdefault("SANIC_HOST", "127.0.0.1")
        if self.profile == "production":
            for name, value in PRODUCTION_DEFAULTS.items():
                env.setdefault(name, value)
        env.update(self.extra_env)
        if self.action_workers is not None:
            env["ACTION_SERVER_SANIC_WORKERS"] = str(self.action_workers)
        return env

    def _output(self, name: str) -> int | object:
        if self.log_dir is None:
            return None  # type: ignore[return-value]
        self.log_dir.mkdir(parents=True, exist_ok=True)
        return open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the child

    def start(self) -> None:
        if not self.model.exists():
            raise FileNotFoundError(
                f"No trained model at {self.model}. Run 'make run' (or 'make model') first."
            )
        self.start_actions()
        self._spawn("rasa", self.rasa_command(self.port), self.environment())

    def start_actions(self) -> None:
        self._spawn("actions",
                    [sys.executable, "-m", "actions.server", "--port", str(self.actions_port)],
                    self.environment())

    def rasa_command(self, port: int) -> list[str]:
        files = PROFILES[self.profile]
        command = [
            # `rasa run` through careline's entry point (bot/rasa_server.py says why).
            *([str(Path(sys.executable).parent / "rasa")] if self.stock_rasa
              else [sys.executable, "-m", "bot.rasa_server"]),
            "run", "--model", str(self.model),
            "--interface", self.host, "--port", str(port),
            "--credentials", files["credentials"],
            "--endpoints", STOCK_ENDPOINTS if self.stock_rasa else files["endpoints"],
        ]
        # Rasa's HTTP API can replace the model, read and rewrite any conversation: it is
        # only ever on behind a token (README "Rasa's HTTP API").
        token = self.environment().get(API_TOKEN_VARIABLE, "").strip()
        if token:
            command += ["--enable-api", "--auth-token", token]
        return command

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> None:
        out = self._output(name)
        child = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            if out is not None else None, start_new_session=True,
        )
        self._children[name] = child

    def health_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{self.actions_port}/health",
                *(f"{base}/webhooks/webchat/health" for base in self.base_urls)]

    def wait_ready(self, timeout: float = 240.0) -> None:
        """Waits until every server answers; raises if one exits or time runs out.

        Further replicas start once the first answers: each Rasa server creates the
        tracker tables at start-up, and two doing it at once on an empty database race.
        """
        deadline = time.monotonic() + timeout
        self._wait_for(self.health_urls()[:2], deadline, timeout)
        for index, port in enumerate(self.replica_ports, start=2):
            if f"rasa-{index}" not in self._children:
                self._spawn(f"rasa-{index}", self.rasa_command(port), self.environment())
        self._wait_for(self.health_urls()[2:], deadline, timeout)

    def _wait_for(self, checks: list[str], deadline: float, timeout: float) -> None:
        while checks:
            for child in self._children.values():
                if child.poll() is not None:
                    raise RuntimeError(f"{child.args[0]} exited with code {child.returncode}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"servers not ready after {timeout:.0f}s: {checks}")
            try:
                with urllib.request.urlopen(checks[0], timeout=2) as response:
                    if response.status == 200:
                        checks.pop(0)
                        continue
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.5)

    def stop_child(self, name: str, timeout: float = 20.0) -> None:
        """Stops one server (tests stop the action server to see the bot cope)."""
        child = self._children.pop(name, None)
        if child is None:
            return
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
        try:
            child.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()

    def stop(self, timeout: float = 20.0) -> None:
        for child in self._children.values():
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for child in self._children.values():
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        self._children.clear()

    def wait(self) -> int:
        """Blocks until one child exits; returns its exit code."""
        while True:
            for child in self._children.values():
                code = child.poll()
                if code is not None:
                    return code
            time.sleep(0.5)
