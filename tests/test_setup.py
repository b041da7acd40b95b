"""The README's set-up: a second `make run` rebuilds nothing, and `careline run` starts both
servers, prints the web chat address and stops both on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conversation.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]


def test_setup_is_up_to_date_so_a_second_run_reinstalls_and_retrains_nothing() -> None:
    # `make test` ran the set-up before the tests; `make -q` exits 0 only if every target
    # (venv, spaCy pipeline, demo accounts, model) is already up to date.
    result = subprocess.run(["make", "-q", "setup"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, "make would rebuild something: " + subprocess.run(
        ["make", "-n", "setup"], cwd=ROOT, capture_output=True, text=True).stdout


@pytest.mark.conversation
def test_careline_run_serves_the_web_chat_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    port, actions_port = free_port(), free_port()
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'careline.db'}")
    careline = Path(sys.executable).parent / "careline"
    process = subprocess.Popen(
        [str(careline), "run", "--port", str(port), "--actions-port", str(actions_port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if "Web chat:" in line or process.poll() is not None:
                break
        url = f"http://127.0.0.1:{port}/webhooks/webchat/"
        assert any(url in line for line in lines), "".join(lines)
        with urllib.request.urlopen(url, timeout=10) as response:
            assert response.status == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
        for port_in_use in (port, actions_port):
            with pytest.raises(OSError):
                urllib.request.urlopen(f"http://127.0.0.1:{port_in_use}/", timeout=2)
    finally:
        if process.poll() is None:
            process.kill()
