"""`careline rules ...`: run an eligibility or date rule directly, for staff and scripts.

Each sub-command builds the rule's input from flags, runs the pure rule from
``actions.rules`` and prints the decision: JSON with ``--json``, a short text otherwise.
Bad arguments exit with code 2 (argparse's own convention); a missing or malformed data
file exits with 1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from actions.rules import DEFAULT_DATA_DIR
from actions.rules.aggregate_release import decide_aggregate_release
from actions.rules.calendar import CALENDAR_FILE, UtilityCalendar, load_calendar
from actions.rules.cold_weather import ColdWeatherApplication, decide_protection
from actions.rules.disconnection import (
    DisconnectionFacts,
    NoticeDelivery,
    Occupancy,
    check_disconnection,
)
from actions.rules.eligibility_tables import (
    COLD_WEATHER_FILE,
    ColdWeatherTables,
    IncomeTable,
    Referral,
    TableError,
    load_cold_weather_tables,
)
from actions.rules.military import (
    IncomeBeforeOrdersError,
    MilitaryRequest,
    appeal_deadline,
    decide_military_arrangement,
)

EXIT_OK = 0
EXIT_DATA_ERROR = 1
EXIT_USAGE = 2
LOCAL_ZONE = "America/Chicago"  # only for defaulting --date to "today" where it is optional

Handler = Callable[[argparse.Namespace], int]


# ---------------------------------------------------------------------------------------
# Registration


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``rules`` command group to the ``careline`` parser."""
    rules = subparsers.add_parser(
        "rules",
        help="run an eligibility or date rule directly",
        description="Run an eligibility or date rule and print its decision and reasons.",
    )
    commands = rules.add_subparsers(dest="rules_command", metavar="RULE", required=True)
    common = _common_options()
    _add_cold_weather(commands, common)
    _add_disconnect(commands, common)
    _add_military(commands, common)
    _add_aggregate_release(commands, common)


def main(argv: list[str] | None = None) -> int:
    """Run ``careline rules ...`` alone (``argv`` starts with "rules"); used by the tests."""
    parser = argparse.ArgumentParser(prog="careline")
    register(parser.add_subparsers(dest="command", required=True))
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse exits 2 on bad arguments, 0 on --help
        return stop.code if isinstance(stop.code, int) else EXIT_USAGE
    return args.func(args)


def _common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print JSON")
    common.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help=f"folder holding {CALENDAR_FILE} and {COLD_WEATHER_FILE} (default: %(default)s)",
    )
    return common


