"""``careline notes ACCOUNT [--json]``: the account's notes, newest first."""

from __future__ import annotations

import argparse
import json

from actions.store.db import create_store
from actions.store.repository import notes_for_account


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("notes", help="account notes, newest first")
    parser.add_argument("account")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=_notes)


def _notes(args: argparse.Namespace) -> int:
    store = create_store()
    with store.transaction() as session:
        notes = notes_for_account(session, args.account)
    if args.json:
        print(json.dumps([note.to_dict() for note in notes], indent=2))
        return 0
    if not notes:
        print(f"No notes for account {args.account}.")
        return 0
    for note in notes:
        when = note.created_at.strftime("%Y-%m-%d %H:%M")
        print(f"{when}  {note.channel:<5} {note.author:<18} {note.category:<22} {note.summary}")
    return 0
