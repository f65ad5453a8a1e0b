"""Nobody left without a reply: outside service hours say when a person will answer; inside them,
an @mention the FAQ could not answer gets "recorded, a person will reply".

Chit-chat is never answered: only questions (off hours) and messages addressed to the bot count.
A member hears the off-hours notice at most once per closed period.
"""

from __future__ import annotations

from bot.context import Context
from bot.dispatch import Outcome, reply
from bot.events import Event, Message, MessageType
from handlers.replies import fallback_text, off_hours_text, reply_to


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
        reopening = hours.next_opening(now)
        key = (event.room or "", event.sender, reopening.isoformat() if reopening else "never")
        told = ctx.memory.extra.setdefault("off_hours_told", set())
        if key in told:
            return None
        told.add(key)
        text = off_hours_text(hours.describe_next(now), hours.summary())
        return reply(reply_to(event, text, "off_hours"))
