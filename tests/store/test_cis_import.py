from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from actions.store.cis_import import ExportFormatError, import_export
from actions.store.db import Store
from actions.store.models import Account, Bill, BillLine, Premise
from actions.store.repository import bill_record, bills_for_account, find_verified_account
from tests.conftest import DEMO_ACCOUNTS, SAMPLE_EXPORT


def _counts(store: Store) -> dict[str, int]:
    with store.transaction() as session:
        return {
            model.__tablename__: session.execute(select(func.count()).select_from(model)).scalar()
            for model in (Account, Premise, Bill, BillLine)
        }


def test_demo_file_loads_at_least_six_accounts_each_with_two_bills(demo_store: Store) -> None:
    with demo_store.transaction() as session:
        accounts = session.execute(select(Account)).scalars().all()
        assert len(accounts) >= 6
        for account in accounts:
            assert len(bills_for_account(session, account.account_number)) >= 2


def test_loading_the_same_file_twice_changes_nothing(demo_store: Store) -> None:
    before = _counts(demo_store)
    with demo_store.transaction() as session:
        summary = import_export(session, DEMO_ACCOUNTS)
    assert not summary.changed
    assert summary.created == {} and summary.updated == {}
    assert _counts(demo_store) == before


def test_sample_bill_round_trips_exactly_as_exported(empty_store: Store) -> None:
    with empty_store.transaction() as session:
        import_export(session, SAMPLE_EXPORT)
    exported = json.loads(SAMPLE_EXPORT.read_text())["accounts"][0]["bills"][0]
    with empty_store.transaction() as session:
        stored = bill_record(session.get(Bill, exported["bill_id"]))
    assert stored["current_charges"] == "221.48"
    for mine, theirs in zip(stored["services"], exported["services"], strict=True):
        assert mine["total"] == theirs["total"]
        assert [(ln["code"], ln["amount"]) for ln in mine["lines"]] == [
            (ln["code"], ln["amount"]) for ln in theirs["lines"]
        ]
        assert [Decimal(ln.get("quantity", "0")) for ln in mine["lines"]] == [
            Decimal(ln.get("quantity", "0")) for ln in theirs["lines"]
        ]


def _write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "export.json"
    path.write_text(json.dumps(data))
    return path


def test_malformed_record_is_named_and_nothing_is_written(
    empty_store: Store, tmp_path: Path
) -> None:
    data = json.loads(SAMPLE_EXPORT.read_text())
    good = json.loads(json.dumps(data["accounts"][0]))
    good["account_number"] = "2999999"
    good["bills"] = []
    bad = json.loads(json.dumps(data["accounts"][0]))
    bad["bills"][0]["due_date"] = "July 5th"
    data["accounts"] = [good, bad]
    with pytest.raises(ExportFormatError, match=r"account 2100001 bill B-2100001-2023-06: "
                                                r"field 'due_date'"):
        with empty_store.transaction() as session:
            import_export(session, _write(tmp_path, data))
    assert _counts(empty_store)["accounts"] == 0


def test_services_that_do_not_add_up_are_rejected(empty_store: Store, tmp_path: Path) -> None:
    data = json.loads(SAMPLE_EXPORT.read_text())
    data["accounts"][0]["bills"][0]["current_charges"] = "221.49"
    with pytest.raises(ExportFormatError, match="current_charges"):
        with empty_store.transaction() as session:
            import_export(session, _write(tmp_path, data))


def test_wrong_format_marker_is_rejected(empty_store: Store, tmp_path: Path) -> None:
    with pytest.raises(ExportFormatError, match="format"):
        with empty_store.transaction() as session:
            import_export(session, _write(tmp_path, {"format": "other", "accounts": []}))


def test_verification_needs_a_service_address_zip_on_that_account(demo_store: Store) -> None:
    with demo_store.transaction() as session:
        assert find_verified_account(session, "2100001", "55902") is not None
        assert find_verified_account(session, "2100001", "55901") is None
        assert find_verified_account(session, "9999999", "55902") is None
