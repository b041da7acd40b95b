"""Turning the bot's messages into text messages, and reading what customers text back.

Pure functions, no I/O:

- :func:`to_gsm` keeps the bot's own text inside the GSM-7 alphabet, so a reply is sent
  in 160-character segments rather than forced into 70-character UCS-2 ones;
- :func:`render` joins Rasa's bot messages into one text, with buttons as numbered
  choices ("Reply 1 for ...") and images, attachments and links written out as text;
- :func:`split_reply` cuts that text at sentence boundaries into messages of at most 320
  characters where possible and never over Twilio's 1,600;
- :func:`choice_payload` maps a reply of "1" back to the payload of the first choice;
- :func:`keyword` recognises the carrier keywords STOP, START and HELP.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SOFT_LIMIT = 320  # characters per message where the text allows it
HARD_LIMIT = 1600  # Twilio refuses a longer body
MAX_PARTS = 10  # Twilio sends at most 10 TwiML <Message> replies to one incoming message

# The GSM 03.38 basic character set and its extension table (extension characters take
# two septets but keep the message in GSM-7).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€")
GSM_CHARS = GSM_BASIC | GSM_EXTENSION

_REPLACEMENTS: Mapping[str, str] = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4`", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    **dict.fromkeys("\u2022\u2023\u2043\u2219\u25aa\u25cf\u25e6\u00b7", "-"),
    **dict.fromkeys("\t\u00a0\u2002\u2003\u2007\u2009\u200a\u202f\u205f\u3000", " "),
    **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad\ufe0f", ""),
    "\u2026": "...",
    "\u00a9": "(C)",
    "\u00ae": "(R)",
    "\u2122": "(TM)",
    "\u00bc": "1/4",
    "\u00bd": "1/2",
    "\u00be": "3/4",
    "\u00d7": "x",
    "\u00f7": "/",
    "\u2192": "->",
    "\u2190": "<-",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u00b0": " degrees",
    "\u00a2": " cents",
}


def is_gsm(text: str) -> bool:
    """Whether the text can be sent in GSM-7 (basic set or extension table)."""
    return all(ch in GSM_CHARS for ch in text)


def _gsm_char(ch: str) -> str:
    if ch in GSM_CHARS:
        return ch
    if ch in _REPLACEMENTS:
        return _REPLACEMENTS[ch]
    # Accented letters outside GSM-7 (ó, í, ç, ...) keep their base letter.
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    if base and all(c in GSM_CHARS for c in base):
        return base
    category = unicodedata.category(ch)
    if category[0] in "SCMZ":
        # Emoji, other symbols, control and format characters, stray marks and separators.
        return " " if category[0] == "Z" else ""
    return "?"


def to_gsm(text: str) -> str:
    """The text with every character outside GSM-7 replaced by a readable GSM-7 spelling.

    Curly quotes, dashes, bullets, ellipses and non-breaking spaces get their plain forms,
    accented letters outside the alphabet lose the accent, emoji and other symbols are
    dropped. Carriage returns become line feeds.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    converted = "".join(_gsm_char(ch) for ch in text)
    # Dropped symbols can leave doubled spaces or spaces at line ends.
    converted = re.sub(r"[ ]{2,}", " ", converted)
    return re.sub(r" *\n *", "\n", converted).strip()


@dataclass(frozen=True)
class Choice:
    """One numbered choice offered in place of a button."""

    number: int
    title: str
    payload: str


@dataclass(frozen=True)
class Rendered:
    """The bot's messages as one text, and the choices it offers."""

    text: str
    choices: tuple[Choice, ...] = ()


_MARKDOWN_LINK = re.compile(r"!?\[([^\]\n]*)\]\(\s*(\S+?)\s*\)")
_HTML_LINK = re.compile(r"<a\s[^>]*href=[\"']([^\"']+)[\"'][^>]*>(.*?)</a>", re.I | re.S)
_HTML_TAG = re.compile(r"</?(?:b|i|em|strong|u|span|p|br)\b[^>]*>", re.I)
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")


def readable_links(text: str) -> str:
    """Markdown and HTML links and images as "title (url)"; emphasis marks removed."""

    def link(title: str, url: str) -> str:
        title = title.strip()
        return url if not title or title == url else f"{title} ({url})"

    text = _MARKDOWN_LINK.sub(lambda m: link(m.group(1), m.group(2)), text)
    text = _HTML_LINK.sub(lambda m: link(_HTML_TAG.sub("", m.group(2)), m.group(1)), text)
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.I)
    text = _HTML_TAG.sub("", text)
    return _EMPHASIS.sub(lambda m: m.group(2), text)


def _attachment_text(attachment: Any) -> str | None:
    if isinstance(attachment, str):
        return f"Attachment: {attachment}"
    if isinstance(attachment, Mapping):
        payload = attachment.get("payload")
        source = payload if isinstance(payload, Mapping) else attachment
        url = source.get("src") or source.get("url")
        title = source.get("title") or attachment.get("title")
        if url:
            return f"{title}: {url}" if title else f"Attachment: {url}"
    return None


