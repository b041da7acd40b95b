"""The Cold Weather Rule: the period by date, the income table and the protection decision."""

from __future__ import annotations

import datetime as dt
import io
import json
from contextlib import redirect_stdout
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from actions.rules import DEFAULT_DATA_DIR
from actions.rules.calendar import UtilityCalendar, load_calendar
from actions.rules.cold_weather import (
    ColdWeatherApplication,
    cold_weather_period_on,
    decide_protection,
    payment_timeliness,
)
from actions.rules.eligibility_tables import (
    ColdWeatherTables,
    TableError,
    choose_table,
    load_cold_weather_tables,
    parse_cold_weather_tables,
)
from bot.commands.rules import main

D = dt.date
JAN_2026 = D(2026, 1, 13)

# The Minnesota EAP table (50% of state median income), Oct 2024 - May 2025, and the
# derived sizes above 8 (+2,065 a person, as the data file's note says).
LIMITS = {
    1: Decimal(35799),
    2: Decimal(46814),
    3: Decimal(57829),
    4: Decimal(68845),
    5: Decimal(79860),
    6: Decimal(90875),
    7: Decimal(92940),
    8: Decimal(95006),
    9: Decimal(97071),
    10: Decimal(99136),
    12: Decimal(103266),
}


@pytest.fixture(scope="module")
def tables() -> ColdWeatherTables:
    return load_cold_weather_tables()


@pytest.fixture(scope="module")
def calendar() -> UtilityCalendar:
    return load_calendar()


def _application(**changes: Any) -> ColdWeatherApplication:
    base: dict[str, Any] = {
        "day": JAN_2026,
        "household_size": 3,
        "primary_heat_affected": True,
        "payment_agreement": True,
        "annual_income": Decimal(40000),
    }
    base.update(changes)
    return ColdWeatherApplication(**base)


class TestPeriod:
    @pytest.mark.parametrize(
        ("day", "in_period"),
        [
            # Current period, October 1 - April 30 (216B.097 as amended in 2021).
            (D(2025, 9, 30), False),
            (D(2025, 10, 1), True),
            (D(2026, 1, 1), True),
            (D(2026, 4, 30), True),
            (D(2026, 5, 1), False),
            (D(2026, 9, 30), False),
            (D(2026, 10, 1), True),
            # 2018-era dates use the superseded October 15 - April 15 entry.
            (D(2018, 10, 1), False),
            (D(2018, 10, 14), False),
            (D(2018, 10, 15), True),
            (D(2019, 4, 15), True),
            (D(2019, 4, 16), False),
            (D(2019, 4, 30), False),
            # The change: spring 2021 still ended April 15; fall 2021 began October 1.
            (D(2021, 4, 15), True),
            (D(2021, 4, 16), False),
            (D(2021, 9, 30), False),
            (D(2021, 10, 1), True),
            (D(2022, 4, 30), True),
        ],
    )
    def test_in_cold_weather_period(
        self, tables: ColdWeatherTables, day: dt.date, in_period: bool
    ) -> None:
        assert cold_weather_period_on(tables, day).in_period is in_period

    def test_season_dates_in_the_reason(self, tables: ColdWeatherTables) -> None:
        status = cold_weather_period_on(tables, JAN_2026)
        assert (status.season.start, status.season.end) == (D(2025, 10, 1), D(2026, 4, 30))
        assert "Thursday, April 30, 2026" in status.reasons[0]

    def test_outside_the_period_names_the_next_one(self, tables: ColdWeatherTables) -> None:
        status = cold_weather_period_on(tables, D(2026, 5, 1))
        assert (status.season.start, status.season.end) == (D(2026, 10, 1), D(2027, 4, 30))

    def test_next_season_after_the_change_uses_the_new_dates(
        self, tables: ColdWeatherTables
    ) -> None:
        status = cold_weather_period_on(tables, D(2021, 5, 1))
        assert status.season.start == D(2021, 10, 1)
        assert status.season.rule.id == "statute_2021"

    def test_a_2018_date_says_the_period_has_since_changed(self, tables: ColdWeatherTables) -> None:
        status = cold_weather_period_on(tables, D(2018, 11, 5))
        assert status.season.rule.status == "superseded"
        assert (status.season.start, status.season.end) == (D(2018, 10, 15), D(2019, 4, 15))
        assert any("since changed to October 1 - April 30" in r for r in status.reasons)

    def test_a_date_before_any_entry_is_an_error(self, tables: ColdWeatherTables) -> None:
        with pytest.raises(TableError):
            cold_weather_period_on(tables, D(2017, 6, 1))


