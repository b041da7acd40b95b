"""The ``careline`` command line: run the assistant, load accounts, read notes, run rules."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from dotenv import load_dotenv

from bot.commands import accounts, bill, contacts, handoffs, notes, rules, run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="careline", description="careline: customer care assistant for a public utility."
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (run, accounts, notes, contacts, bill, rules, handoffs):
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    load_dotenv()
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
