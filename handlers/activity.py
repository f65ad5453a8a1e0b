"""Activity recording: every member message, join and leave goes to the activity store.

Runs right after the guard and before anything that answers, so it also sees stale events and
messages other handlers stop. It never stops dispatch and never acts; scoring happens later, in
the digest (``bot/digest.py``), over what was recorded here.
"""

from __future__ import annotations

from bot.activity.recorder import flush, recorder_for
from bot.context import Context
from bot.dispatch import Outcome
from bot.events import Event, Join, Leave, Message


class ActivityRecorder:
    name = "activity"

    def handle(self, event: Event, ctx: Context) -> Outcome | None:
        if isinstance(event, Message | Join | Leave):
            rec = recorder_for(ctx)
            if rec is not None:
                rec.observe(event, ctx.scratch)
        return None

    def flush(self, ctx: Context) -> None:
        """Write buffered rows; the App calls this on close."""
        flush(ctx)
