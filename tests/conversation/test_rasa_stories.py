"""Rasa's own test stories, run by `rasa test core` against the live action server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.launcher import DEFAULT_MODEL, PROJECT_ROOT
from tests.conversation.conftest import Assistant

pytestmark = pytest.mark.conversation


def test_rasa_test_stories_pass(assistant: Assistant, tmp_path: Path) -> None:
    env = dict(os.environ)
    env.update(assistant.processes.environment())
    env["DATABASE_URL"] = assistant.processes.extra_env["DATABASE_URL"]
    result = subprocess.run(
        [str(Path(sys.executable).parent / "rasa"), "test", "core",
         "--model", str(DEFAULT_MODEL), "--stories", "tests/stories",
         "--endpoints", "endpoints.yml", "--out", str(tmp_path),
         "--fail-on-prediction-errors"],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else ""
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:] + details
    assert "None of the test stories failed" in details
