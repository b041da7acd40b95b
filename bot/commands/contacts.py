"""``careline contacts ACCOUNT [--json]`` and ``careline contacts confirm ID --by NAME``:
staff see an account's third-party contacts and confirm an authorized person once the
customer's written consent is on file (the confirmation is noted on the account)."""

from __future__ import annotations

import argparse
import json

from actions.store.contacts import confirm_contact, current_contacts
from actions.store.db import create_store
from actions.store.repository import add_note


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("contacts", help="third-party contacts of an account")
    parser.add_argument("account", help="account number, or 'confirm' followed by a contact id")
    parser.add_argument("contact_id", nargs="?", type=int, help="with 'confirm'")
    parser.add_argument("--by", help="staff member confirming (with 'confirm')")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=_contacts)


def _contacts(args: argparse.Namespace) -> int:
    if args.account == "confirm":
        return _confirm(args)
    store = create_store()
    with store.transaction() as session:
        rows = [{"id": c.id, "kind": c.kind, "name": c.name,
                 "relationship": c.relationship_to_customer, "phone": c.phone,
                 "email": c.email, "status": c.status, "created_at": c.created_at.isoformat()}
                for c in current_contacts(session, args.account)]
    if args.json:
        print(json.dumps(rows, indent=2))
    elif not rows:
        print(f"No contacts on account {args.account}.")
    for row in [] if args.json else rows:
        print(f"{row['id']:>5}  {row['kind']:<12} {row['status']:<21} {row['name']} "
              f"({row['relationship'] or '-'}) {row['phone']} {row['email'] or ''}".rstrip())
    return 0


def _confirm(args: argparse.Namespace) -> int:
    if args.contact_id is None or not args.by:
        print("usage: careline contacts confirm CONTACT_ID --by STAFF_NAME")
        return 2
    store = create_store()
    with store.transaction() as session:
        contact = confirm_contact(session, args.contact_id)
        if contact is None:
            print(f"Contact {args.contact_id} is not waiting for confirmation.")
            return 1
        add_note(session, account_number=contact.account_number, channel="staff",
                 author=args.by, category="third-party contact",
                 summary=f"Written consent on file: confirmed authorized person "
                         f"{contact.name} (contact {contact.id}).")
        print(f"Confirmed {contact.name} (contact {contact.id}) on account "
              f"{contact.account_number}.")
    return 0
