"""The Twilio SMS channel: customers text the assistant.

    POST /webhooks/twilio/webhook   Twilio's incoming-message webhook -> TwiML reply

Every request must carry a valid ``X-Twilio-Signature`` over the public URL
(``CARELINE_PUBLIC_URL`` when set, else the request's own URL) and all POST parameters;
anything else gets 403 before it reaches Rasa or the database. Each incoming message is
answered once: a retried webhook (same ``MessageSid``, or the same
``I-Twilio-Idempotency-Token``) gets the stored reply. A reply that takes longer than the
time budget is sent through Twilio's REST API instead, and so is anything staff send
later (:func:`send_sms`); both respect STOP.

The sender's number is the conversation id (``sms:+15075550101``); logs carry only a
hash of it.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.twiml.messaging_response import MessagingResponse

from actions.identity import SMS_PREFIX
from bot.channels import sms_format
from bot.channels.apology import with_apology
from bot.channels.sms_state import REPLIED, SENT, SmsState, delivery_key, shared_state
from bot.channels.text_input import to_rasa_text
from bot.channels.texts import channel_response

logger = logging.getLogger(__name__)

T = TypeVar("T")

TWILIO_API_URL = "https://api.twilio.com"
DEFAULT_REPLY_BUDGET = 10.0  # seconds; Twilio gives a webhook 15
TWILIO_HTTP_TIMEOUT = 15.0
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")

def channel_text(response: str) -> str:
    """One of the channel's own texts (a domain response), GSM-7 safe."""
    return sms_format.to_gsm(channel_response(response))


def phone_ref(phone: str) -> str:
    """How logs name a phone number: a short hash, never the number."""
    return "sms#" + hashlib.sha256(phone.encode()).hexdigest()[:12]


class SmsNotConfigured(RuntimeError):
    """TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN or TWILIO_NUMBER is missing."""


class SmsOptedOut(RuntimeError):
    """The number texted STOP and has not texted START since."""


_executor: ThreadPoolExecutor | None = None


async def _blocking(work: Callable[[], T]) -> T:
    """Runs blocking work (database, Twilio's REST client) off the event loop."""
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="careline-sms")
    return await asyncio.get_running_loop().run_in_executor(_executor, work)


@dataclass(frozen=True)
class TwilioConfig:
    auth_token: str | None = None
    account_sid: str | None = None
    number: str | None = None
    public_url: str | None = None
    # Another base URL for Twilio's REST API (a local fake in tests); default Twilio's own.
    api_base_url: str | None = None
    reply_budget: float = DEFAULT_REPLY_BUDGET
    # Answer STOP and START ourselves: only for numbers where Twilio's own keyword
    # handling is switched off (with it on, Twilio answers and blocks our reply).
    confirm_opt_out: bool = False

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any] | None,
                         environ: Mapping[str, str] = os.environ) -> TwilioConfig:
        """Values from credentials.yml where given, else from the environment (.env)."""
        given = credentials or {}

        def value(key: str, variable: str) -> str | None:
            found = str(given.get(key) or environ.get(variable) or "").strip()
            return found or None

        budget = given.get("reply_budget_seconds") or environ.get("CARELINE_SMS_REPLY_BUDGET")
        return cls(
            auth_token=value("auth_token", "TWILIO_AUTH_TOKEN"),
            account_sid=value("account_sid", "TWILIO_ACCOUNT_SID"),
            number=value("twilio_number", "TWILIO_NUMBER"),
            public_url=value("public_url", "CARELINE_PUBLIC_URL"),
            api_base_url=value("api_base_url", "TWILIO_API_BASE_URL"),
            reply_budget=float(budget) if budget else DEFAULT_REPLY_BUDGET,
            confirm_opt_out=str(given.get("confirm_opt_out", "")).lower() in {"1", "true", "yes"},
        )


class _RebasedHttpClient(TwilioHttpClient):
    """Twilio's HTTP client, sending what it would send to api.twilio.com elsewhere."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> TwilioResponse:
        if url.startswith(TWILIO_API_URL):
            url = self.base_url + url[len(TWILIO_API_URL):]
        return super().request(method, url, *args, **kwargs)


class SmsSender:
    """Sends text messages through Twilio's REST API, never to an opted-out number."""

    def __init__(self, config: TwilioConfig, state: SmsState | None = None) -> None:
        self.config = config
        self._state = state
        self._client: Client | None = None

    @property
    def state(self) -> SmsState:
        if self._state is None:
            self._state = shared_state()
        return self._state

    def client(self) -> Client:
        if self._client is None:
            config = self.config
            if not (config.account_sid and config.auth_token and config.number):
                raise SmsNotConfigured(
                    "Set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_NUMBER to send texts."
                )
            http_client = (
                _RebasedHttpClient(config.api_base_url, timeout=TWILIO_HTTP_TIMEOUT)
                if config.api_base_url else TwilioHttpClient(timeout=TWILIO_HTTP_TIMEOUT)
            )
            self._client = Client(config.account_sid, config.auth_token,
                                  http_client=http_client, environment={})
        return self._client

    async def send(self, to: str, text: str | Sequence[str]) -> list[str]:
        """Sends ``text`` to ``to`` (E.164); a string is made GSM-7 safe and split.

        Returns the Twilio message SIDs. Raises :class:`SmsOptedOut` for a number that
        texted STOP, :class:`SmsNotConfigured` without credentials, and twilio's
        ``TwilioRestException`` when Twilio refuses a message.
        """
        parts = (sms_format.split_reply(sms_format.to_gsm(text)) if isinstance(text, str)
                 else [part for part in text if part])
        if not parts:
            return []
        if not _E164.match(to):
            raise ValueError("send_sms needs an E.164 number such as +15075550101")
        if await _blocking(partial(self.state.is_opted_out, to)):
            raise SmsOptedOut(f"{phone_ref(to)} has opted out of texts")
        client = self.client()
        sids = []
        for part in parts:
            message = await _blocking(partial(
                client.messages.create, to=to, from_=self.config.number, body=part
            ))
            sids.append(message.sid)
        logger.info("Sent %d text message(s) to %s.", len(sids), phone_ref(to))
        return sids


