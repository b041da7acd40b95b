"""Append-only tables: account notes are the utility's record of every contact, so nothing
may rewrite or remove one.

Two guards, because either alone can be bypassed: the mapper refuses to flush a changed or
deleted note object (a clear error at the line that did it), and every engine refuses an
``UPDATE`` or ``DELETE`` statement on the table, which also catches bulk ORM statements and
raw SQL.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


class AppendOnlyError(RuntimeError):
    """Something tried to update or delete a row of an append-only table."""


def _statement_pattern(table: str) -> re.Pattern[str]:
    name = re.escape(table)
    return re.compile(rf'^\s*(?:UPDATE\s+"?{name}"?\s|DELETE\s+FROM\s+"?{name}"?(?:\s|$))',
                      re.IGNORECASE)


def guard_append_only(model: type) -> None:
    """Makes ``model``'s table append-only for every session and engine in the process."""
    table: str = model.__tablename__  # type: ignore[attr-defined]
    pattern = _statement_pattern(table)

    def refuse_object(_mapper: Any, _connection: Any, target: Any) -> None:
        raise AppendOnlyError(f"{table} is append-only: row {target.id} cannot change")

    def refuse_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if pattern.match(statement):
            raise AppendOnlyError(f"{table} is append-only: refused {statement.split()[0]}")

    event.listen(model, "before_update", refuse_object)
    event.listen(model, "before_delete", refuse_object)
    # Registered on the Engine class, so engines made later (the store's) carry it too.
    event.listen(Engine, "before_cursor_execute", refuse_statement)
