"""Admin commands in chat, from operators only: ``#帮助 #重载 #暂停 #恢复 #公告 #今日 #达人``.

In a room a command acts on that room; in a direct message the room is named (id or topic) among
the rooms this bot account has seen (``handlers/rooms.py``), and ``#今日`` / ``#达人`` cover those rooms.
Anyone else's command gets silence and is not executed, nor answered by the FAQ. Data about rooms
other than the one asked in is only shown in a direct message, never in a room members read.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from bot.actions import Action, Announce
from bot.context import Context
from bot.dispatch import STOP, Outcome, reply
from bot.events import Event, Message, MessageType
from bot.faq.normalize import fold
from bot.reload import failure_notices, request_reload
from bot.unanswered import day_numbers
from handlers.paused import paused_rooms, set_paused
from handlers.replies import reply_to
from handlers.rooms import resolve_room, rooms_of, topic_of

HELP = {
    "帮助": "列出管理命令",
    "重载": "重新加载 FAQ 和定时任务（文件有错时保持原版本并私信说明）",
    "暂停": "暂停机器人在本群的自动回复（私信里写群名：#暂停 群名）",
    "恢复": "恢复本群的自动回复（私信里写群名：#恢复 群名）",
    "公告": "#公告 文本：立即发布群公告（私信里：#公告 群名 文本）",
    "今日": "今天本群的数据（私信里可看全部群，或 #今日 群名）",
    "达人": "当前的达人候选（私信里可看全部群）",
}
COMMANDS = tuple(sorted(HELP, key=len, reverse=True))
_MENTION = re.compile(r"^\s*(?:@[^\s\u2005@]{1,32}[\u2005 \t]*)+")


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    arg: str


def parse_command(text: str) -> Command | None:
    """``#公告 明天停跑`` -> Command("公告", "明天停跑"); full-width ``＃``, traditional forms and a
    leading @mention are accepted. Anything not naming a known command is not a command."""
    text = _MENTION.sub("", text or "").strip()
    if not text or unicodedata.normalize("NFKC", text[0]) != "#":
        return None
    body = text[1:].lstrip()
    head = fold(body[:4])
    for name in COMMANDS:
        if head.startswith(name):
            return Command(name, body[len(name):].strip())
    return None


class Admin:
    name = "admin"

    def handle(self, event: Event, ctx: Context) -> Outcome | None:
        if not isinstance(event, Message) or event.type != MessageType.TEXT:
            return None
        cmd = parse_command(event.text)
        if cmd is None:
            if event.is_direct and event.sender in ctx.config.operators and event.text.strip().startswith(("#", "＃")):
                return reply(reply_to(event, "没有这个命令。\n" + help_text(), "admin"))
            return None
        if event.sender not in ctx.config.operators:
            return STOP  # silence, not executed, not answered by the FAQ either
        run = _COMMANDS[cmd.name]
        return reply(*run(ctx, event, cmd.arg))


def help_text() -> str:
    return "管理命令：\n" + "\n".join(f"#{name} {desc}" for name, desc in HELP.items())


def _help(ctx: Context, msg: Message, arg: str) -> list[Action]:
    return [reply_to(msg, help_text(), "admin")]


def _reload(ctx: Context, msg: Message, arg: str) -> list[Action]:
    report = request_reload(ctx)
    if report.ok:
        return [reply_to(msg, report.summary(), "admin")]
    if msg.room is None:  # the requester's DM carries the details; the other operators get theirs
        return [reply_to(msg, report.summary(), "admin"), *failure_notices(ctx, report, skip=msg.sender)]
    return [reply_to(msg, "重载失败，机器人继续使用原来的版本，错误已私信运营。", "admin"),
            *failure_notices(ctx, report)]


def split_room(ctx: Context, arg: str) -> tuple[str | None, str]:
    """``群名 文本`` -> (room id, text): the longest known room id or topic the argument starts with."""
    best: tuple[int, str] | None = None
    for room, topic in rooms_of(ctx).items():
        for label in (room, topic):
            fits = label and arg.startswith(label) and (len(arg) == len(label) or arg[len(label)].isspace())
            if fits and (best is None or len(label) > best[0]):
                best = (len(label), room)
    if best is None:
        first, _, rest = arg.partition(" ")
        room = resolve_room(ctx, first)
        return (room, rest.strip()) if room else (None, arg)
    return best[1], arg[best[0]:].strip()


def _topic(ctx: Context, room: str) -> str:
    return topic_of(ctx, room)


def _target(ctx: Context, msg: Message, arg: str, usage: str) -> tuple[str | None, str | None]:
    """The room a pause/resume acts on, or the reply explaining why there is none."""
    if msg.room is not None:
        return msg.room, None
    if not arg:
        paused = sorted(_topic(ctx, r) for r in paused_rooms(ctx))
        now = f"\n当前暂停的群：{'、'.join(paused)}" if paused else ""
        return None, f"请写明群名或群 id：{usage}{now}"
    room = resolve_room(ctx, arg)
    return (room, None) if room else (None, f"没找到这个群：{arg}")


def _set_pause(ctx: Context, msg: Message, arg: str, pause: bool) -> list[Action]:
    """``#暂停`` / ``#恢复``: the room is this room, or named in a DM."""
    room, problem = _target(ctx, msg, arg, "#暂停 群名" if pause else "#恢复 群名")
    if room is None:
        return [reply_to(msg, problem or "", "admin")]
    changed = set_paused(ctx, room, pause, by=msg.sender)
    where = "本群" if msg.room else f"「{_topic(ctx, room)}」"
    if pause:
        text = f"已暂停{where}的自动回复，发 #恢复 恢复。" if changed else f"{where}已经是暂停状态。"
    else:
        text = f"已恢复{where}的自动回复。" if changed else f"{where}没有暂停。"
    return [reply_to(msg, text, "admin")]