@lru_cache(maxsize=1)
def default_sender() -> SmsSender:
    """The sender configured from the environment, made on first use."""
    return SmsSender(TwilioConfig.from_credentials(None))


async def send_sms(to: str, body: str, *, sender: SmsSender | None = None) -> list[str]:
    """Sends ``body`` to ``to`` through Twilio's REST API (staff replies, late replies).

    See :meth:`SmsSender.send` for what it raises.
    """
    return await (sender or default_sender()).send(to, body)


class FormParams(dict):
    """POST parameters as name -> list of values, in the shape RequestValidator reads."""

    def getall(self, name: str) -> list[str]:
        return self[name]

    def first(self, name: str) -> str:
        values = self.get(name)
        return values[0] if values else ""


def form_params(request: Request) -> FormParams:
    params = FormParams()
    content_type = request.headers.get("content-type", "").lower()
    if not content_type.startswith("application/x-www-form-urlencoded"):
        return params
    try:
        pairs = parse_qsl((request.body or b"").decode("utf-8"), keep_blank_values=True,
                          max_num_fields=200)
    except (UnicodeDecodeError, ValueError):
        return params
    for name, value in pairs:
        params.setdefault(name, []).append(value)
    return params


def public_url(request: Request, base: str | None) -> str:
    """The URL Twilio signed: the configured public base with this request's path, or the
    request's own URL when no public base is configured."""
    if not base:
        return request.url
    url = base.rstrip("/")
    if not url.endswith(request.path):
        url += request.path
    if request.query_string:
        url += "?" + request.query_string
    return url


def twiml(parts: Sequence[str]) -> HTTPResponse:
    reply = MessagingResponse()
    for part in parts:
        reply.message(part)
    return response.text(str(reply), content_type="text/xml; charset=utf-8")


