"""Schema migrations: applied to a fresh database they give exactly the models' schema."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import inspect

from actions.store import migrate
from actions.store.cis_import import import_export
from actions.store.db import create_store, make_engine
from actions.store.models import Base
from actions.store.repository import add_note, notes_for_account
from tests.conftest import DEMO_ACCOUNTS, PROJECT_ROOT
from tests.services import scratch_database


def _explain(differences: list[object]) -> str:
    listed = "\n".join(f"  - {migrate.describe(difference)}" for difference in differences)
    return (
        "The migrations do not produce the schema of actions/store/models.py:\n"
        f"{listed}\n"
        "Generate the missing revision from the project root with\n"
        f"    .venv/bin/{migrate.REVISION_COMMAND}\n"
        "then read the new file under actions/store/migrations/versions/ and commit it."
    )


def test_migrations_on_a_fresh_postgresql_database_match_the_models() -> None:
    with scratch_database("careline_migrations") as url:
        migrate.upgrade(url)
        differences = migrate.differences(url)
        assert not differences, _explain(differences)
        assert migrate.current_revision(url) == migrate.head_revision()


def test_migrations_on_a_fresh_sqlite_file_match_the_models(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'careline.db'}"
    migrate.upgrade(url)
    differences = migrate.differences(url)
    assert not differences, _explain(differences)


def test_a_migrated_postgresql_database_keeps_money_exact_and_takes_notes() -> None:
    with scratch_database("careline_migrated") as url:
        migrate.upgrade(url)
        store = create_store(url)
        try:
            with store.transaction() as session:
                import_export(session, DEMO_ACCOUNTS)
                add_note(session, account_number="2100001", channel="chat",
                         category="bill explanation", summary="Explained the bill.",
                         request_key="migrated:1")
            with store.transaction() as session:
                notes = notes_for_account(session, "2100001")
            assert [note.summary for note in notes] == ["Explained the bill."]
        finally:
            store.engine.dispose()


def test_every_revision_downgrades_to_an_empty_database() -> None:
    with scratch_database("careline_downgrade") as url:
        migrate.upgrade(url)
        with migrate._connected(url) as connection:
            from alembic import command
            command.downgrade(migrate.alembic_config(connection), "base")
        engine = make_engine(url)
        try:
            left = set(inspect(engine).get_table_names()) & set(Base.metadata.tables)
        finally:
            engine.dispose()
        assert left == set()


def test_db_init_migrates_a_new_database_and_db_upgrade_refuses_a_create_all_one(
        tmp_path: Path) -> None:
    careline = [sys.executable, "-m", "bot.cli"]
    fresh = {"DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"}
    result = subprocess.run([*careline, "db", "init"], cwd=PROJECT_ROOT, env=_env(fresh),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "migrated" in result.stdout
    assert migrate.current_revision(fresh["DATABASE_URL"]) == migrate.head_revision()

    legacy_url = f"sqlite:///{tmp_path / 'legacy.db'}"
    create_store(legacy_url).engine.dispose()  # create-all, no migration history
    result = subprocess.run([*careline, "db", "upgrade"], cwd=PROJECT_ROOT,
                            env=_env({"DATABASE_URL": legacy_url}),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "careline db stamp head" in result.stderr
    assert "Traceback" not in result.stderr


def _env(extra: dict[str, str]) -> dict[str, str]:
    import os
    return {**os.environ, **extra}
