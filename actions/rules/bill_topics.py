"""Bill line topics: what a line of the bill means, and the customer's own figures for it.

The topics and their plain-language meaning come from ``data/utility/bill_lines.yml`` (the
newsletter's explanations); :func:`explain_topic` adds the figures of an explained bill.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from actions.rules import DEFAULT_DATA_DIR
from actions.rules.bill_charges import Proration
from actions.rules.bill_explanation import BillExplanation
from actions.rules.bill_model import ServiceCharges
from actions.rules.money import dollars, long_date, number_str, short_date

# --- the topics ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineTopic:
    key: str
    title: str
    explanation: str
    codes: tuple[str, ...]
    services: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()

    def covers(self, service: str, code: str) -> bool:
        return code in self.codes or service in self.services


@dataclass(frozen=True)
class TopicAnswer:
    topic: str
    title: str
    general: str
    figures: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "title": self.title,
            "general": self.general,
            "figures": list(self.figures),
        }


TOPICS_FILE = "bill_lines.yml"


def load_line_topics(path: Path | None = None) -> dict[str, LineTopic]:
    """Load ``bill_lines.yml`` (default: ``data/utility/bill_lines.yml``), in file order."""
    file = Path(path) if path is not None else DEFAULT_DATA_DIR / TOPICS_FILE
    with file.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, Mapping) or not isinstance(data.get("topics"), Mapping):
        raise ValueError(f"{file}: expected a mapping with 'topics'")
    topics: dict[str, LineTopic] = {}
    for key, raw in data["topics"].items():
        where = f"{file}: topics.{key}"
        if not isinstance(raw, Mapping):
            raise ValueError(f"{where}: expected a mapping")
        for name in ("title", "explanation"):
            if not isinstance(raw.get(name), str) or not raw[name].strip():
                raise ValueError(f"{where}.{name}: missing")
        topics[str(key)] = LineTopic(
            key=str(key),
            title=raw["title"].strip(),
            explanation=" ".join(raw["explanation"].split()),
            codes=tuple(raw.get("codes") or ()),
            services=tuple(raw.get("services") or ()),
            synonyms=tuple(raw.get("synonyms") or ()),
        )
    return topics


@lru_cache(maxsize=1)
def default_line_topics() -> dict[str, LineTopic]:
    """The topics of ``data/utility/bill_lines.yml``, read once."""
    return load_line_topics()


def topic_for_line(service: str, code: str, topics: Mapping[str, LineTopic]) -> str | None:
    """A line's own topic: the first topic (in file order) that claims it."""
    return next((key for key, topic in topics.items() if topic.covers(service, code)), None)


def resolve_topic(text: str, topics: Mapping[str, LineTopic] | None = None) -> str | None:
    """Map a topic key or a customer's words ("sewer", "PCA") to a topic key."""
    topics = topics if topics is not None else default_line_topics()
    wanted = " ".join(text.lower().replace("-", " ").replace("_", " ").split())
    for key, topic in topics.items():
        names = {key.replace("_", " "), topic.title.lower()}
        names |= {" ".join(s.lower().replace("-", " ").split()) for s in topic.synonyms}
        if wanted in names:
            return key
    return None


# --- topic answers --------------------------------------------------------------------------------


def explain_topic(
    topic: str,
    explanation: BillExplanation | None,
    *,
    topics: Mapping[str, LineTopic] | None = None,
) -> TopicAnswer:
    """The newsletter's meaning of a bill line, plus the customer's own figures for it.

    ``explanation`` is None for a customer who is not verified: then only the general
    meaning is given. Raises KeyError for an unknown topic key.
    """
    topics = topics if topics is not None else default_line_topics()
    if topic not in topics:
        raise KeyError(f"unknown bill line topic {topic!r}")
    entry = topics[topic]
    figures = () if explanation is None else tuple(_topic_figures(entry, explanation))
    return TopicAnswer(topic=topic, title=entry.title, general=entry.explanation, figures=figures)


def _premise_prefix(explanation: BillExplanation, service: ServiceCharges) -> str:
    if explanation.bill.multi_premise and service.premise_id:
        return f"{service.premise_id}: "
    return ""


