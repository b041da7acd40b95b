"""Contacts on an account: who may be named, how their details are read, and what each kind
of contact may be told. Pure functions over the table in ``third_party_contacts.yml``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import phonenumbers
import yaml

from actions.rules import DEFAULT_DATA_DIR

ACTIVE = "active"
PENDING = "pending_confirmation"
REMOVED = "removed"


@dataclass(frozen=True)
class ContactKind:
    key: str
    title: str
    explanation: str
    may_discuss_account: bool
    needs_written_consent: bool


@dataclass(frozen=True)
class ContactPolicy:
    max_contacts_per_account: int
    phone_region: str
    kinds: dict[str, ContactKind]


def load_contact_policy(path: Path = DEFAULT_DATA_DIR / "third_party_contacts.yml"
                        ) -> ContactPolicy:
    with path.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle)
    kinds = {
        key: ContactKind(key=key, title=value["title"],
                         explanation=" ".join(value["explanation"].split()),
                         may_discuss_account=bool(value["may_discuss_account"]),
                         needs_written_consent=bool(value["needs_written_consent"]))
        for key, value in raw["kinds"].items()
    }
    return ContactPolicy(max_contacts_per_account=int(raw["max_contacts_per_account"]),
                         phone_region=str(raw["phone_region"]), kinds=kinds)


@dataclass(frozen=True)
class PhoneCheck:
    e164: str | None
    problem: str | None  # why the number was refused, in words for the customer


def check_phone(text: object, region: str = "US") -> PhoneCheck:
    """A phone number as E.164, or why it can't be used. A number inside a sentence ("her
    cell is 612-555-0199") is found; one that is too short, too long or not in service is
    refused with the reason."""
    value = str(text or "").strip()
    if not re.search(r"\d", value):
        return PhoneCheck(None, "I didn't find a phone number in that.")
    found = [m.number for m in phonenumbers.PhoneNumberMatcher(value, region)]
    if len(found) == 1:
        return PhoneCheck(
            phonenumbers.format_number(found[0], phonenumbers.PhoneNumberFormat.E164), None)
    if len(found) > 1:
        return PhoneCheck(None, "I found more than one phone number; please give just one.")
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return PhoneCheck(None, "that doesn't look like a phone number.")
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason in (phonenumbers.ValidationResult.TOO_SHORT,
                  phonenumbers.ValidationResult.INVALID_LENGTH,
                  phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY):
        return PhoneCheck(None, "that number is too short (it needs the area code).")
    if reason == phonenumbers.ValidationResult.TOO_LONG:
        return PhoneCheck(None, "that number has too many digits.")
    return PhoneCheck(None, "that isn't a phone number in service (check the area code).")


def display_phone(e164: str) -> str:
    """A number as customers write it: (507) 555-0101 at home, +44 20 ... abroad."""
    number = phonenumbers.parse(e164, None)
    if number.country_code == 1:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def masked_phone(e164: str) -> str:
    """Enough of a number for the customer to recognise it, e.g. "ending in 0101"."""
    return f"ending in {e164[-4:]}"


_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")
_NO_EMAIL = re.compile(r"^\s*(no|none|nope|skip|n/?a|no email|don'?t have one|no thanks)\W*$",
                       re.I)


def check_email(text: object) -> tuple[str | None, bool]:
    """(address, declined): the address in lower case, or declined when the customer said
    there is none."""
    value = str(text or "").strip().strip(".,;")
    if _NO_EMAIL.match(value):
        return None, True
    candidates = [word.strip("<>()[],;") for word in value.split() if "@" in word]
    if len(candidates) == 1 and len(candidates[0]) <= 254 and _EMAIL.match(candidates[0]):
        return candidates[0].lower(), False
    return None, False


@dataclass(frozen=True)
class MailingAddress:
    line1: str
    city: str
    state: str
    zip: str

    def one_line(self) -> str:
        return f"{self.line1}, {self.city}, {self.state} {self.zip}"


_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
    "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR VI GU AS MP".split()
)
_ADDRESS = re.compile(
    r"^\s*(?P<line1>\d+[A-Za-z]?\s+[^,]+?)\s*,\s*(?P<city>[A-Za-z][A-Za-z .'-]+?)\s*,?\s+"
    r"(?P<state>[A-Za-z]{2})\.?\s+(?P<zip>\d{5})(?:-\d{4})?\s*$"
)


def parse_mailing_address(text: object) -> MailingAddress | None:
    """A US mailing address written as "street, city, ST 12345" (commas as customers type
    them); None when a part is missing."""
    value = " ".join(str(text or "").split())
    match = _ADDRESS.match(value)
    if match is None or match.group("state").upper() not in _STATES:
        return None
    return MailingAddress(line1=match.group("line1").strip(), city=match.group("city").strip()
                          .title(), state=match.group("state").upper(), zip=match.group("zip"))


@dataclass(frozen=True)
class ExistingContact:
    name: str
    phone: str
    status: str


@dataclass(frozen=True)
class ContactDecision:
    allowed: bool
    reason: str | None  # "limit" or "duplicate" when refused
    duplicate_of: str | None = None


def room_for_contact(existing: Sequence[ExistingContact], policy: ContactPolicy
                     ) -> ContactDecision:
    """Whether the account may name one more contact (removed contacts don't count)."""
    current = [c for c in existing if c.status != REMOVED]
    if len(current) >= policy.max_contacts_per_account:
        return ContactDecision(False, "limit")
    return ContactDecision(True, None)


def check_new_contact_phone(e164: str, existing: Sequence[ExistingContact]) -> ContactDecision:
    """A phone already on the account (as a current contact) can't be added again."""
    for contact in existing:
        if contact.status != REMOVED and contact.phone == e164:
            return ContactDecision(False, "duplicate", duplicate_of=contact.name)
    return ContactDecision(True, None)


def initial_status(kind: ContactKind) -> str:
    return PENDING if kind.needs_written_consent else ACTIVE


def may_discuss_account(kind: ContactKind, status: str) -> bool:
    """Whether a contact of this kind and status may be told the account's private data."""
    return kind.may_discuss_account and status == ACTIVE


def clean_name(text: object) -> str | None:
    """A person's or organisation's name as typed, tidied; None if it has no letters."""
    value = " ".join(str(text or "").split()).strip(" .,;:")
    if not re.search(r"[^\W\d_]", value) or len(value) > 120:
        return None
    return value


def replaced_value_kind(field: str, old: str | MailingAddress | None,
                        new: str | MailingAddress) -> str:
    """What kind of value a change replaced, for the note, without the value itself: staff
    see that something was overwritten and roughly what, while the old value stays out of
    the record."""
    if old in (None, ""):
        return f"no {field.replace('_', ' ')} was on file"
    if isinstance(old, MailingAddress) and isinstance(new, MailingAddress):
        where = "the same state" if old.state == new.state else "another state"
        return f"replaced a mailing address in {where}"
    if field == "phone":
        old_number = phonenumbers.parse(str(old), None)
        new_number = phonenumbers.parse(str(new), None)
        if old_number.country_code != new_number.country_code:
            return "replaced a phone number in another country"
        same_area = str(old)[:5] == str(new)[:5]
        return ("replaced a phone number with the same area code" if same_area
                else "replaced a phone number with another area code")
    if field == "email":
        same_domain = str(old).rsplit("@", 1)[-1] == str(new).rsplit("@", 1)[-1]
        return ("replaced an email address at the same domain" if same_domain
                else "replaced an email address at another domain")
    return f"replaced the {field.replace('_', ' ')} on file"
