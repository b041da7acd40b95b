"""Handoff to staff end to end: a customer texting mid-way through a bill explanation asks
for a person, staff read the summary and transcript, reply (the text reaches the customer
through Twilio's REST API, here a local fake), and hand back; the bot carries on. Also the
staff API's token check, and the ``careline handoffs`` command against the same server.

The servers are this module's own: they need Twilio settings, a staff token, and a pinned
moment inside Customer Care's hours (Friday, January 15, 2027, 10:30 a.m.).
"""

from __future__ import annotations

import json
import re
import shutil
import time
import urllib.error
import urllib.request
import uuid
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import yaml
from playwright.sync_api import Browser, expect, sync_playwright
from twilio.request_validator import RequestValidator

from bot.cli import main
from tests.channels.fake_twilio import FakeTwilio
from tests.conversation.conftest import Assistant, running_assistant
from tests.conversation.test_webchat_browser import CHROMIUM_FLAGS

pytestmark = pytest.mark.conversation

TWILIO_TOKEN = "handoff-test-twilio-token"
ACCOUNT_SID = "AC" + "0" * 31 + "7"
TWILIO_NUMBER = "+15075550199"
PUBLIC_BASE = "https://careline.example.org"
SMS_PATH = "/webhooks/twilio/webhook"
STAFF_TOKEN = "staff-test-token-7f3a"
STAFF_API = "/webhooks/staff/api/handoffs"
JANE = "+15075550101"  # on file for demo account 2100001 (ZIP 55902)


@dataclass
class StaffAssistant(Assistant):
    """The shared test assistant, plus signed SMS, the fake Twilio and the staff API."""

    fake: FakeTwilio

    def sms(self, phone: str, body: str) -> list[str]:
        """One signed customer text; the TwiML reply's messages (maybe none)."""
        sid = "SM" + uuid.uuid4().hex
        params = {"MessageSid": sid, "SmsSid": sid, "AccountSid": ACCOUNT_SID, "From": phone,
                  "To": TWILIO_NUMBER, "Body": body, "NumMedia": "0"}
        signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_BASE + SMS_PATH,
                                                                     params)
        request = urllib.request.Request(
            self.base_url + SMS_PATH, data=urlencode(params).encode(), method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded",
                     "X-Twilio-Signature": signature})
        with urllib.request.urlopen(request, timeout=60) as response:
            xml = response.read().decode()
        return [m.text or "" for m in ElementTree.fromstring(xml).findall("Message")]

    def text(self, phone: str, body: str) -> str:
        """A customer text that the bot answers: TwiML, or REST when the reply was late."""
        before = len(self.fake.sent_to(phone))
        parts = self.sms(phone, body)
        if not parts:
            parts = [m.body for m in self.fake.wait_for(phone, before + 1, 60)[before:]]
        return "\n".join(parts)

    def staff(self, method: str, path: str = "", body: dict[str, Any] | None = None,
              token: str | None = STAFF_TOKEN) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            self.base_url + STAFF_API + path, method=method, headers=headers,
            data=None if body is None else json.dumps(body).encode())
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def handoff_for(self, conversation_id: str) -> dict[str, Any]:
        status, queue = self.staff("GET")
        assert status == 200, queue
        found = [h for h in queue["handoffs"] if h["conversation_id"] == conversation_id]
        assert len(found) == 1, queue
        return found[0]

    def server_log(self) -> str:
        assert self.processes.log_dir is not None
        return (Path(self.processes.log_dir) / "rasa.log").read_text(errors="replace")


@pytest.fixture(scope="module")
def staff_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StaffAssistant]:
    fake = FakeTwilio().start()
    try:
        with running_assistant(tmp_path_factory.mktemp("handoff-assistant"), {
            "TWILIO_AUTH_TOKEN": TWILIO_TOKEN, "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_NUMBER": TWILIO_NUMBER, "TWILIO_API_BASE_URL": fake.base_url,
            "CARELINE_PUBLIC_URL": PUBLIC_BASE, "CARELINE_STAFF_TOKEN": STAFF_TOKEN,
            "CARELINE_NOW": "2027-01-15T10:30:00",
        }) as running:
            yield StaffAssistant(processes=running.processes, store=running.store, fake=fake)
    finally:
        fake.stop()


