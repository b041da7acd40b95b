"""``careline bill explain ACCOUNT [--bill BILL_ID] [--json]``: what the assistant says."""

from __future__ import annotations

import argparse
import json
import sys

from actions.bills import SERVICE_NAMES, explain_latest_bill
from actions.store.db import create_store


def register(subparsers: argparse._SubParsersAction) -> None:
    bill = subparsers.add_parser("bill", help="bills")
    commands = bill.add_subparsers(dest="bill_command", required=True)
    explain = commands.add_parser("explain", help="explain a bill as the assistant does")
    explain.add_argument("account")
    explain.add_argument("--bill", dest="bill_id", help="a bill id (default: the latest)")
    explain.add_argument("--json", action="store_true", help="print JSON")
    explain.set_defaults(func=_explain)


def _explain(args: argparse.Namespace) -> int:
    store = create_store()
    with store.transaction() as session:
        explanation = explain_latest_bill(session, args.account, args.bill_id)
    if explanation is None:
        print(f"careline: no bill found for account {args.account}"
              + (f" with id {args.bill_id}" if args.bill_id else ""), file=sys.stderr)
        return 1
    data = explanation.to_dict()
    if args.json:
        print(json.dumps(data, indent=2))
        return 0
    print(f"Account {data['account_number']}  bill {data['bill_id']}  "
          f"{data['period_start']} to {data['period_end']} ({data['days']} days)")
    print(f"Current charges ${data['current_charges']}, amount due ${data['amount_due']} "
          f"by {data['due_date']}; late fee if unpaid ${data['late_fee_if_unpaid']}")
    for service in data["services"]:
        print(f"\n{SERVICE_NAMES.get(service['service'], service['service'])}: "
              f"${service['total']}")
        for line in service["lines"]:
            print(f"  {line['code']:<28} ${line['amount']:>8}  {line['explanation']}")
    for check in data["checks"]:
        if check["ok"] is False:
            print(f"\nCHECK {check['code']}: billed {check['billed']}, expected "
                  f"{check['expected']}: {check['note']}")
    comparison = data.get("comparison")
    if comparison:
        print(f"\nChange since {comparison['previous_bill_id']}: ${comparison['change']}")
        for driver in comparison["drivers"]:
            print(f"  {driver['driver']:<18} ${driver['amount']:>8}  {driver['explanation']}")
    return 0
