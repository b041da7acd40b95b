"""``careline handoffs``: the staff queue from the command line.

    careline handoffs [--json]                   open handoffs, oldest first
    careline handoffs show ID [--json]           summary, transcript, messages, notes
    careline handoffs claim ID
    careline handoffs reply ID TEXT
    careline handoffs close ID --outcome TEXT
    careline handoffs handback ID [--outcome TEXT]

A client of the staff API of the running assistant (``--url``, default ``CARELINE_URL`` or
http://127.0.0.1:5005) with ``CARELINE_STAFF_TOKEN``: the reply must reach the customer's
channel and the hand-back must resume the conversation in the server's tracker, so the
command does what the console page does rather than writing to the database itself.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import urllib.error
import urllib.request
from typing import Any

DEFAULT_URL = "http://127.0.0.1:5005"
API_PATH = "/webhooks/staff/api/handoffs"


class StaffApiError(RuntimeError):
    pass


def register(subparsers: argparse._SubParsersAction) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="print JSON")
    common.add_argument("--url", default=None,
                        help=f"the assistant's base URL (CARELINE_URL, default {DEFAULT_URL})")
    common.add_argument("--staff", default=None,
                        help="your name on notes (CARELINE_STAFF_NAME, default your login)")
    parser = subparsers.add_parser("handoffs", parents=[common],
                                   help="handoffs to staff: queue, transcripts, replies")
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    show = actions.add_parser("show", parents=[common], help="one handoff in full")
    show.add_argument("id", type=int)
    claim = actions.add_parser("claim", parents=[common], help="take a handoff")
    claim.add_argument("id", type=int)
    reply = actions.add_parser("reply", parents=[common], help="reply to the customer")
    reply.add_argument("id", type=int)
    reply.add_argument("text")
    close = actions.add_parser("close", parents=[common], help="close with an outcome")
    close.add_argument("id", type=int)
    close.add_argument("--outcome", required=True)
    handback = actions.add_parser("handback", parents=[common],
                                  help="close and hand the conversation back to the bot")
    handback.add_argument("id", type=int)
    handback.add_argument("--outcome", default=None)
    parser.set_defaults(func=_handoffs)


def _request(args: argparse.Namespace, method: str, path: str,
             body: dict[str, Any] | None = None) -> Any:
    base = (args.url or os.environ.get("CARELINE_URL") or DEFAULT_URL).rstrip("/")
    token = os.environ.get("CARELINE_STAFF_TOKEN", "")
    request = urllib.request.Request(
        base + API_PATH + path, method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as error:
        try:
            message = json.loads(error.read()).get("error", "")
        except ValueError:
            message = ""
        raise StaffApiError(f"{error.code}: {message or error.reason}") from error
    except urllib.error.URLError as error:
        raise StaffApiError(f"cannot reach the assistant at {base} ({error.reason}); "
                            "is `careline run` running?") from error


def _staff(args: argparse.Namespace) -> str:
    return args.staff or os.environ.get("CARELINE_STAFF_NAME") or getpass.getuser()


def _handoffs(args: argparse.Namespace) -> int:
    try:
        if args.action is None:
            data = _request(args, "GET", "")["handoffs"]
            _print_queue(data, args.json)
            return 0
        if args.action == "show":
            data = _request(args, "GET", f"/{args.id}")
        else:
            body: dict[str, Any] = {"staff": _staff(args)}
            if args.action == "reply":
                body["text"] = args.text
            if getattr(args, "outcome", None):
                body["outcome"] = args.outcome
            data = _request(args, "POST", f"/{args.id}/{args.action}", body)
    except StaffApiError as error:
        print(f"careline handoffs: {error}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        _print_handoff(data)
    return 0


def _print_queue(handoffs: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print(json.dumps(handoffs, indent=2))
        return
    if not handoffs:
        print("No open handoffs.")
        return
    for h in handoffs:
        who = f"account {h['account_number']}" if h["account_number"] else "unverified"
        claimed = f" by {h['claimed_by']}" if h["claimed_by"] else ""
        print(f"{h['id']:>5}  {h['created_at'][:16]}  {h['channel']:<5} {h['status']}{claimed:<12} "
              f"{who:<18} {h['reason']}  ({h['customer_messages']} new)")


def _print_handoff(h: dict[str, Any]) -> None:
    print(f"Handoff {h['id']} ({h['status']}{', ' + h['claimed_by'] if h['claimed_by'] else ''})"
          f" - {h['conversation_id']} - {h['reason']}")
    if h.get("callback_phone"):
        print(f"Callback: {h['callback_phone']}")
    if h.get("outcome"):
        print(f"Outcome: {h['outcome']}")
    print(f"\n{h['summary']}\n\nTranscript:")
    for turn in h["transcript"]:
        print(f"  {turn['at'][11:19]}  {turn['speaker']:<9} {turn['text']}")
    if h["messages"]:
        print("Since the handoff:")
        for m in h["messages"]:
            print(f"  {m['at'][11:19]}  {m['author']:<9} {m['text']}")
    if h.get("delivery"):
        d = h["delivery"]
        print("Reply sent by " + d["how"] if d["delivered"] else f"Not delivered: {d['how']}")
    if h.get("notes"):
        print("Notes:")
        for n in h["notes"]:
            print(f"  {n['created_at'][:16]}  {n['channel']:<5} {n['author']:<18} "
                  f"{n['category']:<20} {n['summary']}")
