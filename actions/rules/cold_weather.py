"""The Cold Weather Rule (Minn. Stat. 216B.097): the period and who it protects.

A residential customer is protected from disconnection during the cold weather period when
the disconnection would affect the primary heat source and all of these hold: household
income at or below 50% of state median income (or public assistance with a threshold at or
below it), a payment agreement kept with reasonably timely payments, and referrals given.
The dates and income limits come from ``data/utility/cold_weather.yml``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from actions.rules.calendar import UtilityCalendar, add_working_days, format_day
from actions.rules.eligibility_tables import (
    ColdWeatherPeriodRule,
    ColdWeatherTables,
    Referral,
    TableChoice,
    choose_table,
    describe_referrals,
    format_money,
    period_rule_on,
)

# Working days after a due date within which a payment still counts as "reasonably timely".
REASONABLY_TIMELY_WORKING_DAYS = 5


@dataclass(frozen=True)
class ColdWeatherSeason:
    start: dt.date
    end: dt.date
    rule: ColdWeatherPeriodRule


@dataclass(frozen=True)
class PeriodStatus:
    day: dt.date
    in_period: bool
    season: ColdWeatherSeason  # the season containing ``day``, else the next one to start
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ColdWeatherApplication:
    day: dt.date
    household_size: int
    primary_heat_affected: bool
    payment_agreement: bool
    annual_income: Decimal | None = None
    public_assistance: bool = False
    residential: bool = True


@dataclass(frozen=True)
class ColdWeatherDecision:
    protected: bool
    reasons: tuple[str, ...]
    period: PeriodStatus
    income_limit: Decimal
    income_table: TableChoice
    # The bracket, for account notes that must not carry the raw income figure:
    # "public_assistance", "at_or_below_limit", "above_limit" or "not_given".
    income_condition: str
    referrals: tuple[Referral, ...]

    @property
    def decision(self) -> str:
        return "protected" if self.protected else "not_protected"

    @property
    def in_cold_weather_period(self) -> bool:
        return self.period.in_period


@dataclass(frozen=True)
class PaymentTimeliness:
    timely: bool
    last_timely_day: dt.date
    reasons: tuple[str, ...]


# ---------------------------------------------------------------------------------------
# The period


def season_starting(rule: ColdWeatherPeriodRule, year: int) -> ColdWeatherSeason:
    """The season that begins in ``year`` under ``rule`` (it ends the following spring)."""
    return ColdWeatherSeason(
        start=rule.starts.on_year(year), end=rule.ends.on_year(year + 1), rule=rule
    )


def season_containing(rule: ColdWeatherPeriodRule, day: dt.date) -> ColdWeatherSeason | None:
    for season in (season_starting(rule, day.year - 1), season_starting(rule, day.year)):
        if season.start <= day <= season.end:
            return season
    return None


def next_season(tables: ColdWeatherTables, day: dt.date) -> ColdWeatherSeason:
    """The first season starting after ``day``, under the rule in effect when it starts.

    Looking up the rule at the season's start (not at ``day``) matters across a change of
    law: in May 2021 the next season was October 1, 2021, not October 15.
    """
    for year in (day.year, day.year + 1):
        for rule in tables.periods:
            season = season_starting(rule, year)
            if season.start > day and rule.in_effect_on(season.start):
                return season
    raise ValueError(f"No cold weather period is on file after {day.isoformat()}.")


def cold_weather_period_on(tables: ColdWeatherTables, day: dt.date) -> PeriodStatus:
    """Whether ``day`` falls in the cold weather period, with the season's dates."""
    rule = period_rule_on(tables, day)
    season = season_containing(rule, day)
    superseded = _superseded_note(rule)
    if season is not None:
        reasons = [
            f"{format_day(day)} is in the cold weather period, which runs from "
            f"{format_day(season.start)} through {format_day(season.end)}."
        ]
        return PeriodStatus(day, True, season, tuple(reasons + superseded))
    upcoming = next_season(tables, day)
    reasons = [
        f"{format_day(day)} is outside the cold weather period; the next one runs from "
        f"{format_day(upcoming.start)} through {format_day(upcoming.end)}."
    ]
    return PeriodStatus(day, False, upcoming, tuple(reasons + superseded))


def _superseded_note(rule: ColdWeatherPeriodRule) -> list[str]:
    if rule.status != "superseded":
        return []
    return [
        f"On that date the period was {rule.starts.on_year(2000):%B} {rule.starts.day} - "
        f"{rule.ends.on_year(2000):%B} {rule.ends.day} ({rule.authority}); it has since "
        "changed to October 1 - April 30."
    ]


# ---------------------------------------------------------------------------------------
# Protection


