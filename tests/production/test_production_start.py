"""`careline run --profile production` refuses an account database whose schema is not
the migrations' newest, instead of starting against the wrong tables."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from actions.store import migrate
from tests.services import require_postgres, scratch_database

CARELINE = str(Path(sys.executable).parent / "careline")


def _start(url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run([CARELINE, "run", "--profile", "production", "--port", "0"],
                          env=env, capture_output=True, text=True, timeout=120)


def test_an_unmigrated_database_is_refused_with_the_command_to_run() -> None:
    require_postgres()
    with scratch_database("careline_start") as url:
        result = _start(url)
        assert result.returncode == 1
        assert "not " + migrate.head_revision() in result.stderr
        assert "careline db upgrade" in result.stderr


def test_an_unreachable_database_is_refused_clearly() -> None:
    result = _start("postgresql+psycopg2://postgres@127.0.0.1:1/nowhere")
    assert result.returncode == 1
    assert "cannot read the account database" in result.stderr
    assert "Traceback" not in result.stderr
