"""How single charges are computed from the rate schedule.

Season proration of electric energy, tiered water, wastewater units (the winter average),
taxes, the late fee and Budget Billing. Pure functions over ``Decimal`` and the parsed
:class:`~actions.rules.bill_model.Bill`; the schedule comes in as
:class:`~actions.rules.rates.RateSchedules` (or one of its rules).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from actions.rules.bill_model import Bill, ServiceCharges
from actions.rules.money import (
    ZERO,
    credit_str,
    dollars,
    dollars_cr,
    money_str,
    number_str,
    round_hundredth,
    to_cents,
)
from actions.rules.rates import LateFeeRule, RateSchedules, TaxRule

# --- season proration -------------------------------------------------------------------------


def split_by_days(total: Decimal, day_counts: Sequence[int]) -> list[Decimal]:
    """Split ``total`` by each part's share of the days.

    Every part but the first is its share rounded half-up to the hundredth; the first part
    takes the remainder, so the parts always add up to ``total`` exactly. (954 kWh over 25
    and 10 days: 681.43 and 272.57.)
    """
    if not day_counts or any(d <= 0 for d in day_counts):
        raise ValueError("day_counts must be positive")
    all_days = sum(day_counts)
    rest = [round_hundredth(total * days / all_days) for days in day_counts[1:]]
    return [total - sum(rest, Decimal(0)), *rest]


@dataclass(frozen=True)
class EnergySegment:
    """A run of days billed at one energy rate."""

    start: date
    end: date
    summer: bool
    rate: Decimal
    kwh: Decimal

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def code(self) -> str:
        return "energy_summer" if self.summer else "energy_non_summer"

    @property
    def amount(self) -> Decimal:
        return to_cents(self.kwh * self.rate)

    @property
    def season(self) -> str:
        return "summer" if self.summer else "non-summer"


@dataclass(frozen=True)
class Proration:
    period_start: date
    period_end: date
    total_kwh: Decimal
    segments: tuple[EnergySegment, ...]

    @property
    def days(self) -> int:
        return (self.period_end - self.period_start).days + 1

    @property
    def summer_days(self) -> int:
        return sum(s.days for s in self.segments if s.summer)

    @property
    def non_summer_days(self) -> int:
        return self.days - self.summer_days

    @property
    def summer_kwh(self) -> Decimal:
        return sum((s.kwh for s in self.segments if s.summer), Decimal(0))

    @property
    def non_summer_kwh(self) -> Decimal:
        return sum((s.kwh for s in self.segments if not s.summer), Decimal(0))

    def expected_lines(self) -> list[tuple[str, Decimal, Decimal]]:
        """(code, rate, kWh) per energy line the bill should show, in date order; segments
        with the same code and rate are one line."""
        grouped: dict[tuple[str, Decimal], Decimal] = {}
        for segment in self.segments:
            key = (segment.code, segment.rate)
            grouped[key] = grouped.get(key, Decimal(0)) + segment.kwh
        return [(code, rate, kwh) for (code, rate), kwh in grouped.items()]

    def to_dict(self) -> dict[str, Any]:
        return {
            "total_kwh": number_str(self.total_kwh),
            "days": self.days,
            "summer_days": self.summer_days,
            "non_summer_days": self.non_summer_days,
            "summer_kwh": number_str(self.summer_kwh),
            "non_summer_kwh": number_str(self.non_summer_kwh),
            "segments": [
                {
                    "start": s.start.isoformat(),
                    "end": s.end.isoformat(),
                    "days": s.days,
                    "season": s.season,
                    "rate": number_str(s.rate),
                    "kwh": number_str(s.kwh),
                    "amount": money_str(s.amount),
                }
                for s in self.segments
            ],
        }


def prorate_energy(
    period_start: date,
    period_end: date,
    kwh: Decimal,
    schedules: RateSchedules,
    rate_class: str = "residential",
) -> Proration:
    """Split a period's kWh by days between the energy rates in effect on those days.

    The period is inclusive of both ends. It is cut where a season starts (June 1,
    October 1) and where a new electric table takes effect (a rate change, usually
    January 1); runs of days with the same season and rate are merged.
    """
    if period_end < period_start:
        raise ValueError("period_end is before period_start")
    cuts = schedules.energy_change_days(rate_class, period_start, period_end)
    starts = [period_start, *cuts]
    ends = [d - timedelta(days=1) for d in cuts] + [period_end]
    runs: list[tuple[date, date, bool, Decimal]] = []
    for start, end in zip(starts, ends, strict=True):
        summer = schedules.is_summer(start)
        rate = schedules.electric_on(rate_class, start).energy_rate(summer)
        if runs and runs[-1][2] == summer and runs[-1][3] == rate:
            runs[-1] = (runs[-1][0], end, summer, rate)
        else:
            runs.append((start, end, summer, rate))
    shares = split_by_days(kwh, [(end - start).days + 1 for start, end, _, _ in runs])
    segments = tuple(
        EnergySegment(start=start, end=end, summer=summer, rate=rate, kwh=share)
        for (start, end, summer, rate), share in zip(runs, shares, strict=True)
    )
    return Proration(period_start, period_end, kwh, segments)


def service_proration(
    bill: Bill,
    service: ServiceCharges,
    schedules: RateSchedules,
    customer_class: str = "residential",
) -> Proration | None:
    """One electric service's energy proration over the bill's period, or None when the bill
    gives no kWh usage (the service's own rate class wins over the customer's)."""
    if service.usage is None:
        return None
    return prorate_energy(
        bill.period_start,
        bill.period_end,
        service.usage,
        schedules,
        service.rate_class or customer_class,
    )


# --- small rules ---------------------------------------------------------------------------------


def late_fee(unpaid: Decimal, rule: LateFeeRule) -> Decimal:
    """0.65% of the unpaid balance rounded to the cent, or $5.00, whichever is greater;
    nothing when nothing is unpaid."""
    if unpaid <= 0:
        return ZERO
    return max(to_cents(unpaid * rule.percent), to_cents(rule.minimum))


def winter_average_units(january_to_march: Sequence[Decimal]) -> Decimal:
    """The residential wastewater base: average water units of the January-March bills."""
    if not january_to_march:
        raise ValueError("need at least one January-March water reading to average")
    return round_hundredth(sum(january_to_march, ZERO) / len(january_to_march))


def wastewater_billed_units(
    actual_units: Decimal,
    bill_month: int,
    *,
    basis: str = "winter_average",
    winter_average: Decimal | None = None,
) -> Decimal:
    """Units of wastewater billed for a month's water use.

    Commercial (basis "actual") and every January-March bill use actual water use; a
    residential April-December bill uses the lesser of actual use and the winter average.
    """
    if basis == "actual" or bill_month in (1, 2, 3):
        return actual_units
    if winter_average is None:
        raise ValueError("an April-December residential bill needs the January-March average")
    return min(actual_units, winter_average)


@dataclass(frozen=True)
class BudgetBillingResult:
    plan_amount: Decimal
    actual_charges: Decimal
    difference: Decimal
    previous_carry_over: Decimal
    new_carry_over: Decimal
    notes: tuple[str, ...] = ()

    @property
    def explanation(self) -> str:
        direction = "more" if self.difference > 0 else "less"
        if self.difference == 0:
            compared = "the same as your plan"
        else:
            compared = f"{dollars(abs(self.difference))} {direction} than your plan"
        return (
            f"Your Budget Billing plan is {dollars(self.plan_amount)} a month. Actual charges "
            f"this period were {dollars(self.actual_charges)}, {compared}. Your carry-over "
            f"balance went from {dollars_cr(self.previous_carry_over)} to "
            f"{dollars_cr(self.new_carry_over)}"
            + (" (a credit)." if self.new_carry_over < 0 else ".")
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "plan_amount": money_str(self.plan_amount),
            "actual_charges": money_str(self.actual_charges),
            "difference": money_str(self.difference),
            "difference_display": credit_str(self.difference),
            "previous_carry_over": money_str(self.previous_carry_over),
            "previous_carry_over_display": credit_str(self.previous_carry_over),
            "new_carry_over": money_str(self.new_carry_over),
            "new_carry_over_display": credit_str(self.new_carry_over),
            "new_carry_over_is_credit": self.new_carry_over < 0,
            "explanation": self.explanation,
            "notes": list(self.notes),
        }


def budget_billing(
    plan_amount: Decimal, actual_charges: Decimal, previous_carry_over: Decimal
) -> BudgetBillingResult:
    """Difference = actual - plan; new carry-over = previous carry-over + difference
    (positive: owed; negative: a credit, shown "CR")."""
    difference = to_cents(actual_charges - plan_amount)
    return BudgetBillingResult(
        plan_amount=to_cents(plan_amount),
        actual_charges=to_cents(actual_charges),
        difference=difference,
        previous_carry_over=to_cents(previous_carry_over),
        new_carry_over=to_cents(previous_carry_over + difference),
    )


def taxable_base(bill: Bill, rule: TaxRule) -> Decimal:
    """Sum of the lines the taxes apply to (see rates.yml: electricity and products &
    services; never the hydrant charge or the state water fee)."""
    return sum(
        (
            line.amount
            for service, line in bill.all_lines()
            if rule.is_taxed(service.service, line.code)
        ),
        ZERO,
    )


def tax_amounts(base: Decimal, rule: TaxRule) -> dict[str, Decimal]:
    """Each tax line: its rate times the taxable base, rounded half-up to the cent."""
    return {code: to_cents(base * rate) for code, rate in rule.rates.items()}


def water_usage_charge(units: Decimal, tiers: Sequence[Any]) -> Decimal:
    """Tiered water: each tier's units at its rate (tiers as in rates.yml, last unbounded)."""
    charge = ZERO
    floor = ZERO
    for tier in tiers:
        top = units if tier.up_to_units is None else min(units, tier.up_to_units)
        if top > floor:
            charge += (top - floor) * tier.rate
        if tier.up_to_units is None or units <= tier.up_to_units:
            break
        floor = tier.up_to_units
    return to_cents(charge)
