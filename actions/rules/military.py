"""Payment arrangements for military households (Minn. Stat. 325E.028).

When a household member has orders for active duty, deployment or a permanent change of
duty station, RPU must not disconnect while the household keeps current with either:
- 10% of gross monthly household income, if income is below the state median or the
  household receives energy assistance; or
- a reasonable payment schedule that considers the household's resources, otherwise.
Household income is measured after the date of the orders. A customer who cannot agree a
schedule with RPU may appeal within 7 working days of a personally served notice or 10
working days after a notice is mailed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from actions.rules.calendar import UtilityCalendar, add_working_days, format_day
from actions.rules.disconnection import NoticeDelivery
from actions.rules.eligibility_tables import (
    ColdWeatherTables,
    TableChoice,
    choose_table,
    format_money,
)

TEN_PERCENT = Decimal("0.10")
CENT = Decimal("0.01")
MONTHS_PER_YEAR = 12
APPEAL_WORKING_DAYS = {NoticeDelivery.PERSONAL: 7, NoticeDelivery.MAILED: 10}


class IncomeBeforeOrdersError(ValueError):
    """The income figure covers time before the orders' date, which the statute excludes."""


@dataclass(frozen=True)
class MilitaryRequest:
    day: dt.date  # when the arrangement is made; picks the income table
    household_size: int
    gross_monthly_income: Decimal
    receives_energy_assistance: bool = False
    orders_date: dt.date | None = None
    income_measured_from: dt.date | None = None  # first day of the income figure's period


@dataclass(frozen=True)
class MilitaryDecision:
    ten_percent: bool
    monthly_payment: Decimal | None
    income_limit: Decimal  # annual state median income for the household size
    monthly_income_limit: Decimal
    income_table: TableChoice
    reasons: tuple[str, ...]

    @property
    def decision(self) -> str:
        return "ten_percent" if self.ten_percent else "payment_schedule"


@dataclass(frozen=True)
class AppealDeadline:
    last_day: dt.date
    working_days: int
    reasons: tuple[str, ...]


def ten_percent_of(gross_monthly_income: Decimal) -> Decimal:
    """10% of gross monthly income, to the cent (half a cent rounds up)."""
    return (gross_monthly_income * TEN_PERCENT).quantize(CENT, rounding=ROUND_HALF_UP)


def decide_military_arrangement(
    request: MilitaryRequest, tables: ColdWeatherTables
) -> MilitaryDecision:
    """Which 325E.028 arrangement applies, with the 10% amount where it does."""
    if request.gross_monthly_income < 0:
        raise ValueError("Gross monthly income cannot be negative.")
    _check_income_period(request)
    choice = choose_table(tables.state_median_income, request.day)
    limit = choice.table.limit_for(request.household_size)
    monthly_limit = (limit / MONTHS_PER_YEAR).quantize(CENT, rounding=ROUND_HALF_UP)
    # Compare annual figures so the monthly rounding above never decides a case.
    below = request.gross_monthly_income * MONTHS_PER_YEAR < limit
    ten_percent = request.receives_energy_assistance or below
    payment = ten_percent_of(request.gross_monthly_income) if ten_percent else None

    reasons = [_orders_sentence(request)]
    reasons += _income_sentences(request, choice, limit, monthly_limit, below)
    reasons.append(_outcome_sentence(payment))
    return MilitaryDecision(
        ten_percent=ten_percent,
        monthly_payment=payment,
        income_limit=limit,
        monthly_income_limit=monthly_limit,
        income_table=choice,
        reasons=tuple(reasons),
    )


def _check_income_period(request: MilitaryRequest) -> None:
    if request.orders_date is None or request.income_measured_from is None:
        return
    if request.income_measured_from < request.orders_date:
        raise IncomeBeforeOrdersError(
            "Household income must be measured after the date of the orders "
            f"({request.orders_date.isoformat()}), not from "
            f"{request.income_measured_from.isoformat()}."
        )


def _orders_sentence(request: MilitaryRequest) -> str:
    base = (
        "This arrangement is for a household with a member ordered to active duty, deployment "
        "or a permanent change of duty station"
    )
    if request.orders_date is None:
        return base + "; household income is measured after the date of the orders."
    return base + f"; income is measured after the orders' date, {format_day(request.orders_date)}."


def _income_sentences(
    request: MilitaryRequest,
    choice: TableChoice,
    limit: Decimal,
    monthly_limit: Decimal,
    below: bool,
) -> list[str]:
    size = request.household_size
    people = "person" if size == 1 else "people"
    median = (
        f"the state median income for a household of {size} {people}, {format_money(limit)} "
        f"a year (about {format_money(monthly_limit)} a month, {choice.table.program_year})"
    )
    income = format_money(request.gross_monthly_income)
    if below:
        sentences = [f"Your gross monthly income of {income} is below {median}."]
    elif request.gross_monthly_income * MONTHS_PER_YEAR == limit:
        # 325E.028 names "below" and "above" the median; exactly at it is read as not below.
        sentences = [
            f"Your gross monthly income of {income} is exactly {median}; the law's 10% plan "
            "is for incomes below the median, so RPU staff will confirm the plan with you."
        ]
    else:
        sentences = [f"Your gross monthly income of {income} is above {median}."]
    if request.receives_energy_assistance:
        sentences.append("You receive energy assistance, which qualifies you for the 10% plan.")
    caveat = choice.caveat(request.day)
    if caveat:
        sentences.append(caveat)
    return sentences


def _outcome_sentence(payment: Decimal | None) -> str:
    if payment is not None:
        return (
            f"You can pay 10% of your gross monthly income, {format_money(payment)} a month, "
            "toward your bill; keeping current protects your service from disconnection."
        )
    return (
        "You can agree a reasonable payment schedule with RPU that considers your household's "
        "finances; keeping current protects your service from disconnection."
    )


def appeal_deadline(
    calendar: UtilityCalendar, notice_date: dt.date, delivery: NoticeDelivery
) -> AppealDeadline:
    """Last day to appeal a payment schedule RPU and the customer could not agree on.

    Seven working days after a personally served notice is received, or ten working days
    after a mailed notice is deposited in the mail; the notice day itself is not counted.
    """
    count = APPEAL_WORKING_DAYS[delivery]
    last = add_working_days(calendar, notice_date, count)
    how = "mailed" if delivery is NoticeDelivery.MAILED else "served in person"
    reason = (
        f"The notice was {how} on {format_day(notice_date)}; an appeal must be made within "
        f"{count} working days, by {format_day(last)}. RPU will not disconnect while an "
        "appeal of the payment schedule is pending."
    )
    return AppealDeadline(last_day=last, working_days=count, reasons=(reason,))
