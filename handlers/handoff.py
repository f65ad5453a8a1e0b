"""Hand-off to a person: "转人工" and the like, or a member the bot failed twice within minutes.

The operators each get a direct message with the room, the member, the question and the room's last
few lines (so they can answer without scrolling); the member hears in the room when a person will
reply, in service-hours words. A request runs before the FAQ so "转人工" is never answered by it.
"""

from __future__ import annotations

import re
from datetime import timedelta

from bot.actions import Action, DirectMessage
from bot.context import Context
from bot.dispatch import Outcome, reply
from bot.events import Event, Message, MessageType
from bot.faq.normalize import fold, normalize
from bot.unanswered import bump_day, last_handoff, record_handoff
from handlers.paused import recent
from handlers.replies import handoff_member_text, handoff_operator_text, reply_to

REQUEST_PHRASES = ("转人工", "人工客服", "人工服务", "转接人工", "找人工", "要人工", "接人工", "找真人",
                   "真人客服", "真人回复", "人工回复", "转客服")
"""A message containing one of these asks for a person (config ``handoff.keywords`` adds more)."""
WHOLE_MESSAGES = ("人工", "真人", "客服", "有人工吗", "有真人吗", "有客服吗", "人工呢", "客服呢")
"""These ask for a person only as the whole message ("人工" inside a sentence may mean anything)."""

_NON_WORD = re.compile(r"[^\u3400-\u9fffa-z0-9]+")
_TRAILING = re.compile(r"[吗呢啊吧呀哈啦嘛]+$")


def is_request(text: str, extra: tuple[str, ...] = (), bot_names: tuple[str, ...] = ()) -> bool:
    """Does the message ask for a person? Folded, so traditional and full-width forms count too."""
    words = _NON_WORD.sub("", normalize(text, bot_names).text)
    if not words:
        return False
    if any(p in words for p in REQUEST_PHRASES):
        return True
    if any(p and p in words for p in (_NON_WORD.sub("", fold(k)) for k in extra)):
        return True
    return words in WHOLE_MESSAGES or _TRAILING.sub("", words) in WHOLE_MESSAGES


def is_operator(ctx: Context, contact: str) -> bool:
    return contact in ctx.config.operators


def hand_off(ctx: Context, msg: Message, question: str, trigger: str) -> list[Action]:
    """DM the operators (once per member per window) and tell the member when a person replies."""
    cfg = ctx.config.handoff
    now = ctx.now
    recipients = [c for c in ctx.config.handoff_recipients if c != msg.sender]
    notify = True
    if ctx.store is not None:
        last = last_handoff(ctx.store, msg.room, msg.sender)
        notify = last is None or now - last >= timedelta(minutes=cfg.window_minutes)
        record_handoff(ctx.store, ts=now, room=msg.room, member=msg.sender, member_name=msg.sender_name,
                       trigger=trigger, text=question)
        if msg.room is not None:
            bump_day(ctx.store, msg.room, now.date(), asker=msg.sender)
    actions: list[Action] = []
    if notify:
        where = f"{msg.room_topic or msg.room}（{msg.room}）" if msg.room else "私信"
        tz = ctx.config.tz
        context = [f"{ts.astimezone(tz):%H:%M} {name}：{text}"
                   for _, ts, _, name, text in recent(ctx, msg, cfg.context_lines)]
        text = handoff_operator_text(where, f"{msg.sender_name}（{msg.sender}）", question, context, trigger)
        actions += [DirectMessage(contact=c, text=text, reason="handoff", reply_to=msg.id) for c in recipients]
    hours = ctx.config.hours
    member_text = handoff_member_text(None if hours.is_open(now) else hours.describe_next(now))
    actions.append(reply_to(msg, member_text, "handoff"))
    return actions


def _question_for(ctx: Context, msg: Message) -> str:
    """A bare "转人工" shows the member's last line before it as the question."""
    own = " ".join(msg.text.split())
    words = _NON_WORD.sub("", normalize(msg.text, (ctx.config.bot.name,)).text)
    extra = (_NON_WORD.sub("", fold(k)) for k in ctx.config.handoff.keywords)
    phrases = {*REQUEST_PHRASES, *WHOLE_MESSAGES, *extra}
    bare = words in phrases or _TRAILING.sub("", words) in phrases
    if bare:
        for _, _, sender, _, text in reversed(recent(ctx, msg, 20)):
            if sender == msg.sender:
                return text
    return own


class HandoffRequest:
    """A member asks for a person: hand off at once, before the FAQ could answer instead."""

    name = "handoff-request"

    def handle(self, event: Event, ctx: Context) -> Outcome | None:
        if not isinstance(event, Message) or event.type != MessageType.TEXT:
            return None
        cfg = ctx.config.handoff
        if not cfg.enabled or is_operator(ctx, event.sender) or not ctx.config.handoff_recipients:
            return None
        if not is_request(event.text, cfg.keywords, (ctx.config.bot.name,)):
            return None
        ctx.scratch["handoff"] = "keyword"
        return reply(*hand_off(ctx, event, _question_for(ctx, event), "keyword"))
