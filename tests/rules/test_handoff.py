"""The handoff's pure parts: masking, the transcript and summary from tracker events, and
what the customer is told about Customer Care's hours."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from actions.rules.calendar import load_calendar
from actions.rules.handoff import (
    BANK_MASK,
    CARD_MASK,
    INCOME_MASK,
    handoff_timing,
    mask_private,
    phone_in,
    read_conversation,
    summary_paragraph,
)

CHICAGO = ZoneInfo("America/Chicago")


@pytest.mark.parametrize("text", [
    "my card is 4111 1111 1111 1111",
    "card 4111-1111-1111-1111 exp 12/27",
    "use 5500005555555559 please",
])
def test_card_numbers_are_masked(text: str) -> None:
    masked = mask_private(text)
    assert CARD_MASK in masked and "1111" not in masked and "5559" not in masked


def test_bank_numbers_are_masked_but_phone_numbers_stay() -> None:
    masked = mask_private("routing 091000019 and checking 123456789012, call 507-555-0101")
    assert masked.count(BANK_MASK) == 2
    assert "507-555-0101" in masked


def test_details_needed_for_verification_stay() -> None:
    text = "account 2100001, zip 55902, my number is (507) 555-0101"
    assert mask_private(text) == text


def test_an_answer_to_an_income_question_is_withheld() -> None:
    assert mask_private("about 2,500 a month", income_answer=True) == \
        f"about {INCOME_MASK} a month"
    assert mask_private("we make $42k a year") == f"we make {INCOME_MASK} a year"


def test_a_bill_amount_outside_income_talk_stays() -> None:
    assert mask_private("why is my bill $221.48?") == "why is my bill $221.48?"


def test_the_assistant_repeating_an_income_keeps_the_bracket_not_the_figure() -> None:
    said = ("Your gross monthly income of $4,200.00 is below $8,000.00, the state median. "
            "You pay $420.00 a month. Call 1-855-631-3643 (Visa accepted).")
    masked = mask_private(said, said_by="assistant")
    assert "4,200" not in masked and "is below $8,000.00" in masked
    assert "1-855-631-3643" in masked


def _user(text: str, t: float, intent: str = "", entities: list | None = None) -> dict:
    return {"event": "user", "timestamp": t, "text": text,
            "parse_data": {"intent": {"name": intent}, "entities": entities or []}}


def _bot(text: str, t: float) -> dict:
    return {"event": "bot", "timestamp": t, "text": text}


def _action(name: str, t: float) -> dict:
    return {"event": "action", "timestamp": t, "name": name}


def _slot(name: str, value: object, t: float) -> dict:
    return {"event": "slot", "timestamp": t, "name": name, "value": value}


def _loop(name: str | None, t: float) -> dict:
    return {"event": "active_loop", "timestamp": t, "name": name}


BILL_THEN_PERSON = [
    {"event": "session_started", "timestamp": 1.0},
    _user("explain my bill", 10.0, "explain_bill"),
    _action("action_explain_bill", 10.1),
    _action("verify_identity_form", 10.2),
    _loop("verify_identity_form", 10.2),
    _slot("requested_slot", "account_number", 10.2),
    _bot("What is your RPU account number?", 10.3),
    _user("2100001", 20.0, "inform"),
    _action("verify_identity_form", 20.1),
    _slot("requested_slot", "zip_code", 20.1),
    _user("55902", 30.0, "inform"),
    _action("verify_identity_form", 30.1),
    _slot("verified_account", "2100001", 30.1),
    _loop(None, 30.1),
    _slot("requested_slot", None, 30.1),
    _action("action_resume_after_verification", 30.2),
    _bot("Thanks, you're verified for account 2100001.", 30.3),
    _user("what is the clean air rider?", 40.0, "explain_bill",
          [{"entity": "bill_line", "value": "clean air rider"}]),
    _action("action_explain_bill", 40.1),
    _bot("Clean Air Rider: ...", 40.2),
    _user("I want to talk to a person", 50.0, "human_handoff"),
]


def test_the_transcript_keeps_both_sides_with_times() -> None:
    turns, _facts = read_conversation(BILL_THEN_PERSON)
    assert [(t.speaker, t.text) for t in turns][:3] == [
        ("customer", "explain my bill"), ("assistant", "What is your RPU account number?"),
        ("customer", "2100001")]
    assert turns[0].at == dt.datetime.fromtimestamp(10.0, tz=dt.timezone.utc)
    assert turns[-1].text == "I want to talk to a person"


def test_the_summary_says_who_what_was_asked_and_what_was_done() -> None:
    _turns, facts = read_conversation(BILL_THEN_PERSON)
    assert facts.verified_account == "2100001"
    assert facts.forms_completed == ("account verification",)
    summary = summary_paragraph("customer_request", facts, channel="text")
    assert summary.startswith("Handed off because the customer asked for a person; the "
                              "customer is by text message.")
    assert "Verified as the holder of account 2100001." in summary
    assert "an explanation of the bill and the clean air rider line of the bill" in summary
    assert "explained the bill" in summary
    assert "Completed: account verification." in summary
    assert 'Last message: "I want to talk to a person".' in summary


def test_an_unverified_summary_warns_staff() -> None:
    _turns, facts = read_conversation([_user("blah", 1.0, "nlu_fallback")])
    summary = summary_paragraph("misunderstood", facts, channel="chat")
    assert "did not understand the customer twice" in summary
    assert "Not verified" in summary and "in web chat" in summary


def test_the_income_answer_in_a_form_is_withheld_in_the_transcript() -> None:
    events = [
        _loop("cold_weather_form", 1.0),
        _slot("requested_slot", "cw_annual_income", 1.0),
        _bot("What is your household's total yearly income before taxes?", 1.1),
        _user("32000", 2.0, "inform"),
        _slot("requested_slot", "cw_heat_affected", 2.1),
        _user("yes 4111111111111111", 3.0, "affirm"),
    ]
    turns, _facts = read_conversation(events)
    customer = [t.text for t in turns if t.speaker == "customer"]
    assert customer == [INCOME_MASK, f"yes {CARD_MASK}"]


def test_a_stopped_form_is_not_counted_as_completed() -> None:
    events = [_action("cold_weather_form", 1.0), _loop("cold_weather_form", 1.0),
              _user("stop", 2.0, "stop"), _action("action_deactivate_loop", 2.1),
              _loop(None, 2.1)]
    _turns, facts = read_conversation(events)
    assert facts.forms_completed == () and facts.forms_stopped


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=CHICAGO)


def test_during_hours_someone_replies_shortly() -> None:
    timing = handoff_timing(load_calendar(), _at("2027-01-15T10:30"))  # a Friday
    assert timing.office_open and timing.closes_text() == "5:00 p.m."


def test_friday_evening_before_a_monday_holiday_waits_until_tuesday() -> None:
    timing = handoff_timing(load_calendar(), _at("2027-01-15T17:30"))
    assert not timing.office_open
    assert timing.next_open == _at("2027-01-19T08:00")  # Monday is Martin Luther King Jr. Day
    assert timing.next_open_text(dt.date(2027, 1, 15)) == \
        "on Tuesday, January 19, 2027, at 8:00 a.m."


def test_on_a_holiday_the_message_names_it() -> None:
    timing = handoff_timing(load_calendar(), _at("2026-12-25T11:00"))
    assert not timing.office_open and timing.closed_for == "Christmas Day"
    assert timing.next_open == _at("2026-12-28T08:00")


def test_early_morning_opens_today() -> None:
    timing = handoff_timing(load_calendar(), _at("2027-01-14T06:45"))
    assert timing.next_open_text(dt.date(2027, 1, 14)) == "today at 8:00 a.m."


def test_a_year_the_calendar_does_not_cover_counts_weekday_hours_and_names_no_opening(
) -> None:
    assert handoff_timing(load_calendar(), _at("2031-03-04T10:00")).office_open
    evening = handoff_timing(load_calendar(), _at("2031-03-04T19:00"))
    assert not evening.office_open and evening.next_open is None


@pytest.mark.parametrize(("text", "phone"), [
    ("call me at 507-555-0199", "+15075550199"),
    ("(507) 555 0199", "+15075550199"),
    ("+1 507 555 0199 please", "+15075550199"),
    ("account 2100001", None),
])
def test_a_callback_number_is_read_from_a_message(text: str, phone: str | None) -> None:
    assert phone_in(text) == phone