def _add_cold_weather(
    commands: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> None:
    cmd = commands.add_parser(
        "cold-weather",
        parents=[common],
        help="Cold Weather Rule protection (Minn. Stat. 216B.097)",
    )
    cmd.add_argument("--date", type=_date, required=True, help="date to decide for (YYYY-MM-DD)")
    cmd.add_argument("--household-size", type=_household_size, required=True)
    cmd.add_argument("--annual-income", type=_money, help="annual household income in dollars")
    cmd.add_argument("--public-assistance", action="store_true")
    _on_off(cmd, "heat-affected", "the disconnection would affect the primary heat source")
    _on_off(cmd, "payment-agreement", "the customer has entered into a payment agreement")
    _residential(cmd)
    cmd.set_defaults(func=_run_cold_weather)


def _add_disconnect(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    cmd = commands.add_parser(
        "disconnect", parents=[common], help="may RPU disconnect on a date, and if not, when"
    )
    cmd.add_argument("--date", type=_date, required=True, help="proposed date (YYYY-MM-DD)")
    cmd.add_argument("--time", type=_time, help="proposed local time (HH:MM, 24-hour)")
    cmd.add_argument("--notice-date", type=_date, required=True)
    cmd.add_argument("--notice-delivery", choices=[d.value for d in NoticeDelivery], required=True)
    for flag in (
        "cold-weather-protected",
        "heat-alert",
        "appeal-pending",
        "military-protected",
        "agreement-declined-today",
        "field-rep-offers-agreement",
        "unresponsive",
    ):
        cmd.add_argument(f"--{flag}", action="store_true")
    occupancy = cmd.add_mutually_exclusive_group()
    occupancy.add_argument("--occupied", dest="occupancy", action="store_const", const="occupied")
    occupancy.add_argument(
        "--unoccupied", dest="occupancy", action="store_const", const="unoccupied"
    )
    cmd.add_argument(
        "--occupant-informed-date", type=_date, help="when the occupant was told (default --date)"
    )
    cmd.add_argument(
        "--provider-notice-date",
        type=_date,
        help="when the energy assistance provider was given notice (default --date)",
    )
    _residential(cmd)
    cmd.set_defaults(func=_run_disconnect)


def _add_military(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    cmd = commands.add_parser(
        "military", parents=[common], help="military payment arrangement (Minn. Stat. 325E.028)"
    )
    cmd.add_argument("--household-size", type=_household_size, required=True)
    cmd.add_argument("--gross-monthly-income", type=_money, required=True)
    cmd.add_argument("--energy-assistance", action="store_true")
    cmd.add_argument("--orders-date", type=_date)
    cmd.add_argument("--income-since", type=_date, help="first day the income figure covers")
    cmd.add_argument("--date", type=_date, help="date of the arrangement (default: today)")
    cmd.add_argument("--notice-date", type=_date, help="with --notice-delivery: appeal deadline")
    cmd.add_argument("--notice-delivery", choices=[d.value for d in NoticeDelivery])
    cmd.set_defaults(func=_run_military)


def _add_aggregate_release(
    commands: argparse._SubParsersAction, common: argparse.ArgumentParser
) -> None:
    cmd = commands.add_parser(
        "aggregate-release", parents=[common], help="the 4/50 rule for aggregated usage data"
    )
    cmd.add_argument(
        "--usage", type=_usage_list, required=True, help="one figure per premise: 120,80,60,40"
    )
    cmd.set_defaults(func=_run_aggregate_release)


def _on_off(cmd: argparse.ArgumentParser, name: str, meaning: str) -> None:
    dest = name.replace("-", "_")
    group = cmd.add_mutually_exclusive_group(required=True)
    group.add_argument(f"--{name}", dest=dest, action="store_true", help=meaning)
    group.add_argument(f"--no-{name}", dest=dest, action="store_false", help=f"not: {meaning}")


def _residential(cmd: argparse.ArgumentParser) -> None:
    group = cmd.add_mutually_exclusive_group()
    group.add_argument("--residential", dest="residential", action="store_true", default=True)
    group.add_argument("--commercial", dest="residential", action="store_false")


# ---------------------------------------------------------------------------------------
# Argument types (ArgumentTypeError makes argparse exit 2 with the message)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _time(text: str) -> dt.time:
    try:
        return dt.time.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a time (HH:MM): {text!r}") from None


def _money(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "").lstrip("$"))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not an amount of money: {text!r}") from None
    if not value.is_finite() or value < 0:
        raise argparse.ArgumentTypeError(f"not an amount of money: {text!r}")
    return value


def _household_size(text: str) -> int:
    try:
        size = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a household size: {text!r}") from None
    if size < 1:
        raise argparse.ArgumentTypeError("a household has at least one person")
    return size


def _usage_list(text: str) -> list[Decimal]:
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        raise argparse.ArgumentTypeError("give at least one usage figure")
    try:
        values = [Decimal(part) for part in parts]
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if any(not v.is_finite() or v < 0 for v in values):
        raise argparse.ArgumentTypeError("usage figures must be numbers of zero or more")
    return values


# ---------------------------------------------------------------------------------------
# Handlers


def _run_cold_weather(args: argparse.Namespace) -> int:
    tables = _tables(args)
    if tables is None:
        return EXIT_DATA_ERROR
    application = ColdWeatherApplication(
        day=args.date,
        household_size=args.household_size,
        primary_heat_affected=args.heat_affected,
        payment_agreement=args.payment_agreement,
        annual_income=args.annual_income,
        public_assistance=args.public_assistance,
        residential=args.residential,
    )
    try:
        result = decide_protection(application, tables)
    except ValueError as error:
        return _usage_error(error)
    season = result.period.season
    payload = {
        "decision": result.decision,
        "reasons": list(result.reasons),
        "in_cold_weather_period": result.in_cold_weather_period,
        "cold_weather_period": {
            "start": season.start.isoformat(),
            "end": season.end.isoformat(),
            "rule": season.rule.id,
            "status": season.rule.status,
        },
        "household_size": args.household_size,
        "income_limit": _cents(result.income_limit),
        "income_condition": result.income_condition,
        "income_table": _table_json(result.income_table.table, result.income_table.in_effect),
        "referrals": [_referral_json(r) for r in result.referrals],
    }
    return _emit(args, payload, extra=[f"income limit: ${payload['income_limit']}"])


def _run_disconnect(args: argparse.Namespace) -> int:
    calendar, tables = _calendar(args), _tables(args)
    if calendar is None or tables is None:
        return EXIT_DATA_ERROR
    if args.occupancy and not args.unresponsive:
        return _usage_error(ValueError("--occupied/--unoccupied go with --unresponsive"))
    facts = DisconnectionFacts(
        day=args.date,
        notice_date=args.notice_date,
        notice_delivery=NoticeDelivery(args.notice_delivery),
        time=args.time,
        residential=args.residential,
        cold_weather_protected=args.cold_weather_protected,
        heat_alert=args.heat_alert,
        appeal_pending=args.appeal_pending,
        military_protected=args.military_protected,
        agreement_declined_today=args.agreement_declined_today,
        field_rep_offers_agreement=args.field_rep_offers_agreement,
        unresponsive=args.unresponsive,
        occupancy=Occupancy(args.occupancy) if args.occupancy else None,
        occupant_informed_date=args.occupant_informed_date,
        provider_notice_date=args.provider_notice_date,
    )
    try:
        result = check_disconnection(facts, calendar, tables)
    except ValueError as error:
        return _usage_error(error)
    earliest = result.earliest_date.isoformat() if result.earliest_date else None
    payload = {
        "decision": result.decision,
        "reasons": list(result.reasons),
        "date": args.date.isoformat(),
        "earliest_date": earliest,
        "in_cold_weather_period": result.in_cold_weather_period,
    }
    return _emit(args, payload, extra=[f"earliest date: {earliest or 'none'}"])


def _run_military(args: argparse.Namespace) -> int:
    if (args.notice_date is None) != (args.notice_delivery is None):
        return _usage_error(ValueError("--notice-date and --notice-delivery go together"))
    tables = _tables(args)
    if tables is None:
        return EXIT_DATA_ERROR
    day = args.date or dt.datetime.now(ZoneInfo(LOCAL_ZONE)).date()
    request = MilitaryRequest(
        day=day,
        household_size=args.household_size,
        gross_monthly_income=args.gross_monthly_income,
        receives_energy_assistance=args.energy_assistance,
        orders_date=args.orders_date,
        income_measured_from=args.income_since,
    )
    try:
        result = decide_military_arrangement(request, tables)
    except (IncomeBeforeOrdersError, ValueError) as error:
        return _usage_error(error)
    reasons = list(result.reasons)
    payload: dict[str, Any] = {
        "decision": result.decision,
        "monthly_payment": (
            None if result.monthly_payment is None else _cents(result.monthly_payment)
        ),
        "reasons": reasons,
        "household_size": args.household_size,
        "gross_monthly_income": _cents(args.gross_monthly_income),
        "income_limit": _cents(result.income_limit),
        "monthly_income_limit": _cents(result.monthly_income_limit),
        "income_table": _table_json(result.income_table.table, result.income_table.in_effect),
        "appeal_deadline": None,
    }
    if args.notice_date is not None:
        calendar = _calendar(args)
        if calendar is None:
            return EXIT_DATA_ERROR
        delivery = NoticeDelivery(args.notice_delivery)
        deadline = appeal_deadline(calendar, args.notice_date, delivery)
        payload["appeal_deadline"] = deadline.last_day.isoformat()
        reasons.extend(deadline.reasons)
    return _emit(args, payload, extra=[f"monthly payment: {payload['monthly_payment'] or '-'}"])


def _run_aggregate_release(args: argparse.Namespace) -> int:
    result = decide_aggregate_release(args.usage)
    share = result.largest_share
    payload = {
        "decision": result.decision,
        "reasons": list(result.reasons),
        "premise_count": result.premise_count,
        "total": str(result.total),
        "largest_share": None if share is None else str(share.quantize(Decimal("0.0001"))),
    }
    return _emit(args, payload)


# ---------------------------------------------------------------------------------------
# Helpers


def _tables(args: argparse.Namespace) -> ColdWeatherTables | None:
    return _load(lambda: load_cold_weather_tables(Path(args.data_dir) / COLD_WEATHER_FILE))


def _calendar(args: argparse.Namespace) -> UtilityCalendar | None:
    return _load(lambda: load_calendar(Path(args.data_dir) / CALENDAR_FILE))


def _load(loader: Callable[[], Any]) -> Any:
    try:
        return loader()
    except (OSError, TableError, KeyError, TypeError, ValueError) as error:
        print(f"careline rules: cannot read the rule data: {error}", file=sys.stderr)
        return None


def _usage_error(error: Exception) -> int:
    print(f"careline rules: error: {error}", file=sys.stderr)
    return EXIT_USAGE


def _cents(amount: Decimal) -> str:
    return str(amount.quantize(Decimal("0.01")))


def _table_json(table: IncomeTable, in_effect: bool) -> dict[str, Any]:
    return {
        "id": table.id,
        "program_year": table.program_year,
        "percent_of_state_median": str(table.percent_of_state_median),
        "in_effect_on_date": in_effect,
    }


def _referral_json(referral: Referral) -> dict[str, Any]:
    return {
        "name": referral.name,
        "kind": referral.kind,
        "phone": referral.phone,
        "url": referral.url,
        "description": referral.description,
    }


def _emit(args: argparse.Namespace, payload: dict[str, Any], extra: list[str] | None = None) -> int:
    if args.json:
        print(json.dumps(payload, indent=2))
        return EXIT_OK
    lines = [f"decision: {payload['decision']}"]
    lines += [f"  - {reason}" for reason in payload["reasons"]]
    lines += extra or []
    print("\n".join(lines))
    return EXIT_OK