def render(messages: Iterable[Mapping[str, Any]]) -> Rendered:
    """Rasa's bot messages (as an output channel collects them) as one text message.

    Buttons of every message are numbered in order across the reply.
    """
    blocks: list[str] = []
    choices: list[Choice] = []
    for message in messages:
        text = message.get("text")
        if isinstance(text, str) and text.strip():
            blocks.append(readable_links(text.strip()))
        image = message.get("image")
        if isinstance(image, str) and image:
            blocks.append(f"Image: {image}")
        attachment = _attachment_text(message.get("attachment"))
        if attachment:
            blocks.append(attachment)
        custom = message.get("custom")
        if isinstance(custom, Mapping) and isinstance(custom.get("text"), str):
            blocks.append(readable_links(custom["text"]))
        offered = message.get("buttons") or message.get("quick_replies") or []
        lines = []
        for button in offered:
            if not isinstance(button, Mapping):
                continue
            title = str(button.get("title") or "").strip()
            payload = str(button.get("payload") or button.get("url") or title).strip()
            if not title or not payload:
                continue
            choice = Choice(len(choices) + 1, to_gsm(title), payload)
            choices.append(choice)
            lines.append(f"Reply {choice.number} for {choice.title}")
        if lines:
            blocks.append("\n".join(lines))
    return Rendered(to_gsm("\n".join(blocks)), tuple(choices))


# A sentence ends at . ! or ? (possibly inside a closing quote or bracket) followed by
# space and something that is not a lower-case letter ("8 a. m." stays together).
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"')\]]))\s+(?=[^a-z\s])")


def _units(text: str) -> Iterator[tuple[str, str]]:
    """(separator before, unit) pairs: lines, then sentences within a line."""
    first = True
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        for index, sentence in enumerate(_SENTENCE_END.split(line)):
            separator = "" if first else ("\n" if index == 0 else " ")
            first = False
            yield separator, sentence


def _words(unit: str, limit: int) -> Iterator[str]:
    """A unit longer than ``limit`` cut at spaces; a single longer word (a long link) kept
    whole up to the hard limit, and only beyond that cut."""
    current = ""
    for word in unit.split(" "):
        if not word:
            continue
        if current and len(current) + 1 + len(word) <= limit:
            current += " " + word
            continue
        if current:
            yield current
            current = ""
        if len(word) <= limit:
            current = word
        else:
            for start in range(0, len(word), HARD_LIMIT):
                yield word[start:start + HARD_LIMIT]
    if current:
        yield current


def _pack(text: str, limit: int) -> list[str]:
    parts: list[str] = []
    current = ""
    for separator, unit in _units(text):
        pieces = [unit] if len(unit) <= limit else list(_words(unit, limit))
        for index, piece in enumerate(pieces):
            glue = separator if index == 0 else " "
            if current and len(current) + len(glue) + len(piece) <= limit:
                current += glue + piece
            else:
                if current:
                    parts.append(current)
                current = piece
    if current:
        parts.append(current)
    return parts


def split_reply(text: str, *, soft_limit: int = SOFT_LIMIT,
                max_parts: int = MAX_PARTS) -> list[str]:
    """The text as text messages: at most ``soft_limit`` characters each, cut between
    lines or sentences where possible, never over 1,600 characters.

    When that would take more than ``max_parts`` messages, messages grow up to 1,600
    characters instead; text beyond ``max_parts`` such messages is cut, and the cut marked.
    """
    text = text.strip()
    if not text:
        return []
    parts = _pack(text, soft_limit)
    if len(parts) > max_parts:
        parts = _pack(text, HARD_LIMIT)
    if len(parts) > max_parts:
        parts = parts[:max_parts]
        marker = " [...]"
        parts[-1] = parts[-1][: HARD_LIMIT - len(marker)] + marker
    return parts


_NUMBER_REPLY = re.compile(r"^\s*#?\s*(\d{1,2})\s*[.)!]?\s*$")


def choice_payload(text: str, choices: Sequence[Choice]) -> str | None:
    """The payload of the choice a reply such as "1" or "2." picks, else None."""
    match = _NUMBER_REPLY.match(text or "")
    if not match:
        return None
    number = int(match.group(1))
    return next((c.payload for c in choices if c.number == number), None)


# Twilio's standard keywords (matched on the whole message, any case).
STOP_KEYWORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"}
)
START_KEYWORDS = frozenset({"START", "UNSTOP"})
# Twilio also opts a number back in on YES; careline reads YES as an opt-in only from an
# opted-out number, since "yes" is an everyday answer in a conversation.
START_IF_OPTED_OUT = frozenset({"YES"})
HELP_KEYWORDS = frozenset({"HELP", "INFO"})


def keyword(text: str, *, opted_out: bool = False) -> str | None:
    """"stop", "start" or "help" when the whole message is one of Twilio's keywords."""
    word = re.sub(r"[\s.!]+$", "", (text or "").strip()).upper()
    if word in STOP_KEYWORDS:
        return "stop"
    if word in START_KEYWORDS or (opted_out and word in START_IF_OPTED_OUT):
        return "start"
    if word in HELP_KEYWORDS:
        return "help"
    return None
