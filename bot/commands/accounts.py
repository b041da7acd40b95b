"""``careline db init`` and ``careline accounts load FILE.json``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from actions.store.cis_import import ExportFormatError, import_export
from actions.store.db import create_store


def register(subparsers: argparse._SubParsersAction) -> None:
    db = subparsers.add_parser("db", help="account database")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    init = db_commands.add_parser("init", help="create the schema if it is missing")
    init.set_defaults(func=_init)

    accounts = subparsers.add_parser("accounts", help="customer accounts")
    account_commands = accounts.add_subparsers(dest="accounts_command", required=True)
    load = account_commands.add_parser("load", help="import a CIS export (JSON)")
    load.add_argument("file", type=Path)
    load.set_defaults(func=_load)


def _init(_args: argparse.Namespace) -> int:
    create_store()
    print("account database ready")
    return 0


def _load(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        print(f"careline: no such file: {args.file}", file=sys.stderr)
        return 2
    store = create_store()
    try:
        with store.transaction() as session:
            summary = import_export(session, args.file)
    except ExportFormatError as error:
        print(f"careline: nothing imported: {error}", file=sys.stderr)
        return 1
    if not summary.changed:
        print(f"{args.file}: already loaded, nothing changed")
        return 0
    parts = [f"{count} {kind} created" for kind, count in sorted(summary.created.items())]
    parts += [f"{count} {kind} updated" for kind, count in sorted(summary.updated.items())]
    print(f"{args.file}: " + ", ".join(parts))
    return 0
