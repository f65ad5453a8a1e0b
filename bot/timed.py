"""Timed sources: things that fire at clock times (schedule posts, the daily digest).

Replay asks each source for its next fire time and fires it at that simulated time; a live run
sleeps on the real clock until then. Same code, one clock.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from bot.actions import Action

if TYPE_CHECKING:
    from bot.context import Context


class TimedSource(Protocol):
    name: str

    def next_fire(self, after: datetime) -> datetime | None:
        """The first fire time strictly after ``after`` (None: never)."""
        ...

    def fire(self, when: datetime, ctx: Context) -> list[Action]:
        """Run the job planned for ``when``; return the actions to send."""
        ...
