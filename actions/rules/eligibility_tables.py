"""Reference tables for the eligibility rules, read from ``data/utility/cold_weather.yml``.

Plain frozen dataclasses and a loader. Every table has an effective period so a rule can ask
"which table applied on this date?"; the answer says whether the table was really in effect
then or is only the nearest one we hold, so the reasons can say so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from actions.rules import DEFAULT_DATA_DIR
from actions.rules.calendar import as_date, format_day

COLD_WEATHER_FILE = "cold_weather.yml"

# Facts a payment option's ``applies_when`` may name (see PaymentSituation).
PAYMENT_SITUATION_FACTS = frozenset({"residential", "in_cold_weather_period", "military_orders"})


class TableError(ValueError):
    """The data file is malformed or holds no table for the question asked."""


@dataclass(frozen=True)
class MonthDay:
    month: int
    day: int

    def on_year(self, year: int) -> dt.date:
        return dt.date(year, self.month, self.day)


@dataclass(frozen=True)
class ColdWeatherPeriodRule:
    """One definition of the cold weather period (e.g. Oct 1 - Apr 30) and when it applied."""

    id: str
    status: str  # "current" or "superseded"
    starts: MonthDay
    ends: MonthDay
    effective_from: dt.date
    effective_to: dt.date | None
    authority: str
    source: str

    def in_effect_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


@dataclass(frozen=True)
class IncomeTable:
    """Annual household income limits by household size, for one program year."""

    id: str
    program_year: str
    percent_of_state_median: Decimal
    effective_from: dt.date
    effective_to: dt.date | None
    annual_limits: tuple[Decimal, ...]  # index 0 is a household of one
    per_additional_person: Decimal
    source: str
    note: str

    @property
    def largest_listed_size(self) -> int:
        return len(self.annual_limits)

    def in_effect_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )

    def limit_for(self, household_size: int) -> Decimal:
        """The annual limit; sizes past the table add the fixed per-person amount."""
        if household_size < 1:
            raise ValueError("A household has at least one person.")
        if household_size <= self.largest_listed_size:
            return self.annual_limits[household_size - 1]
        extra = household_size - self.largest_listed_size
        return self.annual_limits[-1] + self.per_additional_person * extra


@dataclass(frozen=True)
class TableChoice:
    """The table a rule used for a date, and whether it was in effect on that date."""

    table: IncomeTable
    in_effect: bool

    def caveat(self, day: dt.date) -> str | None:
        """A customer-readable warning when the table is not the one for ``day``."""
        if self.in_effect:
            return None
        return (
            f"The income limit comes from the {self.table.program_year} table, the nearest one "
            f"we have for {format_day(day)}; RPU staff will confirm it against "
            "the table for that date."
        )


@dataclass(frozen=True)
class Referral:
    key: str
    name: str
    kind: str  # energy_assistance, bill_help, conservation, ...
    description: str
    phone: str | None
    url: str | None
    source: str


@dataclass(frozen=True)
class PaymentOption:
    key: str
    name: str
    summary: str
    how_to: str
    applies_when: tuple[tuple[str, bool], ...]
    source: str


@dataclass(frozen=True)
class ColdWeatherTables:
    periods: tuple[ColdWeatherPeriodRule, ...]
    cold_weather_income: tuple[IncomeTable, ...]  # 50% of state median
    state_median_income: tuple[IncomeTable, ...]  # 100% of state median
    referrals: tuple[Referral, ...]
    payment_options: tuple[PaymentOption, ...]


# ---------------------------------------------------------------------------------------
# Loading


def load_cold_weather_tables(path: Path | None = None) -> ColdWeatherTables:
    """Read the tables (default ``data/utility/cold_weather.yml``)."""
    file = path if path is not None else DEFAULT_DATA_DIR / COLD_WEATHER_FILE
    with open(file, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    return parse_cold_weather_tables(raw)


def parse_cold_weather_tables(raw: dict[str, Any]) -> ColdWeatherTables:
    incomes = raw["income_tables"]
    return ColdWeatherTables(
        periods=tuple(_parse_period(p) for p in raw["cold_weather_periods"]),
        cold_weather_income=tuple(_parse_income_table(t) for t in incomes["cold_weather"]),
        state_median_income=tuple(_parse_income_table(t) for t in incomes["state_median"]),
        referrals=tuple(_parse_referral(r) for r in raw.get("referrals") or ()),
        payment_options=tuple(_parse_option(o) for o in raw.get("payment_arrangements") or ()),
    )


def _parse_period(raw: dict[str, Any]) -> ColdWeatherPeriodRule:
    return ColdWeatherPeriodRule(
        id=str(raw["id"]),
        status=str(raw["status"]),
        starts=MonthDay(int(raw["starts"]["month"]), int(raw["starts"]["day"])),
        ends=MonthDay(int(raw["ends"]["month"]), int(raw["ends"]["day"])),
        effective_from=as_date(raw["effective_from"]),
        effective_to=_optional_date(raw.get("effective_to")),
        authority=str(raw["authority"]),
        source=_text(raw.get("source")),
    )


def _parse_income_table(raw: dict[str, Any]) -> IncomeTable:
    limits = {int(size): _money(amount) for size, amount in raw["annual_limits"].items()}
    sizes = sorted(limits)
    if sizes != list(range(1, len(sizes) + 1)):
        raise TableError(f"Table {raw['id']}: household sizes must run 1..N without gaps")
    return IncomeTable(
        id=str(raw["id"]),
        program_year=str(raw["program_year"]),
        percent_of_state_median=_money(raw["percent_of_state_median"]),
        effective_from=as_date(raw["effective_from"]),
        effective_to=_optional_date(raw.get("effective_to")),
        annual_limits=tuple(limits[size] for size in sizes),
        per_additional_person=_money(raw["above_table"]["per_additional_person"]),
        source=_text(raw.get("source")),
        note=_text(raw.get("note")),
    )


def _parse_referral(raw: dict[str, Any]) -> Referral:
    return Referral(
        key=str(raw["key"]),
        name=str(raw["name"]),
        kind=str(raw["kind"]),
        description=_text(raw.get("description")),
        phone=raw.get("phone"),
        url=raw.get("url"),
        source=_text(raw.get("source")),
    )


def _parse_option(raw: dict[str, Any]) -> PaymentOption:
    conditions = raw.get("applies_when") or {}
    unknown = set(conditions) - PAYMENT_SITUATION_FACTS
    if unknown:
        raise TableError(f"Payment option {raw['key']}: unknown applies_when {sorted(unknown)}")
    return PaymentOption(
        key=str(raw["key"]),
        name=str(raw["name"]),
        summary=_text(raw.get("summary")),
        how_to=_text(raw.get("how_to")),
        applies_when=tuple(sorted((str(k), bool(v)) for k, v in conditions.items())),
        source=_text(raw.get("source")),
    )


def _money(value: Any) -> Decimal:
    # YAML gives ints (or text); a float would already have lost cents, so refuse it.
    if isinstance(value, float):
        raise TableError(f"Money must be written as a whole number or quoted text: {value!r}")
    return Decimal(str(value))


def _optional_date(value: Any) -> dt.date | None:
    return None if value is None else as_date(value)


def _text(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())


# ---------------------------------------------------------------------------------------
# Selection by date


def period_rule_on(tables: ColdWeatherTables, day: dt.date) -> ColdWeatherPeriodRule:
    """The cold weather period definition in effect on ``day``."""
    for rule in tables.periods:
        if rule.in_effect_on(day):
            return rule
    raise TableError(f"No cold weather period is on file for {day.isoformat()}.")


def choose_table(tables: tuple[IncomeTable, ...], day: dt.date) -> TableChoice:
    """The table in effect on ``day``; failing that, the nearest one (flagged as such).

    Falling back instead of refusing lets the assistant still answer between the end of one
    program year and the arrival of the next table, while the caveat tells staff to check.
    """
    if not tables:
        raise TableError("No income table is on file.")
    for table in tables:
        if table.in_effect_on(day):
            return TableChoice(table=table, in_effect=True)
    earlier = [t for t in tables if t.effective_from <= day]
    if earlier:
        return TableChoice(table=max(earlier, key=lambda t: t.effective_from), in_effect=False)
    return TableChoice(table=min(tables, key=lambda t: t.effective_from), in_effect=False)


# ---------------------------------------------------------------------------------------
# Wording shared by the rules' reasons


def format_money(amount: Decimal) -> str:
    """'$35,799' for whole dollars, '$345.68' otherwise."""
    if amount == amount.to_integral_value():
        return f"${amount:,.0f}"
    return f"${amount:,.2f}"


def describe_referrals(referrals: tuple[Referral, ...]) -> str:
    """'Three Rivers Community Action (800-277-8418), ... and ...' for reasons."""
    named = [f"{r.name} ({r.phone})" if r.phone else r.name for r in referrals]
    if len(named) <= 1:
        return "".join(named)
    return ", ".join(named[:-1]) + " and " + named[-1]
