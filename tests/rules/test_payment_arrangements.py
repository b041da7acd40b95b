"""Which payment arrangements and referrals are offered, from the data file."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
import yaml

from actions.rules import DEFAULT_DATA_DIR
from actions.rules.eligibility_tables import (
    ColdWeatherTables,
    TableError,
    load_cold_weather_tables,
    parse_cold_weather_tables,
)
from actions.rules.payment_arrangements import (
    PaymentSituation,
    payment_options,
    referral,
    referrals_of_kind,
    situation_on,
)

D = dt.date


@pytest.fixture(scope="module")
def tables() -> ColdWeatherTables:
    return load_cold_weather_tables()


@pytest.mark.parametrize(
    ("day", "residential", "military", "expected"),
    [
        (
            D(2026, 1, 13),
            True,
            False,
            ["flexible_payment_plan", "cold_weather_payment_agreement", "budget_billing"],
        ),
        (
            D(2026, 1, 13),
            True,
            True,
            [
                "flexible_payment_plan",
                "cold_weather_payment_agreement",
                "military_payment_arrangement",
                "budget_billing",
            ],
        ),
        (D(2026, 7, 14), True, False, ["flexible_payment_plan", "budget_billing"]),
        (
            D(2026, 7, 14),
            True,
            True,
            ["flexible_payment_plan", "military_payment_arrangement", "budget_billing"],
        ),
        (D(2026, 1, 13), False, True, ["flexible_payment_plan", "budget_billing"]),
        # Period boundaries decide the cold weather agreement.
        (D(2025, 9, 30), True, False, ["flexible_payment_plan", "budget_billing"]),
        (
            D(2025, 10, 1),
            True,
            False,
            ["flexible_payment_plan", "cold_weather_payment_agreement", "budget_billing"],
        ),
        (
            D(2026, 4, 30),
            True,
            False,
            ["flexible_payment_plan", "cold_weather_payment_agreement", "budget_billing"],
        ),
        (D(2026, 5, 1), True, False, ["flexible_payment_plan", "budget_billing"]),
    ],
)
def test_options_offered(
    tables: ColdWeatherTables, day: dt.date, residential: bool, military: bool, expected: list[str]
) -> None:
    situation = situation_on(tables, day, residential=residential, military_orders=military)
    advice = payment_options(situation, tables)
    assert [o.key for o in advice.options] == expected
    assert len(advice.reasons) == len(expected) + 1  # one per option, then the referrals


def test_every_answer_carries_the_referrals(tables: ColdWeatherTables) -> None:
    advice = payment_options(PaymentSituation(), tables)
    names = [r.name for r in advice.referrals]
    assert "Three Rivers Community Action" in names
    assert "Neighbors Chipping In" in names
    assert "800-277-8418" in advice.reasons[-1]


def test_reasons_say_why_an_option_applies(tables: ColdWeatherTables) -> None:
    situation = PaymentSituation(residential=True, in_cold_weather_period=True)
    advice = payment_options(situation, tables)
    text = " ".join(advice.reasons)
    assert "it is the cold weather period" in text
    assert "Budget Billing is open to every customer" in text
    for reason in advice.reasons:
        assert reason[0].isupper() and reason.endswith("."), reason


def test_referral_lookups(tables: ColdWeatherTables) -> None:
    assert referral(tables, "three_rivers").phone == "800-277-8418"
    assert [r.key for r in referrals_of_kind(tables, "energy_assistance")] == ["three_rivers"]
    with pytest.raises(KeyError):
        referral(tables, "nobody")


def test_options_come_from_the_data(tables: ColdWeatherTables) -> None:
    only_budget = replace(
        tables,
        payment_options=tuple(o for o in tables.payment_options if o.key == "budget_billing"),
    )
    advice = payment_options(PaymentSituation(military_orders=True), only_budget)
    assert [o.key for o in advice.options] == ["budget_billing"]


def test_an_empty_match_still_points_to_customer_care(tables: ColdWeatherTables) -> None:
    advice = payment_options(PaymentSituation(), replace(tables, payment_options=()))
    assert advice.options == ()
    assert "Customer Care" in advice.reasons[0]


def test_an_unknown_condition_in_the_data_is_refused() -> None:
    raw = yaml.safe_load((DEFAULT_DATA_DIR / "cold_weather.yml").read_text(encoding="utf-8"))
    raw["payment_arrangements"][0]["applies_when"] = {"owns_a_boat": True}
    with pytest.raises(TableError, match="owns_a_boat"):
        parse_cold_weather_tables(raw)
