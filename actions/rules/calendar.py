"""RPU's working calendar: working days, observed holidays and office hours.

The holiday dates and hours live in ``data/utility/calendar.yml``; this module only reads
them and answers questions about dates. Nothing here knows about disconnections.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from actions.rules import DEFAULT_DATA_DIR

CALENDAR_FILE = "calendar.yml"

_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


class CalendarNotCoveredError(LookupError):
    """A date falls in a year whose holidays the calendar file does not list."""


@dataclass(frozen=True)
class Holiday:
    name: str
    date: dt.date
    observed: dt.date


@dataclass(frozen=True)
class Closure:
    date: dt.date
    reason: str


@dataclass(frozen=True)
class OfficeHours:
    key: str
    label: str
    weekdays: frozenset[int]
    opens: dt.time
    closes: dt.time


@dataclass(frozen=True)
class UtilityCalendar:
    timezone: str
    working_weekdays: frozenset[int]
    office_hours: tuple[OfficeHours, ...]
    disconnection_hours_office: str
    covered_years: frozenset[int]
    holidays: tuple[Holiday, ...]
    closures: tuple[Closure, ...]
    source_note: str


# ---------------------------------------------------------------------------------------
# Loading


def load_calendar(path: Path | None = None) -> UtilityCalendar:
    """Read the calendar file (default ``data/utility/calendar.yml``)."""
    file = path if path is not None else DEFAULT_DATA_DIR / CALENDAR_FILE
    with open(file, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    return parse_calendar(raw)


def parse_calendar(raw: dict[str, Any]) -> UtilityCalendar:
    """Build a calendar from already-parsed YAML (tests pass small dicts)."""
    hours = tuple(_parse_office(key, value) for key, value in raw["office_hours"].items())
    office = raw["disconnection_hours_office"]
    if office not in {h.key for h in hours}:
        raise ValueError(f"disconnection_hours_office {office!r} is not in office_hours")
    ZoneInfo(raw["timezone"])  # fail at load time, not at the first question
    return UtilityCalendar(
        timezone=raw["timezone"],
        working_weekdays=_parse_weekdays(raw["working_days"]),
        office_hours=hours,
        disconnection_hours_office=office,
        covered_years=frozenset(int(y) for y in raw["covered_years"]),
        holidays=tuple(
            Holiday(
                name=str(h["name"]),
                date=as_date(h["date"]),
                observed=as_date(h.get("observed", h["date"])),
            )
            for h in raw.get("holidays") or ()
        ),
        closures=tuple(
            Closure(date=as_date(c["date"]), reason=str(c["reason"]))
            for c in raw.get("closures") or ()
        ),
        source_note=str(raw.get("source", {}).get("note", "")).strip(),
    )


def _parse_office(key: str, raw: dict[str, Any]) -> OfficeHours:
    return OfficeHours(
        key=key,
        label=str(raw["label"]),
        weekdays=_parse_weekdays(raw["days"]),
        opens=dt.time.fromisoformat(str(raw["opens"])),
        closes=dt.time.fromisoformat(str(raw["closes"])),
    )


def _parse_weekdays(names: list[str]) -> frozenset[int]:
    return frozenset(_WEEKDAYS[str(name).lower()[:3]] for name in names)


def as_date(value: Any) -> dt.date:
    """A date from YAML: PyYAML already turns unquoted ISO dates into dates."""
    # PyYAML already turns unquoted ISO dates into date objects; quoted ones arrive as text.
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


# ---------------------------------------------------------------------------------------
# Days


def holiday_on(calendar: UtilityCalendar, day: dt.date) -> Holiday | None:
    """The holiday observed or falling on ``day``, if any (an observed match wins).

    Both the holiday itself and its observed weekday count, because "the day before a
    holiday" must see, e.g., Friday July 3, 2026 (observed) as well as Saturday July 4.
    Raises CalendarNotCoveredError for a year the file does not list, rather than silently
    calling an unknown day ordinary.
    """
    observed = _observed(calendar, day)
    if observed is not None:
        return observed
    for holiday in calendar.holidays:
        if holiday.date == day:
            return holiday
    _require_covered(calendar, day)
    return None


def observed_holiday_on(calendar: UtilityCalendar, day: dt.date) -> Holiday | None:
    """The holiday RPU's offices are closed for on ``day`` (observed dates only).

    Looked up by observed date first: on Friday December 24, 2027 the offices close for
    Christmas Day (observed), even though that is also Christmas Eve's own date.
    """
    observed = _observed(calendar, day)
    if observed is None and not any(h.date == day for h in calendar.holidays):
        _require_covered(calendar, day)
    return observed


def _observed(calendar: UtilityCalendar, day: dt.date) -> Holiday | None:
    for holiday in calendar.holidays:
        if holiday.observed == day:
            return holiday
    return None


def _require_covered(calendar: UtilityCalendar, day: dt.date) -> None:
    if day.year not in calendar.covered_years:
        raise CalendarNotCoveredError(
            f"the holiday calendar covers {_years(calendar)} only, not {day.year}."
        )


def closure_on(calendar: UtilityCalendar, day: dt.date) -> Closure | None:
    for closure in calendar.closures:
        if closure.date == day:
            return closure
    return None


def is_weekend(day: dt.date) -> bool:
    return day.weekday() >= 5


def is_working_day(calendar: UtilityCalendar, day: dt.date) -> bool:
    """A weekday the offices are open: not a weekend, observed holiday or closure."""
    if day.weekday() not in calendar.working_weekdays:
        return False
    return observed_holiday_on(calendar, day) is None and closure_on(calendar, day) is None


def add_working_days(calendar: UtilityCalendar, start: dt.date, count: int) -> dt.date:
    """The ``count``-th working day after ``start`` (``start`` itself is not counted).

    Deadlines such as "within five working days of the due date" run to the end of this day.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    day = start
    remaining = count
    while remaining:
        day += dt.timedelta(days=1)
        if is_working_day(calendar, day):
            remaining -= 1
    return day


