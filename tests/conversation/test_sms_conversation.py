"""A conversation over SMS, end to end: signed Twilio webhooks into the real Rasa server on
the trained model, with the real action server and account database.

These servers are started apart from the shared ``assistant`` fixture because the SMS
channel needs Twilio settings in their environment (the test auth token, and a local fake
of Twilio's REST API for any reply that misses the webhook's time budget), and because
this conversation uses the number on file for account 2100001 in a database of its own.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
import uuid
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from actions.store.db import Store
from actions.store.repository import NoteView, notes_for_conversation
from bot.launcher import AssistantProcesses
from tests.channels.fake_twilio import FakeTwilio
from tests.conversation.conftest import running_assistant

pytestmark = pytest.mark.conversation

TOKEN = "conversation-test-token"
ACCOUNT_SID = "AC" + "0" * 31 + "2"
TWILIO_NUMBER = "+15075550199"
PUBLIC_BASE = "https://careline.example.org"  # as if behind a proxy
PATH = "/webhooks/twilio/webhook"
JANE = "+15075550101"  # on file for demo account 2100001 (ZIP 55902)


@dataclass
class SmsAssistant:
    processes: AssistantProcesses
    store: Store
    fake: FakeTwilio

    def post(self, phone: str, body: str, sid: str) -> tuple[int, str]:
        params = {"MessageSid": sid, "SmsSid": sid, "AccountSid": ACCOUNT_SID,
                  "From": phone, "To": TWILIO_NUMBER, "Body": body, "NumMedia": "0",
                  "NumSegments": "1", "SmsStatus": "received", "ApiVersion": "2010-04-01"}
        signature = RequestValidator(TOKEN).compute_signature(PUBLIC_BASE + PATH, params)
        request = urllib.request.Request(
            self.processes.base_url + PATH, data=urlencode(params).encode(), method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "X-Twilio-Signature": signature},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def text(self, phone: str, body: str, *, sid: str | None = None) -> str:
        """One customer text; the reply as the customer's phone shows it (TwiML, or texts
        sent through the REST API when the answer missed the webhook's time budget)."""
        before = len(self.fake.sent_to(phone))
        status, xml = self.post(phone, body, sid or "SM" + uuid.uuid4().hex)
        assert status == 200, xml
        parts = [m.text or "" for m in ElementTree.fromstring(xml).findall("Message")]
        if not parts:
            deadline = time.monotonic() + 60
            while len(self.fake.sent_to(phone)) == before and time.monotonic() < deadline:
                time.sleep(0.2)
            parts = [m.body for m in self.fake.sent_to(phone)[before:]]
        return "\n".join(parts)

    def conversation_notes(self, phone: str) -> list[NoteView]:
        with self.store.transaction() as session:
            return notes_for_conversation(session, "sms:" + phone)


@pytest.fixture(scope="module")
def sms_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmsAssistant]:
    fake = FakeTwilio().start()
    try:
        with running_assistant(tmp_path_factory.mktemp("sms-assistant"), {
            "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_NUMBER": TWILIO_NUMBER, "TWILIO_API_BASE_URL": fake.base_url,
            "CARELINE_PUBLIC_URL": PUBLIC_BASE,
        }) as running:
            yield SmsAssistant(processes=running.processes, store=running.store, fake=fake)
    finally:
        fake.stop()


def test_a_customer_texts_from_greeting_to_a_bill_explanation(sms_assistant: SmsAssistant) -> None:
    greeting = sms_assistant.text(JANE, "hi")
    assert "Rochester Public Utilities" in greeting

    # The number is on file for account 2100001: only the ZIP code is asked for.
    ask = sms_assistant.text(JANE, "explain my bill")
    assert "ZIP" in ask and "account number" not in ask

    sid = "SM" + uuid.uuid4().hex
    bill = sms_assistant.text(JANE, "55902", sid=sid)
    assert "verified for account 2100001" in bill
    assert "$221.48" in bill and "due 2023-07-05" in bill

    notes = sms_assistant.conversation_notes(JANE)
    assert [n.category for n in notes] == ["bill explanation"]
    assert all(n.channel == "text" and n.account_number == "2100001" for n in notes)

    # Twilio retries the webhook: the same reply, and no second note.
    assert sms_assistant.text(JANE, "55902", sid=sid) == bill
    assert len(sms_assistant.conversation_notes(JANE)) == len(notes)


def test_a_numbered_reply_picks_a_button_and_a_forged_text_is_refused(
    sms_assistant: SmsAssistant,
) -> None:
    phone = "+15075550188"  # not on file
    greeting = sms_assistant.text(phone, "hello")
    assert "Reply 3 for Ways to pay" in greeting
    assert "1-855-631-3643" in sms_assistant.text(phone, "3")
    assert [n.channel for n in sms_assistant.conversation_notes(phone)] == ["text"]

    request = urllib.request.Request(
        sms_assistant.processes.base_url + PATH, method="POST",
        data=urlencode({"From": phone, "Body": "hi", "MessageSid": "SMforged"}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "X-Twilio-Signature": "forged"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 403


def test_an_authorized_person_texting_from_their_phone_is_told_the_bill(
    sms_assistant: SmsAssistant,
) -> None:
    robert = "+15075550177"  # authorized person on account 2100002 (ZIP 55901)
    ask = sms_assistant.text(robert, "can you explain my mom's bill")
    assert "ZIP" in ask and "account number" not in ask
    bill = sms_assistant.text(robert, "55901")
    assert "verified for account 2100002" in bill and "$" in bill
    [note] = sms_assistant.conversation_notes(robert)
    assert note.account_number == "2100002" and note.channel == "text"
    assert "authorized person Robert Olson" in note.summary


def test_a_notification_contact_is_told_nothing_private(sms_assistant: SmsAssistant) -> None:
    church = "+15075550166"  # notification contact on account 2100002
    assert "ZIP" in sms_assistant.text(church, "what is the balance on the account")
    refused = sms_assistant.text(church, "55901")
    assert "notification contact" in refused and "can't share account details" in refused
    assert "$" not in refused and "verified" not in refused
    [note] = sms_assistant.conversation_notes(church)
    assert note.category == "privacy" and "nothing shared" in note.summary
    # Still not verified: a second ask gets the ZIP question again, not the bill.
    assert "$" not in sms_assistant.text(church, "explain the bill")