def test_a_texting_customer_is_handed_to_staff_mid_bill_and_back(
    staff_assistant: StaffAssistant,
) -> None:
    assistant = staff_assistant
    assert "ZIP" in assistant.text(JANE, "explain my bill")
    bill = assistant.text(JANE, "55902")
    assert "verified for account 2100001" in bill and "$221.48" in bill
    assert "Emission Reduction" in assistant.text(JANE, "what is the clean air rider?")

    handed = assistant.text(JANE, "can I talk to a real person please")
    assert "passed our conversation to Customer Care" in handed
    assert "open now until 5:00 p.m." in handed and "reply right here shortly" in handed

    # Paused: the bot stays quiet, and what the customer adds goes onto the handoff.
    assert assistant.sms(JANE, "it's about the rider charge, my card is 4111 1111 1111 1111") \
        == []

    brief = assistant.handoff_for("sms:" + JANE)
    assert (brief["account_number"], brief["channel"], brief["status"]) == (
        "2100001", "text", "open")
    status, handoff = assistant.staff("GET", f"/{brief['id']}")
    assert status == 200
    summary = handoff["summary"]
    assert "the customer asked for a person" in summary and "by text message" in summary
    assert "Verified as the holder of account 2100001" in summary
    assert "an explanation of the bill" in summary and "explained the bill" in summary
    transcript = handoff["transcript"]
    assert transcript[0] == {**transcript[0], "speaker": "customer", "text": "explain my bill"}
    assert any(t["speaker"] == "assistant" and "$221.48" in t["text"] for t in transcript)
    assert transcript[-1]["text"] == "can I talk to a real person please"
    assert all(t["at"].startswith("20") for t in transcript)
    added = [m["text"] for m in handoff["messages"] if m["sender"] == "customer"]
    assert added == ["it's about the rider charge, my card is [card number removed]"]
    # The account's notes are beside the transcript.
    assert {"handoff", "bill explanation"} <= {n["category"] for n in handoff["notes"]}

    status, claimed = assistant.staff("POST", f"/{brief['id']}/claim", {"staff": "Dana"})
    assert status == 200 and claimed["status"] == "claimed"
    before = len(assistant.fake.sent_to(JANE))
    status, replied = assistant.staff("POST", f"/{brief['id']}/reply", {
        "staff": "Dana", "text": "Hi, this is Dana at RPU. The rider funds emission cuts."})
    assert status == 200 and replied["delivery"] == {"delivered": True, "how": "sms"}
    sent = assistant.fake.wait_for(JANE, before + 1)[before:]
    assert [m.body for m in sent] == ["Hi, this is Dana at RPU. The rider funds emission cuts."]
    assert sent[0].from_ == TWILIO_NUMBER

    status, closed = assistant.staff("POST", f"/{brief['id']}/handback", {
        "staff": "Dana", "outcome": "Explained the clean air rider."})
    assert status == 200 and closed["status"] == "closed"
    back = assistant.fake.wait_for(JANE, before + 2)[before + 1:]
    assert "back with the Rochester Public Utilities virtual assistant" in back[0].body

    # The bot carries on, still knowing who the customer is.
    high = assistant.text(JANE, "why is my bill so high")
    assert "previous bill" in high

    notes = list(reversed(assistant.notes("2100001")))
    staff_work = [(n.channel, n.author) for n in notes if n.category == "handoff"]
    assert staff_work == [("text", "virtual assistant"), ("staff", "Dana"), ("text", "Dana"),
                          ("staff", "Dana")]
    assert [n.category for n in notes][-1] == "high bill"


def test_the_staff_api_refuses_a_missing_or_wrong_token_and_logs_it(
    staff_assistant: StaffAssistant,
) -> None:
    sender = f"web-test-{uuid.uuid4().hex[:8]}"
    staff_assistant.texts(sender, "/human_handoff")
    handoff_id = staff_assistant.handoff_for(sender)["id"]

    for token in (None, "wrong-token"):
        status, body = staff_assistant.staff("GET", token=token)
        assert status == 401 and "handoffs" not in body
        status, body = staff_assistant.staff("GET", f"/{handoff_id}", token=token)
        assert status == 401 and "transcript" not in json.dumps(body)
        status, _body = staff_assistant.staff(
            "POST", f"/{handoff_id}/reply", {"staff": "Mallory", "text": "hi"}, token=token)
        assert status == 401
    assert staff_assistant.handoff_for(sender)["status"] == "open"
    assert not any(n.author == "Mallory" for n in staff_assistant.conversation_notes(sender))

    deadline = time.monotonic() + 10
    while "wrong staff token" not in staff_assistant.server_log() and \
            time.monotonic() < deadline:
        time.sleep(0.2)
    log = staff_assistant.server_log()
    assert f"Refused staff request GET {STAFF_API}" in log
    assert "no staff token" in log and "wrong staff token" in log
    assert "wrong-token" not in log  # the token given is never logged


