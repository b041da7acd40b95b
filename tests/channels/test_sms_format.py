from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.sms_format import (
    HARD_LIMIT,
    MAX_PARTS,
    SOFT_LIMIT,
    Choice,
    choice_payload,
    is_gsm,
    keyword,
    readable_links,
    render,
    split_reply,
    to_gsm,
)


def _words(text: str) -> list[str]:
    return text.split()


def test_typographic_characters_get_their_plain_gsm_spelling() -> None:
    text = "It\u2019s \u201cdue\u201d 7/5 \u2013 pay now\u2026 \u2022 online\u00a0today \u00bd"
    assert to_gsm(text) == 'It\'s "due" 7/5 - pay now... - online today 1/2'
    assert is_gsm(to_gsm(text))


def test_accents_outside_gsm_lose_the_accent_and_emoji_are_dropped() -> None:
    assert to_gsm("Atenci\u00f3n al Cliente, ingl\u00e9s, fa\u00e7ade \U0001f4a1!") == (
        "Atencion al Cliente, ingl\u00e9s, facade !"
    )
    assert to_gsm("Thanks \U0001f44d\U0001f3fd\u200d") == "Thanks"
    assert to_gsm("a\x00b\x1bc\r\nd") == "abc\nd"


def test_gsm_text_is_left_alone() -> None:
    text = "Amount due: $221.48 (\u20ac0) [ok] {x} ~ | ^ \\ \u00e9\u00e0\u00fc\u00df\u00a3"
    assert to_gsm(text) == text
    assert is_gsm(text)


@settings(max_examples=200)
@given(st.text())
def test_to_gsm_always_gives_gsm_text(text: str) -> None:
    assert is_gsm(to_gsm(text))


def test_buttons_become_numbered_choices_across_the_reply() -> None:
    rendered = render([
        {"text": "Here are some things I can help with.",
         "buttons": [{"title": "Explain my bill", "payload": "/explain_bill"},
                     {"title": "Ways to pay", "payload": "/payment_options"}]},
        {"text": "Or talk to someone.",
         "buttons": [{"title": "Talk to a person", "payload": "/human_handoff"}]},
    ])
    assert rendered.text == (
        "Here are some things I can help with.\n"
        "Reply 1 for Explain my bill\nReply 2 for Ways to pay\n"
        "Or talk to someone.\nReply 3 for Talk to a person"
    )
    assert rendered.choices == (
        Choice(1, "Explain my bill", "/explain_bill"),
        Choice(2, "Ways to pay", "/payment_options"),
        Choice(3, "Talk to a person", "/human_handoff"),
    )


def test_a_number_maps_back_to_its_choice_and_anything_else_does_not() -> None:
    choices = (Choice(1, "Explain my bill", "/explain_bill"),
               Choice(2, "Ways to pay", "/payment_options"))
    assert choice_payload("1", choices) == "/explain_bill"
    assert choice_payload(" 2. ", choices) == "/payment_options"
    assert choice_payload("#2", choices) == "/payment_options"
    assert choice_payload("3", choices) is None
    assert choice_payload("1", ()) is None
    assert choice_payload("12345", choices) is None
    assert choice_payload("1 please", choices) is None


def test_images_attachments_and_links_are_readable_as_text() -> None:
    rendered = render([
        {"text": "See [the bill guide](https://www.rpu.org/bill) or <a href=\"https://x.org/a\">"
                 "this <b>page</b></a>. **Important**: pay by the due date."},
        {"image": "https://www.rpu.org/bill.png"},
        {"attachment": {"type": "file", "payload": {"src": "https://x.org/f.pdf",
                                                     "title": "Cold Weather Application"}}},
        {"custom": {"text": "Follow @rpuoutages"}},
    ])
    assert rendered.text == (
        "See the bill guide (https://www.rpu.org/bill) or this page (https://x.org/a). "
        "Important: pay by the due date.\n"
        "Image: https://www.rpu.org/bill.png\n"
        "Cold Weather Application: https://x.org/f.pdf\n"
        "Follow @rpuoutages"
    )
    assert readable_links("![a chart](https://x.org/c.png)") == "a chart (https://x.org/c.png)"
    assert readable_links("[https://x.org](https://x.org)") == "https://x.org"


