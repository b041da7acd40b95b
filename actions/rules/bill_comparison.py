"""High-bill analysis: why did the bill change? Each driver to the cent.

:func:`compare_bills` attributes the change in current charges to usage, number of days,
season or rate change, fixed charges, products & services, taxes, an estimated reading and
"other"; the drivers always add up to the change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from actions.rules.bill_model import ENERGY_CODES, Bill, MeterRead, line_descriptions
from actions.rules.money import (
    ZERO,
    dollars,
    long_date,
    money_str,
    number_str,
    round_hundredth,
    signed_dollars,
    to_cents,
)
from actions.rules.rates import RateLookupError, RateSchedules

# Lines whose amount moves with metered use; compare_bills splits their change into usage,
# days and price. The electric pool includes the clean air rider and the power cost
# adjustment because both are charged per kWh.
USAGE_POOLS: dict[str, tuple[str, ...]] = {
    "electric": (*ENERGY_CODES, "clean_air_rider", "power_cost_adjustment"),
    "water": ("water_consumption",),
    "wastewater": ("wastewater_usage",),
}
FIXED_CODES = frozenset(
    {
        "electric_customer_charge",
        "water_customer_charge",
        "fire_hydrant_facilities",
        "state_water_fee",
        "wastewater_customer_charge",
        "stormwater_utility_fee",
        "stormwater_customer_charge",
    }
)


@dataclass(frozen=True)
class Driver:
    driver: str
    label: str
    amount: Decimal
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "driver": self.driver,
            "label": self.label,
            "amount": money_str(self.amount),
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class UsageComparison:
    service: str
    unit: str
    current_usage: Decimal
    previous_usage: Decimal
    current_days: int
    previous_days: int

    @property
    def current_per_day(self) -> Decimal:
        return round_hundredth(self.current_usage / self.current_days)

    @property
    def previous_per_day(self) -> Decimal:
        return round_hundredth(self.previous_usage / self.previous_days)

    def to_dict(self) -> dict[str, Any]:
        return {
            "service": self.service,
            "unit": self.unit,
            "current_usage": number_str(self.current_usage),
            "previous_usage": number_str(self.previous_usage),
            "current_days": self.current_days,
            "previous_days": self.previous_days,
            "current_per_day": number_str(self.current_per_day),
            "previous_per_day": number_str(self.previous_per_day),
        }


@dataclass(frozen=True)
class Comparison:
    current_bill_id: str
    previous_bill_id: str
    current_charges: Decimal
    previous_charges: Decimal
    change: Decimal
    drivers: tuple[Driver, ...]
    usage: tuple[UsageComparison, ...]
    summary: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "current_bill_id": self.current_bill_id,
            "previous_bill_id": self.previous_bill_id,
            "current_charges": money_str(self.current_charges),
            "previous_charges": money_str(self.previous_charges),
            "change": money_str(self.change),
            "drivers": [d.to_dict() for d in self.drivers],
            "usage_per_day": [u.to_dict() for u in self.usage],
            "summary": self.summary,
        }


USAGE_UNITS = {"electric": "kWh", "water": "units", "wastewater": "units"}


def _pool_amount(bill: Bill, kind: str) -> Decimal:
    codes = set(USAGE_POOLS[kind])
    return sum((line.amount for _, line in bill.all_lines() if line.code in codes), ZERO)


def _pool_quantity(bill: Bill, kind: str) -> Decimal:
    if kind == "wastewater":  # billed units, which the winter average may cap
        return sum(
            (
                line.quantity or Decimal(0)
                for _, line in bill.all_lines()
                if line.code == "wastewater_usage"
            ),
            Decimal(0),
        )
    return sum((s.usage or Decimal(0) for s in bill.services_of(kind)), Decimal(0))


@dataclass(frozen=True)
class _PoolChange:
    kind: str
    days: Decimal
    usage: Decimal
    price: Decimal
    previous_price: Decimal | None
    current_price: Decimal | None


def _pool_change(current: Bill, previous: Bill, kind: str) -> _PoolChange:
    """Split one usage pool's change into days, usage and price effects that add up exactly.

    Valued at the previous bill's average price per unit: the days effect is the previous
    daily use over the extra days, the usage effect the rest of the change in use, and the
    price effect (season, rate change, power cost adjustment) whatever remains.
    """
    amount0, amount1 = _pool_amount(previous, kind), _pool_amount(current, kind)
    qty0, qty1 = _pool_quantity(previous, kind), _pool_quantity(current, kind)
    price1 = amount1 / qty1 if qty1 else None
    if qty0 == 0:
        # Nothing used before: all of the new charge is usage.
        return _PoolChange(kind, ZERO, to_cents(amount1 - amount0), ZERO, None, price1)
    price0 = amount0 / qty0
    days = to_cents(qty0 / previous.days * (current.days - previous.days) * price0)
    usage = to_cents((qty1 - qty0) * price0) - days
    price = (amount1 - amount0) - days - usage
    return _PoolChange(kind, days, usage, price, price0, price1)


def _usage_comparisons(current: Bill, previous: Bill) -> tuple[UsageComparison, ...]:
    out = []
    for kind in ("electric", "water"):
        if current.services_of(kind) or previous.services_of(kind):
            out.append(
                UsageComparison(
                    service=kind,
                    unit=USAGE_UNITS[kind],
                    current_usage=_pool_quantity(current, kind),
                    previous_usage=_pool_quantity(previous, kind),
                    current_days=current.days,
                    previous_days=previous.days,
                )
            )
    return tuple(out)


def _sum_codes(bill: Bill, codes: Iterable[str]) -> Decimal:
    wanted = set(codes)
    return sum((line.amount for _, line in bill.all_lines() if line.code in wanted), ZERO)


def _service_sum(bill: Bill, kind: str) -> Decimal:
    return sum((line.amount for s in bill.services_of(kind) for line in s.lines), ZERO)


def _line_amounts(
    bill: Bill, codes: Iterable[str] | None = None, service: str | None = None
) -> dict[str, Decimal]:
    wanted = set(codes) if codes is not None else None
    out: dict[str, Decimal] = {}
    for s, line in bill.all_lines():
        if (wanted is None or line.code in wanted) and (service is None or s.service == service):
            out[line.code] = out.get(line.code, ZERO) + line.amount
    return out


def _usage_text(change: _PoolChange, current: Bill, previous: Bill) -> str:
    unit = USAGE_UNITS[change.kind]
    q1, q0 = _pool_quantity(current, change.kind), _pool_quantity(previous, change.kind)
    per1 = round_hundredth(q1 / current.days)
    per0 = round_hundredth(q0 / previous.days)
    name = {"electric": "electricity", "water": "water", "wastewater": "wastewater"}[change.kind]
    return (
        f"{name}: {number_str(q1)} {unit} ({number_str(per1)} a day) against "
        f"{number_str(q0)} {unit} ({number_str(per0)} a day), {signed_dollars(change.usage)}"
    )


def _price_text(change: _PoolChange, current: Bill, previous: Bill) -> str:
    unit = USAGE_UNITS[change.kind]
    parts = []
    if change.previous_price is not None and change.current_price is not None:
        parts.append(
            f"average {change.kind} price ${change.current_price.quantize(Decimal('0.0001'))}"
            f"/{unit.rstrip('s') if unit == 'units' else unit} against "
            f"${change.previous_price.quantize(Decimal('0.0001'))}"
        )
    text = "; ".join(parts) or f"{change.kind} price change"
    return f"{text}, {signed_dollars(change.price)}"


def _season_days(bill: Bill, schedules: RateSchedules) -> int:
    day, count = bill.period_start, 0
    while day <= bill.period_end:
        count += schedules.is_summer(day)
        day += timedelta(days=1)
    return count


def compare_bills(current: Bill, previous: Bill, schedules: RateSchedules) -> Comparison:
    """Attribute the change in current charges to its drivers, to the cent.

    Drivers: usage, number of days, season/rate change, fixed charges, new products or
    services, estimated reading (named, $0.00: an estimate's error is not known until an
    actual reading), taxes and other (lines we cannot classify, and any gap between the
    billed current charges and the sum of the lines). They always add up to the change.
    """
    change = current.current_charges - previous.current_charges
    pools = [_pool_change(current, previous, kind) for kind in USAGE_POOLS]
    drivers: list[Driver] = []

    days_amount = sum((p.days for p in pools), ZERO)
    if days_amount:
        drivers.append(
            Driver(
                "days", "Number of days", days_amount, _days_text(current, previous, days_amount)
            )
        )

    usage_amount = sum((p.usage for p in pools), ZERO)
    if usage_amount or any(p.usage for p in pools):
        parts = [_usage_text(p, current, previous) for p in pools if p.usage]
        text = (
            f"You used {'more' if usage_amount > 0 else 'less'} per day than on the previous bill: "
            + "; ".join(parts)
            + ". Valued at the previous bill's average price."
        )
        drivers.append(Driver("usage", "Usage", usage_amount, text))

    price_amount = sum((p.price for p in pools), ZERO)
    if price_amount:
        drivers.append(
            Driver(
                "season_rate",
                "Season or rate change",
                price_amount,
                _season_text(current, previous, schedules, pools),
            )
        )

    fixed = _sum_codes(current, FIXED_CODES) - _sum_codes(previous, FIXED_CODES)
    if fixed:
        drivers.append(
            Driver("fixed_charges", "Fixed charges", fixed, _fixed_text(current, previous))
        )

    products = _service_sum(current, "products_services") - _service_sum(
        previous, "products_services"
    )
    if products:
        drivers.append(
            Driver(
                "products_services",
                "New products or services",
                products,
                _products_text(current, previous),
            )
        )

    taxes = _service_sum(current, "taxes") - _service_sum(previous, "taxes")
    if taxes:
        drivers.append(
            Driver(
                "taxes",
                "Taxes",
                taxes,
                f"Taxes follow the taxable charges (electricity and products & services): "
                f"{dollars(_service_sum(current, 'taxes'))} against "
                f"{dollars(_service_sum(previous, 'taxes'))}.",
            )
        )

    estimated = _estimated_driver(current, previous, pools)
    if estimated is not None:
        drivers.append(estimated)

    other = change - sum((d.amount for d in drivers), ZERO)
    if other:
        drivers.append(Driver("other", "Other", other, _other_text(current, previous, other)))

    ordered = tuple(sorted(drivers, key=lambda d: abs(d.amount), reverse=True))
    return Comparison(
        current_bill_id=current.bill_id,
        previous_bill_id=previous.bill_id,
        current_charges=current.current_charges,
        previous_charges=previous.current_charges,
        change=to_cents(change),
        drivers=ordered,
        usage=_usage_comparisons(current, previous),
        summary=_comparison_summary(current, previous, change, ordered),
    )


def _days_text(current: Bill, previous: Bill, amount: Decimal) -> str:
    more = current.days - previous.days
    return (
        f"This bill covers {current.days} days against {previous.days} on the previous one "
        f"({'+' if more > 0 else ''}{more} days of use at your previous daily rate): "
        f"{signed_dollars(amount)}."
    )


def _season_text(
    current: Bill, previous: Bill, schedules: RateSchedules, pools: Sequence[_PoolChange]
) -> str:
    try:
        s1, s0 = _season_days(current, schedules), _season_days(previous, schedules)
    except RateLookupError:
        s1 = s0 = 0
    parts = [_price_text(p, current, previous) for p in pools if p.price]
    season = (
        f"{s1} of this bill's {current.days} days are summer days (June-September, the "
        f"higher energy rate) against {s0} of {previous.days} before. "
        if s1 != s0
        else ""
    )
    return (
        f"{season}The price per unit changed: " + "; ".join(parts) + ". For electricity this "
        "includes the season's energy rate, any rate change, the clean air rider and the "
        "power cost adjustment, which varies each billing period."
    )


def _fixed_text(current: Bill, previous: Bill) -> str:
    now, before = _line_amounts(current, FIXED_CODES), _line_amounts(previous, FIXED_CODES)
    names = line_descriptions(current, previous)
    parts = [
        f"{names[code]} {dollars(now.get(code, ZERO))} against {dollars(before.get(code, ZERO))}"
        for code in sorted(set(now) | set(before))
        if now.get(code, ZERO) != before.get(code, ZERO)
    ]
    return "Flat monthly charges changed: " + "; ".join(parts) + "."


def _products_text(current: Bill, previous: Bill) -> str:
    now = _line_amounts(current, service="products_services")
    before = _line_amounts(previous, service="products_services")
    names = line_descriptions(current, previous)
    parts = []
    for code in sorted(set(now) | set(before)):
        if code not in before:
            parts.append(f"new this bill: {names[code]} ({dollars(now[code])})")
        elif code not in now:
            parts.append(f"no longer billed: {names[code]} ({dollars(before[code])})")
        elif now[code] != before[code]:
            parts.append(f"{names[code]} {dollars(now[code])} against {dollars(before[code])}")
    return "Products & services changed: " + "; ".join(parts) + "."


def _estimated(read: MeterRead | None) -> bool:
    return read is not None and read.estimated


def _estimated_driver(current: Bill, previous: Bill, pools: Sequence[_PoolChange]) -> Driver | None:
    """Name an estimated reading as a driver. Its amount is $0.00 because the estimate's
    error is unknown until an actual reading; the usage it affects is already counted."""
    notes = []
    for service in current.services:
        read = service.current_read
        if read is not None and read.estimated:
            notes.append(
                f"your {service.label.lower()} meter reading of {number_str(read.value)} on "
                f"{long_date(read.date)} is an estimate, not an actual reading"
            )
    # Usage runs from reading to reading, so a bill that starts from an estimate corrects it.
    corrected = {s.label for s in previous.services if _estimated(s.current_read)}
    corrected |= {s.label for s in current.services if _estimated(s.previous_read)}
    corrected &= {s.label for s in current.services}
    for label in sorted(label.lower() for label in corrected):
        notes.append(
            f"this bill's {label} usage is measured from the previous bill's estimated "
            "reading, so it also corrects that estimate"
        )
    if not notes:
        return None
    resting = sum((p.usage + p.days for p in pools if p.kind in ("electric", "water")), ZERO)
    text = (
        "Estimated reading: " + "; ".join(notes) + f". The usage-related change above "
        f"({signed_dollars(resting)}) rests on that estimate. If the estimate was too high or "
        "too low, the next actual reading corrects it, since usage is measured from one "
        "reading to the next. How much of the change is estimate error cannot be known until "
        "then, so this driver carries $0.00 and nothing is counted twice."
    )
    return Driver("estimated_reading", "Estimated reading", ZERO, text)


def _other_lines(bill: Bill) -> dict[str, Decimal]:
    """Lines no named driver covers (not usage, fixed, products & services or taxes)."""
    known = set(FIXED_CODES).union(*USAGE_POOLS.values())
    out: dict[str, Decimal] = {}
    for service, line in bill.all_lines():
        if line.code not in known and service.service not in ("products_services", "taxes"):
            out[line.code] = out.get(line.code, ZERO) + line.amount
    return out


def _other_text(current: Bill, previous: Bill, amount: Decimal) -> str:
    now, before = _other_lines(current), _other_lines(previous)
    names = line_descriptions(current, previous)
    parts = [
        f"{names[code]} {dollars(now.get(code, ZERO))} against {dollars(before.get(code, ZERO))}"
        for code in sorted(set(now) | set(before))
        if now.get(code, ZERO) != before.get(code, ZERO)
    ]
    # A billed total that differs from the sum of its lines shows up here, never hidden.
    gap = (current.current_charges - sum((s.total for s in current.services), ZERO)) - (
        previous.current_charges - sum((s.total for s in previous.services), ZERO)
    )
    if gap:
        parts.append(
            f"a difference between the billed totals and their lines of {signed_dollars(gap)}"
        )
    detail = "; ".join(parts) if parts else "rounding"
    return f"Everything else: {detail} ({signed_dollars(amount)})."


def _comparison_summary(
    current: Bill, previous: Bill, change: Decimal, drivers: Sequence[Driver]
) -> str:
    direction = "up" if change > 0 else "down" if change < 0 else "unchanged"
    head = (
        f"Current charges are {dollars(current.current_charges)}, "
        f"{direction} {dollars(abs(change))} from {dollars(previous.current_charges)} "
        f"on bill {previous.bill_id}."
        if change
        else f"Current charges are {dollars(current.current_charges)}, the same as bill "
        f"{previous.bill_id}."
    )
    named = [f"{d.label.lower()} {signed_dollars(d.amount)}" for d in drivers if d.amount]
    return head + (" Main causes: " + ", ".join(named[:3]) + "." if named else "")
