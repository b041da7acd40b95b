"""Entity-ruler patterns for the values a customer types: account numbers, ZIP codes,
phone numbers, money, dates and household sizes.

The labels are the entity names the domain uses, so Rasa's SpacyEntityExtractor hands
them to slots unchanged. Forms still validate every value; these patterns only find it.
"""

from __future__ import annotations

from typing import Any

Pattern = dict[str, Any]

_MONTHS = (
    "jan|january|feb|february|mar|march|apr|april|may|jun|june|jul|july|aug|august|"
    "sep|sept|september|oct|october|nov|november|dec|december"
)
_DAY = r"^(0?[1-9]|[12]\d|3[01])(st|nd|rd|th)?$"
_NUMBER_WORDS = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
_SMALL_COUNT = rf"^([1-9]|1[0-9]|{_NUMBER_WORDS})$"


def _p(label: str, pattern: list[dict[str, Any]], pattern_id: str) -> Pattern:
    return {"label": label, "pattern": pattern, "id": pattern_id}


def entity_patterns() -> list[Pattern]:
    """Every pattern, longest first within a label so the ruler prefers the full match."""
    digits = {"TEXT": {"REGEX": r"^\d{3}$"}}
    four = {"TEXT": {"REGEX": r"^\d{4}$"}}
    return [
        # Phone numbers: 507-555-0101, 1-507-555-0101, (507) 555-0101, 507.555.0101,
        # +1 507 555 0101, 5075550101. spaCy splits on the hyphens, so match token runs.
        _p("phone_number", [{"TEXT": {"REGEX": r"^\+?1?\d{10}$"}}], "plain"),
        _p("phone_number", [{"TEXT": {"REGEX": r"^\+?1?\.?\d{3}\.\d{3}\.\d{4}$"}}], "dotted"),
        _p(
            "phone_number",
            [{"TEXT": {"REGEX": r"^\+?1$"}, "OP": "?"}, {"TEXT": "-", "OP": "?"},
             digits, {"TEXT": "-", "OP": "?"}, digits, {"TEXT": "-", "OP": "?"}, four],
            "separated",
        ),
        _p(
            "phone_number",
            [{"TEXT": {"REGEX": r"^\+?1$"}, "OP": "?"}, {"TEXT": "("}, digits, {"TEXT": ")"},
             digits, {"TEXT": "-", "OP": "?"}, four],
            "parenthesised",
        ),
        # Account numbers: seven digits (RPU prints them as 21XXXXX).
        _p("account_number", [{"TEXT": {"REGEX": r"^\d{7}$"}}], "seven-digits"),
        # ZIP codes: five digits, optionally ZIP+4.
        _p("zip_code", [{"TEXT": {"REGEX": r"^\d{5}(-\d{4})?$"}}], "zip"),
        # Money: $221.48, $30,000, 30000 dollars, 30k.
        _p("money", [{"TEXT": "$"}, {"TEXT": {"REGEX": r"^\d[\d,]*(\.\d{1,2})?k?$"}}],
           "dollar-sign"),
        _p("money", [{"TEXT": {"REGEX": r"^\$\d[\d,]*(\.\d{1,2})?k?$"}}], "dollar-token"),
        _p(
            "money",
            [{"TEXT": {"REGEX": r"^\d[\d,]*(\.\d{1,2})?$"}},
             {"LOWER": {"IN": ["dollars", "dollar", "bucks", "usd"]}}],
            "dollars-word",
        ),
        _p("money", [{"LOWER": {"REGEX": r"^\d+(\.\d+)?k$"}}], "thousands"),
        # Dates: 12/01/2026, 2026-12-01, Dec 1, December 1st 2026, 1 December.
        _p("date", [{"TEXT": {"REGEX": r"^\d{1,2}/\d{1,2}(/\d{2,4})?$"}}], "slashed"),
        _p("date", [{"TEXT": {"REGEX": r"^\d{4}-\d{2}-\d{2}$"}}], "iso"),
        _p(
            "date",
            [{"LOWER": {"REGEX": rf"^({_MONTHS})\.?$"}}, {"LOWER": {"REGEX": _DAY}},
             {"TEXT": ",", "OP": "?"}, {"TEXT": {"REGEX": r"^\d{4}$"}, "OP": "?"}],
            "month-day",
        ),
        _p(
            "date",
            [{"LOWER": {"REGEX": _DAY}}, {"LOWER": {"REGEX": rf"^({_MONTHS})\.?$"}},
             {"TEXT": {"REGEX": r"^\d{4}$"}, "OP": "?"}],
            "day-month",
        ),
        # Household sizes: "family of 4", "4 people", "household of three", "5 of us".
        _p(
            "household_size",
            [{"LOWER": {"IN": ["family", "household", "house"]}}, {"LOWER": "of"},
             {"LOWER": {"REGEX": _SMALL_COUNT}}],
            "family-of",
        ),
        _p(
            "household_size",
            [{"LOWER": {"REGEX": _SMALL_COUNT}},
             {"LOWER": {"IN": ["people", "persons", "members", "adults"]}}],
            "n-people",
        ),
        _p(
            "household_size",
            [{"LOWER": {"REGEX": _SMALL_COUNT}}, {"LOWER": "of"}, {"LOWER": "us"}],
            "n-of-us",
        ),
    ]
