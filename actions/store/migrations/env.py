"""Alembic environment of the account database.

The database is the project's own: a connection handed over by actions.store.migrate, else
``DATABASE_URL`` through actions.store.db (so ``alembic upgrade head`` on the command line
migrates the same database careline uses). Only the account models' tables are managed.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from alembic.autogenerate.api import AutogenContext

from actions.store.db import database_url, make_engine
from actions.store.migrate import compare_options
from actions.store.models import Base, ExactDecimal

config = context.config


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | bool:
    # Money columns keep their exact type on every database (text on SQLite): a revision
    # must create ExactDecimal, not the NUMERIC it becomes on PostgreSQL.
    if type_ == "type" and isinstance(obj, ExactDecimal):
        autogen_context.imports.add("from actions.store.models import ExactDecimal")
        return f"ExactDecimal({obj.precision}, {obj.scale})"
    return False


def _configure(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_item=render_item,
        # SQLite alters a table by copying it; batch mode writes revisions that do that.
        render_as_batch=connection.dialect.name == "sqlite",
        **compare_options(),
    )


def run_migrations_offline() -> None:
    """``alembic upgrade head --sql``: prints the SQL instead of running it."""
    context.configure(
        url=database_url(), target_metadata=Base.metadata, literal_binds=True,
        render_item=render_item, **compare_options(),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(database_url())
    try:
        with engine.connect() as own_connection:
            _configure(own_connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