def _pause(ctx: Context, msg: Message, arg: str) -> list[Action]:
    return _set_pause(ctx, msg, arg, True)


def _resume(ctx: Context, msg: Message, arg: str) -> list[Action]:
    return _set_pause(ctx, msg, arg, False)


def _announce(ctx: Context, msg: Message, arg: str) -> list[Action]:
    if msg.room is not None:
        room, text = msg.room, arg
    else:
        room, text = split_room(ctx, arg)
        if room is None:
            return [reply_to(msg, "请写明群名和公告：#公告 群名 公告内容", "admin")]
    if not text:
        return [reply_to(msg, "公告内容是空的：#公告 公告内容", "admin")]
    where = "" if msg.room else f"「{_topic(ctx, room)}」"
    return [Announce(room=room, text=text, reason="admin"), reply_to(msg, f"已发布{where}群公告。", "admin")]


def _numbers_line(ctx: Context, room: str) -> str:
    n = day_numbers(ctx.store, room, ctx.now.date(), ctx.config.tz)
    return (f"消息 {n.messages} 条，提问 {n.askers} 人；答复 {n.answered}，给选项 {n.suggested}，"
            f"未答 {n.unanswered}，转人工 {n.handoffs}")


def _today(ctx: Context, msg: Message, arg: str) -> list[Action]:
    day = f"{ctx.now:%m月%d日}"
    if msg.room is not None:
        if arg and resolve_room(ctx, arg) not in (None, msg.room):
            return [reply_to(msg, "其他群的数据请私信我查看。", "admin")]
        return [reply_to(msg, f"今日（{day}）本群：{_numbers_line(ctx, msg.room)}", "admin")]
    if arg:
        room = resolve_room(ctx, arg)
        if room is None:
            return [reply_to(msg, f"没找到这个群：{arg}", "admin")]
        rooms = [room]
    else:
        rooms = sorted(rooms_of(ctx), key=lambda r: _topic(ctx, r))
    if not rooms:
        return [reply_to(msg, f"今日（{day}）还没有群消息。", "admin")]
    lines = [f"今日（{day}）："] + [f"「{_topic(ctx, r)}」{_numbers_line(ctx, r)}" for r in rooms]
    return [reply_to(msg, "\n".join(lines), "admin")]


def _experts(ctx: Context, msg: Message, arg: str) -> list[Action]:
    text = kol_text(ctx, msg.room)
    return [reply_to(msg, text or "达人榜还没有上线，敬请期待。", "admin")]


def kol_text(ctx: Context, room: str | None) -> str | None:
    """The current top candidates, from the same ranking as the evening digest (after flushing the
    activity recorder's buffer) over this account's rooms; in a room only that room's candidates are shown.
    """
    from bot.activity.recorder import flush
    from bot.digest import SEGMENT_WORDS, build_digest

    flush(ctx)
    digest = build_digest(ctx.store, ctx.config, ctx.now.date(), rooms=rooms_of(ctx))
    people = [c for c in digest.candidates if room is None or c.room == room]
    if not people:
        return "暂时还没有达人候选。"
    lines = ["当前达人候选："]
    for i, c in enumerate(people, 1):
        where = "" if room else f"（{_topic(ctx, c.room)}）"
        why = "，".join(c.reasons[:2])
        lines.append(f"{i}. {c.name}{where}［{SEGMENT_WORDS.get(c.segment, c.segment)} {c.score:.0f}］{why}")
    return "\n".join(lines)


_COMMANDS: dict[str, Callable[[Context, Message, str], list[Action]]] = {
    "帮助": _help, "重载": _reload, "暂停": _pause, "恢复": _resume, "公告": _announce, "今日": _today,
    "达人": _experts,
}
