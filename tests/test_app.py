"""The assembled App: what it records for backlog, and what it writes at close."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.app import App
from bot.clock import SimClock
from bot.config import load_config
from bot.events import Message
from bot.recorder import Recorder
from bot.unanswered import day_numbers

TZ = ZoneInfo("Asia/Shanghai")


def test_stale_backlog_is_counted_but_not_answered(community, tmp_path):
    config = load_config(community())
    clock = SimClock(datetime(2026, 11, 2, 10, 0, tzinfo=TZ))
    app = App.create(config, clock, Recorder(clock), db_url=f"sqlite:///{tmp_path / 'a.db'}")
    msg = Message(id="m1", ts=clock.now(), room="r1@chatroom", sender="wxid_a", sender_name="小雨",
                  text="怎么开发票？", room_topic="测试群")
    app.record(msg)  # delivered late, at start-up
    assert len(app.outbox) == 0
    numbers = day_numbers(app.db, "r1@chatroom", clock.now().date(), TZ)
    app.close()
    assert numbers.messages == 1
