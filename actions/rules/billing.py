"""Bill rules: explain an RPU bill line by line and a bill change by its causes, to the cent.

Pure functions over plain dataclasses: money is ``Decimal`` rounded half-up to the cent,
dates are ``datetime.date``, and every result carries plain sentences saying why, so the bot
and the account note can repeat them. Nothing here imports Rasa or the database; the rate
schedule comes in as :class:`~actions.rules.rates.RateSchedules`.

A bill arrives in the shape of one ``bills`` item of the customer-information-system export
(format ``careline-cis-export/1``) and is parsed by :func:`bill_from_record`.

This module is the public entry point: :func:`explain_bill` puts together what the modules
below it work out, and every bill name is importable from here. The modules, lowest first:

- ``money``: rounding and formatting money, quantities and dates;
- ``bill_model``: the bill dataclasses and :func:`bill_from_record`;
- ``bill_charges``: proration, water tiers, wastewater units, taxes, late fee, Budget Billing;
- ``bill_checks``: each line re-derived from the rate schedule, totals re-added;
- ``bill_comparison``: why a bill changed (:func:`compare_bills`);
- ``bill_explanation``: the :class:`BillExplanation` result types;
- ``bill_topics``: what a bill line means (:func:`explain_topic`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from actions.rules.bill_charges import (
    BudgetBillingResult,
    EnergySegment,
    Proration,
    budget_billing,
    late_fee,
    prorate_energy,
    service_proration,
    split_by_days,
    tax_amounts,
    taxable_base,
    wastewater_billed_units,
    water_usage_charge,
    winter_average_units,
)
from actions.rules.bill_checks import LineCheck, TotalCheck, check_bill, check_totals
from actions.rules.bill_comparison import (
    FIXED_CODES,
    USAGE_POOLS,
    USAGE_UNITS,
    Comparison,
    Driver,
    UsageComparison,
    compare_bills,
)
from actions.rules.bill_explanation import BillExplanation, LineExplanation, ServiceExplanation
from actions.rules.bill_model import (
    ENERGY_CODES,
    SERVICE_LABELS,
    Bill,
    BillLine,
    BudgetSummary,
    MeterRead,
    ServiceCharges,
    bill_from_record,
    line_descriptions,
    water_units_for,
)
from actions.rules.bill_topics import (
    TOPICS_FILE,
    LineTopic,
    TopicAnswer,
    default_line_topics,
    explain_topic,
    load_line_topics,
    resolve_topic,
    topic_for_line,
)
from actions.rules.money import (
    CENT,
    HUNDREDTH,
    ZERO,
    credit_str,
    dollars,
    dollars_cr,
    long_date,
    money_str,
    number_str,
    percent_str,
    round_hundredth,
    short_date,
    signed_dollars,
    to_cents,
)
from actions.rules.rates import RateLookupError, RateSchedules, TaxRule

TAX_LABELS = {"city_tax": "City tax", "county_tax": "County tax", "state_tax": "State tax"}

# --- the explanation ----------------------------------------------------------------------------


def _combined_proration(items: Sequence[tuple[str | None, Proration]]) -> Proration | None:
    """One proration for the whole bill: with two premises the days are the same, so the
    segments add up day-run by day-run (premises are assumed to share a rate class; the
    per-premise prorations stay in ``prorations``)."""
    if not items:
        return None
    if len(items) == 1:
        return items[0][1]
    first = items[0][1]
    segments = []
    for index, segment in enumerate(first.segments):
        kwh = sum((p.segments[index].kwh for _, p in items if len(p.segments) > index), Decimal(0))
        segments.append(
            EnergySegment(segment.start, segment.end, segment.summer, segment.rate, kwh)
        )
    total = sum((p.total_kwh for _, p in items), Decimal(0))
    return Proration(first.period_start, first.period_end, total, tuple(segments))


def _line_sentence(
    service: ServiceCharges,
    line: BillLine,
    bill: Bill,
    proration: Proration | None,
    base: Decimal | None,
    customer_class: str = "residential",
) -> str:
    amount = dollars(line.amount)
    q = None if line.quantity is None else number_str(line.quantity)
    rate = None if line.rate is None else number_str(line.rate)
    code = line.code
    if code in ENERGY_CODES:
        return _energy_sentence(line, proration)
    if code == "electric_customer_charge":
        return (
            f"A flat monthly charge that stays the same however much electricity you use: {amount}."
        )
    if code == "clean_air_rider":
        kwh = q or (number_str(service.usage) if service.usage is not None else None)
        per = f" x ${rate} per kWh" if rate else ""
        return (
            f"Pays the bonds of the Emission Reduction Project; charged on your "
            f"{kwh} kWh{per}: {amount}."
            if kwh
            else f"Clean Air Rider: {amount}."
        )
    if code == "power_cost_adjustment":
        kind = "a credit of " + dollars(-line.amount) if line.amount < 0 else amount
        return (
            "This period's power cost adjustment on your electric use (it varies each billing "
            f"period): {kind}."
        )
    if code == "water_consumption":
        at = f" at ${rate} per unit" if rate else ""
        return (
            f"{q} units of water (1 unit = 748 gallons){at}: {amount}."
            if q
            else f"Water usage: {amount}."
        )
    if code == "water_customer_charge":
        return f"A flat monthly charge that stays the same however much water you use: {amount}."
    if code == "fire_hydrant_facilities":
        return (
            "Pays for fire hydrants and water for fire protection; based on rate class, not "
            f"taxed: {amount}."
        )
    if code == "state_water_fee":
        return (
            "Required by the Minnesota Department of Health to fund drinking water testing; "
            f"not taxed: {amount}."
        )
    if service.service == "products_services":
        return f"{line.description}, an additional offering on your account: {amount}."
    if code == "wastewater_usage":
        return _wastewater_sentence(service, line, bill, customer_class)
    if code == "wastewater_customer_charge":
        return (
            "A flat monthly charge per sanitary sewer connection, billed for Rochester Public "
            f"Works: {amount}."
        )
    if code == "stormwater_utility_fee":
        pin = f" (PIN {service.pin})" if service.pin else ""
        return (
            f"Set for your parcel{pin} by its size, land use and hard-surface area, for the "
            f"City's stormwater program: {amount}."
        )
    if code == "stormwater_customer_charge":
        return f"A monthly charge used only for the City's stormwater program: {amount}."
    if code in TAX_LABELS:
        pct = percent_str(line.rate) if line.rate is not None else ""
        on = f" of your taxable charges ({dollars(base)})" if base is not None else ""
        return f"{TAX_LABELS[code]} {pct}{on}: {amount}."
    return f"{line.description}: {amount}."


def _energy_sentence(line: BillLine, proration: Proration | None) -> str:
    amount = dollars(line.amount)
    season = (
        "summer (June-September)" if line.code == "energy_summer" else "non-summer (October-May)"
    )
    q = "" if line.quantity is None else f"{number_str(line.quantity)} kWh"
    rate = "" if line.rate is None else f" at ${number_str(line.rate)}/kWh"
    if proration is None or len(proration.segments) == 1:
        rate = "" if line.rate is None else f" of ${number_str(line.rate)}/kWh"
        return f"Your {q or 'electricity'}, all billed at the {season} rate{rate}: {amount}."
    runs = [
        s
        for s in proration.segments
        if s.code == line.code and (line.rate is None or s.rate == line.rate)
    ]
    days = sum(s.days for s in runs)
    span = ", ".join(f"{short_date(s.start)}-{short_date(s.end)}" for s in runs)
    return (
        f"{q} of your {number_str(proration.total_kwh)} kWh fell on the {days} {season} "
        f"days of this {proration.days}-day bill ({span}) and are billed{rate}: {amount}."
    )


def _wastewater_sentence(
    service: ServiceCharges, line: BillLine, bill: Bill, customer_class: str
) -> str:
    q = "" if line.quantity is None else f"{number_str(line.quantity)} units of wastewater"
    base = f"{q or 'Wastewater usage'}, billed for Rochester Public Works: {dollars(line.amount)}."
    actual = water_units_for(bill, service.premise_id)
    if actual is None:
        return base
    used = f" Your water use was {number_str(actual)} units"
    if (service.rate_class or customer_class) != "residential":
        return base + used + "; commercial customers pay for actual water use."
    if bill.period_end.month in (1, 2, 3):
        return base + used + "; January-March bills use actual water use."
    return (
        base
        + used
        + (
            "; from April to December a residential customer pays for the lesser of actual "
            "water use and the January-March average."
        )
    )


def _maybe_dollars(value: Decimal | None, missing: str) -> str:
    return missing if value is None else dollars(value)


def _service_name(service: ServiceCharges, bill: Bill) -> str:
    if bill.multi_premise and service.premise_id:
        return f"{service.label} ({service.premise_id})"
    return service.label


def _reasons(
    bill: Bill,
    services: Sequence[ServiceExplanation],
    proration: Proration | None,
    fee: Decimal,
    budget: BudgetBillingResult | None,
    checks: Sequence[LineCheck],
    totals: Sequence[TotalCheck],
    comparison: Comparison | None,
) -> tuple[str, ...]:
    reasons = [
        f"Bill {bill.bill_id} covers {long_date(bill.period_start)} to "
        f"{long_date(bill.period_end)} ({bill.days} days). Current charges are "
        f"{dollars(bill.current_charges)}; the amount due is {dollars(bill.amount_due)} by "
        f"{long_date(bill.due_date)}.",
        "By service: "
        + ", ".join(
            f"{_service_name(s.service, bill)} {dollars(s.service.total)}" for s in services
        )
        + ".",
    ]
    if proration is not None and len(proration.segments) > 1:
        reasons.append(
            f"The {number_str(proration.total_kwh)} kWh are split by days between rates: "
            + "; ".join(
                f"{number_str(s.kwh)} kWh for {s.days} {s.season} days at ${number_str(s.rate)}"
                for s in proration.segments
            )
            + "."
        )
    for service in bill.services:
        if service.current_read is not None and service.current_read.estimated:
            reasons.append(f"The {service.label.lower()} reading on this bill is estimated.")
    if bill.amount_due > 0:
        reasons.append(
            f"If {dollars(bill.amount_due)} is not paid by {long_date(bill.due_date)}, a late fee "
            f"of {dollars(fee)} may be charged (0.65% of the unpaid balance or $5.00, whichever "
            "is greater)."
        )
    if budget is not None:
        reasons.append(budget.explanation)
    bad = [c for c in checks if c.ok is False]
    names = line_descriptions(bill)
    if bad:
        reasons.append(
            "Lines that do not match the rate schedule: "
            + "; ".join(
                f"{names.get(c.code, c.code)} billed {_maybe_dollars(c.billed, 'nothing')}, "
                f"expected {_maybe_dollars(c.expected, 'unknown')}"
                for c in bad
            )
            + "."
        )
    else:
        reasons.append("Every line that can be re-derived matches the rate schedule.")
    bad_totals = [t for t in totals if not t.ok]
    if bad_totals:
        reasons.append(
            "Totals that do not add up: "
            + "; ".join(
                f"{t.name} billed {dollars(t.billed)}, adds to {dollars(t.expected)}"
                for t in bad_totals
            )
            + "."
        )
    if comparison is not None:
        reasons.append(comparison.summary)
    return tuple(reasons)


def explain_bill(
    bill: Bill,
    schedules: RateSchedules,
    *,
    account_number: str,
    customer_class: str = "residential",
    budget_enrolled: bool = False,
    previous: Bill | None = None,
    year_ago: Bill | None = None,
    topics: Mapping[str, LineTopic] | None = None,
) -> BillExplanation:
    """Everything the assistant and the staff view say about one bill."""
    topics = topics if topics is not None else default_line_topics()
    prorations: list[tuple[str | None, Proration]] = []
    for service in bill.services_of("electric"):
        try:
            proration = service_proration(bill, service, schedules, customer_class)
        except RateLookupError:
            proration = None
        if proration is not None:
            prorations.append((service.premise_id, proration))
    combined = _combined_proration(prorations)
    try:
        tax_rule: TaxRule | None = schedules.taxes_on(bill.period_end)
    except RateLookupError:
        tax_rule = None
    base = taxable_base(bill, tax_rule) if tax_rule is not None else None
    by_premise = dict(prorations)
    services = tuple(
        ServiceExplanation(
            service,
            tuple(
                LineExplanation(
                    line,
                    topic_for_line(service.service, line.code, topics),
                    _line_sentence(
                        service,
                        line,
                        bill,
                        by_premise.get(service.premise_id),
                        base,
                        customer_class,
                    ),
                )
                for line in service.lines
            ),
        )
        for service in bill.services
    )
    try:
        fee = late_fee(bill.amount_due, schedules.late_fee_on(bill.due_date))
    except RateLookupError:
        fee = ZERO
    budget = _budget_result(bill)
    checks = tuple(check_bill(bill, schedules, customer_class))
    totals = tuple(check_totals(bill))
    comparison = compare_bills(bill, previous, schedules) if previous is not None else None
    year_ago_cmp = compare_bills(bill, year_ago, schedules) if year_ago is not None else None
    return BillExplanation(
        account_number=account_number,
        customer_class=customer_class,
        bill=bill,
        services=services,
        proration=combined,
        prorations=tuple(prorations),
        late_fee_if_unpaid=fee,
        budget=budget,
        budget_enrolled=budget_enrolled,
        comparison=comparison,
        year_ago_comparison=year_ago_cmp,
        checks=checks,
        total_checks=totals,
        reasons=_reasons(bill, services, combined, fee, budget, checks, totals, comparison),
        taxable_base=base,
    )


def _budget_result(bill: Bill) -> BudgetBillingResult | None:
    summary = bill.budget_billing
    if summary is None:
        return None
    result = budget_billing(
        summary.plan_amount, summary.actual_charges, summary.previous_carry_over
    )
    if summary.actual_charges != bill.current_charges:
        # The newsletter's sample prints a budget summary whose actual charges ($378.22) are
        # not the bill's current charges ($221.48); show the figures as billed and say so.
        note = (
            f"The Budget Billing summary's actual charges ({dollars(summary.actual_charges)}) "
            f"differ from this bill's current charges ({dollars(bill.current_charges)}); the "
            "summary is shown as printed."
        )
        result = BudgetBillingResult(
            result.plan_amount,
            result.actual_charges,
            result.difference,
            result.previous_carry_over,
            result.new_carry_over,
            (note,),
        )
    return result


__all__ = [
    "Bill",
    "BillExplanation",
    "BillLine",
    "BudgetBillingResult",
    "BudgetSummary",
    "Comparison",
    "Driver",
    "EnergySegment",
    "LineCheck",
    "LineTopic",
    "MeterRead",
    "Proration",
    "ServiceCharges",
    "TopicAnswer",
    "TotalCheck",
    "bill_from_record",
    "budget_billing",
    "check_bill",
    "check_totals",
    "compare_bills",
    "explain_bill",
    "explain_topic",
    "late_fee",
    "load_line_topics",
    "prorate_energy",
    "resolve_topic",
    "split_by_days",
    "tax_amounts",
    "taxable_base",
    "topic_for_line",
    "wastewater_billed_units",
    "water_usage_charge",
    "winter_average_units",
    # Every other name this module defined before it was split, still importable from here.
    "CENT",
    "ENERGY_CODES",
    "FIXED_CODES",
    "HUNDREDTH",
    "SERVICE_LABELS",
    "TAX_LABELS",
    "TOPICS_FILE",
    "USAGE_POOLS",
    "USAGE_UNITS",
    "ZERO",
    "LineExplanation",
    "ServiceExplanation",
    "UsageComparison",
    "credit_str",
    "dollars",
    "dollars_cr",
    "long_date",
    "money_str",
    "number_str",
    "round_hundredth",
    "short_date",
    "signed_dollars",
    "to_cents",
]
