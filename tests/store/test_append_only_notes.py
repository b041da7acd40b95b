"""Account notes are append-only: no code path may update or delete one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import StatementError

from actions.store.append_only import AppendOnlyError
from actions.store.db import Store
from actions.store.models import AccountNote
from actions.store.repository import add_note, notes_for_account

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def note_id(demo_store: Store) -> int:
    with demo_store.transaction() as session:
        return add_note(session, account_number="2100001", channel="chat",
                        category="payment options", summary="the original").id


def _refused(error: BaseException) -> bool:
    return isinstance(error, AppendOnlyError) or isinstance(
        getattr(error, "orig", None), AppendOnlyError)


def test_changing_a_note_object_is_refused(demo_store: Store, note_id: int) -> None:
    with pytest.raises(AppendOnlyError), demo_store.transaction() as session:
        session.get(AccountNote, note_id).summary = "rewritten"
    with pytest.raises(AppendOnlyError), demo_store.transaction() as session:
        session.delete(session.get(AccountNote, note_id))
    with demo_store.transaction() as session:
        assert [n.summary for n in notes_for_account(session, "2100001")] == ["the original"]


@pytest.mark.parametrize("statement", [
    update(AccountNote).values(summary="rewritten"),
    delete(AccountNote),
    text("UPDATE account_notes SET summary = 'rewritten'"),
    text("delete from account_notes"),
])
def test_bulk_and_raw_statements_on_notes_are_refused(demo_store: Store, note_id: int,
                                                      statement: object) -> None:
    with pytest.raises((AppendOnlyError, StatementError)) as refused, \
            demo_store.transaction() as session:
        session.execute(statement)
    assert _refused(refused.value)
    with demo_store.transaction() as session:
        assert [n.summary for n in notes_for_account(session, "2100001")] == ["the original"]


def test_other_tables_can_still_change(demo_store: Store) -> None:
    with demo_store.transaction() as session:
        session.execute(text("UPDATE accounts SET email = 'x@example.org' "
                             "WHERE account_number = '2100001'"))


def test_no_code_writes_an_update_or_delete_of_notes() -> None:
    pattern = re.compile(r"(update|delete)\(\s*AccountNote|"
                         r"(UPDATE|DELETE\s+FROM)\s+account_notes", re.IGNORECASE)
    offenders = [str(path.relative_to(ROOT)) for folder in ("actions", "bot")
                 for path in (ROOT / folder).rglob("*.py")
                 if path.name != "append_only.py" and pattern.search(path.read_text())]
    assert offenders == []