def test_a_short_reply_is_one_message() -> None:
    assert split_reply("Thanks, you're verified.") == ["Thanks, you're verified."]
    assert split_reply("  \n ") == []


def test_a_long_reply_is_cut_between_sentences_into_messages_of_at_most_320() -> None:
    sentences = [f"Sentence number {i} says something about your bill, a. m. and p. m. too."
                 for i in range(40)]
    text = " ".join(sentences)
    parts = split_reply(text)
    assert len(parts) > 1
    assert all(len(part) <= SOFT_LIMIT for part in parts)
    assert all(part.endswith("too.") for part in parts)  # never mid-sentence
    assert _words(" ".join(parts)) == _words(text)


def test_lines_are_kept_and_preferred_as_cut_points() -> None:
    text = "Here are the ways to pay:\n" + "\n".join(f"- Way {i}: " + "x " * 30 for i in range(8))
    parts = split_reply(text)
    assert all(len(part) <= SOFT_LIMIT for part in parts)
    assert all(part.startswith(("Here", "- Way")) for part in parts)
    assert "\n".join(parts) == "\n".join(line.strip() for line in text.split("\n"))


def test_a_sentence_longer_than_320_is_cut_between_words() -> None:
    text = " ".join(["word"] * 200)
    parts = split_reply(text)
    assert all(len(part) <= SOFT_LIMIT for part in parts)
    assert _words(" ".join(parts)) == _words(text)


def test_a_long_link_is_kept_whole_up_to_1600_and_cut_only_beyond() -> None:
    link = "https://www.rpu.org/" + "a" * 500
    assert split_reply(f"Read {link} today.") == ["Read", link, "today."]
    giant = "b" * 4000
    parts = split_reply(giant)
    assert [len(p) for p in parts] == [1600, 1600, 800]


def test_more_than_ten_messages_grow_to_1600_and_the_rest_is_cut_and_marked() -> None:
    text = " ".join(f"Sentence {i} is here." for i in range(300))  # ~6,000 characters
    parts = split_reply(text)
    assert len(parts) <= MAX_PARTS
    assert all(len(part) <= HARD_LIMIT for part in parts)
    huge = " ".join(f"Sentence {i} is here." for i in range(3000))
    cut = split_reply(huge)
    assert len(cut) == MAX_PARTS and cut[-1].endswith("[...]")
    assert all(len(part) <= HARD_LIMIT for part in cut)


@settings(max_examples=150)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400),
                max_size=12))
def test_split_parts_are_never_over_1600_and_lose_no_words(pieces: list[str]) -> None:
    text = to_gsm(" ".join(pieces))
    parts = split_reply(text)
    assert len(parts) <= MAX_PARTS
    assert all(0 < len(part) <= HARD_LIMIT for part in parts)
    if sum(len(p) for p in parts) < MAX_PARTS * SOFT_LIMIT:
        assert _words(" ".join(parts)) == _words(text)


def test_carrier_keywords_are_whole_messages_in_any_case() -> None:
    assert keyword("STOP") == "stop"
    assert keyword(" stop. ") == "stop"
    assert keyword("Unsubscribe") == "stop"
    assert keyword("stop sending me bills") is None
    assert keyword("start") == "start"
    assert keyword("help") == "help"
    assert keyword("INFO!") == "help"
    # "yes" is an everyday answer; it opts back in only an opted-out number.
    assert keyword("yes") is None
    assert keyword("yes", opted_out=True) == "start"
    assert keyword("") is None


def test_rendered_text_has_no_control_characters_but_newlines() -> None:
    rendered = render([{"text": "a\tb\x07c\nd"}])
    assert not re.search(r"[\x00-\x09\x0b-\x1f]", rendered.text)