class TestIncomeTable:
    @pytest.mark.parametrize(("size", "limit"), sorted(LIMITS.items()))
    def test_limit_by_household_size(
        self, tables: ColdWeatherTables, size: int, limit: Decimal
    ) -> None:
        table = choose_table(tables.cold_weather_income, D(2025, 1, 15)).table
        assert table.limit_for(size) == limit

    def test_a_household_of_zero_is_refused(self, tables: ColdWeatherTables) -> None:
        with pytest.raises(ValueError):
            tables.cold_weather_income[0].limit_for(0)

    @pytest.mark.parametrize(
        ("day", "in_effect"),
        [
            (D(2024, 9, 30), False),
            (D(2024, 10, 1), True),
            (D(2025, 5, 31), True),
            (D(2025, 6, 1), False),
            (D(2026, 1, 13), False),
        ],
    )
    def test_table_selected_by_program_year(
        self, tables: ColdWeatherTables, day: dt.date, in_effect: bool
    ) -> None:
        choice = choose_table(tables.cold_weather_income, day)
        assert choice.in_effect is in_effect
        assert (choice.caveat(day) is None) is in_effect

    def test_the_above_8_rule_is_marked_in_the_source_note(self, tables: ColdWeatherTables) -> None:
        note = tables.cold_weather_income[0].note
        assert "ABOVE 8" in note and "2,065" in note

    def test_money_written_as_a_float_is_refused(self) -> None:
        raw = yaml.safe_load((DEFAULT_DATA_DIR / "cold_weather.yml").read_text(encoding="utf-8"))
        raw["income_tables"]["cold_weather"][0]["annual_limits"][1] = 35799.5
        with pytest.raises(TableError):
            parse_cold_weather_tables(raw)

    def test_gaps_in_household_sizes_are_refused(self) -> None:
        raw = yaml.safe_load((DEFAULT_DATA_DIR / "cold_weather.yml").read_text(encoding="utf-8"))
        del raw["income_tables"]["cold_weather"][0]["annual_limits"][5]
        with pytest.raises(TableError):
            parse_cold_weather_tables(raw)

    def test_tables_load_from_an_explicit_path(self, tmp_path: Path) -> None:
        raw = yaml.safe_load((DEFAULT_DATA_DIR / "cold_weather.yml").read_text(encoding="utf-8"))
        raw["income_tables"]["cold_weather"][0]["annual_limits"][1] = 40000
        file = tmp_path / "cold_weather.yml"
        file.write_text(yaml.safe_dump(raw), encoding="utf-8")
        assert load_cold_weather_tables(file).cold_weather_income[0].limit_for(1) == 40000


