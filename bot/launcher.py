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


@dataclass
class AssistantProcesses:
    port: int = 5005
    actions_port: int = 5055
    profile: str = "default"
    model: Path = DEFAULT_MODEL
    host: str = "127.0.0.1"
    extra_env: dict[str, str] = field(default_factory=dict)
    log_dir: Path | None = None
    _children: list[subprocess.Popen] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def webchat_url(self) -> str:
        return f"{self.base_url}/webhooks/webchat/"

    @property
    def pids(self) -> dict[str, int]:
        """Process ids of the running servers, by name ("actions", "rasa")."""
        names = ("actions", "rasa")[: len(self._children)]
        return {name: child.pid for name, child in zip(names, self._children, strict=True)}

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        env["ACTION_SERVER_URL"] = f"http://127.0.0.1:{self.actions_port}/webhook"
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        env.setdefault("RASA_TELEMETRY_ENABLED", "false")
        env.update(self.extra_env)
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
        files = PROFILES[self.profile]
        env = self.environment()
        bin_dir = Path(sys.executable).parent
        self._spawn(
            "actions",
            [sys.executable, "-m", "rasa_sdk", "--actions", "actions",
             "--port", str(self.actions_port)],
            env,
        )
        self._spawn(
            "rasa",
            [str(bin_dir / "rasa"), "run", "--model", str(self.model),
             "--interface", self.host, "--port", str(self.port),
             "--credentials", files["credentials"], "--endpoints", files["endpoints"]],
            env,
        )

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> None:
        out = self._output(name)
        child = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            if out is not None else None, start_new_session=True,
        )
        self._children.append(child)

    def wait_ready(self, timeout: float = 240.0) -> None:
        """Waits until both servers answer; raises if either exits or time runs out."""
        deadline = time.monotonic() + timeout
        checks = [
            f"http://127.0.0.1:{self.actions_port}/health",
            f"{self.base_url}/webhooks/webchat/health",
        ]
        while checks:
            for child in self._children:
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

    def stop(self, timeout: float = 20.0) -> None:
        for child in self._children:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for child in self._children:
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        self._children.clear()

    def wait(self) -> int:
        """Blocks until one child exits; returns its exit code."""
        while True:
            for child in self._children:
                code = child.poll()
                if code is not None:
                    return code
            time.sleep(0.5)
