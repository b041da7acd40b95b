"""``careline run``: start the action server and the Rasa server together."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path
from types import FrameType

from bot.launcher import DEFAULT_MODEL, PROFILES, AssistantProcesses


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("run", help="start the assistant (action + Rasa servers)")
    parser.add_argument("--profile", choices=sorted(PROFILES), default="default")
    parser.add_argument("--host", default="127.0.0.1", help="interface the Rasa server binds")
    parser.add_argument("--port", type=int, default=5005)
    parser.add_argument("--actions-port", type=int, default=5055)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.set_defaults(func=_run)


def _schema_problem() -> str | None:
    """Why the account database is not ready for production, or None. Production never
    creates tables itself: its schema comes from the migrations alone."""
    from actions.store import migrate

    try:
        current, head = migrate.current_revision(), migrate.head_revision()
    except Exception as error:  # noqa: BLE001 - any failure to reach the database is the answer
        return f"cannot read the account database ({type(error).__name__}: {error})"
    if current != head:
        return (f"the account database is at migration {current or 'none'}, not {head}: "
                "run `careline db upgrade` first (make run-prod does)")
    return None


def _run(args: argparse.Namespace) -> int:
    if args.profile == "production":
        problem = _schema_problem()
        if problem:
            print(f"careline: {problem}", file=sys.stderr)
            return 1
    processes = AssistantProcesses(
        port=args.port, actions_port=args.actions_port, profile=args.profile,
        model=args.model, host=args.host,
    )

    def _stop(signum: int, _frame: FrameType | None) -> None:
        print("\nStopping careline ...", flush=True)
        processes.stop()
        sys.exit(0)

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        processes.start()
    except FileNotFoundError as error:
        print(f"careline: {error}", file=sys.stderr)
        return 1
    print("Starting the action server and the Rasa server (this takes about a minute) ...",
          flush=True)
    try:
        processes.wait_ready()
    except (RuntimeError, TimeoutError) as error:
        print(f"careline: could not start: {error}", file=sys.stderr)
        processes.stop()
        return 1
    print(f"\ncareline is running.\n  Web chat: {processes.webchat_url}\n"
          f"  Press Ctrl-C to stop.\n", flush=True)
    code = processes.wait()
    processes.stop()
    return code
