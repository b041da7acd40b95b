"""The bill as plain dataclasses, parsed from the customer-information-system export.

A bill arrives in the shape of one ``bills`` item of the export (format
``careline-cis-export/1``) and is parsed by :func:`bill_from_record`, which names the exact
field in every error.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from actions.rules.money import ZERO, exact_decimal

SERVICE_LABELS = {
    "electric": "Electricity",
    "water": "Water",
    "products_services": "Products & Services",
    "wastewater": "Wastewater",
    "stormwater": "Stormwater",
    "taxes": "Taxes",
}
ENERGY_CODES = ("energy_non_summer", "energy_summer")


@dataclass(frozen=True)
class MeterRead:
    date: date
    value: Decimal
    estimated: bool = False


@dataclass(frozen=True)
class BillLine:
    code: str
    description: str
    amount: Decimal
    quantity: Decimal | None = None
    rate: Decimal | None = None


@dataclass(frozen=True)
class ServiceCharges:
    service: str
    lines: tuple[BillLine, ...]
    total: Decimal
    rate_class: str | None = None
    premise_id: str | None = None
    meter: str | None = None
    previous_read: MeterRead | None = None
    current_read: MeterRead | None = None
    usage: Decimal | None = None
    unit: str | None = None
    billed_for: str | None = None
    pin: str | None = None
    # Optional export field on a wastewater service: the January-March average water units
    # that cap residential wastewater from April to December.
    winter_average_units: Decimal | None = None

    @property
    def label(self) -> str:
        return SERVICE_LABELS.get(self.service, self.service.replace("_", " ").title())

    @property
    def estimated_reads(self) -> tuple[MeterRead, ...]:
        reads = (self.previous_read, self.current_read)
        return tuple(r for r in reads if r is not None and r.estimated)

    def lines_with(self, codes: Iterable[str]) -> tuple[BillLine, ...]:
        wanted = set(codes)
        return tuple(line for line in self.lines if line.code in wanted)


@dataclass(frozen=True)
class BudgetSummary:
    plan_amount: Decimal
    actual_charges: Decimal
    previous_carry_over: Decimal


@dataclass(frozen=True)
class Bill:
    bill_id: str
    bill_date: date
    period_start: date
    period_end: date
    due_date: date
    previous_balance: Decimal
    payments: Decimal
    adjustments: Decimal
    current_charges: Decimal
    amount_due: Decimal
    services: tuple[ServiceCharges, ...]
    budget_billing: BudgetSummary | None = None

    @property
    def days(self) -> int:
        """Billing days, counting both the first and the last day of the period."""
        return (self.period_end - self.period_start).days + 1

    @property
    def balance_forward(self) -> Decimal:
        return self.previous_balance - self.payments + self.adjustments

    def services_of(self, kind: str) -> tuple[ServiceCharges, ...]:
        return tuple(s for s in self.services if s.service == kind)

    def all_lines(self) -> Iterator[tuple[ServiceCharges, BillLine]]:
        for service in self.services:
            for line in service.lines:
                yield service, line

    @property
    def multi_premise(self) -> bool:
        return len({s.premise_id for s in self.services if s.premise_id}) > 1


class _Record:
    """Reads one mapping of the export, naming the exact field in every error."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, Mapping):
            raise ValueError(f"{path}: expected an object")
        self.data = data
        self.path = path

    def where(self, name: str) -> str:
        return f"{self.path}.{name}"

    def raw(self, name: str, required: bool = True) -> Any:
        if name not in self.data or self.data[name] is None:
            if required:
                raise ValueError(f"{self.where(name)}: missing")
            return None
        return self.data[name]

    def text(self, name: str, required: bool = True) -> str | None:
        value = self.raw(name, required)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{self.where(name)}: expected a non-empty string, got {value!r}")
        return value

    def decimal(self, name: str, required: bool = True) -> Decimal | None:
        value = self.raw(name, required)
        if value is None:
            return None
        return exact_decimal(value, self.where(name))

    def money(self, name: str, required: bool = True) -> Decimal | None:
        number = self.decimal(name, required)
        if number is not None and number.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValueError(f"{self.where(name)}: money has more than two decimals: {number}")
        return number

    def required_money(self, name: str) -> Decimal:
        value = self.money(name)
        assert value is not None
        return value

    def date(self, name: str) -> date:
        value = self.raw(name)
        try:
            return date.fromisoformat(str(value))
        except ValueError as exc:
            raise ValueError(f"{self.where(name)}: not an ISO date: {value!r}") from exc

    def flag(self, name: str) -> bool:
        value = self.raw(name, required=False)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise ValueError(f"{self.where(name)}: expected true or false, got {value!r}")
        return value

    def items(self, name: str) -> list[_Record]:
        value = self.raw(name)
        if not isinstance(value, list):
            raise ValueError(f"{self.where(name)}: expected a list")
        return [_Record(item, f"{self.where(name)}[{i}]") for i, item in enumerate(value)]


