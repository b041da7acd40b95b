"""Cleaning of what customers type, shared by every channel."""

from __future__ import annotations

import re
import unicodedata

MAX_MESSAGE_CHARS = 2000


def clean_message(text: object) -> tuple[str, bool]:
    """The text with control characters removed and cut to a sane length.

    Returns the cleaned text and whether it had to be shortened. Emoji and other
    languages pass through untouched.
    """
    if not isinstance(text, str):
        return "", False
    kept = "".join(
        ch if ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cf", "Cs"} or ch == "\u200d"
        else " "
        for ch in text
    )
    kept = " ".join(kept.split())
    if len(kept) > MAX_MESSAGE_CHARS:
        return kept[:MAX_MESSAGE_CHARS], True
    return kept, False


# Rasa reads "/intent{...}" as a ready-made intent with entities. Customers may only send
# the plain shapes our own buttons use; anything else loses its slash and goes through NLU.
_SAFE_PAYLOAD = re.compile(
    r'^/[a-z_]{2,40}'
    r'(\{"(contact_kind|bill_line|utility_service|topic)": ?"[A-Za-z0-9_ -]{1,40}"\})?$'
)
EMPTY_MESSAGE_PAYLOAD = "/empty_message"


def to_rasa_text(text: object) -> tuple[str, bool]:
    """What to hand to Rasa for a customer's message, and whether it was shortened."""
    cleaned, shortened = clean_message(text)
    if not cleaned:
        return EMPTY_MESSAGE_PAYLOAD, False
    if cleaned.startswith("/") and not _SAFE_PAYLOAD.match(cleaned):
        cleaned = cleaned.lstrip("/ ") or EMPTY_MESSAGE_PAYLOAD
    return cleaned, shortened