def test_careline_handoffs_lists_shows_and_closes_through_the_server(
    staff_assistant: StaffAssistant, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sender = f"web-cli-{uuid.uuid4().hex[:8]}"
    staff_assistant.texts(sender, "how can I pay my bill?")
    staff_assistant.texts(sender, "/human_handoff")
    monkeypatch.setenv("CARELINE_STAFF_TOKEN", STAFF_TOKEN)
    url = ["--url", staff_assistant.base_url]

    assert main(["handoffs", "--json", *url]) == 0
    queue = json.loads(capsys.readouterr().out)
    created = [h["created_at"] for h in queue]
    assert created == sorted(created)
    handoff_id = next(h["id"] for h in queue if h["conversation_id"] == sender)

    assert main(["handoffs", "show", str(handoff_id), *url]) == 0
    shown = capsys.readouterr().out
    assert f"Handoff {handoff_id} (open)" in shown and "ways to pay" in shown

    assert main(["handoffs", "close", str(handoff_id), "--outcome", "Called back",
                 "--staff", "Lee", *url]) == 0
    assert "(closed, Lee)" in capsys.readouterr().out
    assert all(h["conversation_id"] != sender
               for h in staff_assistant.staff("GET")[1]["handoffs"])

    monkeypatch.setenv("CARELINE_STAFF_TOKEN", "wrong")
    assert main(["handoffs", *url]) == 1
    assert "401" in capsys.readouterr().err


@pytest.mark.browser
def test_staff_list_open_reply_and_close_in_the_console_page(
    staff_assistant: StaffAssistant,
) -> None:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        try:
            _console_walkthrough(staff_assistant, browser)
        finally:
            browser.close()


def _console_walkthrough(assistant: StaffAssistant, browser: Browser) -> None:
    customer = browser.new_context().new_page()
    customer.goto(assistant.processes.webchat_url)
    customer.get_by_label("Your message").fill("I want to talk to a person")
    customer.keyboard.press("Enter")
    chat = customer.get_by_role("log")
    expect(chat).to_contain_text("passed our conversation to Customer Care", timeout=30_000)
    token = customer.evaluate("localStorage.getItem('careline.session')")
    handoff_id = assistant.handoff_for("web-" + token.split(".")[0])["id"]

    staff = browser.new_context().new_page()
    staff.goto(assistant.base_url + "/webhooks/staff/")
    staff.get_by_label("Your name").fill("Dana")
    staff.get_by_label("Staff token").fill(STAFF_TOKEN)
    staff.get_by_role("button", name="Sign in").click()
    queue = staff.get_by_role("region", name="Open handoffs")
    queue.get_by_role("button", name=re.compile(rf"^Handoff {handoff_id} \(web chat")).click()

    detail = staff.get_by_role("region", name=f"Handoff {handoff_id}")
    expect(detail).to_contain_text("the customer asked for a person")
    expect(staff.get_by_role("list", name="Transcript")).to_contain_text(
        "I want to talk to a person")
    expect(staff.get_by_role("list", name="Account notes")).to_contain_text("handoff")

    staff.get_by_label("Reply to the customer").fill("Hello, this is Dana from Customer Care.")
    staff.get_by_role("button", name="Send reply").click()
    expect(staff.get_by_role("status")).to_contain_text("Reply sent (web chat)")
    # The chat page picks the reply up on its next poll.
    expect(chat).to_contain_text("Customer Care: Hello, this is Dana", timeout=15_000)

    staff.get_by_label("Outcome").fill("Explained payment options by chat.")
    staff.get_by_role("button", name="Close handoff").click()
    expect(detail).to_contain_text("Status: closed (Dana)")
    expect(queue).not_to_contain_text(f"Handoff {handoff_id} (")

    # Closed: the conversation is the bot's again.
    customer.get_by_label("Your message").fill("how can I pay my bill?")
    customer.keyboard.press("Enter")
    expect(chat).to_contain_text("1-855-631-3643", timeout=30_000)


# --- every interaction recorded -------------------------------------------------------
#
# The audit walks every intent in domain.yml. An intent is either not a request (nothing to
# note), or a request with a script: what the customer says, from the intent onwards, until
# the request is answered. A new intent in the domain fails the test until it is put in one
# of the two tables, so nothing goes unaudited.

NOT_REQUESTS = {"greet", "goodbye", "thank_you", "affirm", "deny", "stop", "bot_challenge",
                "what_can_you_do", "out_of_scope", "empty_message", "inform"}
# intent -> (account, ZIP, messages); each answered request leaves exactly one note. "{n}"
# differs between the channels' runs, so the second run does not repeat the first's change.
SCRIPTS: dict[str, tuple[str, str, list[str]]] = {
    "explain_bill": ("2100001", "55902", ["explain my bill"]),
    "high_bill": ("2100001", "55902", ["why is my bill so high"]),
    "payment_options": ("2100001", "55902", ["/payment_options"]),
    "report_outage": ("2100001", "55902", ["/report_outage"]),
    "disconnection_question": ("2100003", "55904", ["/disconnection_question"]),
    "payment_arrangement": ("2100003", "55904", ["/payment_arrangement"]),
    "cold_weather_application": ("2100001", "55902", [
        "/cold_weather_application", "/affirm", "3", "/deny", "30000", "/affirm", "/affirm"]),
    "military_payment_arrangement": ("2100005", "55901", [
        "/military_payment_arrangement", "/affirm", "4", "/deny", "4200"]),
    "add_third_party_contact": ("2100001", "55902", [
        "I want to add a notification contact", "Hope Lutheran Church", "church group",
        "507 555 014{n}", "no email", "yes"]),
    "list_contacts": ("2100001", "55902", ["who are the contacts on my account"]),
    "remove_third_party_contact": ("2100002", "55901", [
        "remove a contact from my account", "1", "yes"]),
    "update_contact_info": ("2100003", "55904", [
        "I need to update my email address", "j.doe{n}@newmail.example", "yes"]),
    # Answered at the "yes"; the backup contact offered next is a request of its own.
    "leaving_for_winter": ("2100003", "55904", [
        "we're going to florida for the winter", "Dec 1 to March 31",
        "450 Palm Ave, Naples, FL 34102", "yes"]),
    "privacy_question": ("2100001", "55902", ["do you sell my personal data?"]),
    "other_language": ("2100001", "55902", ["/other_language"]),
    "human_handoff": ("2100001", "55902", ["/human_handoff"]),
    # Not an intent of its own: two misunderstandings in a row hand off to staff.
    "nlu_fallback": ("2100001", "55902", ["/nlu_fallback", "/nlu_fallback"]),
}


def _domain_intents() -> set[str]:
    domain = Path(__file__).resolve().parents[2] / "domain.yml"
    return set(yaml.safe_load(domain.read_text())["intents"])


def test_every_intent_is_audited() -> None:
    unclassified = _domain_intents() - NOT_REQUESTS - set(SCRIPTS)
    assert unclassified == set(), "add these intents to SCRIPTS or NOT_REQUESTS"


@dataclass
class Channel:
    name: str  # the note channel expected
    converse: Any  # (conversation, text) -> reply text
    conversation_id: Any  # (conversation) -> the tracker's sender id


def _channels(assistant: StaffAssistant) -> list[Channel]:
    return [
        Channel("chat", assistant.texts, lambda c: c),
        Channel("text", lambda c, m: "\n".join(assistant.sms(c, m)), lambda c: "sms:" + c),
    ]


def _new_conversation(channel: str) -> str:
    if channel == "chat":
        return f"audit-{uuid.uuid4().hex[:10]}"
    return "+1507556" + str(uuid.uuid4().int)[:4]  # a number on no account


@pytest.mark.parametrize("intent", sorted(SCRIPTS))
@pytest.mark.parametrize("channel_name", ["chat", "text"])
def test_each_answered_request_leaves_exactly_one_note_on_its_channel(
    staff_assistant: StaffAssistant, intent: str, channel_name: str,
) -> None:
    channel = next(c for c in _channels(staff_assistant) if c.name == channel_name)
    account, zip_code, messages = SCRIPTS[intent]
    conversation = _new_conversation(channel_name)
    sender = channel.conversation_id(conversation)
    # Verified first, so every request is answered for an account; verifying through a
    # bill explanation is itself one answered request.
    for text in ("explain my bill", account, zip_code):
        channel.converse(conversation, text)
    verified = staff_assistant.conversation_notes(sender)
    assert [n.category for n in verified] == ["bill explanation"]

    for text in messages:
        channel.converse(conversation, text.replace("{n}", "4" if channel_name == "chat"
                                                    else "5"))

    notes = staff_assistant.conversation_notes(sender)[len(verified):]
    assert len(notes) == 1, [(n.category, n.summary) for n in notes]
    assert notes[0].channel == channel_name and notes[0].author == "virtual assistant"
    assert notes[0].account_number == account


@pytest.mark.parametrize("intent", sorted(NOT_REQUESTS - {"empty_message"}))
def test_turns_that_are_not_requests_leave_no_note(staff_assistant: StaffAssistant,
                                                  intent: str) -> None:
    sender = f"audit-{uuid.uuid4().hex[:10]}"
    staff_assistant.texts(sender, f"/{intent}")
    assert staff_assistant.conversation_notes(sender) == []
