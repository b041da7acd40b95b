"""The `careline` command line contracts that staff and other tools rely on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from actions.store.db import Store
from actions.store.repository import add_note
from bot.cli import main
from tests.conftest import DEMO_ACCOUNTS


@pytest.fixture()
def database(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> Store:
    monkeypatch.setenv("DATABASE_URL", str(demo_store.engine.url))
    return demo_store


def _json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> object:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_bill_explain_json_has_the_staff_contract(database: Store,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(capsys, ["bill", "explain", "2100001", "--bill", "B-2100001-2023-06", "--json"])
    assert data["account_number"] == "2100001"
    assert (data["bill_id"], data["period_start"], data["period_end"], data["days"]) == (
        "B-2100001-2023-06", "2023-05-07", "2023-06-10", 35)
    assert (data["current_charges"], data["amount_due"], data["due_date"]) == (
        "221.48", "221.48", "2023-07-05")
    assert data["late_fee_if_unpaid"] == "5.00"
    assert [(s["service"], s["total"]) for s in data["services"]] == [
        ("electric", "137.90"), ("water", "17.03"), ("products_services", "3.00"),
        ("wastewater", "41.80"), ("stormwater", "10.30"), ("taxes", "11.45")]
    assert all({"code", "amount", "explanation"} <= set(line)
               for s in data["services"] for line in s["lines"])
    proration = data["proration"]
    assert (proration["total_kwh"], proration["summer_days"], proration["non_summer_days"],
            proration["summer_kwh"], proration["non_summer_kwh"]) == (
        "954", 10, 25, "272.57", "681.43")
    assert data["budget_billing"]["difference"] == "188.22"
    assert data["budget_billing"]["new_carry_over"] == "488.81"
    assert data["comparison"]["previous_bill_id"] == "B-2100001-2023-05"
    drivers = data["comparison"]["drivers"]
    assert {"driver", "amount", "explanation"} <= set(drivers[0])
    assert f"{sum(float(d['amount']) for d in drivers):.2f}" == data["comparison"]["change"]
    taxes = {c["code"]: c for c in data["checks"] if c["code"].endswith("_tax")}
    assert taxes["county_tax"]["ok"] is False and taxes["county_tax"]["note"]
    assert all({"code", "billed", "expected", "ok"} <= set(c) for c in data["checks"])


def test_bill_explain_for_an_unknown_account_fails_clearly(
    database: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bill", "explain", "9999999"]) == 1
    assert "no bill found for account 9999999" in capsys.readouterr().err


def test_notes_are_printed_newest_first(database: Store,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    with database.transaction() as session:
        add_note(session, account_number="2100003", channel="chat", category="first",
                 summary="older")
        add_note(session, account_number="2100003", channel="text", category="second",
                 summary="newer")
    notes = _json(capsys, ["notes", "2100003", "--json"])
    assert [n["summary"] for n in notes] == ["newer", "older"]
    assert main(["notes", "2100003"]) == 0
    text = capsys.readouterr().out
    assert text.index("newer") < text.index("older")


def test_accounts_load_twice_says_nothing_changed(database: Store,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["accounts", "load", str(DEMO_ACCOUNTS)]) == 0
    assert "nothing changed" in capsys.readouterr().out


def test_accounts_load_rejects_a_malformed_file_by_name(
    database: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    data = json.loads(DEMO_ACCOUNTS.read_text())
    data["accounts"][2]["service_addresses"][0].pop("zip")
    bad.write_text(json.dumps(data))
    assert main(["accounts", "load", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "nothing imported" in err and "field 'zip' is missing" in err


def test_staff_confirm_a_pending_authorized_person_and_it_is_noted(
        database: Store, capsys: pytest.CaptureFixture[str]) -> None:
    from actions.store.contacts import add_contact

    with database.transaction() as session:
        contact_id = add_contact(session, account_number="2100001", kind="authorized",
                                 name="Anna Berg", relationship="daughter",
                                 phone="+16125550199", email=None,
                                 status="pending_confirmation").id
    listed = _json(capsys, ["contacts", "2100001", "--json"])
    assert [(c["name"], c["status"]) for c in listed] == [("Anna Berg", "pending_confirmation")]

    assert main(["contacts", "confirm", str(contact_id), "--by", "pat.k"]) == 0
    assert "Confirmed Anna Berg" in capsys.readouterr().out
    assert _json(capsys, ["contacts", "2100001", "--json"])[0]["status"] == "active"
    [note] = _json(capsys, ["notes", "2100001", "--json"])
    assert (note["channel"], note["author"], note["category"]) == \
        ("staff", "pat.k", "third-party contact")

    # Confirming twice changes nothing and says so.
    assert main(["contacts", "confirm", str(contact_id), "--by", "pat.k"]) == 1
    assert "not waiting for confirmation" in capsys.readouterr().out
    assert len(_json(capsys, ["notes", "2100001", "--json"])) == 1
