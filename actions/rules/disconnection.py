"""May RPU disconnect a residential account on a given date, and if not, when at the earliest?

Sources: RPU Board Policy "Involuntary Disconnection" and Minn. Stat. 216B.097 (cold weather
restrictions, notice, occupancy check, appeals), 216B.0975 (extreme heat) and 325E.028
(military). The day-and-time restrictions, the 20/15-day notice and the occupancy check are
stated for the cold weather period only; heat alerts, appeals and military protection apply
all year. Protections that end on an unknown date (an appeal, a heat alert, military or Cold
Weather Rule protection) give no earliest date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from actions.rules.calendar import (
    CalendarNotCoveredError,
    UtilityCalendar,
    add_working_days,
    closure_on,
    disconnection_hours,
    format_date,
    format_day,
    format_time,
    holiday_on,
    observed_holiday_on,
)
from actions.rules.cold_weather import PeriodStatus, cold_weather_period_on
from actions.rules.eligibility_tables import ColdWeatherTables


class NoticeDelivery(str, Enum):
    MAILED = "mailed"
    PERSONAL = "personal"


class Occupancy(str, Enum):
    OCCUPIED = "occupied"
    UNOCCUPIED = "unoccupied"


# Calendar days between the disconnection notice and the earliest disconnection.
NOTICE_DAYS = {NoticeDelivery.MAILED: 20, NoticeDelivery.PERSONAL: 15}
# An occupant found at an unresponsive customer's unit gets five working days to act.
OCCUPIED_WORKING_DAYS = 5
# An unoccupied unit: seven days' written notice to the local energy assistance provider.
UNOCCUPIED_PROVIDER_NOTICE_DAYS = 7
# Outside the cold weather period nothing date-bound blocks, so a search always ends by the
# next May 1; the cap only guards against a malformed calendar.
SEARCH_LIMIT_DAYS = 400


@dataclass(frozen=True)
class DisconnectionFacts:
    day: dt.date
    notice_date: dt.date
    notice_delivery: NoticeDelivery
    time: dt.time | None = None
    residential: bool = True
    cold_weather_protected: bool = False
    heat_alert: bool = False
    appeal_pending: bool = False
    military_protected: bool = False
    # Only about ``day`` itself: the customer declined an agreement offered that day.
    agreement_declined_today: bool = False
    # After close of business, a field representative able to take payment offers a plan.
    field_rep_offers_agreement: bool = False
    unresponsive: bool = False
    occupancy: Occupancy | None = None  # None: not yet checked
    occupant_informed_date: dt.date | None = None  # default: ``day``
    provider_notice_date: dt.date | None = None  # default: ``day``


@dataclass(frozen=True)
class DisconnectionDecision:
    allowed: bool
    reasons: tuple[str, ...]
    earliest_date: dt.date | None
    in_cold_weather_period: bool

    @property
    def decision(self) -> str:
        return "allowed" if self.allowed else "not_allowed"


@dataclass(frozen=True)
class _Check:
    ok: bool
    reason: str
    open_ended: bool = False  # blocks until something with no known end date changes


def check_disconnection(
    facts: DisconnectionFacts, calendar: UtilityCalendar, tables: ColdWeatherTables
) -> DisconnectionDecision:
    """Decide whether disconnection is allowed on ``facts.day`` and find the earliest date."""
    period = cold_weather_period_on(tables, facts.day)
    checks = _checks_for_day(facts.day, facts, calendar, tables, searching=False)
    failing = [c for c in checks if not c.ok]
    earliest, why_none = _earliest_date(facts, calendar, tables)
    if not failing:
        reasons = [c.reason for c in checks]
        return DisconnectionDecision(True, tuple(reasons), facts.day, period.in_period)
    reasons = [c.reason for c in failing]
    reasons += [r for r in why_none if r not in reasons]
    reasons.append(_earliest_sentence(facts, earliest, period, calendar, tables))
    return DisconnectionDecision(False, tuple(reasons), earliest, period.in_period)


# ---------------------------------------------------------------------------------------
# One day's checks


def _checks_for_day(
    day: dt.date,
    facts: DisconnectionFacts,
    calendar: UtilityCalendar,
    tables: ColdWeatherTables,
    *,
    searching: bool,
) -> list[_Check]:
    if not facts.residential:
        return [
            _Check(
                True,
                "The cold weather, extreme heat and military protections checked here apply to "
                "residential customers only.",
            )
        ]
    period = cold_weather_period_on(tables, day)
    checks = _year_round_checks(facts)
    if not period.in_period:
        return checks + [_outside_period_check(period, facts)]
    checks.append(_Check(True, " ".join(period.reasons)))
    checks.append(_protection_check(facts, period))
    checks += _calendar_checks(day, facts, calendar, proposed=day == facts.day)
    checks.append(_notice_check(day, facts))
    if day == facts.day:
        checks += _time_checks(facts, calendar, searching=searching)
    if facts.unresponsive:
        checks.append(_occupancy_check(day, facts, calendar))
    return checks


def _year_round_checks(facts: DisconnectionFacts) -> list[_Check]:
    checks = []
    if facts.heat_alert:
        checks.append(_Check(False, _HEAT_ALERT, open_ended=True))
    if facts.appeal_pending:
        checks.append(_Check(False, _APPEAL, open_ended=True))
    if facts.military_protected:
        checks.append(_Check(False, _MILITARY, open_ended=True))
    if not checks:
        checks.append(_Check(True, "No heat alert, pending appeal or military protection applies."))
    return checks


_HEAT_ALERT = (
    "A National Weather Service excessive or extreme heat watch, heat advisory or excessive or "
    "extreme heat warning is in effect, and RPU may not disconnect residential service while "
    "it lasts (Minn. Stat. 216B.0975)."
)
_APPEAL = (
    "An appeal of the disconnection notice is pending, and RPU will not disconnect until the "
    "appeal is resolved."
)
_MILITARY = (
    "A household member's military orders protect this account from disconnection while the "
    "household keeps current with its military payment arrangement (Minn. Stat. 325E.028)."
)


def _outside_period_check(period: PeriodStatus, facts: DisconnectionFacts) -> _Check:
    reason = (
        f"{' '.join(period.reasons)} The cold weather restrictions (no Fridays, weekends, "
        "holidays or the day before one, business hours only, 20 days after a mailed notice "
        "or 15 after a delivered one) apply only during the cold weather period."
    )
    if facts.cold_weather_protected:
        reason += " Cold Weather Rule protection likewise covers only the cold weather period."
    return _Check(True, reason)


def _protection_check(facts: DisconnectionFacts, period: PeriodStatus) -> _Check:
    if facts.cold_weather_protected:
        return _Check(
            False,
            "The household is protected under the Cold Weather Rule through "
            f"{format_day(period.season.end)} while it keeps up its payment agreement.",
            open_ended=True,
        )
    return _Check(True, "The household does not have Cold Weather Rule protection.")


def _calendar_checks(
    day: dt.date, facts: DisconnectionFacts, calendar: UtilityCalendar, *, proposed: bool
) -> list[_Check]:
    try:
        return _calendar_checks_covered(day, facts, calendar, proposed=proposed)
    except CalendarNotCoveredError as error:
        return [
            _Check(
                False,
                f"We can't check {format_day(day)} against RPU's holidays because {error} "
                "Please call RPU Customer Care at 507-280-1500.",
                open_ended=True,
            )
        ]


def _calendar_checks_covered(
    day: dt.date, facts: DisconnectionFacts, calendar: UtilityCalendar, *, proposed: bool
) -> list[_Check]:
    name = format_day(day)
    problems: list[_Check] = []
    if day.weekday() >= 5:
        problems.append(
            _Check(
                False,
                f"{format_date(day)} is a {day:%A}, and RPU does not disconnect on a weekend.",
            )
        )
    holiday = observed_holiday_on(calendar, day)
    if holiday is not None:
        problems.append(_Check(False, f"RPU's offices are closed on {name} ({holiday.name})."))
    closure = closure_on(calendar, day)
    if closure is not None:
        problems.append(_Check(False, f"RPU's offices are closed on {name}: {closure.reason}."))
    tomorrow = holiday_on(calendar, day + dt.timedelta(days=1))
    # Friday Dec 31, 2027 is New Year's Day observed; "the day before New Year's" adds nothing.
    if tomorrow is not None and tomorrow != holiday:
        problems.append(
            _Check(
                False,
                f"{name} is the day before a holiday ({tomorrow.name}), when RPU does not "
                "disconnect.",
            )
        )
    friday = _friday_check(day, facts, proposed=proposed)
    if friday is not None and not friday.ok:
        problems.append(friday)
    if problems:
        return problems
    if friday is not None:
        return [friday]
    return [_Check(True, f"{name} is a working day, not a holiday or the day before one.")]


def _friday_check(day: dt.date, facts: DisconnectionFacts, *, proposed: bool) -> _Check | None:
    if day.weekday() != 4:
        return None
    # The exception is about an offer made that same day, so it never carries to later Fridays.
    if proposed and facts.agreement_declined_today:
        return _Check(
            True,
            f"{format_date(day)} is a Friday, but a payment agreement was offered and declined "
            "that day, so the Friday restriction does not apply.",
        )
    return _Check(
        False,
        f"{format_date(day)} is a Friday, and RPU does not disconnect on a Friday unless the "
        "customer declines a payment agreement offered that day.",
    )


def _notice_check(day: dt.date, facts: DisconnectionFacts) -> _Check:
    days = NOTICE_DAYS[facts.notice_delivery]
    first = facts.notice_date + dt.timedelta(days=days)
    how = "mailed" if facts.notice_delivery is NoticeDelivery.MAILED else "delivered in person"
    if day >= first:
        return _Check(
            True,
            f"The notice was {how} on {format_day(facts.notice_date)}, at least {days} days "
            "before.",
        )
    return _Check(
        False,
        f"The notice was {how} on {format_day(facts.notice_date)}; RPU must wait at least "
        f"{days} days after a notice is {how}, until {format_day(first)}.",
    )


def _time_checks(
    facts: DisconnectionFacts, calendar: UtilityCalendar, *, searching: bool
) -> list[_Check]:
    if facts.time is None:
        return []
    hours = disconnection_hours(calendar)
    at = format_time(facts.time)
    if facts.time < hours.opens:
        if searching:  # later the same day is still possible
            return []
        return [
            _Check(False, f"At {at} RPU's offices are not yet open ({format_time(hours.opens)}).")
        ]
    if facts.time < hours.closes:
        return [_Check(True, f"{at} is during business hours.")]
    if facts.field_rep_offers_agreement:
        return [
            _Check(
                True,
                f"{at} is after close of business, but a field representative who can take "
                "payment offers a payment agreement.",
            )
        ]
    return [
        _Check(
            False,
            f"{at} is after close of business ({format_time(hours.closes)}), and no field "
            "representative able to take payment is offering an agreement.",
        )
    ]


def _occupancy_check(day: dt.date, facts: DisconnectionFacts, calendar: UtilityCalendar) -> _Check:
    if facts.occupancy is None:
        return _Check(
            False,
            "The customer has not responded to the notice, so RPU must first check whether the "
            "home is occupied.",
            open_ended=True,
        )
    if facts.occupancy is Occupancy.OCCUPIED:
        informed = facts.occupant_informed_date or facts.day
        last = add_working_days(calendar, informed, OCCUPIED_WORKING_DAYS)
        ok = day > last
        verb = "had" if ok else "has"
        return _Check(
            ok,
            f"The home is occupied; the occupant, told on {format_day(informed)}, {verb} five "
            f"working days, through {format_day(last)}, to respond or apply for service.",
        )
    sent = facts.provider_notice_date or facts.day
    first = sent + dt.timedelta(days=UNOCCUPIED_PROVIDER_NOTICE_DAYS)
    return _Check(
        day >= first,
        f"The home is unoccupied; RPU must give the local energy assistance provider seven "
        f"days' written notice (given {format_day(sent)}), so not before {format_day(first)}.",
    )


# ---------------------------------------------------------------------------------------
# Earliest date


def _earliest_date(
    facts: DisconnectionFacts, calendar: UtilityCalendar, tables: ColdWeatherTables
) -> tuple[dt.date | None, list[str]]:
    """The first day from ``facts.day`` with no failing check, or None and why not."""
    day = facts.day
    for _ in range(SEARCH_LIMIT_DAYS):
        failing = [
            c for c in _checks_for_day(day, facts, calendar, tables, searching=True) if not c.ok
        ]
        open_ended = [c.reason for c in failing if c.open_ended]
        if open_ended:
            return None, open_ended
        if not failing:
            return day, []
        day += dt.timedelta(days=1)
    return None, []


def _earliest_sentence(
    facts: DisconnectionFacts,
    earliest: dt.date | None,
    period: PeriodStatus,
    calendar: UtilityCalendar,
    tables: ColdWeatherTables,
) -> str:
    if earliest is None:
        return (
            "There is no earliest date to give: disconnection cannot happen until the "
            "situation above changes."
        )
    if earliest == facts.day:
        opens = format_time(disconnection_hours(calendar).opens)
        return f"On these facts, it could happen later the same day, from {opens}."
    sentence = f"On these facts, the earliest date it could happen is {format_day(earliest)}."
    if period.in_period and not cold_weather_period_on(tables, earliest).in_period:
        sentence += (
            f" That is after the cold weather period ends on {format_day(period.season.end)}, "
            "when its restrictions no longer apply."
        )
    return sentence
