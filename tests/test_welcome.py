"""Welcomes: one message per burst of joins, at the window's end, per-room text and switches."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.config import load_config
from bot.demo import CHAT_LOG, config_path
from bot.replay import replay_sync
from tests.conftest import log_lines

WED = "2026-11-04T"


def join(ts: str, who: str, name: str, room: str = "r1@chatroom") -> dict:
    return {"ts": WED + ts + "+08:00", "type": "join", "sender": who, "sender_name": name, "room": room}


@pytest.fixture
def run(community, tmp_path):
    def go(*records, extra: str = ""):
        config = load_config(community(extra))
        return replay_sync(log_lines(*records), config, db_url=f"sqlite:///{tmp_path / 'w.db'}").actions
    return go


def welcomes(actions):
    return [(a["ts"], a["room"], a["to"], a["text"]) for a in actions if a["reason"] == "welcome"]


def test_joins_within_the_window_get_one_welcome_at_the_window_end(run):
    got = welcomes(run(join("09:31:10", "wxid_pipi", "皮皮"), join("09:31:35", "wxid_yaya", "丫丫"),
                       {"ts": WED + "09:40:00+08:00", "text": "大家好"}))
    [(ts, room, to, text)] = got
    assert ts == WED + "09:32:10+08:00" and room == "r1@chatroom" and to == ["wxid_pipi", "wxid_yaya"]
    assert text == "欢迎 皮皮、丫丫 加入测试群！提问请按模板：【问题】… 【已尝试】… 【截图】…"


def test_a_join_after_the_window_gets_its_own_welcome(run):
    got = welcomes(run(join("09:00:00", "wxid_a1", "甲"), join("09:02:00", "wxid_a2", "乙"),
                       {"ts": WED + "09:10:00+08:00", "text": "hi"}))
    assert [(ts, to) for ts, _, to, _ in got] == [(WED + "09:01:00+08:00", ["wxid_a1"]),
                                                  (WED + "09:03:00+08:00", ["wxid_a2"])]


def test_windows_are_per_room(run):
    got = welcomes(run(join("09:00:00", "wxid_a1", "甲"), join("09:00:10", "wxid_b1", "乙", room="r2@chatroom"),
                       {"ts": WED + "09:05:00+08:00", "text": "大家好"}))
    assert [(room, to) for _, room, to, _ in got] == [("r1@chatroom", ["wxid_a1"]), ("r2@chatroom", ["wxid_b1"])]


def test_a_member_who_leaves_inside_the_window_is_not_welcomed(run):
    leave = {"ts": WED + "09:00:30+08:00", "type": "leave", "sender": "wxid_spam", "sender_name": "广告"}
    got = welcomes(run(join("09:00:00", "wxid_spam", "广告"), join("09:00:10", "wxid_a1", "甲"), leave,
                       {"ts": WED + "09:05:00+08:00", "text": "hi"}))
    assert [to for _, _, to, _ in got] == [["wxid_a1"]]
    assert welcomes(run(join("10:00:00", "wxid_s", "广告"), {**leave, "ts": WED + "10:00:20+08:00",
                                                              "sender": "wxid_s"})) == []


def test_per_room_text_and_switches(run):
    extra = """\
    welcome:
      window_seconds: 30
      text: "欢迎 {names}，服务时间 {service_hours}"
      rooms:
        r2@chatroom:
          text: "{room_topic} 欢迎你"
        r3@chatroom:
          enabled: false
    """
    got = welcomes(run(join("09:00:00", "wxid_a", "甲"),
                       {**join("09:00:00", "wxid_b", "乙", room="r2@chatroom"), "room_topic": "二群"},
                       join("09:00:00", "wxid_c", "丙", room="r3@chatroom"),
                       {"ts": WED + "09:05:00+08:00", "text": "hi"}, extra=extra))
    assert [(ts[11:19], room, text) for ts, room, _, text in got] == [
        ("09:00:30", "r1@chatroom", "欢迎 甲，服务时间 周一至周五 09:00-18:00；周六 10:00-12:00、14:00-17:00"),
        ("09:00:30", "r2@chatroom", "二群 欢迎你")]


def test_welcome_off_globally(run):
    assert welcomes(run(join("09:00:00", "wxid_a", "甲"), extra="welcome:\n  enabled: false\n")) == []


def test_window_zero_welcomes_at_once(run):
    got = welcomes(run(join("09:00:00", "wxid_a", "甲"), extra="welcome:\n  window_seconds: 0\n"))
    assert [(ts, to) for ts, _, to, _ in got] == [(WED + "09:00:00+08:00", ["wxid_a"])]


def test_the_demo_merges_pipi_and_yaya_and_posts_the_schedule():
    config = load_config(config_path())
    with CHAT_LOG.open(encoding="utf-8") as lines:
        actions = replay_sync(lines, config, db_url="sqlite:///:memory:").actions
    merged = [a for a in actions if a["reason"] == "welcome" and "wxid_pipi" in a["to"]]
    assert [a["to"] for a in merged] == [["wxid_pipi", "wxid_yaya"]]
    # sent when the window after the first join closes, plus the outbox's random jitter
    window_end = datetime.fromisoformat("2026-11-04T09:32:10+08:00")
    delay = (datetime.fromisoformat(merged[0]["ts"]) - window_end).total_seconds()
    assert 0 <= delay <= config.outbox.jitter_seconds
    weekly = [(a["ts"][:16], a["room"]) for a in actions if a["job"] == "weekly-notice"]
    assert sorted(weekly) == [("2026-11-02T09:00", "run-club@chatroom"), ("2026-11-02T09:00", "run-newbie@chatroom")]
    daily = {a["ts"][:10] for a in actions if a["job"] == "daily-opening"}
    assert daily == {"2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05"}
