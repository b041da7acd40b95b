"""Third-party contacts, contact details and leaving for the winter, through the trained
model and the action server: every path, and exactly one note for each change."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from actions.store.models import Account, Contact, SeasonalAbsence
from tests.conversation.conftest import Assistant

pytestmark = pytest.mark.conversation


def _verified(assistant: Assistant, sender: str, request: str, account: str,
              zip_code: str) -> str:
    """Asks for ``request``, verifies, and returns what the bot said after verifying."""
    assert "account number" in assistant.texts(sender, request)
    assert "ZIP" in assistant.texts(sender, account)
    reply = assistant.texts(sender, zip_code)
    assert f"verified for account {account}" in reply
    return reply


def _contacts(assistant: Assistant, account: str) -> list[Contact]:
    with assistant.store.transaction() as session:
        rows = session.execute(select(Contact).where(Contact.account_number == account)
                               .order_by(Contact.id)).scalars().all()
        session.expunge_all()
        return list(rows)


def _categories(assistant: Assistant, account: str, category: str) -> list[str]:
    return [n.summary for n in assistant.notes(account) if n.category == category]


def test_adding_a_notification_contact_reads_back_and_saves_on_yes(
    assistant: Assistant, sender: str
) -> None:
    reply = _verified(assistant, sender, "I want to add a third party contact",
                      "2100001", "55902")
    assert "notification contact" in reply and "authorized person" in reply
    assert "Which would you like to add" in reply
    assert "full name" in assistant.texts(sender, "notification contact")
    assert "related" in assistant.texts(sender, "Hope Lutheran Church")
    assert "phone number" in assistant.texts(sender, "church group")
    # A wrong number is asked again, with why.
    wrong = assistant.texts(sender, "555-0123")
    assert "can't use that number" in wrong and "area code" in wrong
    assert "email" in assistant.texts(sender, "507 555 0144").lower()
    read_back = assistant.texts(sender, "no email")
    for shown in ("third-party notification contact", "Hope Lutheran Church",
                  "(church group)", "(507) 555-0144", "no email"):
        assert shown in read_back
    assert _contacts(assistant, "2100001") == []  # nothing saved before the yes

    saved = assistant.texts(sender, "yes")
    assert "Hope Lutheran Church is now your third-party notification contact" in saved
    [contact] = _contacts(assistant, "2100001")
    assert (contact.kind, contact.phone, contact.status, contact.email) == \
        ("notification", "+15075550144", "active", None)
    [note] = _categories(assistant, "2100001", "third-party contact")
    assert "Hope Lutheran Church" in note and "+15075550144" in note


def test_an_authorized_person_waits_for_written_consent(assistant: Assistant,
                                                        sender: str) -> None:
    reply = _verified(assistant, sender, "add my daughter as an authorized person on my account",
                      "2100004", "55906")
    # The kind was in the request, so the form goes straight to the name.
    assert "full name" in reply
    assistant.texts(sender, "Anna Berg")
    assistant.texts(sender, "daughter")
    assistant.texts(sender, "+1 (612) 555-0199")
    read_back = assistant.texts(sender, "anna.berg@example.com")
    assert "authorized person" in read_back and "anna.berg@example.com" in read_back
    saved = assistant.texts(sender, "yes")
    assert "written consent" in saved
    [contact] = _contacts(assistant, "2100004")
    assert (contact.kind, contact.status, contact.phone, contact.email) == \
        ("authorized", "pending_confirmation", "+16125550199", "anna.berg@example.com")
    [note] = _categories(assistant, "2100004", "third-party contact")
    assert "Pending staff confirmation" in note


def test_a_phone_already_on_the_account_is_refused(assistant: Assistant, sender: str) -> None:
    _verified(assistant, sender, "add a notification contact", "2100002", "55901")
    assistant.texts(sender, "Robert Olson")
    assistant.texts(sender, "son")
    duplicate = assistant.texts(sender, "507-555-0177")  # Robert is already authorized
    assert "already on your account for Robert Olson" in duplicate
    assert "email" in assistant.texts(sender, "507-555-0178").lower()
    assert len(_contacts(assistant, "2100002")) == 2  # the two from the export, no more


def test_cancel_at_the_confirmation_saves_nothing_and_notes_it_once(
    assistant: Assistant, sender: str
) -> None:
    _verified(assistant, sender, "add a notification contact", "2100007", "55904")
    for answer in ("Sam Lee", "neighbor", "507-555-0155", "sam@example.com"):
        assistant.texts(sender, answer)
    assert "haven't saved anything" in assistant.texts(sender, "no")
    assert _contacts(assistant, "2100007") == []
    [note] = _categories(assistant, "2100007", "third-party contact")
    assert "cancelled" in note and "Nothing saved" in note


def test_the_limit_from_the_data_file_is_enforced(assistant: Assistant, sender: str) -> None:
    with assistant.store.transaction() as session:
        for n in range(4):
            session.add(Contact(account_number="2100006", kind="notification",
                                name=f"Contact {n}", phone=f"+1507555020{n}", status="active"))
    reply = _verified(assistant, sender, "add a third party contact", "2100006", "55901")
    assert "already has 4 contacts" in reply
    assert len(_contacts(assistant, "2100006")) == 4
    assert len(_categories(assistant, "2100006", "third-party contact")) == 1


def test_list_then_remove_a_contact(assistant: Assistant, sender: str) -> None:
    with assistant.store.transaction() as session:
        session.add(Contact(account_number="2100005", kind="notification", name="Lena Ortiz",
                            relationship_to_customer="friend", phone="+15075550133",
                            status="active"))
    listed = _verified(assistant, sender, "who are the contacts on my account", "2100005",
                       "55901")
    assert "Lena Ortiz" in listed and "ending in 0133" in listed
    assert "+15075550133" not in listed
    ask = assistant.texts(sender, "remove a contact from my account")
    assert "Which contact should I remove" in ask and "1. Lena Ortiz" in ask
    assert "Remove Lena Ortiz" in assistant.texts(sender, "1")
    assert "no longer a contact" in assistant.texts(sender, "yes")
    [contact] = _contacts(assistant, "2100005")
    assert contact.status == "removed" and contact.removed_at is not None
    notes = _categories(assistant, "2100005", "third-party contact")
    assert len(notes) == 2  # one for the list, one for the removal
    assert "Removed notification contact Lena Ortiz" in notes[0]


def test_contact_details_change_notes_the_kind_of_value_replaced(
    assistant: Assistant, sender: str
) -> None:
    reply = _verified(assistant, sender, "I need to update my email address", "2100003",
                      "55904")
    assert "new email address" in reply
    invalid = assistant.texts(sender, "my new email is jane at example")
    assert "doesn't look like an email address" in invalid
    confirm = assistant.texts(sender, "j.doe@newmail.example")
    assert "Change your email address to j.doe@newmail.example?" in confirm
    assert "now j.doe@newmail.example" in assistant.texts(sender, "yes")
    with assistant.store.transaction() as session:
        old_email = session.get(Account, "2100003")
        assert old_email.email == "j.doe@newmail.example"
    [note] = _categories(assistant, "2100003", "contact information")
    assert "j.doe@newmail.example" in note
    assert "replaced an email address at another domain" in note
    assert "jordan.patel" not in note  # the old address stays out of the record


def test_leaving_for_the_winter_notes_the_period_and_adds_a_backup_contact(
    assistant: Assistant, sender: str
) -> None:
    reply = _verified(assistant, sender, "we're going to florida for the winter",
                      "2100003", "55904")
    assert "When are you leaving" in reply
    assert "two dates" in assistant.texts(sender, "sometime soon")
    assert "bills go" in assistant.texts(sender, "Dec 1 to March 31")
    assert "street, city, state" in assistant.texts(sender, "florida")
    backup = assistant.texts(sender, "450 Palm Ave, Naples, FL 34102")
    assert "backup contact" in backup
    after = assistant.texts(sender, "yes")
    # The conversation tests run on Friday 2027-01-15: a December start is the one just past.
    assert "away from 2026-12-01 to 2027-03-31" in after
    assert "450 Palm Ave, Naples, FL 34102" in after
    assert "autopay keeps payments on time" in after.lower()  # 2100003 has no autopay
    assert "full name" in after  # the contact form, as an authorized person
    assistant.texts(sender, "Karen Olson")
    assistant.texts(sender, "neighbor")
    assistant.texts(sender, "507-555-0122")
    read_back = assistant.texts(sender, "no email")
    assert "authorized person" in read_back
    assistant.texts(sender, "yes")

    with assistant.store.transaction() as session:
        [absence] = session.execute(select(SeasonalAbsence).where(
            SeasonalAbsence.account_number == "2100003")).scalars().all()
        assert absence.forwarding_city == "Naples"
    [winter] = _categories(assistant, "2100003", "leaving for the winter")
    assert "away from 2026-12-01 to 2027-03-31" in winter and "450 Palm Ave" in winter
    [contact] = [c for c in _contacts(assistant, "2100003") if c.name == "Karen Olson"]
    assert contact.kind == "authorized"
    assert len(_categories(assistant, "2100003", "third-party contact")) == 1


def test_privacy_answers_cite_the_policy_and_data_requests_go_to_staff(
    assistant: Assistant, sender: str
) -> None:
    sold = assistant.texts(sender, "do you sell my personal data?")
    assert "does not sell" in sold and "Customer Data Policy" in sold
    police = assistant.texts(sender, "can the police get my usage data from you")
    assert "law enforcement" in police
    release = assistant.texts(sender, "please send my usage data to my landlord")
    assert "passing it to Customer Care" in release
    notes = assistant.conversation_notes(sender)
    assert [n.category for n in notes] == ["privacy", "privacy", "handoff"]
    assert "release of the customer's data" in notes[-1].summary
