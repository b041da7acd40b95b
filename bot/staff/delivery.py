"""Staff replies for the web chat page. The page cannot be pushed to, so it asks: while a
conversation is handed off it polls ``/webhooks/webchat/updates`` with the id of the last
message it showed, and gets anything newer that staff (or the assistant, on hand-back) said.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from actions.store.handoffs import active_handoff, outgoing_messages_after
from bot.staff.service import in_transaction


async def web_updates(conversation_id: str, after: int) -> dict[str, Any]:
    """``{"messages": [{"id", "from", "text"}], "handed_off": bool}`` for the page."""

    def work(session: Session) -> dict[str, Any]:
        messages = outgoing_messages_after(session, conversation_id, after)
        return {
            "messages": [{"id": m.id, "from": m.sender, "text": m.text} for m in messages],
            "handed_off": active_handoff(session, conversation_id) is not None,
        }

    return await in_transaction(work)
