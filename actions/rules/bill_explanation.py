"""What the assistant and the staff view say about one bill, as plain dataclasses.

:func:`actions.rules.billing.explain_bill` builds a :class:`BillExplanation`;
:func:`actions.rules.bill_topics.explain_topic` reads one. The types live here, below both,
so neither module has to import the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from actions.rules.bill_charges import BudgetBillingResult, Proration
from actions.rules.bill_checks import LineCheck, TotalCheck
from actions.rules.bill_comparison import Comparison
from actions.rules.bill_model import Bill, BillLine, ServiceCharges
from actions.rules.money import money_str, number_str


@dataclass(frozen=True)
class LineExplanation:
    line: BillLine
    topic: str | None
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.line.code,
            "description": self.line.description,
            "amount": money_str(self.line.amount),
            "explanation": self.explanation,
            "topic": self.topic,
        }
        if self.line.quantity is not None:
            out["quantity"] = number_str(self.line.quantity)
        if self.line.rate is not None:
            out["rate"] = number_str(self.line.rate)
        return out


@dataclass(frozen=True)
class ServiceExplanation:
    service: ServiceCharges
    lines: tuple[LineExplanation, ...]

    def to_dict(self) -> dict[str, Any]:
        s = self.service
        out: dict[str, Any] = {
            "service": s.service,
            "label": s.label,
            "premise_id": s.premise_id,
            "total": money_str(s.total),
            "lines": [line.to_dict() for line in self.lines],
        }
        if s.usage is not None:
            out["usage"] = number_str(s.usage)
            out["unit"] = s.unit
        if s.previous_read is not None or s.current_read is not None:
            out["readings"] = {
                name: None
                if read is None
                else {
                    "date": read.date.isoformat(),
                    "value": number_str(read.value),
                    "estimated": read.estimated,
                }
                for name, read in (("previous", s.previous_read), ("current", s.current_read))
            }
        if s.billed_for:
            out["billed_for"] = s.billed_for
        return out


@dataclass(frozen=True)
class BillExplanation:
    account_number: str
    customer_class: str
    bill: Bill
    services: tuple[ServiceExplanation, ...]
    proration: Proration | None
    prorations: tuple[tuple[str | None, Proration], ...]
    late_fee_if_unpaid: Decimal
    budget: BudgetBillingResult | None
    budget_enrolled: bool
    comparison: Comparison | None
    year_ago_comparison: Comparison | None
    checks: tuple[LineCheck, ...]
    total_checks: tuple[TotalCheck, ...]
    reasons: tuple[str, ...]
    taxable_base: Decimal | None = None

    @property
    def mismatches(self) -> tuple[LineCheck, ...]:
        return tuple(c for c in self.checks if c.ok is False)

    def to_dict(self) -> dict[str, Any]:
        bill = self.bill
        return {
            "account_number": self.account_number,
            "customer_class": self.customer_class,
            "bill_id": bill.bill_id,
            "bill_date": bill.bill_date.isoformat(),
            "period_start": bill.period_start.isoformat(),
            "period_end": bill.period_end.isoformat(),
            "days": bill.days,
            "previous_balance": money_str(bill.previous_balance),
            "payments": money_str(bill.payments),
            "adjustments": money_str(bill.adjustments),
            "balance_forward": money_str(bill.balance_forward),
            "current_charges": money_str(bill.current_charges),
            "amount_due": money_str(bill.amount_due),
            "due_date": bill.due_date.isoformat(),
            "late_fee_if_unpaid": money_str(self.late_fee_if_unpaid),
            "services": [s.to_dict() for s in self.services],
            "proration": None if self.proration is None else self.proration.to_dict(),
            "prorations": [
                {"premise_id": premise, **p.to_dict()} for premise, p in self.prorations
            ],
            "taxable_base": None if self.taxable_base is None else money_str(self.taxable_base),
            "budget_billing": self._budget_dict(),
            "comparison": None if self.comparison is None else self.comparison.to_dict(),
            "year_ago_comparison": (
                None if self.year_ago_comparison is None else self.year_ago_comparison.to_dict()
            ),
            "checks": [c.to_dict() for c in self.checks],
            "total_checks": [c.to_dict() for c in self.total_checks],
            "reasons": list(self.reasons),
        }

    def _budget_dict(self) -> dict[str, Any] | None:
        if self.budget is not None:
            return {"enrolled": self.budget_enrolled, **self.budget.to_dict()}
        if self.budget_enrolled:
            return {
                "enrolled": True,
                "plan_amount": None,
                "actual_charges": None,
                "difference": None,
                "previous_carry_over": None,
                "new_carry_over": None,
                "new_carry_over_display": None,
                "explanation": "This bill carries no Budget Billing summary.",
                "notes": [],
            }
        return None
