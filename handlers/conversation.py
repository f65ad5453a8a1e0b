"""Conversations between people are not the bot's business.

A member quote-replying another member's message, or @mentioning someone other than the bot, is talking
to that person: often answering a newcomer. An operator's message is staff talking. In both cases a
"did you mean" list, an FAQ answer or an off-hours notice would interrupt, so the bot stays out unless it
is @mentioned itself. (Activity, welcome and admin handlers run before this one and still see the message.)
"""

from __future__ import annotations

from collections import OrderedDict

from bot.context import Context
from bot.dispatch import STOP, Outcome
from bot.events import SELF_ID, Event, Message
from bot.mentions import mentioned_names

_AUTHORS = "conversation_authors"
_AUTHORS_KEPT = 5000


def authors(ctx: Context) -> OrderedDict[str, str]:
    """Message id -> sender for recent messages (bounded), to tell whose message a quote-reply quotes."""
    return ctx.memory.extra.setdefault(_AUTHORS, OrderedDict())


def remember_author(ctx: Context, msg: Message) -> None:
    seen = authors(ctx)
    seen[msg.id] = msg.sender
    if len(seen) > _AUTHORS_KEPT:
        seen.popitem(last=False)


def talks_to_someone_else(msg: Message, ctx: Context) -> bool:
    """The message replies to, or @mentions, a person other than the bot and the sender."""
    if any(m not in (SELF_ID, msg.sender) for m in msg.mentions):
        return True
    names = {ctx.config.bot.name}
    if any(name not in names for name in mentioned_names(msg.text)):
        return True
    if msg.quote is not None:
        quoted = authors(ctx).get(msg.quote)
        return quoted != msg.sender and quoted != SELF_ID  # an unknown (old) message counts as another's
    return False


class Conversation:
    name = "conversation"

    def handle(self, event: Event, ctx: Context) -> Outcome | None:
        if not isinstance(event, Message):
            return None
        remember_author(ctx, event)
        if event.mentions_bot or event.is_direct:
            return None
        if event.sender in ctx.config.operators or talks_to_someone_else(event, ctx):
            return STOP
        return None
