"""Money, quantities and dates as RPU bills print them.

Money is ``Decimal`` rounded half-up to the cent (how a bill rounds); usage (kWh, water
units) is kept to the hundredth. These helpers are shared by every bill rule module.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDREDTH = Decimal("0.01")  # usage (kWh, water units) is also kept to the hundredth


def to_cents(value: Decimal) -> Decimal:
    """Round to the cent, half up (how a bill rounds), and never return "-0.00"."""
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return rounded if rounded != 0 else ZERO


def round_hundredth(value: Decimal) -> Decimal:
    rounded = value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
    return rounded if rounded != 0 else ZERO


def money_str(value: Decimal) -> str:
    """JSON form of money: a string with exactly two decimals."""
    return f"{to_cents(value):.2f}"


def credit_str(value: Decimal) -> str:
    """A balance as the bill prints it: a credit (negative) as e.g. "12.34 CR"."""
    amount = to_cents(value)
    return f"{-amount:.2f} CR" if amount < 0 else f"{amount:.2f}"


def dollars(value: Decimal) -> str:
    """Money for a sentence: $1,234.56, or -$5.00."""
    amount = to_cents(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def dollars_cr(value: Decimal) -> str:
    amount = to_cents(value)
    return f"${-amount:,.2f} CR" if amount < 0 else f"${amount:,.2f}"


def signed_dollars(value: Decimal) -> str:
    amount = to_cents(value)
    return f"+{dollars(amount)}" if amount > 0 else dollars(amount)


def number_str(value: Decimal) -> str:
    """A quantity or rate as given (no float noise, no exponent)."""
    return format(value, "f")


def long_date(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def short_date(day: date) -> str:
    return f"{day:%b} {day.day}"


def percent_str(rate: Decimal) -> str:
    """A tax rate as the bill prints it: 0.005 -> "0.50%"."""
    text = format((rate * 100).normalize(), "f")
    if "." in text and len(text.split(".")[1]) == 1:
        text += "0"  # 0.5 -> 0.50, as the bill prints it
    return f"{text}%"


def exact_decimal(raw: Any, where: str, error: type[ValueError] = ValueError) -> Decimal:
    """A Decimal from a string or int in a data file or export, naming ``where`` on failure.

    Floats are refused: YAML and JSON turn 0.11203 into a binary float and the cent drifts.
    """
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise error(f"{where}: expected a decimal string, got {raw!r}")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation as exc:
        raise error(f"{where}: not a decimal: {raw!r}") from exc
    if not value.is_finite():
        raise error(f"{where}: not a finite decimal: {raw!r}")
    return value
