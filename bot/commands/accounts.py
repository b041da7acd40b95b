"""``careline db init`` and ``careline accounts load FILE.json``."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from actions.store import migrate
from actions.store.cis_import import ExportFormatError, import_export
from actions.store.db import create_store


def register(subparsers: argparse._SubParsersAction) -> None:
    db = subparsers.add_parser("db", help="account database")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    init = db_commands.add_parser(
        "init", help="bring the schema up to date (migrations; create-all for an old file)")
    init.set_defaults(func=_init)
    upgrade = db_commands.add_parser("upgrade", help="apply schema migrations (production)")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(func=_upgrade)
    stamp = db_commands.add_parser(
        "stamp", help="record a revision as applied without running it (adopt a database)")
    stamp.add_argument("revision", nargs="?", default="head")
    stamp.set_defaults(func=_stamp)
    check = db_commands.add_parser("check", help="compare the database with the models")
    check.set_defaults(func=_check)
    revision = db_commands.add_parser(
        "revision", help="write a migration for what changed in actions/store/models.py")
    revision.add_argument("-m", "--message", required=True)
    revision.add_argument(
        "--url", help="database to compare against (default: a scratch SQLite file upgraded "
        "to the newest revision)")
    revision.set_defaults(func=_revision)

    accounts = subparsers.add_parser("accounts", help="customer accounts")
    account_commands = accounts.add_subparsers(dest="accounts_command", required=True)
    load = account_commands.add_parser("load", help="import a CIS export (JSON)")
    load.add_argument("file", type=Path)
    load.set_defaults(func=_load)


def _init(_args: argparse.Namespace) -> int:
    try:
        done = migrate.prepare()
    except migrate.SchemaNotManaged as error:
        print(f"careline: {error}", file=sys.stderr)
        return 1
    print(f"account database ready ({done})")
    return 0


def _upgrade(args: argparse.Namespace) -> int:
    try:
        migrate.upgrade(revision=args.revision)
    except migrate.SchemaNotManaged as error:
        print(f"careline: {error}", file=sys.stderr)
        return 1
    print(f"account database at revision {migrate.current_revision()}")
    return 0


def _stamp(args: argparse.Namespace) -> int:
    migrate.stamp(revision=args.revision)
    print(f"account database recorded at revision {migrate.current_revision()}")
    return 0


def _check(_args: argparse.Namespace) -> int:
    found = migrate.differences()
    if not found:
        print("the account database matches the models")
        return 0
    print("the account database differs from the models:")
    for difference in found:
        print(f"  - {migrate.describe(difference)}")
    print(f"Write a migration with `{migrate.REVISION_COMMAND}`, then `careline db upgrade`.")
    return 1


def _revision(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        url = args.url or f"sqlite:///{Path(scratch) / 'scratch.db'}"
        path = migrate.new_revision(args.message, url)
    print(f"wrote {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    print("Read it before committing: autogenerate misses renames and server defaults.")
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
