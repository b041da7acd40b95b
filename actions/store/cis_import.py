"""Import of a customer-information-system export (format ``careline-cis-export/1``).

The whole file is checked before anything is written, and written in one transaction, so a
malformed file changes nothing. Re-importing the same file changes nothing either: each
record is compared with what is stored and only differences are written.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from actions.store.models import (
    Account,
    Bill,
    BillLine,
    BillService,
    Contact,
    DisconnectionNotice,
    Premise,
)

EXPORT_FORMAT = "careline-cis-export/1"


class ExportFormatError(ValueError):
    """A record in the export is malformed; the message names the record and field."""


@dataclass
class ImportSummary:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: str, kind: str) -> None:
        target = getattr(self, bucket)
        target[kind] = target.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


class _Reader:
    """Reads typed fields out of one record, naming the record in every error."""

    def __init__(self, where: str, record: Any) -> None:
        if not isinstance(record, dict):
            raise ExportFormatError(f"{where}: expected an object")
        self.where = where
        self.record = record

    def _fail(self, name: str, problem: str) -> ExportFormatError:
        return ExportFormatError(f"{self.where}: field '{name}' {problem}")

    def text(self, name: str, *, required: bool = True) -> str | None:
        value = self.record.get(name)
        if value is None or value == "":
            if required:
                raise self._fail(name, "is missing")
            return None
        if not isinstance(value, str):
            raise self._fail(name, "must be a string")
        return value.strip()

    def money(self, name: str, *, required: bool = True) -> Decimal | None:
        raw = self.text(name, required=required)
        if raw is None:
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise self._fail(name, f"is not an amount: {raw!r}") from None
        if value.as_tuple().exponent < -2:  # type: ignore[operator]
            raise self._fail(name, f"has more than two decimals: {raw!r}")
        return value.quantize(Decimal("0.01"))

    def number(self, name: str, *, required: bool = False) -> Decimal | None:
        raw = self.text(name, required=required)
        if raw is None:
            return None
        try:
            return Decimal(raw)
        except InvalidOperation:
            raise self._fail(name, f"is not a number: {raw!r}") from None

    def day(self, name: str, *, required: bool = True) -> date | None:
        raw = self.text(name, required=required)
        if raw is None:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise self._fail(name, f"is not a date (YYYY-MM-DD): {raw!r}") from None

    def flag(self, name: str) -> bool:
        value = self.record.get(name, False)
        if not isinstance(value, bool):
            raise self._fail(name, "must be true or false")
        return value

    def items(self, name: str) -> list[Any]:
        value = self.record.get(name, [])
        if not isinstance(value, list):
            raise self._fail(name, "must be a list")
        return value

    def child(self, name: str, label: str | None = None) -> _Reader | None:
        value = self.record.get(name)
        if value is None:
            return None
        return _Reader(f"{self.where} {label or name}", value)


def read_export(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ExportFormatError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise ExportFormatError(f"{path}: field 'format' must be {EXPORT_FORMAT!r}")
    if not isinstance(data.get("accounts"), list):
        raise ExportFormatError(f"{path}: field 'accounts' must be a list")
    return data


def _parse_account(index: int, raw: Any) -> dict[str, Any]:
    r = _Reader(f"accounts[{index}]", raw)
    number = r.text("account_number")
    r.where = f"account {number}"
    mailing = r.child("mailing_address")
    budget = r.child("budget_billing")
    household = r.child("household")
    orders = household.child("military_orders") if household else None
    account = {
        "account_number": number,
        "name": r.text("name"),
        "customer_class": r.text("customer_class", required=False) or "residential",
        "phone": r.text("phone", required=False),
        "email": r.text("email", required=False),
        "mailing_line1": mailing.text("line1") if mailing else None,
        "mailing_city": mailing.text("city") if mailing else None,
        "mailing_state": mailing.text("state") if mailing else None,
        "mailing_zip": mailing.text("zip") if mailing else None,
        "public_assistance": r.flag("public_assistance"),
        "autopay": r.flag("autopay"),
        "budget_enrolled": bool(budget and budget.flag("enrolled")),
        "budget_plan_amount": budget.money("plan_amount", required=False) if budget else None,
        "past_due_balance": r.money("past_due_balance", required=False) or Decimal("0.00"),
        "household_size": _household_size(household),
        "military_orders_kind": orders.text("kind") if orders else None,
        "military_orders_date": orders.day("orders_date") if orders else None,
    }
    if account["customer_class"] not in {"residential", "commercial", "industrial"}:
        raise ExportFormatError(f"account {number}: field 'customer_class' is not a known class")
    premises = [_parse_premise(r.where, i, p) for i, p in enumerate(r.items("service_addresses"))]
    if not premises:
        raise ExportFormatError(f"account {number}: field 'service_addresses' is empty")
    return {
        "account": account,
        "premises": premises,
        "bills": [_parse_bill(r.where, i, b) for i, b in enumerate(r.items("bills"))],
        "contacts": [_parse_contact(r.where, i, c) for i, c in enumerate(r.items("contacts"))],
        "notices": [
            _parse_notice(r.where, i, n) for i, n in enumerate(r.items("disconnection_notices"))
        ],
    }


def _household_size(household: _Reader | None) -> int | None:
    if household is None or household.record.get("size") is None:
        return None
    size = household.record["size"]
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise ExportFormatError(f"{household.where}: field 'size' must be a whole number above 0")
    return size


def _parse_premise(where: str, index: int, raw: Any) -> dict[str, Any]:
    r = _Reader(f"{where} service_addresses[{index}]", raw)
    return {
        "premise_id": r.text("premise_id"),
        "line1": r.text("line1"),
        "city": r.text("city"),
        "state": r.text("state"),
        "zip": r.text("zip"),
        "primary_heat": r.text("primary_heat", required=False),
    }


def _parse_contact(where: str, index: int, raw: Any) -> dict[str, Any]:
    r = _Reader(f"{where} contacts[{index}]", raw)
    kind = r.text("kind")
    if kind not in {"notification", "authorized"}:
        raise ExportFormatError(f"{r.where}: field 'kind' must be 'notification' or 'authorized'")
    return {
        "kind": kind,
        "name": r.text("name"),
        "relationship_to_customer": r.text("relationship", required=False),
        "phone": r.text("phone"),
        "email": r.text("email", required=False),
    }


def _parse_notice(where: str, index: int, raw: Any) -> dict[str, Any]:
    r = _Reader(f"{where} disconnection_notices[{index}]", raw)
    delivery = r.text("delivery")
    if delivery not in {"mailed", "personal"}:
        raise ExportFormatError(f"{r.where}: field 'delivery' must be 'mailed' or 'personal'")
    return {
        "notice_id": r.text("notice_id"),
        "notice_date": r.day("notice_date"),
        "delivery": delivery,
        "amount_past_due": r.money("amount_past_due"),
    }


def _parse_bill(where: str, index: int, raw: Any) -> dict[str, Any]:
    r = _Reader(f"{where} bills[{index}]", raw)
    bill_id = r.text("bill_id")
    r.where = f"{where} bill {bill_id}"
    bill = {
        "bill_id": bill_id,
        "bill_date": r.day("bill_date"),
        "period_start": r.day("period_start"),
        "period_end": r.day("period_end"),
        "due_date": r.day("due_date"),
        "previous_balance": r.money("previous_balance"),
        "payments": r.money("payments"),
        "adjustments": r.money("adjustments"),
        "current_charges": r.money("current_charges"),
        "amount_due": r.money("amount_due"),
        "budget_billing": raw.get("budget_billing"),
    }
    if bill["period_end"] < bill["period_start"]:
        raise ExportFormatError(f"{r.where}: field 'period_end' is before 'period_start'")
    services = [_parse_service(r.where, i, s) for i, s in enumerate(r.items("services"))]
    total = sum((s["total"] for s in services), Decimal("0.00"))
    if services and total != bill["current_charges"]:
        raise ExportFormatError(
            f"{r.where}: field 'current_charges' is {bill['current_charges']} "
            f"but the services add up to {total}"
        )
    return {"bill": bill, "services": services}


def _parse_service(where: str, index: int, raw: Any) -> dict[str, Any]:
    r = _Reader(f"{where} services[{index}]", raw)
    service = r.text("service")
    r.where = f"{where} service {service}"
    lines = []
    for i, line in enumerate(r.items("lines")):
        lr = _Reader(f"{r.where} lines[{i}]", line)
        lines.append({
            "position": i,
            "code": lr.text("code"),
            "description": lr.text("description"),
            "quantity": lr.number("quantity"),
            "rate": lr.number("rate"),
            "amount": lr.money("amount"),
        })
    details = {k: v for k, v in raw.items() if k not in {"service", "lines", "total"}}
    return {"service": service, "total": r.money("total"), "details": details, "lines": lines}


def parse_export(path: Path) -> list[dict[str, Any]]:
    """Every account of the export, checked; raises ExportFormatError on the first bad field."""
    data = read_export(path)
    parsed = [_parse_account(i, raw) for i, raw in enumerate(data["accounts"])]
    seen: set[str] = set()
    for entry in parsed:
        number = entry["account"]["account_number"]
        if number in seen:
            raise ExportFormatError(f"account {number}: appears twice in the export")
        seen.add(number)
    return parsed


def _apply(row: Any, values: dict[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _upsert(session: Session, model: type, key: dict[str, Any], values: dict[str, Any],
            summary: ImportSummary, kind: str) -> Any:
    row = session.execute(select(model).filter_by(**key)).scalar_one_or_none()
    if row is None:
        row = model(**key, **values)
        session.add(row)
        summary.count("created", kind)
    elif _apply(row, values):
        summary.count("updated", kind)
    else:
        summary.count("unchanged", kind)
    return row


def _bill_snapshot(bill: Bill) -> list[Any]:
    return [
        (s.service, s.total, s.details,
         [(ln.code, ln.description, ln.quantity, ln.rate, ln.amount) for ln in s.lines])
        for s in bill.services
    ]


def _store_bill(session: Session, number: str, entry: dict[str, Any],
                summary: ImportSummary) -> None:
    values = dict(entry["bill"])
    bill_id = values.pop("bill_id")
    bill = session.get(Bill, bill_id)
    wanted = [
        (s["service"], s["total"], s["details"],
         [(ln["code"], ln["description"], ln["quantity"], ln["rate"], ln["amount"])
          for ln in s["lines"]])
        for s in entry["services"]
    ]
    if bill is None:
        bill = Bill(bill_id=bill_id, account_number=number, **values)
        session.add(bill)
        summary.count("created", "bills")
    else:
        fields_changed = _apply(bill, {"account_number": number, **values})
        # Decimal columns compare equal after a round trip, so this detects real changes only.
        if not fields_changed and _normalise(_bill_snapshot(bill)) == _normalise(wanted):
            summary.count("unchanged", "bills")
            return
        summary.count("updated", "bills")
        bill.services.clear()
        session.flush()
    for position, service in enumerate(entry["services"]):
        row = BillService(position=position, service=service["service"],
                          total=service["total"], details=service["details"])
        row.lines = [BillLine(**line) for line in service["lines"]]
        bill.services.append(row)


def _normalise(snapshot: list[Any]) -> str:
    return json.dumps(snapshot, default=lambda v: str(Decimal(v).normalize()), sort_keys=True)


def import_export(session: Session, path: Path) -> ImportSummary:
    """Checks the whole export, then writes it into ``session`` (the caller commits)."""
    parsed = parse_export(path)
    summary = ImportSummary()
    for entry in parsed:
        values = dict(entry["account"])
        number = values.pop("account_number")
        _upsert(session, Account, {"account_number": number}, values, summary, "accounts")
        session.flush()
        for premise in entry["premises"]:
            p = dict(premise)
            pid = p.pop("premise_id")
            _upsert(session, Premise, {"premise_id": pid}, {"account_number": number, **p},
                    summary, "premises")
        for contact in entry["contacts"]:
            c = dict(contact)
            phone = c.pop("phone")
            _upsert(session, Contact, {"account_number": number, "phone": phone}, c,
                    summary, "contacts")
        for notice in entry["notices"]:
            n = dict(notice)
            nid = n.pop("notice_id")
            _upsert(session, DisconnectionNotice, {"notice_id": nid},
                    {"account_number": number, **n}, summary, "notices")
        for bill in entry["bills"]:
            _store_bill(session, number, bill, summary)
        session.flush()
    return summary
