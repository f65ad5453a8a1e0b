"""Recording what the bot could not answer, and escalating a member it failed twice.

Runs after the FAQ handler and before the fallback: a question (or a message to the bot) that got
neither an answer nor a suggestion is stored for ``qunbot unanswered`` and the digest. The fallback
still replies afterwards; only a second miss for the same member within ``handoff.window_minutes``
stops it, replaced by a hand-off to a person.

``Tallied`` wraps the answering handlers (FAQ, number choices) to count answers and suggestions
per room and day for ``#今日``: those handlers stop dispatch when they answer, so nothing after
them could see it.
"""

from __future__ import annotations

import re
from datetime import timedelta

from bot.activity.signals import is_ad
from bot.context import Context
from bot.dispatch import Handler, Outcome, reply
from bot.events import Event, Message, MessageType
from bot.faq.index import MatchResult
from bot.unanswered import bump_day, last_handoff, latest_unanswered, recent_unanswered, record_unanswered
from handlers.handoff import hand_off, is_operator

ME_TOO = re.compile(r"^\s*(?:同问|同求|我也想问|我也想知道|我也是这个问题|[+＋]\s*1(?!\d))")
""""Same question": counts once more for the room's latest unanswered question."""
ME_TOO_MINUTES = 60


def _is_ad(text: str) -> bool:
    """Advertising is never a question worth an FAQ entry."""
    return is_ad(text)


def _asks(msg: Message, match: MatchResult | None) -> bool:
    """A question, or a message to the bot that is not mere chit-chat ("@小助手 在吗" is a ping)."""
    if match is None:
        return msg.mentions_bot or msg.is_direct
    if match.is_question:
        return True
    return (msg.mentions_bot or msg.is_direct) and not match.reason.startswith("chit-chat")


class UnansweredRecorder:
    name = "unanswered"

    def handle(self, event: Event, ctx: Context) -> Outcome | None:
        if not isinstance(event, Message) or event.type != MessageType.TEXT or not event.text.strip():
            return None
        if ctx.scratch.get("answered") or is_operator(ctx, event.sender) or ctx.store is None:
            return None
        if event.room is not None and ME_TOO.match(event.text):
            asked = latest_unanswered(ctx.store, event.room, ctx.now - timedelta(minutes=ME_TOO_MINUTES),
                                      event.sender)
            if asked is not None:
                record_unanswered(ctx.store, ts=event.ts, room=event.room, member=event.sender, text=asked,
                                  member_name=event.sender_name, room_topic=event.room_topic, msg_id=event.id)
                return None
        if not _asks(event, ctx.scratch.get("match")) or _is_ad(event.text):
            return None
        ctx.scratch["unanswered"] = True
        record_unanswered(ctx.store, ts=event.ts, room=event.room, member=event.sender, text=event.text,
                          member_name=event.sender_name, room_topic=event.room_topic, msg_id=event.id)
        cfg = ctx.config.handoff
        if not cfg.enabled or not ctx.config.handoff_recipients:
            return None
        window = timedelta(minutes=cfg.window_minutes)
        since = ctx.now - window
        if recent_unanswered(ctx.store, event.room, event.sender, since, exclude_msg=event.id) < 1:
            return None
        last = last_handoff(ctx.store, event.room, event.sender)
        if last is not None and ctx.now - last < window:
            return None  # already handed over; the fallback's usual reply is enough
        ctx.scratch["handoff"] = "repeat"
        return reply(*hand_off(ctx, event, " ".join(event.text.split()), "repeat"))


class Tallied:
    """Counts what an answering handler did (answer, suggestion, the asker) for the room's day."""

    def __init__(self, inner: Handler) -> None:
        self.inner = inner
        self.name = inner.name

    def handle(self, event: Event, ctx: Context) -> Outcome | None:
        outcome = self.inner.handle(event, ctx)
        if not isinstance(event, Message) or event.room is None or ctx.store is None:
            return outcome
        reasons = [a.reason for a in outcome.actions] if outcome is not None else []
        match = ctx.scratch.get("match")
        asked = bool(reasons) or event.mentions_bot or (match is not None and match.is_question)
        if self.name == "choice" and not reasons:
            return outcome  # the choice handler only looks at number replies
        if asked and not is_operator(ctx, event.sender):
            bump_day(ctx.store, event.room, event.ts.astimezone(ctx.config.tz).date(),
                     answered=reasons.count("faq"), suggested=reasons.count("suggest"), asker=event.sender)
        return outcome
