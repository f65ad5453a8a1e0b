"""Nobody left without a reply: outside service hours say when a person will answer; inside them,
an @mention the FAQ could not answer gets "recorded, a person will reply".

Runs after the FAQ handlers (which answer at any hour and stop dispatch) and after the unanswered
recorder (which stores the question). Chit-chat is never answered: only questions (off hours)
and messages addressed to the bot count. A member hears the off-hours notice at most once per
closed period, whichever room or DM they ask in: a period is named by its reopening time, and a
member's entry is dropped once that time has passed, so the memory stays small.
"""

from __future__ import annotations

from datetime import datetime

from bot.context import Context
from bot.dispatch import Outcome, reply
from bot.events import Event, Message, MessageType
from handlers.replies import fallback_text, off_hours_text, reply_to

_TOLD = "off_hours_told"


def told_members(ctx: Context, now: datetime) -> dict[str, datetime | None]:
    """Member id -> reopening time of the closed period they were told about (None: never opens).

    Entries of periods that have ended are pruned here.
    """
    told = ctx.memory.extra.get(_TOLD)
    if not isinstance(told, dict):
        told = ctx.memory.extra[_TOLD] = {}
    for member in [m for m, reopening in told.items() if reopening is not None and reopening <= now]:
        del told[member]
    return told


class Fallback:
    name = "fallback"

    def handle(self, event: Event, ctx: Context) -> Outcome | None:
        if not isinstance(event, Message) or event.type != MessageType.TEXT:
            return None
        match = ctx.scratch.get("match")
        addressed = event.mentions_bot or event.is_direct
        is_question = bool(match and match.is_question)
        if not (addressed or is_question):
            return None
        hours = ctx.config.hours
        now = ctx.now
        ctx.scratch["unanswered"] = True
        if hours.is_open(now):
            if addressed:
                return reply(reply_to(event, fallback_text(), "fallback"))
            return None
        told = told_members(ctx, now)
        reopening = hours.next_opening(now)
        if event.sender in told and told[event.sender] == reopening:
            return None
        told[event.sender] = reopening
        text = off_hours_text(hours.describe_next(now), hours.summary())
        return reply(reply_to(event, text, "off_hours"))
