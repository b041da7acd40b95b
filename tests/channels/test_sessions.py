from __future__ import annotations

from bot.channels.sessions import WEB_PREFIX, SessionSigner


def test_issued_token_maps_to_a_web_conversation() -> None:
    signer = SessionSigner(b"secret")
    sender = signer.sender_id(signer.issue())
    assert sender is not None and sender.startswith(WEB_PREFIX)


def test_two_tokens_never_share_a_conversation() -> None:
    signer = SessionSigner(b"secret")
    assert signer.sender_id(signer.issue()) != signer.sender_id(signer.issue())


def test_forged_or_guessed_tokens_are_refused() -> None:
    signer = SessionSigner(b"secret")
    session_id, signature = signer.issue().split(".")
    other = SessionSigner(b"another secret").issue()
    for forged in [
        f"{session_id}.{'0' * len(signature)}",
        f"someone-else.{signature}",
        other,
        session_id,
        "",
        None,
        12345,
        "a.b.c",
        "x" * 500,
    ]:
        assert signer.sender_id(forged) is None, forged


def test_a_web_token_cannot_name_an_sms_conversation() -> None:
    signer = SessionSigner(b"secret")
    sender = signer.sender_id(signer.issue())
    assert sender is not None and not sender.startswith("sms")