def _read(record: _Record | None) -> MeterRead | None:
    if record is None:
        return None
    value = record.decimal("value")
    assert value is not None
    return MeterRead(date=record.date("date"), value=value, estimated=record.flag("estimated"))


def _optional_record(parent: _Record, name: str) -> _Record | None:
    value = parent.raw(name, required=False)
    return None if value is None else _Record(value, parent.where(name))


def _line(record: _Record) -> BillLine:
    return BillLine(
        code=record.text("code") or "",
        description=record.text("description", required=False) or record.text("code") or "",
        amount=record.required_money("amount"),
        quantity=record.decimal("quantity", required=False),
        rate=record.decimal("rate", required=False),
    )


def _service(record: _Record) -> ServiceCharges:
    return ServiceCharges(
        service=record.text("service") or "",
        lines=tuple(_line(item) for item in record.items("lines")),
        total=record.required_money("total"),
        rate_class=record.text("rate_class", required=False),
        premise_id=record.text("premise_id", required=False),
        meter=record.text("meter", required=False),
        previous_read=_read(_optional_record(record, "previous_read")),
        current_read=_read(_optional_record(record, "current_read")),
        usage=record.decimal("usage", required=False),
        unit=record.text("unit", required=False),
        billed_for=record.text("billed_for", required=False),
        pin=record.text("pin", required=False),
        winter_average_units=record.decimal("winter_average_units", required=False),
    )


def _budget(record: _Record | None) -> BudgetSummary | None:
    if record is None:
        return None
    return BudgetSummary(
        plan_amount=record.required_money("plan_amount"),
        actual_charges=record.required_money("actual_charges"),
        previous_carry_over=record.required_money("previous_carry_over"),
    )


def bill_from_record(record: Mapping[str, Any]) -> Bill:
    """Parse one ``bills`` item of a careline-cis-export/1 file.

    Raises ValueError naming the bill and field (e.g. ``bill B-1.services[0].total``).
    """
    bill_id = record.get("bill_id") if isinstance(record, Mapping) else None
    root = _Record(record, f"bill {bill_id}" if bill_id else "bill")
    bill = Bill(
        bill_id=root.text("bill_id") or "",
        bill_date=root.date("bill_date"),
        period_start=root.date("period_start"),
        period_end=root.date("period_end"),
        due_date=root.date("due_date"),
        previous_balance=root.required_money("previous_balance"),
        payments=root.required_money("payments"),
        adjustments=root.required_money("adjustments"),
        current_charges=root.required_money("current_charges"),
        amount_due=root.required_money("amount_due"),
        services=tuple(_service(item) for item in root.items("services")),
        budget_billing=_budget(_optional_record(root, "budget_billing")),
    )
    if bill.period_end < bill.period_start:
        raise ValueError(f"{root.where('period_end')}: before period_start")
    return bill


# --- small queries over a parsed bill ------------------------------------------------------------


def water_units_for(bill: Bill, premise_id: str | None) -> Decimal | None:
    """Water units used at a premise (all premises when ``premise_id`` is None), or None
    when the bill gives no water usage."""
    usages = [
        s.usage
        for s in bill.services_of("water")
        if s.usage is not None and (premise_id is None or s.premise_id in (None, premise_id))
    ]
    return sum(usages, ZERO) if usages else None


def line_descriptions(*bills: Bill) -> dict[str, str]:
    """Each line code's description as printed on the given bills."""
    return {line.code: line.description for bill in bills for _, line in bill.all_lines()}
