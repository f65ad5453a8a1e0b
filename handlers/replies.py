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
    """"Did you mean": numbered questions; a member answers with the number."""
    if len(entries) == 1:
        return f"你是想问「{entries[0].question}」吗？回复 1 即可看答案。"
    lines = ["你想问的是哪一个？回复数字即可看答案："]
    lines += [f"{i}. {e.question}" for i, e in enumerate(entries, 1)]
    return "\n".join(lines)


def fallback_text() -> str:
    return "这个问题我还答不上来，已经记下了，工作人员会尽快回复你。"


def off_hours_text(next_opening: str, summary: str) -> str:
    return f"现在是非服务时间，你的问题已记录，工作人员会在{next_opening}回复你。（服务时间：{summary}）"


def handoff_member_text(next_opening: str | None) -> str:
    """What a member handed to a person hears; ``next_opening`` None means people are there now."""
    if next_opening is None:
        return "已转给工作人员，会尽快回复你。"
    return f"已转给工作人员，会在{next_opening}回复你。"


def handoff_operator_text(where: str, member: str, question: str, context: Sequence[str],
                          trigger: str) -> str:
    """The operators' hand-off note: where, who, what, and the last lines of the room."""
    why = "成员要求转人工" if trigger == "keyword" else "连续两次没答上"
    lines = [f"【转人工】{where}", f"成员：{member}（{why}）", f"问题：{question}"]
    if context:
        lines.append("最近消息：")
        lines += [f"  {line}" for line in context]
    return "\n".join(lines)


def reload_failed_text(error: str) -> str:
    return f"重载失败，机器人继续使用原来的版本。\n{error}"
