"""Leaving for the winter: the away dates a customer gives, read into a period.

"Plugged In" (Sep/Oct 2023) promises that Customer Care "will note your account with the
period of time that you will be away"; this reads that period from what customers type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS = {
    name: number
    for number, names in enumerate(
        [("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
         ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
         ("september", "sept", "sep"), ("october", "oct"), ("november", "nov"),
         ("december", "dec")], start=1)
    for name in names
}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE = re.compile(
    rf"(?P<month_name>{_MONTH_NAMES})\.?\s+(?P<day_a>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s*(?P<year_a>\d{{4}}))?"
    rf"|(?P<day_b>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month_name_b>{_MONTH_NAMES})\.?(?:,?\s*(?P<year_b>\d{{4}}))?"
    r"|(?P<month>\d{1,2})/(?P<day>\d{1,2})(?:/(?P<year>\d{2}|\d{4}))?"
    r"|(?P<iso_year>\d{4})-(?P<iso_month>\d{2})-(?P<iso_day>\d{2})",
    re.I,
)
_MONTH_ONLY = re.compile(rf"\b(?P<month_name>{_MONTH_NAMES})\b\.?(?:\s+(?P<year>\d{{4}}))?", re.I)
# A customer may tell us after leaving: a start this recent is read as already away.
ALREADY_AWAY = timedelta(days=60)
# No utility customer is "away" for longer than this; longer means a misread date.
LONGEST_ABSENCE = timedelta(days=366)


@dataclass(frozen=True)
class AwayPeriod:
    start: date
    end: date

    def note_text(self) -> str:
        """The wording the note uses: "away from 2026-12-01 to 2027-03-31"."""
        return f"away from {self.start.isoformat()} to {self.end.isoformat()}"


def _year(value: str | None) -> int | None:
    if not value:
        return None
    number = int(value)
    return number + 2000 if number < 100 else number


def _dates(text: str) -> list[tuple[int, int, int | None]]:
    found: list[tuple[int, int, int | None]] = []
    for match in _DATE.finditer(text):
        groups = match.groupdict()
        if groups["month_name"]:
            found.append((_MONTHS[groups["month_name"].lower()], int(groups["day_a"]),
                          _year(groups["year_a"])))
        elif groups["month_name_b"]:
            found.append((_MONTHS[groups["month_name_b"].lower()], int(groups["day_b"]),
                          _year(groups["year_b"])))
        elif groups["month"]:
            found.append((int(groups["month"]), int(groups["day"]), _year(groups["year"])))
        else:
            found.append((int(groups["iso_month"]), int(groups["iso_day"]),
                          int(groups["iso_year"])))
    if len(found) >= 2:
        return found
    # "December to March": whole months, first day of the first to last day of the last.
    months = [(m.group("month_name"), m.group("year")) for m in _MONTH_ONLY.finditer(text)]
    if len(found) == 0 and len(months) == 2:
        (first, first_year), (last, last_year) = months
        return [(_MONTHS[first.lower()], 1, _year(first_year)),
                (_MONTHS[last.lower()], 0, _year(last_year))]
    return found


def _last_day(year: int, month: int) -> date:
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def _on_or_after(month: int, day: int, year: int | None, not_before: date) -> date | None:
    """The date with that month and day, in the year given or the first one not before
    ``not_before``; day 0 means the month's last day."""
    candidates = [year] if year else [not_before.year, not_before.year + 1]
    for candidate in candidates:
        try:
            value = _last_day(candidate, month) if day == 0 else date(candidate, month, day)
        except ValueError:
            return None
        if year or value >= not_before:
            return value
    return None


def parse_away_period(text: object, today: date) -> AwayPeriod | None:
    """The away period in "Dec 1 to March 31", "12/1 - 4/15", "from 2026-12-01 until
    2027-04-01" or "December to March"; dates without a year are the next ones to come.
    None when there aren't two dates, the return is before leaving or already past, or the
    absence is over a year."""
    value = str(text or "")
    found = _dates(value)
    if len(found) != 2:
        return None
    (start_month, start_day, start_year), (end_month, end_day, end_year) = found
    if not (1 <= start_month <= 12 and 1 <= end_month <= 12):
        return None
    start = _on_or_after(start_month, start_day or 1, start_year, today - ALREADY_AWAY)
    if start is None:
        return None
    end = _on_or_after(end_month, end_day, end_year, start)
    if end is None or end < start or end < today or end - start > LONGEST_ABSENCE:
        return None
    return AwayPeriod(start=start, end=end)
