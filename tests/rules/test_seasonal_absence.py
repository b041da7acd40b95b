"""Away dates as customers type them, read on a real day (Saturday 2026-11-28)."""

from __future__ import annotations

from datetime import date

import pytest

from actions.rules.seasonal_absence import parse_away_period

TODAY = date(2026, 11, 28)


@pytest.mark.parametrize("typed, start, end", [
    ("Dec 1 to March 31", date(2026, 12, 1), date(2027, 3, 31)),
    ("12/1 - 4/15", date(2026, 12, 1), date(2027, 4, 15)),
    ("from 2026-12-01 until 2027-04-01", date(2026, 12, 1), date(2027, 4, 1)),
    ("December to March", date(2026, 12, 1), date(2027, 3, 31)),
    ("leaving january 5th, back april 20", date(2027, 1, 5), date(2027, 4, 20)),
    ("1st of December till the 15th of April", date(2026, 12, 1), date(2027, 4, 15)),
    # Already gone: a start earlier this month is read as this year's.
    ("nov 1 to dec 1", date(2026, 11, 1), date(2026, 12, 1)),
    ("december 10 2026 to march 1 2027", date(2026, 12, 10), date(2027, 3, 1)),
])
def test_away_dates_become_a_period(typed: str, start: date, end: date) -> None:
    period = parse_away_period(typed, TODAY)
    assert period is not None
    assert (period.start, period.end) == (start, end)


def test_the_note_text_is_away_from_x_to_y() -> None:
    period = parse_away_period("Dec 1 to March 31", TODAY)
    assert period is not None and period.note_text() == "away from 2026-12-01 to 2027-03-31"


@pytest.mark.parametrize("typed", [
    "soon", "December 1", "1/1/25 to 2/1/25", "2026-12-01 to 2028-06-01",
    "2/30 to 3/15", "March 31 2027 to Dec 1 2026",
])
def test_unclear_or_impossible_periods_are_refused(typed: str) -> None:
    assert parse_away_period(typed, TODAY) is None