def next_working_day(calendar: UtilityCalendar, day: dt.date) -> dt.date:
    """The first working day strictly after ``day``."""
    return add_working_days(calendar, day, 1)


def working_days_between(calendar: UtilityCalendar, start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if end <= start)."""
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(calendar, day):
            count += 1
    return count


# ---------------------------------------------------------------------------------------
# Hours


def office(calendar: UtilityCalendar, key: str) -> OfficeHours:
    for hours in calendar.office_hours:
        if hours.key == key:
            return hours
    raise KeyError(f"No office hours named {key!r}")


def disconnection_hours(calendar: UtilityCalendar) -> OfficeHours:
    """The office whose closing time marks "close of business" for disconnections."""
    return office(calendar, calendar.disconnection_hours_office)


def to_local(calendar: UtilityCalendar, moment: dt.datetime) -> dt.datetime:
    """An aware datetime in the utility's time zone (a naive one is taken as already local)."""
    zone = ZoneInfo(calendar.timezone)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


def is_office_open(calendar: UtilityCalendar, key: str, moment: dt.datetime) -> bool:
    """Whether the named office is open at ``moment`` (converted to local time)."""
    local = to_local(calendar, moment)
    hours = office(calendar, key)
    day = local.date()
    if local.weekday() not in hours.weekdays:
        return False
    if observed_holiday_on(calendar, day) is not None or closure_on(calendar, day) is not None:
        return False
    return hours.opens <= local.time() < hours.closes


# ---------------------------------------------------------------------------------------
# Wording shared by the rules' reasons


def format_day(day: dt.date) -> str:
    """'Wednesday, November 25, 2026' — the form customers read in reasons."""
    return f"{day:%A}, {day:%B} {day.day}, {day.year}"


def format_date(day: dt.date) -> str:
    """'November 25, 2026' — for sentences that name the weekday themselves."""
    return f"{day:%B} {day.day}, {day.year}"


def format_time(value: dt.time) -> str:
    """'4:30 p.m.' — the newsletter's style."""
    hour = value.hour % 12 or 12
    suffix = "a.m." if value.hour < 12 else "p.m."
    return f"{hour}:{value.minute:02d} {suffix}"


def _years(calendar: UtilityCalendar) -> str:
    years = sorted(calendar.covered_years)
    if not years:
        return "no years"
    if years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0])
    return ", ".join(str(y) for y in years)
