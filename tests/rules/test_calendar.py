"""RPU's working calendar: holidays as data, working days, office hours."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from actions.rules import DEFAULT_DATA_DIR
from actions.rules.calendar import (
    CalendarNotCoveredError,
    UtilityCalendar,
    add_working_days,
    disconnection_hours,
    format_date,
    format_day,
    format_time,
    holiday_on,
    is_office_open,
    is_working_day,
    load_calendar,
    next_working_day,
    observed_holiday_on,
    parse_calendar,
    working_days_between,
)

D = dt.date
UTC = dt.timezone.utc

EXPECTED_NAMES = {
    "New Year's Day",
    "Martin Luther King Jr. Day",
    "Presidents Day",
    "Memorial Day",
    "Independence Day",
    "Labor Day",
    "Veterans Day",
    "Thanksgiving Day",
    "Day after Thanksgiving",
    "Christmas Eve",
    "Christmas Day",
}


@pytest.fixture(scope="module")
def calendar() -> UtilityCalendar:
    return load_calendar()


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = D(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + dt.timedelta(days=offset + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> dt.date:
    day = D(year, month + 1, 1) - dt.timedelta(days=1)
    while day.weekday() != weekday:
        day -= dt.timedelta(days=1)
    return day


def _rule_date(name: str, year: int) -> dt.date:
    """Where each holiday falls by its usual rule, to check the data file against."""
    fixed = {
        "New Year's Day": D(year, 1, 1),
        "Independence Day": D(year, 7, 4),
        "Veterans Day": D(year, 11, 11),
        "Christmas Eve": D(year, 12, 24),
        "Christmas Day": D(year, 12, 25),
    }
    if name in fixed:
        return fixed[name]
    thanksgiving = _nth_weekday(year, 11, 3, 4)
    return {
        "Martin Luther King Jr. Day": _nth_weekday(year, 1, 0, 3),
        "Presidents Day": _nth_weekday(year, 2, 0, 3),
        "Memorial Day": _last_weekday(year, 5, 0),
        "Labor Day": _nth_weekday(year, 9, 0, 1),
        "Thanksgiving Day": thanksgiving,
        "Day after Thanksgiving": thanksgiving + dt.timedelta(days=1),
    }[name]


class TestHolidayData:
    @pytest.mark.parametrize("year", [2025, 2026, 2027])
    def test_every_usual_holiday_is_listed_once_per_covered_year(
        self, calendar: UtilityCalendar, year: int
    ) -> None:
        names = [h.name for h in calendar.holidays if h.date.year == year]
        assert sorted(names) == sorted(EXPECTED_NAMES)

    def test_each_holiday_falls_where_its_rule_puts_it(self, calendar: UtilityCalendar) -> None:
        for holiday in calendar.holidays:
            assert holiday.date == _rule_date(holiday.name, holiday.date.year), holiday

    def test_observed_dates_are_weekdays_next_to_the_holiday(
        self, calendar: UtilityCalendar
    ) -> None:
        for holiday in calendar.holidays:
            assert holiday.observed.weekday() < 5, holiday
            assert abs((holiday.observed - holiday.date).days) <= 2, holiday
            # A weekday holiday is observed on the day, except Christmas Eve 2027, moved to
            # Thursday because Christmas (a Saturday) takes Friday (see the file's note).
            moved = (holiday.name, holiday.date.year) == ("Christmas Eve", 2027)
            if holiday.date.weekday() < 5 and not moved:
                assert holiday.observed == holiday.date, holiday

    @pytest.mark.parametrize(
        ("day", "name"),
        [
            (D(2026, 7, 3), "Independence Day"),  # Saturday July 4 observed Friday
            (D(2027, 7, 5), "Independence Day"),  # Sunday July 4 observed Monday
            (D(2027, 12, 23), "Christmas Eve"),  # Christmas on a Saturday in 2027
            (D(2027, 12, 24), "Christmas Day"),
            (D(2027, 12, 31), "New Year's Day"),  # January 1, 2028 is a Saturday
            (D(2026, 11, 26), "Thanksgiving Day"),
            (D(2026, 11, 27), "Day after Thanksgiving"),
        ],
    )
    def test_observed_holidays(self, calendar: UtilityCalendar, day: dt.date, name: str) -> None:
        holiday = observed_holiday_on(calendar, day)
        assert holiday is not None and holiday.name == name

    def test_source_note_says_to_check_the_published_calendar(
        self, calendar: UtilityCalendar
    ) -> None:
        assert "published holiday calendar" in calendar.source_note
        assert calendar.timezone == "America/Chicago"


class TestWorkingDays:
    @pytest.mark.parametrize(
        ("day", "working"),
        [
            (D(2026, 1, 13), True),  # ordinary Tuesday
            (D(2026, 1, 9), True),  # Fridays are working days (only disconnection avoids them)
            (D(2026, 1, 10), False),  # Saturday
            (D(2026, 1, 11), False),  # Sunday
            (D(2026, 1, 19), False),  # Martin Luther King Jr. Day
            (D(2026, 11, 25), True),  # the day before Thanksgiving is still a working day
            (D(2026, 11, 26), False),  # Thanksgiving
            (D(2026, 11, 27), False),  # day after Thanksgiving
            (D(2026, 12, 24), False),  # Christmas Eve
            (D(2026, 7, 3), False),  # Independence Day observed
            (D(2026, 7, 4), False),  # Saturday
            (D(2027, 7, 5), False),  # Independence Day observed
        ],
    )
    def test_is_working_day(self, calendar: UtilityCalendar, day: dt.date, working: bool) -> None:
        assert is_working_day(calendar, day) is working

    @pytest.mark.parametrize(
        ("start", "count", "expected"),
        [
            (D(2026, 1, 13), 0, D(2026, 1, 13)),
            (D(2026, 1, 13), 1, D(2026, 1, 14)),
            (D(2026, 1, 16), 1, D(2026, 1, 20)),  # weekend and MLK Day skipped
            (D(2026, 11, 20), 10, D(2026, 12, 8)),  # across Thanksgiving
            (D(2025, 12, 23), 5, D(2026, 1, 2)),  # across Christmas and New Year's Day
        ],
    )
    def test_add_working_days(
        self, calendar: UtilityCalendar, start: dt.date, count: int, expected: dt.date
    ) -> None:
        assert add_working_days(calendar, start, count) == expected

    def test_negative_working_days_are_refused(self, calendar: UtilityCalendar) -> None:
        with pytest.raises(ValueError):
            add_working_days(calendar, D(2026, 1, 13), -1)

    def test_next_working_day_and_count_between(self, calendar: UtilityCalendar) -> None:
        assert next_working_day(calendar, D(2026, 11, 25)) == D(2026, 11, 30)
        assert working_days_between(calendar, D(2026, 11, 20), D(2026, 12, 8)) == 10
        assert working_days_between(calendar, D(2026, 12, 8), D(2026, 11, 20)) == 0


class TestCoverage:
    @pytest.mark.parametrize("day", [D(2024, 3, 5), D(2028, 3, 6)])
    def test_a_year_outside_the_file_is_an_error_not_an_ordinary_day(
        self, calendar: UtilityCalendar, day: dt.date
    ) -> None:
        with pytest.raises(CalendarNotCoveredError, match="2025-2027"):
            holiday_on(calendar, day)

    def test_a_listed_date_outside_the_covered_years_is_still_known(
        self, calendar: UtilityCalendar
    ) -> None:
        holiday = holiday_on(calendar, D(2028, 1, 1))
        assert holiday is not None and holiday.observed == D(2027, 12, 31)


class TestOfficeHours:
    @pytest.mark.parametrize(
        ("office", "moment", "is_open"),
        [
            ("lobby", dt.datetime(2026, 1, 13, 8, 0), True),
            ("lobby", dt.datetime(2026, 1, 13, 7, 59), False),
            ("lobby", dt.datetime(2026, 1, 13, 16, 29), True),
            ("lobby", dt.datetime(2026, 1, 13, 16, 30), False),
            ("customer_care", dt.datetime(2026, 1, 13, 16, 45), True),
            ("customer_care", dt.datetime(2026, 1, 13, 17, 0), False),
            ("customer_care", dt.datetime(2026, 1, 10, 10, 0), False),  # Saturday
            ("customer_care", dt.datetime(2026, 11, 26, 10, 0), False),  # Thanksgiving
            # Aware times are converted to Rochester time: 14:00 UTC is 8:00 CST in January
            # and 9:00 CDT in July; 12:59 UTC in July is 7:59 CDT.
            ("lobby", dt.datetime(2026, 1, 13, 14, 0, tzinfo=UTC), True),
            ("lobby", dt.datetime(2026, 7, 14, 13, 0, tzinfo=UTC), True),
            ("lobby", dt.datetime(2026, 7, 14, 12, 59, tzinfo=UTC), False),
        ],
    )
    def test_is_office_open(
        self, calendar: UtilityCalendar, office: str, moment: dt.datetime, is_open: bool
    ) -> None:
        assert is_office_open(calendar, office, moment) is is_open

    def test_close_of_business_for_disconnections_is_the_lobby_closing(
        self, calendar: UtilityCalendar
    ) -> None:
        hours = disconnection_hours(calendar)
        assert (hours.opens, hours.closes) == (dt.time(8, 0), dt.time(16, 30))


class TestLoading:
    def test_explicit_path_is_used(self, tmp_path: Path) -> None:
        raw = yaml.safe_load((DEFAULT_DATA_DIR / "calendar.yml").read_text(encoding="utf-8"))
        raw["closures"] = [{"date": "2026-02-03", "reason": "Offices closed for a blizzard"}]
        file = tmp_path / "calendar.yml"
        file.write_text(yaml.safe_dump(raw), encoding="utf-8")
        calendar = load_calendar(file)
        assert is_working_day(calendar, D(2026, 2, 3)) is False
        assert is_working_day(load_calendar(), D(2026, 2, 3)) is True

    def test_unknown_disconnection_office_is_refused(self) -> None:
        raw = yaml.safe_load((DEFAULT_DATA_DIR / "calendar.yml").read_text(encoding="utf-8"))
        raw["disconnection_hours_office"] = "basement"
        with pytest.raises(ValueError, match="basement"):
            parse_calendar(raw)


def test_wording_helpers() -> None:
    assert format_day(D(2026, 11, 25)) == "Wednesday, November 25, 2026"
    assert format_date(D(2026, 1, 9)) == "January 9, 2026"
    assert format_time(dt.time(16, 30)) == "4:30 p.m."
    assert format_time(dt.time(8, 0)) == "8:00 a.m."
    assert format_time(dt.time(12, 5)) == "12:05 p.m."
