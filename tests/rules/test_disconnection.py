"""The disconnection date check: restrictions, notice counting and the earliest allowed date.

Real calendar dates. January 2026: Fri 9, Sat 10, Sun 11, Tue 13, Mon 19 (MLK Day).
November 2026: Wed 25 (day before Thanksgiving), Thu 26 (Thanksgiving), Fri 27, Mon 30.
December 2026: Wed 23, Thu 24 (Christmas Eve), Fri 25 (Christmas), Thu 31; Fri Jan 1, 2027.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from contextlib import redirect_stdout
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from actions.rules.calendar import UtilityCalendar, load_calendar
from actions.rules.disconnection import (
    DisconnectionFacts,
    NoticeDelivery,
    Occupancy,
    check_disconnection,
)
from actions.rules.eligibility_tables import ColdWeatherTables, load_cold_weather_tables
from bot.commands.rules import main

D = dt.date
T = dt.time
MAILED = NoticeDelivery.MAILED
PERSONAL = NoticeDelivery.PERSONAL
EARLY_NOTICE = D(2025, 12, 1)  # long enough before every January 2026 date below


@pytest.fixture(scope="module")
def calendar() -> UtilityCalendar:
    return load_calendar()


@pytest.fixture(scope="module")
def tables() -> ColdWeatherTables:
    return load_cold_weather_tables()


def _facts(day: dt.date, **changes: Any) -> DisconnectionFacts:
    base: dict[str, Any] = {
        "day": day,
        "notice_date": EARLY_NOTICE,
        "notice_delivery": MAILED,
    }
    base.update(changes)
    return DisconnectionFacts(**base)


def _check(
    calendar: UtilityCalendar, tables: ColdWeatherTables, day: dt.date, **changes: Any
) -> Any:
    return check_disconnection(_facts(day, **changes), calendar, tables)


# (case, proposed date, changes to the facts, decision, earliest date, phrase in the reasons)
CASES = [
    # Ordinary days, Fridays and weekends in January 2026.
    ("tuesday", D(2026, 1, 13), {}, "allowed", D(2026, 1, 13), "working day"),
    ("thursday", D(2026, 1, 8), {}, "allowed", D(2026, 1, 8), "working day"),
    ("friday", D(2026, 1, 9), {}, "not_allowed", D(2026, 1, 12), "is a Friday"),
    (
        "friday, agreement declined that day",
        D(2026, 1, 9),
        {"agreement_declined_today": True},
        "allowed",
        D(2026, 1, 9),
        "offered and declined",
    ),
    (
        "friday declined, but after close of business",
        D(2026, 1, 9),
        {"agreement_declined_today": True, "time": T(17, 5)},
        "not_allowed",
        D(2026, 1, 12),
        "after close of business",
    ),
    ("saturday", D(2026, 1, 10), {}, "not_allowed", D(2026, 1, 12), "is a Saturday"),
    ("sunday", D(2026, 1, 11), {}, "not_allowed", D(2026, 1, 12), "is a Sunday"),
    # Holidays and the day before them.
    ("sunday before MLK Day", D(2026, 1, 18), {}, "not_allowed", D(2026, 1, 20), "day before"),
    ("MLK Day", D(2026, 1, 19), {}, "not_allowed", D(2026, 1, 20), "Martin Luther King"),
    (
        "day before Thanksgiving",
        D(2026, 11, 25),
        {"notice_date": D(2026, 11, 1)},
        "not_allowed",
        D(2026, 11, 30),
        "day before a holiday (Thanksgiving Day)",
    ),
    (
        "Thanksgiving",
        D(2026, 11, 26),
        {"notice_date": D(2026, 11, 1)},
        "not_allowed",
        D(2026, 11, 30),
        "closed on Thursday, November 26, 2026 (Thanksgiving Day)",
    ),
    (
        "day after Thanksgiving, a Friday",
        D(2026, 11, 27),
        {"notice_date": D(2026, 11, 1), "agreement_declined_today": True},
        "not_allowed",
        D(2026, 11, 30),
        "Day after Thanksgiving",
    ),
    (
        "day before Veterans Day",
        D(2026, 11, 10),
        {"notice_date": D(2026, 10, 1)},
        "not_allowed",
        D(2026, 11, 12),
        "Veterans Day",
    ),
    (
        "day before Christmas Eve",
        D(2026, 12, 23),
        {"notice_date": D(2026, 11, 1)},
        "not_allowed",
        D(2026, 12, 28),
        "day before a holiday (Christmas Eve)",
    ),
    (
        "Christmas Eve",
        D(2026, 12, 24),
        {"notice_date": D(2026, 11, 1)},
        "not_allowed",
        D(2026, 12, 28),
        "(Christmas Eve).",
    ),
    (
        "day before New Year's Day",
        D(2026, 12, 31),
        {"notice_date": D(2026, 11, 1)},
        "not_allowed",
        D(2027, 1, 4),
        "day before a holiday (New Year's Day)",
    ),
    (
        "Christmas Eve 2025, a Wednesday",
        D(2025, 12, 24),
        {"notice_date": D(2025, 11, 1)},
        "not_allowed",
        D(2025, 12, 29),
        "(Christmas Eve).",
    ),
    (
        "day before Christmas Eve observed, 2027",
        D(2027, 12, 22),
        {"notice_date": D(2027, 11, 1)},
        "not_allowed",
        D(2027, 12, 27),
        "day before a holiday (Christmas Eve)",
    ),
    # Notice counting: 20 days after a mailed notice, 15 after a delivered one.
    (
        "mailed, day 19",
        D(2026, 1, 21),
        {"notice_date": D(2026, 1, 2)},
        "not_allowed",
        D(2026, 1, 22),
        "until Thursday, January 22, 2026",
    ),
    (
        "mailed, day 20",
        D(2026, 1, 22),
        {"notice_date": D(2026, 1, 2)},
        "allowed",
        D(2026, 1, 22),
        "at least 20 days",
    ),
    (
        "delivered, day 14",
        D(2026, 1, 20),
        {"notice_date": D(2026, 1, 6), "notice_delivery": PERSONAL},
        "not_allowed",
        D(2026, 1, 21),
        "at least 15 days after a notice is delivered in person",
    ),
    (
        "delivered, day 15",
        D(2026, 1, 21),
        {"notice_date": D(2026, 1, 6), "notice_delivery": PERSONAL},
        "allowed",
        D(2026, 1, 21),
        "at least 15 days",
    ),
    (
        "delivered, same notice date but mailed, day 15",
        D(2026, 1, 21),
        {"notice_date": D(2026, 1, 6)},
        "not_allowed",
        D(2026, 1, 26),
        "until Monday, January 26, 2026",
    ),
    (
        "mailed, day 20 falls on a Friday",
        D(2026, 3, 2),
        {"notice_date": D(2026, 2, 14)},
        "not_allowed",
        D(2026, 3, 9),
        "until Friday, March 6, 2026",
    ),
    # After close of business (the lobby closes at 4:30 p.m.) and before opening.
    ("4:29 p.m.", D(2026, 1, 13), {"time": T(16, 29)}, "allowed", D(2026, 1, 13), "business"),
    (
        "4:30 p.m.",
        D(2026, 1, 13),
        {"time": T(16, 30)},
        "not_allowed",
        D(2026, 1, 14),
        "after close of business (4:30 p.m.)",
    ),
    (
        "after close, field representative offers an agreement",
        D(2026, 1, 13),
        {"time": T(18, 0), "field_rep_offers_agreement": True},
        "allowed",
        D(2026, 1, 13),
        "field representative",
    ),
    (
        "before opening: later the same day",
        D(2026, 1, 13),
        {"time": T(7, 30)},
        "not_allowed",
        D(2026, 1, 13),
        "later the same day, from 8:00 a.m.",
    ),
    # Open-ended protections give no earliest date.
    (
        "heat alert in July",
        D(2026, 7, 14),
        {"heat_alert": True, "notice_date": D(2026, 6, 1)},
        "not_allowed",
        None,
        "heat advisory",
    ),
    ("heat alert in January", D(2026, 1, 13), {"heat_alert": True}, "not_allowed", None, "216B"),
    (
        "appeal pending",
        D(2026, 1, 13),
        {"appeal_pending": True},
        "not_allowed",
        None,
        "until the appeal is resolved",
    ),
    (
        "appeal pending in summer",
        D(2026, 7, 14),
        {"appeal_pending": True},
        "not_allowed",
        None,
        "appeal",
    ),
    ("military", D(2026, 1, 13), {"military_protected": True}, "not_allowed", None, "325E.028"),
    (
        "cold weather protected",
        D(2026, 1, 13),
        {"cold_weather_protected": True},
        "not_allowed",
        None,
        "protected under the Cold Weather Rule through Thursday, April 30, 2026",
    ),
    # Period boundaries.
    (
        "last day of the period, notice too recent",
        D(2026, 4, 30),
        {"notice_date": D(2026, 4, 20)},
        "not_allowed",
        D(2026, 5, 1),
        "after the cold weather period ends",
    ),
    (
        "first day after the period, a Friday",
        D(2026, 5, 1),
        {"notice_date": D(2026, 4, 20)},
        "allowed",
        D(2026, 5, 1),
        "apply only during the cold weather period",
    ),
    (
        "cold weather protection ends with the period",
        D(2026, 5, 4),
        {"cold_weather_protected": True, "notice_date": D(2026, 4, 1)},
        "allowed",
        D(2026, 5, 4),
        "likewise covers only the cold weather period",
    ),
    (
        "day before the period starts",
        D(2025, 9, 30),
        {"notice_date": D(2025, 9, 25)},
        "allowed",
        D(2025, 9, 30),
        "outside the cold weather period",
    ),
    (
        "first day of the period",
        D(2025, 10, 1),
        {"notice_date": D(2025, 9, 25)},
        "not_allowed",
        D(2025, 10, 15),
        "until Wednesday, October 15, 2025",
    ),
    (
        "summer friday",
        D(2026, 7, 10),
        {"notice_date": D(2026, 7, 1)},
        "allowed",
        D(2026, 7, 10),
        "No heat alert",
    ),
    # An unresponsive customer: check occupancy first.
    (
        "unresponsive, occupancy not checked",
        D(2026, 1, 13),
        {"unresponsive": True},
        "not_allowed",
        None,
        "check whether the home is occupied",
    ),
    (
        "occupied: five working days (MLK Day not counted)",
        D(2026, 1, 21),
        {
            "unresponsive": True,
            "occupancy": Occupancy.OCCUPIED,
            "occupant_informed_date": D(2026, 1, 13),
        },
        "not_allowed",
        D(2026, 1, 22),
        "through Wednesday, January 21, 2026",
    ),
    (
        "occupied: the day after the five working days",
        D(2026, 1, 22),
        {
            "unresponsive": True,
            "occupancy": Occupancy.OCCUPIED,
            "occupant_informed_date": D(2026, 1, 13),
        },
        "allowed",
        D(2026, 1, 22),
        "had five working days",
    ),
    (
        "occupied, occupant told today",
        D(2026, 1, 13),
        {"unresponsive": True, "occupancy": Occupancy.OCCUPIED},
        "not_allowed",
        D(2026, 1, 22),
        "told on Tuesday, January 13, 2026",
    ),
    (
        "unoccupied: seven days' notice to the energy assistance provider",
        D(2026, 1, 19),
        {
            "unresponsive": True,
            "occupancy": Occupancy.UNOCCUPIED,
            "provider_notice_date": D(2026, 1, 13),
        },
        "not_allowed",
        D(2026, 1, 20),
        "seven days' written notice",
    ),
    (
        "unoccupied: day 7",
        D(2026, 1, 20),
        {
            "unresponsive": True,
            "occupancy": Occupancy.UNOCCUPIED,
            "provider_notice_date": D(2026, 1, 13),
        },
        "allowed",
        D(2026, 1, 20),
        "not before Tuesday, January 20, 2026",
    ),
    # Not residential: none of these protections apply.
    (
        "commercial saturday",
        D(2026, 1, 10),
        {"residential": False},
        "allowed",
        D(2026, 1, 10),
        "residential customers only",
    ),
    # Beyond the holiday calendar: no date is given rather than a guess.
    (
        "end of 2027 runs past the holiday calendar",
        D(2027, 12, 31),
        {"notice_date": D(2027, 11, 1)},
        "not_allowed",
        None,
        "covers 2025-2027 only",
    ),
    (
        "2019 winter (superseded period) has no holiday calendar",
        D(2019, 1, 8),
        {"notice_date": D(2018, 11, 1)},
        "not_allowed",
        None,
        "covers 2025-2027 only",
    ),
    (
        "2018 date before the old October 15 start",
        D(2018, 10, 10),
        {"notice_date": D(2018, 10, 1)},
        "allowed",
        D(2018, 10, 10),
        "outside the cold weather period",
    ),
]


@pytest.mark.parametrize(
    ("day", "changes", "decision", "earliest", "phrase"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_disconnection_date_check(
    calendar: UtilityCalendar,
    tables: ColdWeatherTables,
    day: dt.date,
    changes: dict[str, Any],
    decision: str,
    earliest: dt.date | None,
    phrase: str,
) -> None:
    result = _check(calendar, tables, day, **changes)
    assert result.decision == decision, result.reasons
    assert result.earliest_date == earliest, result.reasons
    assert result.reasons
    assert any(phrase in reason for reason in result.reasons), result.reasons


def test_every_blocking_reason_is_listed(
    calendar: UtilityCalendar, tables: ColdWeatherTables
) -> None:
    result = _check(
        calendar,
        tables,
        D(2026, 11, 27),
        notice_date=D(2026, 11, 20),
        heat_alert=True,
        appeal_pending=True,
        time=T(17, 0),
    )
    text = " ".join(result.reasons)
    for phrase in ("heat advisory", "appeal", "Day after Thanksgiving", "is a Friday", "until"):
        assert phrase in text
    assert result.earliest_date is None


def test_an_observed_holiday_is_not_also_the_day_before_itself(
    calendar: UtilityCalendar, tables: ColdWeatherTables
) -> None:
    # Friday Dec 31, 2027 is New Year's Day (Saturday Jan 1, 2028) observed.
    result = _check(calendar, tables, D(2027, 12, 31), notice_date=D(2027, 11, 1))
    assert any("(New Year's Day)." in r for r in result.reasons)
    assert not any("day before a holiday (New Year's Day)" in r for r in result.reasons)


def test_a_not_allowed_answer_ends_with_when(
    calendar: UtilityCalendar, tables: ColdWeatherTables
) -> None:
    result = _check(calendar, tables, D(2026, 1, 9))
    assert result.reasons[-1] == (
        "On these facts, the earliest date it could happen is Monday, January 12, 2026."
    )


WINTER_DAYS = st.dates(min_value=D(2025, 10, 1), max_value=D(2027, 4, 15))


@settings(max_examples=60, deadline=None)
@given(day=WINTER_DAYS, notice_gap=st.integers(min_value=-5, max_value=40), mailed=st.booleans())
def test_earliest_date_is_allowed_and_no_day_before_it_is(
    day: dt.date, notice_gap: int, mailed: bool
) -> None:
    calendar, tables = load_calendar(), load_cold_weather_tables()
    facts = dict(
        notice_date=day - dt.timedelta(days=notice_gap),
        notice_delivery=MAILED if mailed else PERSONAL,
    )
    result = _check(calendar, tables, day, **facts)
    assert result.earliest_date is not None
    assert _check(calendar, tables, result.earliest_date, **facts).allowed
    probe = day
    while probe < result.earliest_date:
        assert not _check(calendar, tables, probe, **facts).allowed, probe
        probe += dt.timedelta(days=1)


def _run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["rules", "disconnect", *argv])
    return code, out.getvalue()


class TestCommandLine:
    def test_friday_in_january(self) -> None:
        code, out = _run(
            "--date=2026-01-09", "--notice-date=2025-12-01", "--notice-delivery=mailed", "--json"
        )
        payload = json.loads(out)
        assert code == 0
        assert payload["decision"] == "not_allowed"
        assert payload["earliest_date"] == "2026-01-12"
        assert payload["in_cold_weather_period"] is True
        assert payload["reasons"]

    def test_friday_with_an_agreement_declined_that_day(self) -> None:
        code, out = _run(
            "--date=2026-01-09",
            "--notice-date=2025-12-01",
            "--notice-delivery=personal",
            "--agreement-declined-today",
            "--time=10:15",
            "--json",
        )
        payload = json.loads(out)
        assert (payload["decision"], payload["earliest_date"]) == ("allowed", "2026-01-09")

    def test_open_ended_protection_prints_null(self) -> None:
        code, out = _run(
            "--date=2026-01-13",
            "--notice-date=2025-12-01",
            "--notice-delivery=mailed",
            "--appeal-pending",
            "--json",
        )
        assert json.loads(out)["earliest_date"] is None

    def test_unoccupied_home(self) -> None:
        code, out = _run(
            "--date=2026-01-13",
            "--notice-date=2025-12-01",
            "--notice-delivery=mailed",
            "--unresponsive",
            "--unoccupied",
            "--provider-notice-date=2026-01-13",
            "--json",
        )
        assert json.loads(out)["earliest_date"] == "2026-01-20"

    def test_text_output(self) -> None:
        code, out = _run(
            "--date=2026-11-25", "--notice-date=2026-11-01", "--notice-delivery=mailed"
        )
        assert code == 0
        assert out.startswith("decision: not_allowed")
        assert "earliest date: 2026-11-30" in out

    @pytest.mark.parametrize(
        "argv",
        [
            ["--date=2026-01-13", "--notice-date=2025-12-01"],  # delivery missing
            ["--date=2026-01-13", "--notice-date=2025-12-01", "--notice-delivery=carrier-pigeon"],
            [
                "--date=2026-01-13",
                "--notice-date=2025-12-01",
                "--notice-delivery=mailed",
                "--time=25:00",
            ],
            [
                "--date=2026-01-13",
                "--notice-date=2025-12-01",
                "--notice-delivery=mailed",
                "--occupied",
            ],  # occupancy without --unresponsive
            [
                "--date=2026-01-13",
                "--notice-date=2025-12-01",
                "--notice-delivery=mailed",
                "--unresponsive",
                "--occupied",
                "--unoccupied",
            ],
        ],
    )
    def test_bad_arguments_exit_2(self, argv: list[str], capsys: pytest.CaptureFixture) -> None:
        code, _ = _run(*argv)
        assert code == 2
        assert "error" in capsys.readouterr().err
