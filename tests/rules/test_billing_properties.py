"""Properties of the bill rules over many generated periods, usages and bills."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions.rules.billing import (
    bill_from_record,
    budget_billing,
    compare_bills,
    explain_bill,
    late_fee,
    prorate_energy,
    split_by_days,
    to_cents,
    wastewater_billed_units,
    water_usage_charge,
)
from actions.rules.rates import RateSchedules, load_rate_schedules

SCHEDULES: RateSchedules = load_rate_schedules()
MONEY = re.compile(r"^-?\d+\.\d{2}$")
CENT = Decimal("0.01")
# database=None: no .hypothesis/ example store in the working tree.
PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

days_in_schedule = st.dates(min_value=date(2023, 1, 1), max_value=date(2029, 12, 31))
period_lengths = st.integers(min_value=1, max_value=62)
kwh_amounts = st.decimals(min_value=0, max_value=9999, places=2, allow_nan=False)
water_units = st.decimals(min_value=0, max_value=60, places=2, allow_nan=False)
money = st.decimals(min_value=-2000, max_value=5000, places=2, allow_nan=False)


def has_two_decimals(value: Decimal) -> bool:
    return value == value.quantize(CENT)


# --- proration ----------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(
    total=kwh_amounts,
    days=st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=4),
)
def test_split_by_days_always_adds_up_to_the_total(total: Decimal, days: list[int]) -> None:
    parts = split_by_days(total, days)
    assert sum(parts) == total
    assert all(has_two_decimals(p) for p in parts)
    if len(days) <= 2:
        assert all(p >= 0 for p in parts)


@PROPERTY_SETTINGS
@given(
    start=days_in_schedule,
    length=period_lengths,
    kwh=kwh_amounts,
    rate_class=st.sampled_from(["residential", "commercial"]),
)
def test_proration_sums_to_the_total_usage_and_days(
    start: date, length: int, kwh: Decimal, rate_class: str
) -> None:
    end = start + timedelta(days=length - 1)
    proration = prorate_energy(start, end, kwh, SCHEDULES, rate_class)
    assert sum(s.kwh for s in proration.segments) == kwh
    assert proration.summer_kwh + proration.non_summer_kwh == kwh
    assert sum(s.days for s in proration.segments) == length
    assert proration.summer_days + proration.non_summer_days == length
    assert proration.segments[0].start == start and proration.segments[-1].end == end
    # each segment is a single season
    for segment in proration.segments:
        assert SCHEDULES.is_summer(segment.start) == SCHEDULES.is_summer(segment.end)
        assert segment.summer == SCHEDULES.is_summer(segment.start)


# --- generated bills ------------------------------------------------------------------------------


def _lines_total(lines: list[dict[str, Any]]) -> str:
    return f"{sum(Decimal(line['amount']) for line in lines):.2f}"


def _electric(start: date, end: date, kwh: Decimal, pca: Decimal, rate_class: str) -> dict:
    proration = prorate_energy(start, end, kwh, SCHEDULES, rate_class)
    table = SCHEDULES.electric_on(rate_class, end)
    rider = SCHEDULES.clean_air_rider_on(end).rate_per_kwh
    lines = [
        {"code": code, "quantity": str(q), "rate": str(rate), "amount": str(to_cents(q * rate))}
        for code, rate, q in proration.expected_lines()
    ]
    lines += [
        {"code": "electric_customer_charge", "amount": str(table.customer_charge)},
        {"code": "clean_air_rider", "quantity": str(kwh), "rate": str(rider),
         "amount": str(to_cents(kwh * rider))},
        {"code": "power_cost_adjustment", "amount": str(to_cents(kwh * pca))},
    ]  # fmt: skip
    return {"service": "electric", "rate_class": rate_class, "usage": str(kwh),
            "lines": lines, "total": _lines_total(lines)}  # fmt: skip


def _water(end: date, units: Decimal, rate_class: str) -> dict:
    table = SCHEDULES.water_on(rate_class, end)
    lines = [
        {"code": "water_consumption", "quantity": str(units),
         "amount": str(water_usage_charge(units, table.tiers))},
        {"code": "water_customer_charge", "amount": str(table.customer_charge)},
        {"code": "fire_hydrant_facilities", "amount": str(table.fire_hydrant)},
        {"code": "state_water_fee", "amount": str(table.state_water_fee)},
    ]  # fmt: skip
    return {"service": "water", "rate_class": rate_class, "usage": str(units),
            "lines": lines, "total": _lines_total(lines)}  # fmt: skip


def _wastewater(end: date, units: Decimal, winter: Decimal, rate_class: str) -> dict:
    table = SCHEDULES.wastewater_on(rate_class, end)
    billed = wastewater_billed_units(units, end.month, basis=table.basis, winter_average=winter)
    lines = [
        {"code": "wastewater_usage", "quantity": str(billed),
         "amount": str(to_cents(billed * table.per_unit))},
        {"code": "wastewater_customer_charge", "amount": str(table.customer_charge)},
    ]  # fmt: skip
    return {"service": "wastewater", "winter_average_units": str(winter), "lines": lines,
            "total": _lines_total(lines)}  # fmt: skip


def _taxes(end: date, services: list[dict]) -> dict:
    rule = SCHEDULES.taxes_on(end)
    base = sum(
        (Decimal(line["amount"]) for s in services for line in s["lines"]
         if rule.is_taxed(s["service"], line["code"])),
        Decimal(0),
    )  # fmt: skip
    lines = [
        {"code": code, "rate": str(rate), "amount": str(to_cents(base * rate))}
        for code, rate in rule.rates.items()
    ]
    return {"service": "taxes", "lines": lines, "total": _lines_total(lines)}


@st.composite
def bill_records(draw: st.DrawFn, rate_class: str | None = None) -> dict[str, Any]:
    """A bill priced from the schedule, with random period, usage, products and estimates."""
    start = draw(days_in_schedule)
    end = start + timedelta(days=draw(st.integers(min_value=25, max_value=40)) - 1)
    rate_class = rate_class or draw(st.sampled_from(["residential", "commercial"]))
    kwh = draw(kwh_amounts)
    units = draw(water_units)
    winter = draw(water_units)
    pca = draw(
        st.decimals(
            min_value=Decimal("-0.002"), max_value=Decimal("0.006"), places=5, allow_nan=False
        )
    )
    services = [_electric(start, end, kwh, pca, rate_class)]
    if draw(st.booleans()):
        services.append(_water(end, units, rate_class))
        services.append(_wastewater(end, units, winter, rate_class))
    products = draw(st.sets(st.sampled_from(["service_assured_electric", "service_assured_water"])))
    if products:
        prices = SCHEDULES.products_on(end).prices
        lines = [{"code": c, "amount": str(prices[c])} for c in sorted(products)]
        services.append({"service": "products_services", "lines": lines,
                         "total": _lines_total(lines)})  # fmt: skip
    if rate_class == "residential":
        table = SCHEDULES.stormwater_on(rate_class, end)
        lines = [
            {"code": "stormwater_utility_fee", "amount": str(table.utility_fee)},
            {"code": "stormwater_customer_charge", "amount": str(table.customer_charge)},
        ]
        services.append({"service": "stormwater", "lines": lines, "total": _lines_total(lines)})
    services.append(_taxes(end, services))
    if draw(st.booleans()):
        services[0]["current_read"] = {"date": end.isoformat(), "value": "1", "estimated": True}
    current = sum((Decimal(s["total"]) for s in services), Decimal(0))
    previous_balance = draw(money)
    payments = draw(money)
    record: dict[str, Any] = {
        "bill_id": f"B-{start:%Y%m%d}-{draw(st.integers(0, 999))}",
        "bill_date": (end + timedelta(days=2)).isoformat(),
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "due_date": (end + timedelta(days=25)).isoformat(),
        "previous_balance": str(previous_balance),
        "payments": str(payments),
        "adjustments": "0.00",
        "current_charges": f"{current:.2f}",
        "amount_due": f"{previous_balance - payments + current:.2f}",
        "services": services,
    }
    if draw(st.booleans()):
        record["budget_billing"] = {
            "plan_amount": str(draw(st.decimals(min_value=0, max_value=500, places=2))),
            "actual_charges": f"{current:.2f}",
            "previous_carry_over": str(draw(money)),
        }
    return record


@PROPERTY_SETTINGS
@given(current=bill_records(), previous=bill_records())
def test_drivers_always_add_up_to_the_change(current: dict, previous: dict) -> None:
    comparison = compare_bills(bill_from_record(current), bill_from_record(previous), SCHEDULES)
    assert sum(d.amount for d in comparison.drivers) == comparison.change
    assert comparison.change == Decimal(current["current_charges"]) - Decimal(
        previous["current_charges"]
    )
    # bills priced from the schedule leave nothing unexplained
    assert "other" not in {d.driver for d in comparison.drivers}
    amounts = [abs(d.amount) for d in comparison.drivers]
    assert amounts == sorted(amounts, reverse=True)
    assert all(has_two_decimals(d.amount) for d in comparison.drivers)


@PROPERTY_SETTINGS
@given(
    current=bill_records(),
    previous=bill_records(),
    drift=st.decimals(min_value=-50, max_value=50, places=2, allow_nan=False),
)
def test_drivers_add_up_even_when_a_bill_is_inconsistent(
    current: dict, previous: dict, drift: Decimal
) -> None:
    # A current-charges figure that no longer matches its lines: the gap is "other".
    current["current_charges"] = f"{Decimal(current['current_charges']) + drift:.2f}"
    comparison = compare_bills(bill_from_record(current), bill_from_record(previous), SCHEDULES)
    assert sum(d.amount for d in comparison.drivers) == comparison.change


@PROPERTY_SETTINGS
@given(record=bill_records(), previous=bill_records())
def test_generated_bills_check_ok_and_money_never_has_more_than_two_decimals(
    record: dict, previous: dict
) -> None:
    bill = bill_from_record(record)
    explanation = explain_bill(
        bill,
        SCHEDULES,
        account_number="2100099",
        customer_class=record["services"][0]["rate_class"],
        budget_enrolled="budget_billing" in record,
        previous=bill_from_record(previous),
        year_ago=bill_from_record(previous),
    )
    assert not [c for c in explanation.checks if c.ok is False]
    assert all(t.ok for t in explanation.total_checks)
    for key, value in _money_fields(explanation.to_dict()):
        assert MONEY.match(value), (key, value)


MONEY_KEYS = {
    "amount", "total", "current_charges", "amount_due", "late_fee_if_unpaid", "billed",
    "expected", "change", "difference", "plan_amount", "actual_charges",
    "previous_carry_over", "new_carry_over", "previous_balance", "payments", "adjustments",
    "balance_forward", "previous_charges", "taxable_base",
}  # fmt: skip


def _money_fields(data: Any, key: str = "") -> list[tuple[str, str]]:
    if isinstance(data, dict):
        return [pair for k, v in data.items() for pair in _money_fields(v, k)]
    if isinstance(data, list):
        return [pair for item in data for pair in _money_fields(item, key)]
    if key in MONEY_KEYS and isinstance(data, str):
        return [(key, data)]
    return []


# --- small rules --------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(unpaid=money)
def test_late_fee_is_at_least_five_dollars_and_0_65_percent(unpaid: Decimal) -> None:
    fee = late_fee(unpaid, SCHEDULES.late_fee_on(date(2026, 11, 1)))
    assert has_two_decimals(fee)
    if unpaid <= 0:
        assert fee == 0
    else:
        assert fee >= Decimal("5.00")
        assert fee >= (unpaid * Decimal("0.0065")).quantize(CENT)
        assert fee == max(Decimal("5.00"), to_cents(unpaid * Decimal("0.0065")))


@PROPERTY_SETTINGS
@given(plan=money, actual=money, carry=money)
def test_budget_carry_over_is_previous_plus_actual_minus_plan(
    plan: Decimal, actual: Decimal, carry: Decimal
) -> None:
    result = budget_billing(plan, actual, carry)
    assert result.difference == actual - plan
    assert result.new_carry_over == carry + actual - plan
    display = result.to_dict()["new_carry_over_display"]
    assert display.endswith(" CR") == (result.new_carry_over < 0)
