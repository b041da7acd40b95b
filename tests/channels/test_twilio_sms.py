"""The Twilio SMS channel over HTTP with signed form posts, against a stand-in bot.

The channel runs in a real Sanic server (as Rasa mounts it) with a scripted bot in place of
Rasa, so these tests need no trained model; tests/conversation/test_sms_conversation.py
goes through the real one. Outbound texts go to a local fake of Twilio's REST API.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import urllib.error
import urllib.request
import uuid
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig
from sanic import Sanic
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from actions.reference import response_values
from actions.store.db import Store, create_store
from actions.store.models import AccountNote
from actions.store.repository import add_note
from bot.channels import sms_format, sms_state
from bot.channels.sms_format import is_gsm
from bot.channels.sms_state import REPLIED, SmsDelivery, SmsState
from bot.channels.twilio_sms import (
    SmsOptedOut,
    SmsSender,
    TwilioConfig,
    TwilioSmsInput,
    channel_text,
    default_sender,
    send_sms,
)
from tests.channels.fake_twilio import FakeTwilio
from tests.conversation.conftest import free_port

TOKEN = "test-auth-token-0123456789abcdef"
ACCOUNT_SID = "AC" + "0" * 31 + "1"
TWILIO_NUMBER = "+15075550199"
PHONE = "+15075550101"
PUBLIC_BASE = "https://careline.example.org"
PATH = "/webhooks/twilio/webhook"
BUDGET = 1.0
SLOW = 2.5
LONG_ANSWER = " ".join(
    f"Line {i:02d} of your bill is explained here in plain words, with the amount and "
    "the rate." for i in range(24)
)  # about 2,000 characters


def _unreachable_action() -> RemoteAction:
    return RemoteAction("action_explain_bill",
                        EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook"))


class SpyState(SmsState):
    """The real state, counting how often a message was claimed."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.claims = 0

    def claim(self, key: str, conversation_id: str) -> bool:
        self.claims += 1
        return super().claim(key, conversation_id)


@dataclass
class ScriptedBot:
    """Stands in for Rasa: answers by the text it gets and notes every message it handles."""

    store: Store
    received: list[UserMessage] = field(default_factory=list)

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        await asyncio.to_thread(self._note, message)
        out, who, text = message.output_channel, message.sender_id, message.text or ""
        if text == "hi":
            await out.send_text_with_buttons(who, "Hi! What can I help you with?", [
                {"title": "Explain my bill", "payload": "/explain_bill"},
                {"title": "Ways to pay", "payload": "/payment_options"},
            ])
        elif text == "long":
            await out.send_text_message(who, LONG_ANSWER)
        elif text == "slow":
            await asyncio.sleep(SLOW)
            await out.send_text_message(who, "Sorry for the wait \u2014 here\u2019s your answer.")
        elif text == "slow half answer":
            # A late turn whose custom action fails after the bot said something.
            await asyncio.sleep(SLOW)
            await out.send_text_message(who, "Let me look at your bill.")
            with contextlib.suppress(RasaException):
                await _unreachable_action().run(out, None, DialogueStateTracker(who, []),
                                                Domain.empty())
        elif text == "boom":
            raise RuntimeError("the bot broke")
        elif text == "xml":
            await out.send_text_message(who, "Fees <under> $5 & \"more\" ]]> here")
        else:
            await out.send_text_message(who, f"You said: {text}")

    def _note(self, message: UserMessage) -> None:
        with self.store.transaction() as session:
            add_note(session, channel="text", category="test", summary=message.text or "",
                     conversation_id=message.sender_id)

    def texts(self) -> list[str]:
        return [m.text or "" for m in self.received]


class ChannelServer:
    """A Sanic app with the SMS channel mounted where Rasa mounts it, in its own thread."""

    def __init__(self, channel: TwilioSmsInput, bot: ScriptedBot) -> None:
        self.app = Sanic(f"sms-test-{uuid.uuid4().hex[:8]}")
        self.app.blueprint(channel.blueprint(bot), url_prefix="/webhooks/twilio")
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._ready = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PATH}"

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(self.app.create_server(
            host="127.0.0.1", port=self.port, return_asyncio_server=True, access_log=False))
        self.loop.run_until_complete(server.startup())
        self._ready.set()
        self.loop.run_forever()

    def start(self) -> ChannelServer:
        self._thread.start()
        assert self._ready.wait(20), "channel server did not start"
        return self

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)


