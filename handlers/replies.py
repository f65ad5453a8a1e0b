"""How the bot talks: one place for the wording of answers, choices and fallbacks."""

from __future__ import annotations

from collections.abc import Sequence

from bot.actions import Action, DirectMessage, Say
from bot.events import Message
from bot.faq.model import FaqEntry

CHOICE_DIGITS = ("1", "2", "3")


def reply_to(msg: Message, text: str, reason: str, faq: str | None = None) -> Action:
    """A reply to the asker: in a room it @mentions them; a direct message is answered directly."""
    if msg.room is None:
        return DirectMessage(contact=msg.sender, text=text, reason=reason, reply_to=msg.id)
    return Say(room=msg.room, text=text, to=(msg.sender,), reason=reason, reply_to=msg.id, faq=faq)


def choices_text(entries: Sequence[FaqEntry]) -> str:
    lines = ["你想问的是哪一个？回复数字即可看答案："]
    lines += [f"{i}. {e.question}" for i, e in enumerate(entries, 1)]
    return "\n".join(lines)


def fallback_text() -> str:
    return "这个问题我还答不上来，已经记下了，工作人员会尽快回复你。"


def off_hours_text(next_opening: str, summary: str) -> str:
    return f"现在是非服务时间，你的问题已记录，工作人员会在{next_opening}回复你。（服务时间：{summary}）"
