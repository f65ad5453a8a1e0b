"""Off-hours replies: when a person answers, in words; once per member per closed period."""

from __future__ import annotations

import pytest

from bot.config import load_config
from bot.replay import replay_sync
from tests.conftest import log_lines

NO_HANDOFF = "handoff:\n  enabled: false\n"  # repeated misses hand off to a person (tested elsewhere)
ASK = "@小助手\u2005有个问题想问问人工"


@pytest.fixture
def run(community, tmp_path):
    def go(*records):
        config = load_config(community(NO_HANDOFF))
        return replay_sync(log_lines(*records), config, db_url=f"sqlite:///{tmp_path / 'f.db'}").actions
    return go


def ask(ts: str, sender: str = "wxid_a", room: str | None = "r1@chatroom", text: str = ASK) -> dict:
    return {"ts": ts + "+08:00", "sender": sender, "room": room, "text": text, "mentions": ["self"]}


def replies(actions):
    return [(a["reason"], a["to"], a["text"]) for a in actions]


@pytest.mark.parametrize(("ts", "words"), [
    ("2026-11-02T22:00:00", "明天（周二）09:00 后"),        # a weekday night
    ("2026-11-03T07:30:00", "今天 09:00 后"),               # a weekday morning
    ("2026-11-07T12:30:00", "今天 14:00 后"),               # Saturday lunch break
    ("2026-11-07T18:00:00", "后天（周一）09:00 后"),         # Saturday evening, Sunday closed
    ("2026-11-08T11:00:00", "明天（周一）09:00 后"),         # Sunday
    ("2026-09-30T20:00:00", "后天（周五）09:00 后"),          # the eve of a closed date
    ("2026-10-01T11:00:00", "明天（周五）09:00 后"),         # a closed date
])
def test_off_hours_says_when_a_person_answers(run, ts, words):
    [(reason, to, text)] = replies(run(ask(ts)))
    assert reason == "off_hours" and to == ["wxid_a"]
    assert f"工作人员会在{words}回复你" in text and "服务时间：周一至周五 09:00-18:00" in text


def test_an_unanswerable_question_off_hours_counts_too_but_chit_chat_does_not(run):
    got = run({"ts": "2026-11-02T22:00:00+08:00", "text": "你们线下门店在哪个城市？"},
              {"ts": "2026-11-02T22:01:00+08:00", "sender": "wxid_b", "text": "哈哈哈"})
    assert [r for r, _, _ in replies(got)] == ["off_hours"]


def test_once_per_member_per_closed_period_whatever_the_room(run):
    got = run(ask("2026-11-02T22:00:00"), ask("2026-11-02T22:05:00"),
              ask("2026-11-02T22:06:00", room="r2@chatroom"), ask("2026-11-02T22:07:00", room=None),
              ask("2026-11-02T22:08:00", sender="wxid_b"),
              {"ts": "2026-11-02T22:09:00+08:00", "text": "怎么开发票？"},   # FAQ answers at any hour
              ask("2026-11-03T10:00:00"),                                   # in hours: the fallback
              ask("2026-11-03T19:00:00"))                                   # the next closed period
    assert [(r, to) for r, to, _ in replies(got)] == [
        ("off_hours", ["wxid_a"]), ("off_hours", ["wxid_b"]), ("faq", ["wxid_a"]),
        ("fallback", ["wxid_a"]), ("off_hours", ["wxid_a"])]


def test_the_memory_of_told_members_is_pruned_when_the_period_ends(community, tmp_path):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bot.app import App
    from bot.clock import SimClock
    from bot.events import Message

    config = load_config(community(NO_HANDOFF))
    tz = ZoneInfo("Asia/Shanghai")
    clock = SimClock(datetime(2026, 11, 2, 22, 0, tzinfo=tz))
    app = App.create(config, clock, None, db_url=f"sqlite:///{tmp_path / 'p.db'}")

    def message(i: int, sender: str) -> Message:
        return Message(id=f"m{i}", ts=clock.now(), room="r1@chatroom", sender=sender, sender_name=sender,
                       text=ASK, mentions=("self",), mentions_bot=True)

    assert [a.reason for a in app.handle(message(1, "wxid_a"))] == ["off_hours"]
    assert set(app.ctx.memory.extra["off_hours_told"]) == {"wxid_a"}
    clock.set(datetime(2026, 11, 3, 10, 0, tzinfo=tz))
    assert [a.reason for a in app.handle(message(2, "wxid_b"))] == ["fallback"]
    clock.set(datetime(2026, 11, 3, 19, 0, tzinfo=tz))
    assert [a.reason for a in app.handle(message(3, "wxid_b"))] == ["off_hours"]
    assert set(app.ctx.memory.extra["off_hours_told"]) == {"wxid_b"}
    app.close()
