"""Which payment arrangements and referrals to offer a customer.

The options and referrals are data (``payment_arrangements`` and ``referrals`` in
``data/utility/cold_weather.yml``); each option says which facts about the customer it needs
(``applies_when``). This module only matches those facts, so adding or retiring a program is
a data change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from actions.rules.cold_weather import cold_weather_period_on
from actions.rules.eligibility_tables import (
    ColdWeatherTables,
    PaymentOption,
    Referral,
    describe_referrals,
)

# How each fact reads in a reason, when an option needs it to be true / false.
_FACT_WORDING = {
    "residential": ("your account is residential", "your account is not residential"),
    "in_cold_weather_period": (
        "it is the cold weather period (October 1 - April 30)",
        "it is outside the cold weather period",
    ),
    "military_orders": (
        "a household member has military orders",
        "no household member has military orders",
    ),
}


@dataclass(frozen=True)
class PaymentSituation:
    residential: bool = True
    in_cold_weather_period: bool = False
    military_orders: bool = False


@dataclass(frozen=True)
class PaymentAdvice:
    options: tuple[PaymentOption, ...]
    referrals: tuple[Referral, ...]
    reasons: tuple[str, ...]


def situation_on(
    tables: ColdWeatherTables,
    day: dt.date,
    *,
    residential: bool = True,
    military_orders: bool = False,
) -> PaymentSituation:
    """The situation on ``day``, taking the cold weather period from the tables."""
    in_period = cold_weather_period_on(tables, day).in_period
    return PaymentSituation(residential, in_period, military_orders)


def option_applies(option: PaymentOption, situation: PaymentSituation) -> bool:
    return all(getattr(situation, fact) == wanted for fact, wanted in option.applies_when)


def payment_options(situation: PaymentSituation, tables: ColdWeatherTables) -> PaymentAdvice:
    """The arrangements open to this customer, every referral, and why each option shows."""
    options = tuple(o for o in tables.payment_options if option_applies(o, situation))
    reasons = [_why(option) for option in options]
    if not options:
        reasons.append("No payment arrangement on file fits; RPU Customer Care can help.")
    reasons.append(_referral_sentence(tables.referrals))
    return PaymentAdvice(options=options, referrals=tables.referrals, reasons=tuple(reasons))


def referral(tables: ColdWeatherTables, key: str) -> Referral:
    for item in tables.referrals:
        if item.key == key:
            return item
    raise KeyError(f"No referral named {key!r}")


def referrals_of_kind(tables: ColdWeatherTables, *kinds: str) -> tuple[Referral, ...]:
    return tuple(r for r in tables.referrals if r.kind in kinds)


def _why(option: PaymentOption) -> str:
    if not option.applies_when:
        return f"{option.name} is open to every customer. {option.how_to}"
    facts = [_FACT_WORDING[fact][0 if wanted else 1] for fact, wanted in option.applies_when]
    return f"{option.name} is open to you because {_join(facts)}. {option.how_to}"


def _referral_sentence(referrals: tuple[Referral, ...]) -> str:
    return f"For help paying or lowering your bills, contact {describe_referrals(referrals)}."


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
