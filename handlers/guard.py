"""Guard: the bot never answers itself, other bots, or events it should only record.

Two handlers: ``Guard`` runs first and drops the bot's own and other bots' messages entirely;
``StaleGuard`` runs after the recording handlers, so stale messages (backlog delivered at start)
are recorded but never answered.
"""

from __future__ import annotations

from bot.context import Context
from bot.dispatch import STOP, Outcome
from bot.events import SELF_ID, Event, Message
from handlers.conversation import remember_author


class Guard:
    name = "guard"

    def handle(self, event: Event, ctx: Context) -> Outcome | None:
        if not isinstance(event, Message):
            return None
        if event.sender == SELF_ID:
            remember_author(ctx, event)  # so a quote-reply to the bot is told apart from one to a member
            return STOP
        if event.sender in ctx.config.bot.ignore:
            return STOP
        return None


class StaleGuard:
    name = "stale"

    def handle(self, event: Event, ctx: Context) -> Outcome | None:
        if isinstance(event, Message) and ctx.scratch.get("stale"):
            return STOP
        return None
