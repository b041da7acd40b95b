"""Reading the numbers customers type in answers: counts, yes/no, money.

Pure parsing with no Rasa: the forms call these to validate what was said.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "just me": 1, "myself": 1, "alone": 1,
}
_MONEY = re.compile(r"\$?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?\s*(k|thousand)?", re.I)
_MONTHLY = re.compile(r"\b(a|per|each|every|/)\s*(month|mo)\b|\bmonthly\b", re.I)


def parse_count(text: object, *, largest: int = 20) -> int | None:
    """A household size from "4", "four", "family of 5", "just me"; None if unclear."""
    value = str(text or "").lower()
    for word, number in _WORDS.items():
        if re.search(rf"\b{word}\b", value):
            return number
    digits = re.findall(r"\b\d{1,2}\b", value)
    if len(digits) == 1 and 1 <= int(digits[0]) <= largest:
        return int(digits[0])
    return None


def parse_annual_income(text: object) -> Decimal | None:
    """Yearly income from "$30,000", "30k", "about 2,500 a month" (times twelve)."""
    value = str(text or "")
    match = _MONEY.search(value)
    if match is None:
        return None
    try:
        amount = Decimal(match.group(1).replace(",", ""))
    except InvalidOperation:
        return None
    if match.group(2):
        amount += Decimal(f"0.{match.group(2)}")
    if match.group(3):
        amount *= 1000
    if _MONTHLY.search(value):
        amount *= 12
    return amount.quantize(Decimal("0.01"))


def parse_monthly_income(text: object) -> Decimal | None:
    """Gross monthly income; a yearly figure ("a year", "annually") is divided by twelve."""
    value = str(text or "")
    amount = parse_annual_income(value)
    if amount is None:
        return None
    if _MONTHLY.search(value):
        return (amount / 12).quantize(Decimal("0.01"))
    if re.search(r"\b(a|per|each)\s*year\b|\byearly\b|\bannual(ly)?\b", value, re.I):
        return (amount / 12).quantize(Decimal("0.01"))
    return amount
