"""The demo accounts (data/demo/accounts.json) are consistent with the rate schedule."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from actions.rules.billing import Bill, BillExplanation, bill_from_record, explain_bill
from actions.rules.rates import RateSchedules, load_rate_schedules

DEMO_FILE = Path(__file__).resolve().parents[2] / "data" / "demo" / "accounts.json"
SAMPLE_BILL = "B-2100001-2023-06"
# The one inconsistency the newsletter's sample bill carries: its county and state tax lines
# are each a cent off their rates (the taxes total is right). Reported, never forced.
KNOWN_SAMPLE_MISMATCHES = {(SAMPLE_BILL, "county_tax"), (SAMPLE_BILL, "state_tax")}
D = Decimal


@cache
def load_demo() -> dict[str, Any]:
    return json.loads(DEMO_FILE.read_text(encoding="utf-8"))


def accounts() -> list[dict[str, Any]]:
    return load_demo()["accounts"]


def account(number: str) -> dict[str, Any]:
    return next(a for a in accounts() if a["account_number"] == number)


def bills_in_order(acct: dict[str, Any]) -> list[Bill]:
    return sorted((bill_from_record(b) for b in acct["bills"]), key=lambda b: b.period_start)


@pytest.fixture(scope="module")
def schedules() -> RateSchedules:
    return load_rate_schedules()


def explained_bills(schedules: RateSchedules) -> Iterator[tuple[dict[str, Any], BillExplanation]]:
    for acct in accounts():
        previous = None
        for bill in bills_in_order(acct):
            yield (
                acct,
                explain_bill(
                    bill,
                    schedules,
                    account_number=acct["account_number"],
                    customer_class=acct["customer_class"],
                    budget_enrolled=acct["budget_billing"].get("enrolled", False),
                    previous=previous,
                ),
            )
            previous = bill


# --- the file as a whole ------------------------------------------------------------------------


def test_demo_file_is_a_cis_export_with_at_least_six_accounts_of_two_bills() -> None:
    data = load_demo()
    assert data["format"] == "careline-cis-export/1"
    numbers = [a["account_number"] for a in accounts()]
    assert len(numbers) >= 6 and len(set(numbers)) == len(numbers)
    assert all(len(a["bills"]) >= 2 for a in accounts())
    bill_ids = [b["bill_id"] for a in accounts() for b in a["bills"]]
    assert len(set(bill_ids)) == len(bill_ids)


def test_contact_details_are_fictional() -> None:
    for acct in accounts():
        assert re.fullmatch(r"\+150755501\d\d", acct["phone"]), acct["phone"]
        assert acct["email"].endswith("example.org"), acct["email"]
        zips = [acct["mailing_address"]["zip"]] + [p["zip"] for p in acct["service_addresses"]]
        assert all(z in {"55901", "55902", "55903", "55904", "55905", "55906"} for z in zips)


def test_the_sample_account_is_copied_verbatim() -> None:
    from tests.rules.test_billing import SAMPLE_RECORD

    jane = account("2100001")
    assert jane["name"] == "JANE DOE"
    assert jane["budget_billing"] == {"enrolled": True, "plan_amount": "190.00"}
    assert next(b for b in jane["bills"] if b["bill_id"] == SAMPLE_BILL) == SAMPLE_RECORD


# --- every bill adds up and matches the rate schedule -------------------------------------------


def test_every_bill_line_matches_the_schedule_except_the_sample_tax_cent(
    schedules: RateSchedules,
) -> None:
    mismatches = {
        (e.bill.bill_id, c.code)
        for _, e in explained_bills(schedules)
        for c in e.checks
        if c.ok is False
    }
    assert mismatches == KNOWN_SAMPLE_MISMATCHES


def test_every_bill_total_adds_up(schedules: RateSchedules) -> None:
    for _, explanation in explained_bills(schedules):
        bad = [t.to_dict() for t in explanation.total_checks if not t.ok]
        assert not bad, (explanation.bill.bill_id, bad)


def test_only_the_power_cost_adjustment_and_parcel_fees_are_not_derivable(
    schedules: RateSchedules,
) -> None:
    codes = {c.code for _, e in explained_bills(schedules) for c in e.checks if c.ok is None}
    assert codes == {"power_cost_adjustment", "stormwater_utility_fee"}  # commercial parcel fee


def test_meter_readings_chain_from_bill_to_bill() -> None:
    for acct in accounts():
        last_read: dict[tuple[str, str | None, str | None], Any] = {}
        for bill in bills_in_order(acct):
            for service in bill.services:
                if service.current_read is None or service.previous_read is None:
                    continue
                assert service.usage == service.current_read.value - service.previous_read.value
                key = (service.service, service.premise_id, service.meter)
                if key in last_read and last_read[key][0] == service.previous_read.date:
                    assert service.previous_read.value == last_read[key][1], bill.bill_id
                last_read[key] = (service.current_read.date, service.current_read.value)


def test_balances_carry_from_bill_to_bill() -> None:
    for acct in accounts():
        bills = bills_in_order(acct)
        for before, after in zip(bills, bills[1:], strict=False):
            if (after.period_start - before.period_end).days == 1:
                assert after.previous_balance == before.amount_due, after.bill_id
                if before.budget_billing and after.budget_billing:
                    b, a = before.budget_billing, after.budget_billing
                    new = b.previous_carry_over + b.actual_charges - b.plan_amount
                    assert a.previous_carry_over == new, after.bill_id


# --- the stories the demo must tell -------------------------------------------------------------


def test_sample_account_has_the_bill_before_it(schedules: RateSchedules) -> None:
    may, june = bills_in_order(account("2100001"))
    assert (may.period_start, may.period_end) == (date(2023, 4, 6), date(2023, 5, 6))
    electric = may.services_of("electric")[0]
    assert electric.current_read is not None and electric.current_read.value == D("31935")
    assert may.budget_billing is not None
    new_carry = may.budget_billing.previous_carry_over + may.budget_billing.actual_charges
    assert new_carry - may.budget_billing.plan_amount == D("300.59")


def test_a_budget_billing_account_carries_a_credit(schedules: RateSchedules) -> None:
    budget = [
        e.budget.to_dict()
        for a, e in explained_bills(schedules)
        if a["account_number"] != "2100001" and e.budget is not None
    ]
    assert budget
    assert any(b["new_carry_over_display"].endswith(" CR") for b in budget)


def test_a_past_due_account_has_a_mailed_disconnection_notice() -> None:
    past_due = [a for a in accounts() if a.get("disconnection_notices")]
    assert past_due
    acct = past_due[0]
    notice = acct["disconnection_notices"][0]
    assert notice["delivery"] == "mailed"
    assert notice["notice_id"].startswith("N-")
    date.fromisoformat(notice["notice_date"])
    latest = bills_in_order(acct)[-1]
    assert D(acct["past_due_balance"]) == latest.amount_due - latest.current_charges
    assert D(notice["amount_past_due"]) == D(acct["past_due_balance"])
    assert acct["service_addresses"][0]["primary_heat"] in {"gas", "electric"}


def test_an_account_has_two_service_addresses_with_services_on_each() -> None:
    acct = next(a for a in accounts() if len(a["service_addresses"]) == 2)
    premises = {p["premise_id"] for p in acct["service_addresses"]}
    for bill in bills_in_order(acct):
        assert bill.multi_premise
        assert {s.premise_id for s in bill.services_of("electric")} == premises
        assert {s.premise_id for s in bill.services_of("water")} == premises


def test_a_household_member_is_on_military_orders() -> None:
    acct = next(a for a in accounts() if "household" in a)
    assert acct["household"]["size"] == 3
    orders = acct["household"]["military_orders"]
    assert orders["kind"] == "deployment"
    date.fromisoformat(orders["orders_date"])


def test_a_commercial_account_pays_wastewater_on_actual_water_use() -> None:
    acct = next(a for a in accounts() if a["customer_class"] == "commercial")
    for bill in bills_in_order(acct):
        water = bill.services_of("water")[0]
        assert water.rate_class == "commercial"
        usage_line = bill.services_of("wastewater")[0].lines_with(["wastewater_usage"])[0]
        assert usage_line.quantity == water.usage


def test_a_bill_straddles_october_first_with_two_energy_charges(
    schedules: RateSchedules,
) -> None:
    straddling = [
        e
        for _, e in explained_bills(schedules)
        if e.bill.period_start < date(e.bill.period_end.year, 10, 1) <= e.bill.period_end
    ]
    assert straddling
    for explanation in straddling:
        codes = [line.code for s in explanation.bill.services_of("electric") for line in s.lines]
        assert "energy_summer" in codes and "energy_non_summer" in codes


def test_a_high_bill_is_driven_by_usage_on_an_estimated_reading(
    schedules: RateSchedules,
) -> None:
    stories = [
        e.comparison
        for _, e in explained_bills(schedules)
        if e.comparison is not None
        and e.bill.bill_date.year == 2026
        and e.comparison.change > 100
        and any(d.driver == "estimated_reading" for d in e.comparison.drivers)
    ]
    assert stories
    comparison = stories[0]
    assert comparison.drivers[0].driver == "usage"
    assert sum(d.amount for d in comparison.drivers) == comparison.change


def test_the_high_bill_account_has_a_year_ago_bill_to_compare(schedules: RateSchedules) -> None:
    acct = account("2100007")
    bills = bills_in_order(acct)
    latest = bills[-1]
    year_ago = next(b for b in bills if b.period_end.year == latest.period_end.year - 1)
    explanation = explain_bill(
        latest, schedules, account_number="2100007", previous=bills[-2], year_ago=year_ago
    )
    data = explanation.to_dict()["year_ago_comparison"]
    assert data["previous_bill_id"] == year_ago.bill_id
    total = sum(Decimal(d["amount"]) for d in data["drivers"])
    assert f"{total:.2f}" == data["change"]


def test_recent_bills_are_from_late_2026() -> None:
    latest = [bills_in_order(a)[-1] for a in accounts() if a["account_number"] != "2100001"]
    assert all(b.bill_date >= date(2026, 10, 1) for b in latest)
