"""Military payment arrangements (Minn. Stat. 325E.028) and their appeal deadlines."""

from __future__ import annotations

import datetime as dt
import io
import json
from contextlib import redirect_stdout
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

import pytest

from actions.rules.calendar import UtilityCalendar, load_calendar
from actions.rules.disconnection import NoticeDelivery
from actions.rules.eligibility_tables import ColdWeatherTables, load_cold_weather_tables
from actions.rules.military import (
    IncomeBeforeOrdersError,
    MilitaryRequest,
    appeal_deadline,
    decide_military_arrangement,
    ten_percent_of,
)
from bot.commands.rules import main

D = dt.date
CENT = Decimal("0.01")
IN_TABLE_YEAR = D(2025, 1, 15)

# 100% of state median income = 2 x the EAP 50% table (Oct 2024 - May 2025); above 8,
# +4,130 a person (twice the 2,065 step).
MEDIAN = {
    1: Decimal(71598),
    2: Decimal(93628),
    3: Decimal(115658),
    4: Decimal(137690),
    5: Decimal(159720),
    6: Decimal(181750),
    7: Decimal(185880),
    8: Decimal(190012),
    9: Decimal(194142),
    11: Decimal(202402),
}


@pytest.fixture(scope="module")
def tables() -> ColdWeatherTables:
    return load_cold_weather_tables()


@pytest.fixture(scope="module")
def calendar() -> UtilityCalendar:
    return load_calendar()


def _request(**changes: Any) -> MilitaryRequest:
    base: dict[str, Any] = {
        "day": IN_TABLE_YEAR,
        "household_size": 4,
        "gross_monthly_income": Decimal("5000.00"),
    }
    base.update(changes)
    return MilitaryRequest(**base)


@pytest.mark.parametrize(
    ("income", "payment"),
    [
        ("5000.00", "500.00"),
        ("5000.55", "500.06"),  # 500.055 rounds half up
        ("3456.78", "345.68"),
        ("3456.74", "345.67"),
        ("0.05", "0.01"),
        ("0", "0.00"),
        ("11474.16", "1147.42"),
    ],
)
def test_ten_percent_to_the_cent(income: str, payment: str) -> None:
    assert ten_percent_of(Decimal(income)) == Decimal(payment)
    assert str(ten_percent_of(Decimal(income))) == payment


def test_the_median_table_is_twice_the_cold_weather_table(tables: ColdWeatherTables) -> None:
    half = tables.cold_weather_income[0]
    full = tables.state_median_income[0]
    assert full.percent_of_state_median == 2 * half.percent_of_state_median
    for size in range(1, 16):
        assert full.limit_for(size) == 2 * half.limit_for(size), size
    assert "DERIVED" in full.source


class TestBothSidesOfTheMedian:
    @pytest.mark.parametrize(("size", "median"), sorted(MEDIAN.items()))
    def test_a_cent_below_the_monthly_median_pays_ten_percent(
        self, tables: ColdWeatherTables, size: int, median: Decimal
    ) -> None:
        income = (median / 12).quantize(CENT, rounding=ROUND_FLOOR)
        if income * 12 == median:
            income -= CENT
        result = decide_military_arrangement(
            _request(household_size=size, gross_monthly_income=income), tables
        )
        assert result.decision == "ten_percent"
        assert result.monthly_payment == ten_percent_of(income)
        assert result.income_limit == median
        assert any("is below the state median" in r for r in result.reasons)

    @pytest.mark.parametrize(("size", "median"), sorted(MEDIAN.items()))
    def test_a_cent_above_the_monthly_median_gets_a_payment_schedule(
        self, tables: ColdWeatherTables, size: int, median: Decimal
    ) -> None:
        income = (median / 12).quantize(CENT, rounding=ROUND_CEILING)
        if income * 12 == median:
            income += CENT
        result = decide_military_arrangement(
            _request(household_size=size, gross_monthly_income=income), tables
        )
        assert result.decision == "payment_schedule"
        assert result.monthly_payment is None
        assert any("reasonable payment schedule" in r for r in result.reasons)

    def test_exactly_at_the_median_is_not_below_it(self, tables: ColdWeatherTables) -> None:
        # 71,598 / 12 = 5,966.50 exactly, for a household of one.
        result = decide_military_arrangement(
            _request(household_size=1, gross_monthly_income=Decimal("5966.50")), tables
        )
        assert result.decision == "payment_schedule"
        assert any("exactly" in r and "staff will confirm" in r for r in result.reasons)

    def test_energy_assistance_gives_ten_percent_whatever_the_income(
        self, tables: ColdWeatherTables
    ) -> None:
        result = decide_military_arrangement(
            _request(gross_monthly_income=Decimal("20000.00"), receives_energy_assistance=True),
            tables,
        )
        assert (result.decision, result.monthly_payment) == ("ten_percent", Decimal("2000.00"))
        assert any("energy assistance" in r for r in result.reasons)

    def test_monthly_limit_is_shown_to_the_cent(self, tables: ColdWeatherTables) -> None:
        result = decide_military_arrangement(_request(), tables)
        assert result.monthly_income_limit == Decimal("11474.17")