def _topic_figures(entry: LineTopic, explanation: BillExplanation) -> list[str]:
    special: dict[str, Callable[[BillExplanation], list[str]]] = {
        "late_fee": _late_fee_figures,
        "budget_billing": _budget_figures,
        "amount_due": _amount_due_figures,
        "estimated_reading": _estimated_figures,
    }
    if entry.key in special:
        return special[entry.key](explanation)
    figures: list[str] = []
    if entry.key == "energy" and explanation.proration is not None:
        figures.append(_proration_sentence(explanation.proration))
    for service_exp in explanation.services:
        for line_exp in service_exp.lines:
            if entry.covers(service_exp.service.service, line_exp.line.code):
                prefix = _premise_prefix(explanation, service_exp.service)
                label = line_exp.line.description
                figures.append(f"{prefix}{label}: {line_exp.explanation}")
    if entry.key == "taxes" and explanation.taxable_base is not None:
        figures.append(
            f"Taxes apply to {dollars(explanation.taxable_base)} of your charges (electricity "
            "and products & services); the fire hydrant charge and the state water fee are "
            "not taxed."
        )
        figures.extend(c.note for c in explanation.checks if c.service == "taxes" and c.ok is False)
    if not figures:
        figures.append(f"There is no {entry.title.lower()} on this bill.")
    return figures


def _proration_sentence(proration: Proration) -> str:
    if len(proration.segments) == 1:
        segment = proration.segments[0]
        return (
            f"All {number_str(proration.total_kwh)} kWh of this {proration.days}-day bill are at "
            f"the {segment.season} rate of ${number_str(segment.rate)}/kWh, so there is one "
            "energy charge."
        )
    parts = "; ".join(
        f"{s.days} {s.season} days ({short_date(s.start)}-{short_date(s.end)}) get "
        f"{number_str(s.kwh)} kWh at ${number_str(s.rate)}/kWh = {dollars(s.amount)}"
        for s in proration.segments
    )
    return (
        f"Your {proration.days}-day bill crosses a rate change, so your "
        f"{number_str(proration.total_kwh)} kWh are split by days: {parts}."
    )


def _late_fee_figures(explanation: BillExplanation) -> list[str]:
    bill = explanation.bill
    if bill.amount_due <= 0:
        return ["Nothing is due on this bill, so no late fee applies."]
    return [
        f"If {dollars(bill.amount_due)} is not paid by {long_date(bill.due_date)}, the late fee "
        f"would be {dollars(explanation.late_fee_if_unpaid)} (0.65% of "
        f"{dollars(bill.amount_due)} is {dollars(bill.amount_due * Decimal('0.0065'))}; the "
        "minimum is $5.00)."
    ]


def _budget_figures(explanation: BillExplanation) -> list[str]:
    budget = explanation.budget
    if budget is None:
        if explanation.budget_enrolled:
            return ["You are on Budget Billing, but this bill carries no Budget Billing summary."]
        return ["This account is not on Budget Billing."]
    return [budget.explanation, *budget.notes]


def _amount_due_figures(explanation: BillExplanation) -> list[str]:
    bill = explanation.bill
    return [
        f"Amount due {dollars(bill.amount_due)} by {long_date(bill.due_date)}: previous balance "
        f"{dollars(bill.previous_balance)}, payments {dollars(bill.payments)} CR, adjustments "
        f"{dollars(bill.adjustments)}, current charges {dollars(bill.current_charges)}.",
        "Current charges by service: "
        + ", ".join(f"{s.service.label} {dollars(s.service.total)}" for s in explanation.services)
        + ".",
    ]


def _estimated_figures(explanation: BillExplanation) -> list[str]:
    figures = []
    for service in explanation.bill.services:
        prefix = _premise_prefix(explanation, service)
        for name, read in (("current", service.current_read), ("previous", service.previous_read)):
            if read is not None and read.estimated:
                figures.append(
                    f"{prefix}Your {service.label.lower()} meter's {name} reading, "
                    f"{number_str(read.value)} on {long_date(read.date)}, is an estimate."
                )
    return figures or ["None of the meter readings on this bill is estimated."]
