"""Reference data the actions read: contact numbers and channel wording, loaded once."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from actions.rules import DEFAULT_DATA_DIR
from actions.rules.calendar import UtilityCalendar, load_calendar
from actions.rules.contacts import ContactPolicy, load_contact_policy
from actions.rules.outage import OutageNumbers


@lru_cache(maxsize=4)
def contacts(path: Path = DEFAULT_DATA_DIR / "contacts.yml") -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def response_values() -> dict[str, str]:
    """The numbers and names every response may mention, as template variables."""
    book = contacts()
    care = book["customer_care"]
    return {
        "utility_name": book["utility_name"],
        "website": book["website"],
        "customer_care_phone": care["phone"],
        "customer_care_toll_free": care["toll_free"],
        "customer_care_hours": care["hours"],
        "customer_care_email": care["email"],
        "service_center": book["service_center"],
        "pay_by_phone": book["payments"]["pay_by_phone"],
        "drop_boxes": "; ".join(book["payments"]["drop_boxes"]),
        "electric_emergency": book["outages"]["electric"]["phone"],
        "energy_assistance_name": book["energy_assistance"]["name"],
        "energy_assistance_phone": book["energy_assistance"]["phone"],
    }


def outage_numbers() -> OutageNumbers:
    outages = contacts()["outages"]
    return OutageNumbers(
        electric_phone=outages["electric"]["phone"],
        water_office_hours_phone=outages["water"]["office_hours_phone"],
        water_after_hours_phone=outages["water"]["after_hours_phone"],
    )


@lru_cache(maxsize=1)
def contact_policy() -> ContactPolicy:
    """Kinds of third-party contact and the per-account limit (third_party_contacts.yml)."""
    return load_contact_policy()


@lru_cache(maxsize=1)
def utility_calendar() -> UtilityCalendar:
    """Office hours, holidays and the time zone (calendar.yml), read once per process."""
    return load_calendar()