class TestProtection:
    @pytest.mark.parametrize(
        ("changes", "decision", "phrase"),
        [
            ({}, "protected", "will not disconnect your heat"),
            ({"primary_heat_affected": False}, "not_protected", "primary heat source"),
            ({"payment_agreement": False}, "not_protected", "needs a payment agreement"),
            ({"annual_income": Decimal(57829)}, "protected", "at or below the limit of $57,829"),
            ({"annual_income": Decimal("57829.01")}, "not_protected", "above the limit"),
            ({"annual_income": None}, "not_protected", "We need your household income"),
            (
                {"annual_income": None, "public_assistance": True},
                "protected",
                "public assistance",
            ),
            (
                {"annual_income": Decimal(90000), "public_assistance": True},
                "protected",
                "public assistance",
            ),
            ({"residential": False}, "not_protected", "residential customers only"),
            ({"day": D(2025, 9, 30)}, "not_protected", "outside the cold weather period"),
            ({"day": D(2025, 10, 1)}, "protected", "through Thursday, April 30, 2026"),
            ({"day": D(2026, 4, 30)}, "protected", "through Thursday, April 30, 2026"),
            ({"day": D(2026, 5, 1)}, "not_protected", "outside the cold weather period"),
            ({"day": D(2018, 10, 14)}, "not_protected", "outside the cold weather period"),
            ({"day": D(2018, 10, 15)}, "protected", "through Monday, April 15, 2019"),
        ],
    )
    def test_decision(
        self, tables: ColdWeatherTables, changes: dict[str, Any], decision: str, phrase: str
    ) -> None:
        result = decide_protection(_application(**changes), tables)
        assert result.decision == decision
        assert any(phrase in reason for reason in result.reasons), result.reasons

    @pytest.mark.parametrize(("size", "limit"), sorted(LIMITS.items()))
    def test_income_at_the_limit_qualifies_and_a_cent_over_does_not(
        self, tables: ColdWeatherTables, size: int, limit: Decimal
    ) -> None:
        at = decide_protection(
            _application(household_size=size, annual_income=limit, day=D(2025, 1, 15)), tables
        )
        over = decide_protection(
            _application(
                household_size=size, annual_income=limit + Decimal("0.01"), day=D(2025, 1, 15)
            ),
            tables,
        )
        assert (at.decision, over.decision) == ("protected", "not_protected")
        assert at.income_limit == limit
        assert (at.income_condition, over.income_condition) == (
            "at_or_below_limit",
            "above_limit",
        )

    def test_reasons_are_plain_sentences(self, tables: ColdWeatherTables) -> None:
        result = decide_protection(_application(), tables)
        assert result.reasons
        for reason in result.reasons:
            assert reason[0].isupper() and reason.endswith("."), reason

    def test_referrals_include_the_local_energy_assistance_provider(
        self, tables: ColdWeatherTables
    ) -> None:
        result = decide_protection(_application(payment_agreement=False), tables)
        names = {r.name: r.phone for r in result.referrals}
        assert names["Three Rivers Community Action"] == "800-277-8418"
        assert "Neighbors Chipping In" in names
        assert any("800-277-8418" in reason for reason in result.reasons)

    def test_an_out_of_date_table_is_flagged_in_the_reasons(
        self, tables: ColdWeatherTables
    ) -> None:
        stale = decide_protection(_application(day=D(2026, 1, 13)), tables)
        fresh = decide_protection(_application(day=D(2025, 1, 15)), tables)
        assert any("RPU staff will confirm" in r for r in stale.reasons)
        assert not any("RPU staff will confirm" in r for r in fresh.reasons)

    @settings(max_examples=60, deadline=None)
    @given(
        size=st.integers(min_value=1, max_value=20),
        income=st.decimals(min_value=0, max_value=200000, places=2),
    )
    def test_protected_exactly_when_income_is_at_or_below_the_limit(
        self, size: int, income: Decimal
    ) -> None:
        tables = load_cold_weather_tables()
        result = decide_protection(_application(household_size=size, annual_income=income), tables)
        assert result.protected is (income <= result.income_limit)


class TestReasonablyTimelyPayment:
    @pytest.mark.parametrize(
        ("due", "paid", "timely", "last"),
        [
            # Due Friday Nov 20, 2026: Thanksgiving and the day after are not working days.
            (D(2026, 11, 20), D(2026, 12, 1), True, D(2026, 12, 1)),
            (D(2026, 11, 20), D(2026, 12, 2), False, D(2026, 12, 1)),
            (D(2026, 1, 13), D(2026, 1, 13), True, D(2026, 1, 21)),  # MLK Day skipped
            (D(2026, 1, 13), D(2026, 1, 22), False, D(2026, 1, 21)),
        ],
    )
    def test_five_working_days_after_the_due_date(
        self,
        calendar: UtilityCalendar,
        due: dt.date,
        paid: dt.date,
        timely: bool,
        last: dt.date,
    ) -> None:
        result = payment_timeliness(calendar, due, paid)
        assert (result.timely, result.last_timely_day) == (timely, last)
        assert result.reasons


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["rules", "cold-weather", *argv])
    return code, out.getvalue()


