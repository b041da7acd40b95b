"""Contacts rules: phone, email and address reading, the per-account limit, duplicates, and
who may discuss an account, with the table in data/utility/third_party_contacts.yml."""

from __future__ import annotations

import pytest

from actions.rules.contacts import (
    ACTIVE,
    PENDING,
    REMOVED,
    ExistingContact,
    MailingAddress,
    check_email,
    check_new_contact_phone,
    check_phone,
    clean_name,
    display_phone,
    initial_status,
    load_contact_policy,
    may_discuss_account,
    parse_mailing_address,
    replaced_value_kind,
    room_for_contact,
)

POLICY = load_contact_policy()


@pytest.mark.parametrize("typed, e164", [
    ("507-280-1500", "+15072801500"),
    ("(507) 555 0123", "+15075550123"),
    ("5075550123", "+15075550123"),
    ("+1 507.555.0123", "+15075550123"),
    ("my daughter's cell is 612-555-0199 thanks", "+16125550199"),
    ("+44 20 7946 0958", "+442079460958"),
])
def test_phone_numbers_are_stored_as_e164(typed: str, e164: str) -> None:
    check = check_phone(typed, POLICY.phone_region)
    assert (check.e164, check.problem) == (e164, None)


@pytest.mark.parametrize("typed", ["555-0123", "123", "507-280-150011111", "call her",
                                   "", "111-111-1111"])
def test_a_wrong_number_is_refused_with_a_reason(typed: str) -> None:
    check = check_phone(typed, POLICY.phone_region)
    assert check.e164 is None
    assert check.problem


def test_a_number_without_area_code_is_asked_again_with_why() -> None:
    assert "area code" in check_phone("555-0123").problem


def test_phone_display_is_the_national_form_at_home() -> None:
    assert display_phone("+15075550123") == "(507) 555-0123"
    assert display_phone("+442079460958").startswith("+44 20")


@pytest.mark.parametrize("typed, expected", [
    ("mary.smith@example.com", ("mary.smith@example.com", False)),
    ("It's Mary.Smith@Example.COM.", ("mary.smith@example.com", False)),
    ("no email", (None, True)),
    ("none", (None, True)),
    ("skip", (None, True)),
    ("mary at example dot com", (None, False)),
    ("a@b", (None, False)),
])
def test_email_is_optional_and_checked(typed: str, expected: tuple) -> None:
    assert check_email(typed) == expected


def test_mailing_address_needs_street_city_state_and_zip() -> None:
    assert parse_mailing_address("450 Palm Ave, Naples, FL 34102") == MailingAddress(
        "450 Palm Ave", "Naples", "FL", "34102")
    assert parse_mailing_address("4000 East River Rd NE, rochester mn 55906-1234") == \
        MailingAddress("4000 East River Rd NE", "Rochester", "MN", "55906")
    assert parse_mailing_address("Naples, FL") is None
    assert parse_mailing_address("450 Palm Ave, Naples, ZZ 34102") is None


def contacts(count: int, *, status: str = ACTIVE) -> list[ExistingContact]:
    return [ExistingContact(f"Contact {n}", f"+1507555010{n}", status) for n in range(count)]


def test_the_limit_comes_from_the_data_file() -> None:
    limit = POLICY.max_contacts_per_account
    assert limit == 4
    assert room_for_contact(contacts(limit - 1), POLICY).allowed
    refused = room_for_contact(contacts(limit), POLICY)
    assert (refused.allowed, refused.reason) == (False, "limit")


def test_removed_contacts_do_not_count_toward_the_limit() -> None:
    existing = contacts(POLICY.max_contacts_per_account, status=REMOVED)
    assert room_for_contact(existing, POLICY).allowed


def test_the_same_phone_cannot_be_added_twice_unless_removed() -> None:
    existing = [ExistingContact("Mary Smith", "+15075550123", ACTIVE)]
    refused = check_new_contact_phone("+15075550123", existing)
    assert (refused.allowed, refused.reason, refused.duplicate_of) == \
        (False, "duplicate", "Mary Smith")
    assert check_new_contact_phone("+15075550124", existing).allowed
    gone = [ExistingContact("Mary Smith", "+15075550123", REMOVED)]
    assert check_new_contact_phone("+15075550123", gone).allowed


def test_only_a_confirmed_authorized_person_may_discuss_the_account() -> None:
    authorized = POLICY.kinds["authorized"]
    notification = POLICY.kinds["notification"]
    assert initial_status(authorized) == PENDING
    assert initial_status(notification) == ACTIVE
    assert may_discuss_account(authorized, ACTIVE)
    assert not may_discuss_account(authorized, PENDING)
    assert not may_discuss_account(notification, ACTIVE)


def test_the_note_names_the_kind_of_value_replaced_not_the_value() -> None:
    assert replaced_value_kind("phone", None, "+15075550123") == "no phone was on file"
    same = replaced_value_kind("phone", "+15075550101", "+15075550123")
    assert same == "replaced a phone number with the same area code"
    assert "0101" not in same
    assert replaced_value_kind("email", "old@example.com", "new@example.org") == \
        "replaced an email address at another domain"
    old = MailingAddress("1 Old Rd", "Rochester", "MN", "55902")
    new = MailingAddress("450 Palm Ave", "Naples", "FL", "34102")
    assert replaced_value_kind("mailing_address", old, new) == \
        "replaced a mailing address in another state"


def test_names_need_letters() -> None:
    assert clean_name("  mary   smith. ") == "mary smith"
    assert clean_name("Hope Lutheran Church") == "Hope Lutheran Church"
    assert clean_name("12345") is None
    assert clean_name("") is None
