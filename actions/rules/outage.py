"""Which numbers to give for an outage report, and whether it is an emergency.

A gas smell is an emergency too, but not RPU's: RPU supplies electric and water, not natural
gas. The customer is told to leave and call 911 and the gas utility, and gets no outage
numbers that could delay that.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DOWNED_LINE = re.compile(
    r"\b(down(ed)?|fallen|hanging|sparking|sparks|snapped|broken|arcing|on fire)\b.{0,30}"
    r"\b(line|lines|wire|wires|pole|cable)\b|\b(line|lines|wire|wires|pole)\b.{0,20}"
    r"\b(down|fell|sparking|on the ground|hanging|snapped)\b",
    re.IGNORECASE,
)
_MAIN_BREAK = re.compile(
    r"\b(water\s*main|main\s*break|pipe\s*burst|burst\s*pipe|street\s*is\s*flooding|"
    r"water\s*(gushing|shooting|bubbling)\s*(up|out))\b",
    re.IGNORECASE,
)
_GAS_SMELL = re.compile(
    r"\b(smell(s|ed|ing)?|smelt)\b.{0,20}\bgas\b|"
    r"\bgas\b.{0,15}\b(smell(s|ing)?|odou?rs?|leak(s|ed|ing)?|hiss(es|ing)?)\b|"
    r"\bleaking\s+gas\b|\brotten[-\s]eggs?\b",
    re.IGNORECASE,
)
HAZARDS = ("gas_smell", "downed_line", "water_main_break")


@dataclass(frozen=True)
class OutageNumbers:
    electric_phone: str
    water_office_hours_phone: str
    water_after_hours_phone: str


@dataclass(frozen=True)
class OutageGuidance:
    emergency: str | None  # one of HAZARDS when the report is an emergency
    electric_phone: str
    water_phone: str
    water_office_open: bool
    give_outage_numbers: bool
    reasons: tuple[str, ...]


def detect_hazard(text: str, hazard_entity: str | None = None) -> str | None:
    """The hazard a report describes; the NLU entity wins, the wording is a safety net.

    A gas smell is checked first: it is the one where minutes matter most.
    """
    if hazard_entity in HAZARDS:
        return hazard_entity
    if _GAS_SMELL.search(text or ""):
        return "gas_smell"
    if _DOWNED_LINE.search(text or ""):
        return "downed_line"
    if _MAIN_BREAK.search(text or ""):
        return "water_main_break"
    return None


def outage_guidance(numbers: OutageNumbers, *, office_open: bool,
                    hazard: str | None) -> OutageGuidance:
    water_phone = (numbers.water_office_hours_phone if office_open
                   else numbers.water_after_hours_phone)
    reasons = [
        f"Electric outages are taken at {numbers.electric_phone} at any hour.",
        (f"Customer Care is open, so water outages go to {water_phone}."
         if office_open else
         f"Customer Care is closed, so water outages go to the 24-hour line {water_phone}."),
    ]
    if hazard == "gas_smell":
        reasons = [
            "A gas smell is an emergency: leave the building, then call 911 and the gas "
            "utility from outside.",
            "The utility supplies electric and water, not natural gas: its outage numbers do not "
            "help.",
        ]
    elif hazard:
        reasons.insert(0, "A downed line or a water main break is an emergency and comes first.")
    return OutageGuidance(
        emergency=hazard,
        electric_phone=numbers.electric_phone,
        water_phone=water_phone,
        water_office_open=office_open,
        give_outage_numbers=hazard != "gas_smell",
        reasons=tuple(reasons),
    )