class TestCommandLine:
    def test_json_for_a_qualifying_household(self) -> None:
        code, out = _run(
            "--date=2026-01-13",
            "--household-size=4",
            "--annual-income=68845",
            "--heat-affected",
            "--payment-agreement",
            "--json",
        )
        payload = json.loads(out)
        assert code == 0
        assert payload["decision"] == "protected"
        assert payload["in_cold_weather_period"] is True
        assert payload["income_limit"] == "68845.00"
        assert payload["reasons"] and all(isinstance(r, str) for r in payload["reasons"])
        assert any(r["phone"] == "800-277-8418" for r in payload["referrals"])

    def test_json_outside_the_period(self) -> None:
        code, out = _run(
            "--date=2026-05-01",
            "--household-size=1",
            "--public-assistance",
            "--heat-affected",
            "--no-payment-agreement",
            "--json",
        )
        payload = json.loads(out)
        assert (code, payload["decision"], payload["in_cold_weather_period"]) == (
            0,
            "not_protected",
            False,
        )

    def test_superseded_period_for_a_2018_date(self) -> None:
        code, out = _run(
            "--date=2018-10-10",
            "--household-size=2",
            "--annual-income=30000",
            "--heat-affected",
            "--payment-agreement",
            "--json",
        )
        payload = json.loads(out)
        assert payload["decision"] == "not_protected"
        assert payload["cold_weather_period"] == {
            "start": "2018-10-15",
            "end": "2019-04-15",
            "rule": "board_policy_2018",
            "status": "superseded",
        }

    def test_text_output_without_json(self) -> None:
        code, out = _run(
            "--date=2026-01-13",
            "--household-size=9",
            "--annual-income=97071",
            "--heat-affected",
            "--payment-agreement",
            "--commercial",
        )
        assert code == 0
        assert out.startswith("decision: not_protected")
        assert "income limit: $97071.00" in out

    def test_an_explicit_data_dir_is_used(self, tmp_path: Path) -> None:
        raw = yaml.safe_load((DEFAULT_DATA_DIR / "cold_weather.yml").read_text(encoding="utf-8"))
        raw["income_tables"]["cold_weather"][0]["annual_limits"][3] = 60000
        (tmp_path / "cold_weather.yml").write_text(yaml.safe_dump(raw), encoding="utf-8")
        code, out = _run(
            f"--data-dir={tmp_path}",
            "--date=2025-01-15",
            "--household-size=3",
            "--annual-income=59000",
            "--heat-affected",
            "--payment-agreement",
            "--json",
        )
        payload = json.loads(out)
        assert (code, payload["decision"], payload["income_limit"]) == (
            0,
            "protected",
            "60000.00",
        )

    def test_a_missing_data_file_exits_1(
        self, tmp_path: Path, capsys: pytest.CaptureFixture
    ) -> None:
        code, _ = _run(
            f"--data-dir={tmp_path}",
            "--date=2025-01-15",
            "--household-size=3",
            "--heat-affected",
            "--payment-agreement",
        )
        assert code == 1
        assert "cannot read the rule data" in capsys.readouterr().err

    def test_help_exits_0(self) -> None:
        code, out = _run("--help")
        assert code == 0
        assert "--heat-affected" in out

    @pytest.mark.parametrize(
        "argv",
        [
            ["--date=2026-01-13", "--household-size=3", "--payment-agreement"],  # heat missing
            [
                "--date=2026-01-13",
                "--household-size=3",
                "--heat-affected",
                "--no-heat-affected",
                "--payment-agreement",
            ],
            ["--date=2026-13-01", "--household-size=3", "--heat-affected", "--payment-agreement"],
            ["--date=2026-01-13", "--household-size=0", "--heat-affected", "--payment-agreement"],
            [
                "--date=2026-01-13",
                "--household-size=3",
                "--annual-income=lots",
                "--heat-affected",
                "--payment-agreement",
            ],
            ["--date=2017-06-01", "--household-size=3", "--heat-affected", "--payment-agreement"],
        ],
    )
    def test_bad_arguments_exit_2(self, argv: list[str], capsys: pytest.CaptureFixture) -> None:
        code, _ = _run(*argv)
        assert code == 2
        assert "error" in capsys.readouterr().err