@dataclass
class Rig:
    server: ChannelServer
    bot: ScriptedBot
    state: SpyState
    store: Store
    fake: FakeTwilio
    sign_url: str

    def post(self, params: dict[str, str], *, signature: str | None = None,
             sign_url: str | None = None, token: str = TOKEN,
             headers: dict[str, str] | None = None, sign: bool = True) -> tuple[int, str]:
        all_headers = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
        if sign:
            all_headers["X-Twilio-Signature"] = signature or RequestValidator(
                token).compute_signature(sign_url or self.sign_url, params)
        request = urllib.request.Request(self.server.url, data=urlencode(params).encode(),
                                         headers=all_headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def text(self, body: str, *, sid: str | None = None, phone: str = PHONE) -> list[str]:
        status, xml = self.post(sms(body, sid=sid, phone=phone))
        assert status == 200, xml
        return messages(xml)

    def notes(self) -> int:
        with self.store.transaction() as session:
            return session.execute(select(func.count()).select_from(AccountNote)).scalar_one()

    def deliveries(self) -> int:
        with self.store.transaction() as session:
            return session.execute(select(func.count()).select_from(SmsDelivery)).scalar_one()


def sms(body: str, *, sid: str | None = None, phone: str = PHONE) -> dict[str, str]:
    """The form fields of Twilio's incoming-message webhook."""
    return {
        "ToCountry": "US", "ToState": "MN", "SmsMessageSid": sid or _sid(), "NumMedia": "0",
        "ToCity": "", "FromZip": "55902", "SmsSid": sid or _sid(), "FromState": "MN",
        "SmsStatus": "received", "FromCity": "ROCHESTER", "Body": body, "FromCountry": "US",
        "To": TWILIO_NUMBER, "MessagingServiceSid": "", "ToZip": "",
        "NumSegments": "1", "MessageSid": sid or _sid(), "AccountSid": ACCOUNT_SID,
        "From": phone, "ApiVersion": "2010-04-01",
    }


def _sid() -> str:
    return "SM" + uuid.uuid4().hex


def messages(xml: str) -> list[str]:
    root = ElementTree.fromstring(xml)
    assert root.tag == "Response"
    return [element.text or "" for element in root.findall("Message")]


@pytest.fixture(scope="module", autouse=True)
def _sanic_test_mode() -> Iterator[None]:
    # Sanic 21.12 rewrites some of its methods in place when an app starts, which breaks a
    # second app in the same process unless Sanic is in test mode (as sanic-testing sets).
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Sanic, "test_mode", True)
        yield


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTwilio]:
    twilio = FakeTwilio().start()
    yield twilio
    twilio.stop()


def _rig(tmp: Path, fake: FakeTwilio, public_url: str | None) -> Iterator[Rig]:
    store = create_store(f"sqlite:///{tmp / 'careline.db'}")
    state = SpyState(store)
    bot = ScriptedBot(store)
    config = TwilioConfig(auth_token=TOKEN, account_sid=ACCOUNT_SID, number=TWILIO_NUMBER,
                          public_url=public_url, api_base_url=fake.base_url,
                          reply_budget=BUDGET)
    server = ChannelServer(TwilioSmsInput(config, state=state), bot).start()
    sign_url = (public_url + PATH) if public_url else server.url
    try:
        yield Rig(server, bot, state, store, fake, sign_url)
    finally:
        server.stop()
        store.engine.dispose()


@pytest.fixture(scope="module")
def module_rig(tmp_path_factory: pytest.TempPathFactory, fake: FakeTwilio) -> Iterator[Rig]:
    yield from _rig(tmp_path_factory.mktemp("sms"), fake, None)


@pytest.fixture()
def rig(module_rig: Rig) -> Rig:
    module_rig.bot.received.clear()
    module_rig.fake.clear()
    return module_rig


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory, fake: FakeTwilio) -> Iterator[Rig]:
    yield from _rig(tmp_path_factory.mktemp("sms-proxied"), fake, PUBLIC_BASE)


# -- signatures ---------------------------------------------------------------------------

