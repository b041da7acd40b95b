"""Schema migrations of the account database (Alembic), as functions the CLI and tests call.

The revisions live in ``actions/store/migrations/versions``; ``alembic.ini`` at the project
root points there, so the plain ``alembic`` command works too. Which database is migrated
comes from the project's own :func:`~actions.store.db.database_url` (``DATABASE_URL``, else
the embedded SQLite file), never from ``alembic.ini``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection, Engine

from actions.store.db import PROJECT_ROOT, database_url, make_engine
from actions.store.models import Base

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"
# What a developer runs after changing actions/store/models.py (quoted in test failures).
REVISION_COMMAND = 'careline db revision -m "what changed"'


class SchemaNotManaged(RuntimeError):
    """The database has careline tables but no migration history (made by create-all)."""


def include_name(name: str | None, type_: str, _parents: dict[str, Any]) -> bool:
    """Only the models' tables are compared: other tables in the same database (Alembic's
    own, anything a deployment adds) belong to someone else."""
    if type_ == "table":
        return name in Base.metadata.tables
    return True


def compare_options() -> dict[str, Any]:
    return {"compare_type": True, "include_name": include_name}


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration; with ``connection``, env.py migrates that connection."""
    config = Config(str(ALEMBIC_INI)) if ALEMBIC_INI.is_file() else Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@contextmanager
def _connected(url: str | None) -> Iterator[Connection]:
    engine: Engine = make_engine(url or database_url())
    try:
        with engine.begin() as connection:
            yield connection
    finally:
        engine.dispose()


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations found"
    return head


def current_revision(url: str | None = None) -> str | None:
    with _connected(url) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _is_unmanaged(connection: Connection) -> bool:
    tables = set(inspect(connection).get_table_names())
    return "alembic_version" not in tables and bool(tables & set(Base.metadata.tables))


def upgrade(url: str | None = None, revision: str = "head") -> None:
    """Applies every migration up to ``revision``. Refuses a database made by create-all,
    whose history Alembic cannot know (``stamp`` adopts one after checking it)."""
    with _connected(url) as connection:
        if _is_unmanaged(connection):
            raise SchemaNotManaged(
                "this database has careline tables but no migration history (it was made "
                "by create-all). If `careline db check` shows no differences, adopt it with "
                "`careline db stamp head`."
            )
        command.upgrade(alembic_config(connection), revision)


def stamp(url: str | None = None, revision: str = "head") -> None:
    """Records ``revision`` as applied without running anything."""
    with _connected(url) as connection:
        command.stamp(alembic_config(connection), revision)


def differences(url: str | None = None) -> list[Any]:
    """What Alembic's autogenerate would change to make the database match the models;
    empty when the schema matches."""
    with _connected(url) as connection:
        context = MigrationContext.configure(connection, opts=compare_options())
        return list(compare_metadata(context, Base.metadata))


def prepare(url: str | None = None) -> str:
    """``careline db init``: brings the database's schema up to date.

    A new database is migrated to the newest revision; one under migrations is upgraded;
    an older embedded database made by create-all (before migrations existed) only gets
    its missing tables, as it always did. Returns what was done, for the user.
    """
    with _connected(url) as connection:
        unmanaged = _is_unmanaged(connection)
        if not unmanaged:
            command.upgrade(alembic_config(connection), "head")
            return "migrated to the newest revision"
        Base.metadata.create_all(connection)
    left = differences(url)
    if left:
        # create-all adds tables, never columns: such a file cannot be brought up to date.
        raise SchemaNotManaged(
            "this database was made by create-all before the migrations existed and "
            "cannot be brought up to date (" + "; ".join(describe(d) for d in left) + "). "
            "The embedded default holds demo data: move the file aside and run `make` "
            "again, which creates it under migrations."
        )
    return "created any missing tables (database not under migrations)"


def describe(difference: Any) -> str:
    """One line for a difference ``differences`` returned, e.g. "add table handoffs"."""
    if isinstance(difference, list):  # column modifications come grouped
        return "; ".join(describe(item) for item in difference)
    kind, *rest = difference
    words = kind.replace("_", " ")
    if kind.endswith("_table"):
        return f"{words} {rest[0].name}"
    if kind.endswith("_column"):
        return f"{words} {rest[1]}.{rest[2].name}"
    if kind.endswith("_index") or kind.endswith("_constraint"):
        target = rest[0]
        table = getattr(getattr(target, "table", None), "name", "?")
        return f"{words} {target.name or '(unnamed)'} on {table}"
    if kind.startswith("modify_"):
        return f"{words} {rest[1]}.{rest[2]}: {rest[-2]!r} -> {rest[-1]!r}"
    return " ".join(str(part) for part in difference)


def new_revision(message: str, url: str | None = None) -> Path:
    """Writes a revision with autogenerated operations: the difference between the models
    and a database upgraded to the newest revision (by default a scratch SQLite file)."""
    with _connected(url) as connection:
        config = alembic_config(connection)
        command.upgrade(config, "head")
        script = command.revision(config, message=message, autogenerate=True)
    scripts = script if isinstance(script, list) else [script]
    assert scripts and scripts[0] is not None
    return Path(scripts[0].path)
