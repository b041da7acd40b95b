"""Account notes kept on local disk while the account database cannot take them.

An answered request must leave its note. When the database is down or locked, the note is
appended to a JSON-lines file (fsync'd, under an exclusive file lock so several action
server workers can share it) and written to the database by the next transaction that
succeeds. Each note carries its ``request_key``, so a note replayed twice is stored once.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from actions.store.db import PROJECT_ROOT, Store
from actions.store.repository import add_note

logger = logging.getLogger(__name__)

DEFAULT_OUTBOX = PROJECT_ROOT / "var" / "note-outbox.jsonl"


def outbox_path() -> Path:
    """``CARELINE_NOTE_OUTBOX``, else var/note-outbox.jsonl in the project."""
    configured = os.environ.get("CARELINE_NOTE_OUTBOX")
    return Path(configured) if configured else DEFAULT_OUTBOX


@contextmanager
def _locked(path: Path) -> Iterator[Any]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield handle
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def keep(note: dict[str, Any], path: Path | None = None) -> None:
    """Appends one note (the keyword arguments of ``add_note``) durably."""
    with _locked(path or outbox_path()) as handle:
        handle.write(json.dumps(note, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    logger.warning("Account database unavailable: note %s kept in the outbox.",
                   note.get("request_key"))


def pending(path: Path | None = None) -> int:
    """How many notes wait in the outbox."""
    target = path or outbox_path()
    if not target.exists():
        return 0
    with _locked(target) as handle:
        handle.seek(0)
        return sum(1 for line in handle if line.strip())


def has_pending(path: Path | None = None) -> bool:
    target = path or outbox_path()
    try:
        return target.stat().st_size > 0
    except FileNotFoundError:
        return False


def deliver(store: Store, path: Path | None = None) -> int:
    """Writes the waiting notes in one transaction and empties the outbox; returns how
    many. The file stays locked until the notes are committed, and is emptied only then;
    a crash in between replays notes that their request keys then skip."""
    with _locked(path or outbox_path()) as handle:
        handle.seek(0)
        notes = [json.loads(line) for line in handle if line.strip()]
        if not notes:
            return 0
        with store.transaction() as session:
            for note in notes:
                add_note(session, **note)
        handle.truncate(0)
    logger.info("Wrote %d account note(s) kept while the database was unavailable.",
                len(notes))
    return len(notes)