def test_a_signed_text_reaches_the_bot_as_the_sms_conversation_of_that_number(rig: Rig) -> None:
    sid = _sid()
    assert rig.text("what are your hours", sid=sid) == ["You said: what are your hours"]
    [message] = rig.bot.received
    assert message.sender_id == "sms:+15075550101"
    assert message.input_channel == "twilio"
    assert message.message_id == sid


def _refused_before_anything(rig: Rig, status: int, body: str) -> None:
    assert status == 403 and body == "Forbidden"
    assert rig.bot.received == []


def test_a_forged_signature_is_refused_before_rasa_and_the_database(rig: Rig) -> None:
    claims, notes, deliveries = rig.state.claims, rig.notes(), rig.deliveries()
    status, body = rig.post(sms("explain my bill"), token="not-the-real-token")
    _refused_before_anything(rig, status, body)
    status, body = rig.post(sms("hi"), signature="AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
    _refused_before_anything(rig, status, body)
    assert (rig.state.claims, rig.notes(), rig.deliveries()) == (claims, notes, deliveries)


def test_a_missing_signature_header_is_refused(rig: Rig) -> None:
    claims = rig.state.claims
    status, body = rig.post(sms("explain my bill"), sign=False)
    _refused_before_anything(rig, status, body)
    assert rig.state.claims == claims


def test_a_signature_over_another_url_or_other_parameters_is_refused(rig: Rig) -> None:
    status, body = rig.post(sms("hi"), sign_url="https://evil.example.org" + PATH)
    _refused_before_anything(rig, status, body)
    params = sms("hi")
    signature = RequestValidator(TOKEN).compute_signature(rig.sign_url, params)
    tampered = {**params, "From": "+15075550102"}
    status, body = rig.post(tampered, signature=signature)
    _refused_before_anything(rig, status, body)


def test_a_json_post_is_refused(rig: Rig) -> None:
    status, body = rig.post({}, headers={"Content-Type": "application/json"}, sign=False)
    _refused_before_anything(rig, status, body)


def test_behind_a_proxy_the_signature_is_over_the_public_url(proxied: Rig) -> None:
    assert proxied.text("hello") == ["You said: hello"]
    # Signed over the address the server itself sees: not what Twilio signs behind a proxy.
    status, body = proxied.post(sms("hello"), sign_url=proxied.server.url)
    assert status == 403


def test_a_validly_signed_request_from_a_non_phone_sender_is_refused(rig: Rig) -> None:
    status, body = rig.post(sms("hi", phone="whatsapp:+15075550101"))
    assert status == 400 and rig.bot.received == []


def test_a_status_callback_is_acknowledged_and_not_answered(rig: Rig) -> None:
    status, xml = rig.post({"MessageSid": _sid(), "MessageStatus": "delivered",
                            "From": TWILIO_NUMBER, "To": PHONE, "AccountSid": ACCOUNT_SID})
    assert status == 200 and messages(xml) == [] and rig.bot.received == []


# -- retries ------------------------------------------------------------------------------

def test_a_retried_webhook_gets_the_same_reply_and_writes_no_second_note(rig: Rig) -> None:
    sid, notes = _sid(), rig.notes()
    first = rig.text("long", sid=sid)
    again = rig.text("long", sid=sid)
    assert again == first and len(first) > 1
    assert len(rig.bot.received) == 1
    assert rig.notes() == notes + 1


def test_the_idempotency_token_identifies_a_retry_without_a_message_sid(rig: Rig) -> None:
    params = {k: v for k, v in sms("token retry").items()
              if k not in ("MessageSid", "SmsSid", "SmsMessageSid")}
    headers = {"I-Twilio-Idempotency-Token": uuid.uuid4().hex}
    replies = [rig.post(params, headers=headers) for _ in range(2)]
    assert replies[0] == replies[1] and replies[0][0] == 200
    assert rig.bot.texts() == ["token retry"]
    status, _ = rig.post(params)  # neither MessageSid nor token: cannot de-duplicate
    assert status == 400


def test_a_slow_answer_goes_out_through_twilios_api_once(rig: Rig) -> None:
    sid = _sid()
    assert rig.text("slow", sid=sid) == []  # empty TwiML inside the time budget
    sent = rig.fake.wait_for(PHONE, timeout=SLOW + 5)
    assert [(m.to, m.from_, m.body) for m in sent] == [
        (PHONE, TWILIO_NUMBER, "Sorry for the wait - here's your answer.")
    ]
    assert sent[0].account_sid == ACCOUNT_SID and sent[0].auth_password == TOKEN
    assert rig.text("slow", sid=sid) == []  # Twilio's retry: nothing sent twice
    assert len(rig.bot.received) == 1 and len(rig.fake.sent_to(PHONE)) == 1


def test_a_late_half_answer_goes_out_with_the_apology(rig: Rig) -> None:
    phone = "+15075550199"
    assert rig.text("slow half answer", sid=_sid(), phone=phone) == []
    sent = rig.fake.wait_for(phone, timeout=SLOW + 5)
    assert len(sent) == 1
    assert sent[0].body.startswith("Let me look at your bill.")
    assert response_values()["customer_care_phone"] in sent[0].body


def test_a_failure_gets_an_apology_and_a_retry_is_answered_afresh(rig: Rig) -> None:
    sid = _sid()
    apology = channel_text("utter_channel_error")
    assert rig.text("boom", sid=sid) == [apology]
    assert response_values()["customer_care_phone"] in apology
    assert rig.text("boom", sid=sid) == [apology]
    assert len(rig.bot.received) == 2


# -- replies ------------------------------------------------------------------------------

def test_a_2000_character_answer_is_split_at_sentences_into_gsm_messages(rig: Rig) -> None:
    assert 1900 <= len(LONG_ANSWER) <= 2100
    parts = rig.text("long")
    assert 7 <= len(parts) <= 10
    assert all(len(part) <= 320 and part.endswith("the rate.") for part in parts)
    assert " ".join(parts) == LONG_ANSWER
    assert all(is_gsm(part) for part in parts)


def test_xml_special_characters_in_a_reply_are_escaped(rig: Rig) -> None:
    status, xml = rig.post(sms("xml"))
    assert status == 200 and "<under>" not in xml
    assert messages(xml) == ['Fees <under> $5 & "more" ]]> here']


def test_emoji_in_the_customer_message_reach_the_bot_and_the_reply_stays_gsm(rig: Rig) -> None:
    body = "my bill is too high \U0001f621\U0001f4a1 \u00bfpor qu\u00e9?"
    [reply] = rig.text(body)
    assert rig.bot.texts() == [body]
    assert is_gsm(reply) and reply.startswith("You said: my bill is too high")


def test_numbered_replies_map_back_to_the_buttons_just_offered(rig: Rig) -> None:
    phone = "+15075550111"
    [offer] = rig.text("hi", phone=phone)
    assert offer == ("Hi! What can I help you with?\n"
                     "Reply 1 for Explain my bill\nReply 2 for Ways to pay")
    rig.text("2", phone=phone)
    rig.text("2", phone=phone)  # the choices were for the previous reply only
    assert rig.bot.texts() == ["hi", "/payment_options", "2"]
    rig.text("hi", phone=phone)
    rig.text("7", phone=phone)  # no such choice
    assert rig.bot.texts()[-1] == "7"


# -- STOP, START, HELP --------------------------------------------------------------------

def test_stop_then_a_message_gets_nothing_until_start(rig: Rig) -> None:
    phone = "+15075550122"
    assert rig.text("STOP", phone=phone) == []
    assert rig.text("explain my bill", phone=phone) == []
    assert rig.text("help", phone=phone) == []
    assert rig.bot.received == []
    sender = SmsSender(TwilioConfig(auth_token=TOKEN, account_sid=ACCOUNT_SID,
                                    number=TWILIO_NUMBER, api_base_url=rig.fake.base_url),
                       rig.state)
    with pytest.raises(SmsOptedOut):
        asyncio.run(send_sms(phone, "A reply from Customer Care", sender=sender))
    assert rig.fake.sent_to(phone) == []

    assert rig.text("start", phone=phone) == []  # Twilio itself confirms START
    assert rig.text("explain my bill", phone=phone) == ["You said: explain my bill"]
    assert asyncio.run(send_sms(phone, "A reply from Customer Care", sender=sender))
    assert [m.body for m in rig.fake.sent_to(phone)] == ["A reply from Customer Care"]


def test_yes_is_an_answer_unless_the_number_opted_out(rig: Rig) -> None:
    phone = "+15075550123"
    assert rig.text("yes", phone=phone) == ["You said: yes"]
    rig.text("stop", phone=phone)
    assert rig.text("YES", phone=phone) == []
    assert rig.text("yes", phone=phone) == ["You said: yes"]


def test_help_says_who_we_are_and_how_to_reach_customer_care(rig: Rig) -> None:
    [reply] = rig.text("HELP")
    values = response_values()
    assert reply == channel_text("utter_sms_help")
    assert reply.startswith(values["utility_name"])
    assert values["customer_care_phone"] in reply and values["customer_care_hours"] in reply
    assert "STOP" in reply and len(reply) <= 320 and is_gsm(reply)
    assert rig.bot.received == []


# -- outbound -----------------------------------------------------------------------------

def test_send_sms_uses_the_environment_and_sends_gsm_text(
    rig: Rig, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    monkeypatch.setenv("TWILIO_NUMBER", TWILIO_NUMBER)
    monkeypatch.setenv("TWILIO_API_BASE_URL", rig.fake.base_url)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'careline.db'}")
    default_sender.cache_clear()
    try:
        sids = asyncio.run(send_sms("+15075550133", "We\u2019ve looked at your bill \u2014 "
                                    "it\u2019s correct \U0001f44d " + LONG_ANSWER))
    finally:
        default_sender.cache_clear()
    sent = rig.fake.sent_to("+15075550133")
    assert [m.sid for m in sent] == sids and len(sent) > 1
    assert sent[0].body.startswith("We've looked at your bill - it's correct Line 00")
    assert all(is_gsm(m.body) and len(m.body) <= 320 for m in sent)
    assert {(m.from_, m.auth_user) for m in sent} == {(TWILIO_NUMBER, ACCOUNT_SID)}


def test_credentials_come_from_the_file_else_the_environment() -> None:
    environ = {"TWILIO_AUTH_TOKEN": "env-token", "TWILIO_ACCOUNT_SID": "ACenv",
               "TWILIO_NUMBER": "+15075550100", "CARELINE_PUBLIC_URL": "https://a.example"}
    config = TwilioConfig.from_credentials(None, environ)
    assert (config.auth_token, config.account_sid, config.number, config.public_url) == (
        "env-token", "ACenv", "+15075550100", "https://a.example")
    assert config.reply_budget == 10.0
    config = TwilioConfig.from_credentials(
        {"auth_token": "file-token", "reply_budget_seconds": 4}, environ)
    assert config.auth_token == "file-token" and config.reply_budget == 4.0
    assert TwilioConfig.from_credentials(None, {}).auth_token is None


def test_without_an_auth_token_every_request_is_refused(tmp_path: Path,
                                                        fake: FakeTwilio) -> None:
    store = create_store(f"sqlite:///{tmp_path / 'careline.db'}")
    bot = ScriptedBot(store)
    server = ChannelServer(TwilioSmsInput(TwilioConfig()), bot).start()
    try:
        rig = Rig(server, bot, SpyState(store), store, fake, server.url)
        status, _ = rig.post(sms("hi"), token="")
        assert status == 403 and bot.received == []
    finally:
        server.stop()
        store.engine.dispose()


def test_choices_expire_with_the_session_and_stored_replies_after_a_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = create_store(f"sqlite:///{tmp_path / 'careline.db'}")
    state = SmsState(store)
    choice = sms_format.Choice(1, "Ways to pay", "/payment_options")
    assert state.claim("sid:SM1", "sms:" + PHONE)
    state.finish("sid:SM1", ["Hi"], REPLIED, conversation_id="sms:" + PHONE, choices=(choice,))
    assert state.choices("sms:" + PHONE) == (choice,)
    assert not state.claim("sid:SM1", "sms:" + PHONE)

    start = datetime.now(timezone.utc)
    monkeypatch.setattr(sms_state, "_now", lambda: start + timedelta(minutes=61))
    assert state.choices("sms:" + PHONE) == ()
    monkeypatch.setattr(sms_state, "_now", lambda: start + timedelta(hours=25))
    assert state.claim("sid:SM2", "sms:" + PHONE)  # purges what is older than a day
    assert state.delivery("sid:SM1") is None
    store.engine.dispose()