def decide_protection(
    application: ColdWeatherApplication, tables: ColdWeatherTables
) -> ColdWeatherDecision:
    """Decide Cold Weather Rule protection; every condition adds its own reason."""
    period = cold_weather_period_on(tables, application.day)
    choice = choose_table(tables.cold_weather_income, application.day)
    limit = choice.table.limit_for(application.household_size)
    income_ok, condition, income_reasons = _income_condition(application, choice, limit)

    checks = [
        _residential_check(application),
        (period.in_period, list(period.reasons)),
        _heat_check(application),
        (income_ok, income_reasons),
        _agreement_check(application),
    ]
    protected = all(ok for ok, _ in checks)
    reasons = [reason for _, sentences in checks for reason in sentences]
    reasons.append(_referral_sentence(tables.referrals))
    reasons.append(_outcome_sentence(protected, period))
    return ColdWeatherDecision(
        protected=protected,
        reasons=tuple(reasons),
        period=period,
        income_limit=limit,
        income_table=choice,
        income_condition=condition,
        referrals=tables.referrals,
    )


def _residential_check(application: ColdWeatherApplication) -> tuple[bool, list[str]]:
    if application.residential:
        return True, []
    return False, ["The Cold Weather Rule protects residential customers only."]


def _heat_check(application: ColdWeatherApplication) -> tuple[bool, list[str]]:
    if application.primary_heat_affected:
        return True, ["Disconnection would affect your home's primary heat source."]
    return False, [
        "Disconnection would not affect your home's primary heat source, and the Cold Weather "
        "Rule only protects service that does."
    ]


def _income_condition(
    application: ColdWeatherApplication, choice: TableChoice, limit: Decimal
) -> tuple[bool, str, list[str]]:
    """(met, bracket, reasons) for the income condition."""
    if application.public_assistance:
        return True, "public_assistance", [_PUBLIC_ASSISTANCE]
    size = application.household_size
    people = "person" if size == 1 else "people"
    limit_text = (
        f"{format_money(limit)} a year for a household of {size} {people} "
        f"(50% of state median income, {choice.table.program_year})"
    )
    caveat = choice.caveat(application.day)
    tail = [caveat] if caveat else []
    income = application.annual_income
    if income is None:
        sentence = (
            "We need your household income, or to know you receive public assistance, to "
            f"check the income condition; the limit is {limit_text}."
        )
        return False, "not_given", [sentence, *tail]
    if income <= limit:
        sentence = f"Your household income is at or below the limit of {limit_text}."
        return True, "at_or_below_limit", [sentence, *tail]
    sentence = f"Your household income is above the limit of {limit_text}."
    return False, "above_limit", [sentence, *tail]


_PUBLIC_ASSISTANCE = (
    "You receive public assistance (such as energy assistance) whose income limit is at or "
    "below 50% of state median income, so you meet the income condition."
)


def _agreement_check(application: ColdWeatherApplication) -> tuple[bool, list[str]]:
    if application.payment_agreement:
        return True, [
            "You have a payment agreement that considers your household's finances; to keep "
            "the protection, make each payment within five working days of its due date."
        ]
    return False, [
        "The protection needs a payment agreement that considers your household's finances; "
        "RPU Customer Care (507-280-1500) can set one up with you."
    ]


def _referral_sentence(referrals: tuple[Referral, ...]) -> str:
    return f"For help with energy bills, contact {describe_referrals(referrals)}."


def _outcome_sentence(protected: bool, period: PeriodStatus) -> str:
    if protected:
        return (
            "RPU will not disconnect your heat, and will reconnect it, through "
            f"{format_day(period.season.end)} while you keep up your payment agreement."
        )
    return "You do not meet every condition, so the Cold Weather Rule does not protect you now."


# ---------------------------------------------------------------------------------------
# Reasonably timely payments


def payment_timeliness(
    calendar: UtilityCalendar, due_date: dt.date, paid_date: dt.date
) -> PaymentTimeliness:
    """Whether a payment counts as "reasonably timely": within five working days of its due
    date (216B.097, subd. 1(2)). The due date itself is not counted."""
    last = add_working_days(calendar, due_date, REASONABLY_TIMELY_WORKING_DAYS)
    if paid_date <= last:
        reason = (
            f"A payment due {format_day(due_date)} counts as on time through "
            f"{format_day(last)}, five working days later; paid {format_day(paid_date)}."
        )
        return PaymentTimeliness(True, last, (reason,))
    reason = (
        f"A payment due {format_day(due_date)} had to be made by {format_day(last)}, five "
        f"working days later; it was paid {format_day(paid_date)}."
    )
    return PaymentTimeliness(False, last, (reason,))
