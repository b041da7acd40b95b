"""The production profile end to end: PostgreSQL trackers and accounts, Redis locks, two
Rasa replicas taking turns on one conversation, an outage of the account database, and the
HTTP API closed without its token."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
import redis
from sqlalchemy.exc import OperationalError

from actions.reference import response_values
from actions.store import outbox
from tests.production.conftest import Production

pytestmark = [pytest.mark.conversation, pytest.mark.services]


def test_a_customer_verifies_and_gets_the_bill_explained_with_notes_in_postgresql(
        production: Production) -> None:
    chat = production.chat()
    base = production.replicas[0]
    assert "account number" in chat.say(base, "explain my bill")[1]
    assert "ZIP" in chat.say(base, "2100001")[1]
    status, reply = chat.say(base, "55902")
    assert status == 200
    assert "verified for account 2100001" in reply
    assert "$221.48" in reply and "due 2023-07-05" in reply

    notes = production.conversation_notes(chat.sender)
    assert "bill explanation" in [note.category for note in notes]
    assert all(note.channel == "chat" for note in notes)
    # The conversation itself lives in the PostgreSQL tracker store.
    assert production.tracked_events(chat.sender) > 0


def test_two_replicas_take_turns_on_one_conversation_and_note_each_request_once(
        production: Production) -> None:
    chat = production.chat()
    turns = ["explain my bill", "2100001", "55902", "what is the clean air rider?",
             "how can I pay my bill?", "why is my bill so high"]
    replies = []
    for index, message in enumerate(turns):
        status, reply = chat.say(production.replicas[index % 2], message)
        assert status == 200, reply
        replies.append(reply)
    # Each replica picked up exactly where the other left off.
    assert "ZIP" in replies[1]
    assert "verified for account 2100001" in replies[2] and "$221.48" in replies[2]
    assert "Emission Reduction Project" in replies[3] and "1.72" in replies[3]
    assert "1-855-631-3643" in replies[4]
    assert "previous bill" in replies[5]

    categories = [note.category for note in production.conversation_notes(chat.sender)]
    assert categories.count("bill explanation") == 2  # the bill, then the line
    assert categories.count("payment options") == 1
    assert categories.count("high bill") == 1
    keys = [note.id for note in production.conversation_notes(chat.sender)]
    assert len(keys) == len(set(keys))


def test_an_account_database_outage_fails_safe_and_loses_no_note(
        production: Production) -> None:
    chat = production.chat()
    base = production.replicas[0]
    care = response_values()["customer_care_phone"]
    production.set_account_database_reachable(False)
    try:
        # Verification needs the database: the customer is told nothing was saved.
        replies = [chat.say(base, text) for text in ("explain my bill", "2100001", "55902")]
        assert all(status == 200 for status, _ in replies)
        said = "\n".join(reply for _, reply in replies)
        assert "nothing was saved" in said and care in said
        assert "Traceback" not in said and "verified for account" not in said
        # Answerable without the database: answered, and the note waits in the outbox.
        status, reply = chat.say(production.replicas[1], "how can I pay my bill?")
        assert status == 200 and "1-855-631-3643" in reply
        assert outbox.pending(production.outbox) == 1
    finally:
        production.set_account_database_reachable(True)

    # The next transaction that succeeds (another customer's) writes the waiting note.
    status, reply = production.chat().say(base, "how can I pay my bill?")
    assert status == 200 and "1-855-631-3643" in reply
    assert outbox.pending(production.outbox) == 0
    categories = [note.category for note in production.conversation_notes(chat.sender)]
    assert categories == ["payment options"]


def test_a_conversation_database_outage_keeps_answering_and_the_chat_recovers(
        production: Production) -> None:
    """Rasa's fail-safe tracker store keeps turns in memory while PostgreSQL is away."""
    chat = production.chat()
    status, _ = chat.say(production.replicas[0], "hi")
    assert status == 200
    production.set_tracker_database_reachable(False)
    try:
        with pytest.raises(OperationalError):  # the outage is real
            production.tracked_events(chat.sender)
        for base in production.replicas:
            status, reply = chat.say(base, "how can I pay my bill?")
            assert status == 200, reply
            assert "1-855-631-3643" in reply and "Traceback" not in reply
    finally:
        production.set_tracker_database_reachable(True)
    for base in production.replicas:
        status, reply = chat.say(base, "how can I pay my bill?")
        assert status == 200 and "1-855-631-3643" in reply
    assert production.tracked_events(chat.sender) > 0


def test_a_lock_store_failure_gets_the_apology_not_an_error_page(
        production: Production) -> None:
    chat = production.chat()
    care = response_values()["customer_care_phone"]
    env = production.processes.extra_env
    tickets = f"{env['REDIS_KEY_PREFIX']}:lock:{chat.sender}:tickets"
    with redis.Redis(host=env["REDIS_HOST"], port=int(env["REDIS_PORT"]),
                     db=int(env["REDIS_DB"])) as client:
        client.set(tickets, "not a ticket list")  # every lock call now fails in Redis
        try:
            status, reply = chat.say(production.replicas[0], "how can I pay my bill?")
            assert status == 200, reply
            assert care in reply and "Traceback" not in reply
            assert "1-855-631-3643" not in reply  # the turn did not run
        finally:
            client.delete(tickets)
    status, reply = chat.say(production.replicas[1], "how can I pay my bill?")
    assert status == 200 and "1-855-631-3643" in reply


def test_the_http_api_needs_its_token(production: Production) -> None:
    base = production.replicas[0]
    body = json.dumps({"text": "hello"}).encode()

    def parse(url: str) -> int:
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    assert parse(f"{base}/model/parse") == 401
    assert parse(f"{base}/model/parse?token=wrong") == 401
    assert parse(f"{base}/model/parse?token=production-test-api-token") == 200