class TestOrdersDate:
    def test_income_measured_before_the_orders_is_refused(self, tables: ColdWeatherTables) -> None:
        request = _request(orders_date=D(2026, 2, 1), income_measured_from=D(2026, 1, 1))
        with pytest.raises(IncomeBeforeOrdersError, match="after the date of the orders"):
            decide_military_arrangement(request, tables)

    def test_income_measured_from_the_orders_date_is_accepted(
        self, tables: ColdWeatherTables
    ) -> None:
        request = _request(orders_date=D(2026, 2, 1), income_measured_from=D(2026, 2, 1))
        result = decide_military_arrangement(request, tables)
        assert any("Sunday, February 1, 2026" in r for r in result.reasons)

    def test_negative_income_is_refused(self, tables: ColdWeatherTables) -> None:
        with pytest.raises(ValueError):
            decide_military_arrangement(_request(gross_monthly_income=Decimal("-1")), tables)

    def test_a_date_past_the_table_year_is_flagged(self, tables: ColdWeatherTables) -> None:
        result = decide_military_arrangement(_request(day=D(2026, 3, 2)), tables)
        assert result.income_table.in_effect is False
        assert any("RPU staff will confirm" in r for r in result.reasons)


@pytest.mark.parametrize(
    ("notice", "delivery", "last_day"),
    [
        # Seven working days after a personally served notice.
        (D(2026, 1, 13), NoticeDelivery.PERSONAL, D(2026, 1, 23)),  # MLK Day not counted
        (D(2026, 11, 20), NoticeDelivery.PERSONAL, D(2026, 12, 3)),  # Thanksgiving + day after
        (D(2026, 12, 21), NoticeDelivery.PERSONAL, D(2027, 1, 4)),  # Christmas, New Year's
        # Ten working days after a notice is mailed.
        (D(2026, 1, 13), NoticeDelivery.MAILED, D(2026, 1, 28)),
        (D(2026, 11, 20), NoticeDelivery.MAILED, D(2026, 12, 8)),
        (D(2026, 1, 9), NoticeDelivery.MAILED, D(2026, 1, 26)),  # mailed on a Friday
    ],
)
def test_appeal_deadline(
    calendar: UtilityCalendar, notice: dt.date, delivery: NoticeDelivery, last_day: dt.date
) -> None:
    result = appeal_deadline(calendar, notice, delivery)
    assert result.last_day == last_day
    assert result.working_days == (7 if delivery is NoticeDelivery.PERSONAL else 10)
    assert result.reasons and "working days" in result.reasons[0]


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["rules", "military", *argv])
    return code, out.getvalue()


class TestCommandLine:
    def test_below_the_median(self) -> None:
        code, out = _run(
            "--household-size=4",
            "--gross-monthly-income=5000.55",
            "--date=2025-01-15",
            "--json",
        )
        payload = json.loads(out)
        assert code == 0
        assert payload["decision"] == "ten_percent"
        assert payload["monthly_payment"] == "500.06"
        assert payload["income_limit"] == "137690.00"
        assert payload["reasons"]

    def test_above_the_median(self) -> None:
        code, out = _run(
            "--household-size=2", "--gross-monthly-income=9000", "--date=2025-01-15", "--json"
        )
        payload = json.loads(out)
        assert (payload["decision"], payload["monthly_payment"]) == ("payment_schedule", None)

    def test_energy_assistance_and_appeal_deadline(self) -> None:
        code, out = _run(
            "--household-size=2",
            "--gross-monthly-income=9000",
            "--energy-assistance",
            "--orders-date=2026-01-05",
            "--date=2026-01-13",
            "--notice-date=2026-01-13",
            "--notice-delivery=personal",
            "--json",
        )
        payload = json.loads(out)
        assert (payload["decision"], payload["monthly_payment"]) == ("ten_percent", "900.00")
        assert payload["appeal_deadline"] == "2026-01-23"

    def test_without_a_date_uses_today(self) -> None:
        code, out = _run("--household-size=1", "--gross-monthly-income=1000")
        assert code == 0
        assert out.startswith("decision: ten_percent")
        assert "monthly payment: 100.00" in out

    @pytest.mark.parametrize(
        "argv",
        [
            ["--household-size=4"],
            ["--household-size=4", "--gross-monthly-income=-5"],
            ["--household-size=four", "--gross-monthly-income=5000"],
            ["--household-size=4", "--gross-monthly-income=5000", "--notice-date=2026-01-13"],
            [
                "--household-size=4",
                "--gross-monthly-income=5000",
                "--orders-date=2026-02-01",
                "--income-since=2026-01-01",
            ],
        ],
    )
    def test_bad_arguments_exit_2(self, argv: list[str], capsys: pytest.CaptureFixture) -> None:
        code, _ = _run(*argv)
        assert code == 2
        assert "error" in capsys.readouterr().err