class TwilioSmsInput(InputChannel):
    """Twilio's incoming-message webhook, with signature checks and retry de-duplication."""

    def __init__(self, config: TwilioConfig | None = None, *, state: SmsState | None = None,
                 sender: SmsSender | None = None) -> None:
        self.config = config or TwilioConfig()
        self._state = state
        self._sender = sender
        self._background: set[asyncio.Task] = set()
        self._app: Sanic | None = None

    @classmethod
    def name(cls) -> str:
        return "twilio"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        config = TwilioConfig.from_credentials(credentials)
        if not config.auth_token:
            logger.warning("TWILIO_AUTH_TOKEN is not set: the SMS channel refuses every "
                           "request until it is.")
        return cls(config)

    @property
    def state(self) -> SmsState:
        # Made on first use, not at import or start-up: a forged request never touches it.
        if self._state is None:
            self._state = shared_state()
        return self._state

    @property
    def sender(self) -> SmsSender:
        if self._sender is None:
            self._sender = SmsSender(self.config, self.state)
        return self._sender

    def signature_ok(self, request: Request, params: FormParams) -> bool:
        signature = request.headers.get("X-Twilio-Signature")
        if not self.config.auth_token or not signature:
            return False
        validator = RequestValidator(self.config.auth_token)
        return validator.validate(public_url(request, self.config.public_url), params, signature)

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        twilio = Blueprint("careline_twilio", __name__)

        @twilio.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @twilio.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            self._app = request.app  # its agent tells whether a conversation is paused
            params = form_params(request)
            if not self.signature_ok(request, params):
                logger.warning("Refused an SMS webhook with a missing or wrong signature.")
                return response.text("Forbidden", status=403)
            if "MessageStatus" in params and "Body" not in params:
                # A delivery status callback pointed at this URL: nothing to answer.
                return twiml([])
            phone = params.first("From")
            if not _E164.match(phone):
                return response.text("From must be an E.164 phone number.", status=400)
            message_sid = params.first("MessageSid") or params.first("SmsSid")
            key = delivery_key(message_sid,
                               request.headers.get("I-Twilio-Idempotency-Token"))
            if key is None:
                return response.text("MessageSid missing.", status=400)
            parts = await self._answer(key, phone, params.first("Body"),
                                       message_sid or key, on_new_message)
            return twiml(parts)

        return twilio

    async def _answer(self, key: str, phone: str, body: str, message_id: str,
                      on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> list[str]:
        conversation_id = SMS_PREFIX + phone
        for _attempt in range(2):
            if await _blocking(partial(self.state.claim, key, conversation_id)):
                break
            replay = await self._replay(key)
            if replay is not None:
                logger.info("Repeated webhook for %s answered from the stored reply.",
                            phone_ref(phone))
                return replay
        else:
            return []
        try:
            return await self._respond(key, phone, body, message_id, on_new_message)
        except Exception:
            logger.exception("Answering a text from %s failed.", phone_ref(phone))
            await _blocking(partial(self.state.release, key))
            return [channel_text("utter_channel_error")]

    async def _replay(self, key: str) -> list[str] | None:
        """The reply stored for a message already claimed: waits (up to the time budget)
        while the first request is still being answered; None if the claim was released."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.config.reply_budget
        while True:
            delivery = await _blocking(partial(self.state.delivery, key))
            if delivery is None:
                return None
            if delivery.status == REPLIED:
                return list(delivery.parts)
            if delivery.status == SENT or loop.time() >= deadline:
                # Sent through the REST API (or about to be): nothing more to say here.
                return []
            await asyncio.sleep(0.2)

    async def _respond(self, key: str, phone: str, body: str, message_id: str,
                       on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> list[str]:
        opted_out = await _blocking(partial(self.state.is_opted_out, phone))
        word = sms_format.keyword(body, opted_out=opted_out)
        if word in ("stop", "start"):
            await _blocking(partial(self.state.set_opted_out, phone, word == "stop"))
            logger.info("%s texted %s.", phone_ref(phone), word.upper())
            text = "utter_sms_stop" if word == "stop" else "utter_sms_start"
            parts = [channel_text(text)] if self.config.confirm_opt_out else []
        elif opted_out:
            parts = []  # nothing goes to an opted-out number until it texts START
        elif word == "help":
            parts = sms_format.split_reply(channel_text("utter_sms_help"))
        else:
            return await self._converse(key, phone, body, message_id, on_new_message)
        await _blocking(partial(self.state.finish, key, parts, REPLIED))
        return parts

    async def _converse(self, key: str, phone: str, body: str, message_id: str,
                        on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> list[str]:
        conversation_id = SMS_PREFIX + phone
        choices = await _blocking(partial(self.state.choices, conversation_id))
        payload = sms_format.choice_payload(body, choices)
        text, shortened = to_rasa_text(payload if payload is not None else body)
        collector = CollectingOutputChannel()
        message = UserMessage(
            text, collector, conversation_id, input_channel=self.name(),
            message_id=message_id, metadata={"shortened": shortened} if shortened else None,
        )
        turn_started = time.monotonic()
        task = asyncio.ensure_future(on_new_message(message))
        try:
            await asyncio.wait_for(asyncio.shield(task), self.config.reply_budget)
        except (asyncio.TimeoutError, asyncio.CancelledError) as stopped:
            # Too slow for Twilio's webhook (or Twilio hung up): answer later by REST.
            logger.info("Reply to %s is late; it goes out through the REST API.",
                        phone_ref(phone))
            late = asyncio.ensure_future(
                self._deliver_late(task, key, phone, collector, turn_started))
            self._background.add(late)
            late.add_done_callback(self._background.discard)
            if isinstance(stopped, asyncio.CancelledError):
                raise
            return []
        # An unreachable action server leaves the customer without an answer: apologise.
        messages = await with_apology(self._app, conversation_id, collector.messages,
                                      turn_started)
        rendered = sms_format.render(messages)
        parts = sms_format.split_reply(rendered.text)
        await _blocking(partial(self.state.finish, key, parts, REPLIED,
                                conversation_id=conversation_id, choices=rendered.choices))
        return parts

    async def _deliver_late(self, task: asyncio.Future, key: str, phone: str,
                            collector: CollectingOutputChannel, turn_started: float) -> None:
        try:
            await task
        except Exception:
            logger.exception("Answering a text from %s failed.", phone_ref(phone))
            await _blocking(partial(self.state.release, key))
            parts = [channel_text("utter_channel_error")]
            choices: tuple[sms_format.Choice, ...] | None = None
        else:
            messages = await with_apology(self._app, SMS_PREFIX + phone, collector.messages,
                                          turn_started)
            rendered = sms_format.render(messages)
            parts = sms_format.split_reply(rendered.text)
            choices = rendered.choices
            # Recorded before sending, so a retry arriving meanwhile gets nothing.
            await _blocking(partial(self.state.finish, key, parts, SENT,
                                    conversation_id=SMS_PREFIX + phone, choices=choices))
        if not parts:
            return  # a person has the conversation: the bot stays quiet
        try:
            await self.sender.send(phone, parts)
        except SmsOptedOut:
            logger.info("Late reply not sent: %s has opted out.", phone_ref(phone))
        except Exception:
            logger.exception("Late reply to %s could not be sent.", phone_ref(phone))
