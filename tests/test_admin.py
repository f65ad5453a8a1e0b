"""Admin commands: operators only, in a room or by direct message; everyone else gets silence."""

from __future__ import annotations

import re

import pytest

from bot.config import load_config
from bot.replay import replay_sync
from handlers.admin import Command, parse_command
from tests.conftest import CONFIG_YAML, log_lines

MON = "2026-11-02T"
TWO_OPS = CONFIG_YAML.replace("operators: [wxid_op]", "operators: [wxid_op, wxid_op2]")
OP = {"sender": "wxid_op", "sender_name": "运营小周"}
DM = {"room": None, "room_topic": None}


@pytest.fixture
def run(community, tmp_path):
    def go(*records, config=TWO_OPS, db="r.db"):
        cfg = load_config(community(config=config))
        actions = replay_sync(log_lines(*records), cfg, db_url=f"sqlite:///{tmp_path / db}").actions
        return [a for a in actions if a["reason"] != "digest"]
    return go


def at(minute: int) -> str:
    return f"{MON}10:{minute:02d}:00+08:00"


@pytest.mark.parametrize("text, expected", [
    ("#帮助", Command("帮助", "")), ("＃暂停", Command("暂停", "")), ("#公告 明天停跑", Command("公告", "明天停跑")),
    ("#公告明天停跑", Command("公告", "明天停跑")), ("@小助手\u2005#今日", Command("今日", "")),
    ("#幫助", Command("帮助", "")), ("#达人", Command("达人", "")), ("#打卡 day3", None), ("今日 #公告", None),
])
def test_parse_command(text, expected):
    assert parse_command(text) == expected


def test_help_from_an_operator_in_a_room_and_by_dm(run):
    actions = run({"ts": at(0), **OP, "text": "#帮助"}, {"ts": at(1), **OP, **DM, "text": "#帮助"})
    room, dm = actions
    assert room["kind"] == "say" and room["to"] == ["wxid_op"] and room["reason"] == "admin"
    assert dm["kind"] == "dm" and dm["to"] == ["wxid_op"] and dm["reason"] == "admin"
    for name in ("#重载", "#暂停", "#恢复", "#公告", "#今日", "#达人"):
        assert name in room["text"]


@pytest.mark.parametrize("text", ["#帮助", "#暂停", "#公告 大家好", "#今日", "#重载", "#达人", "#帮助 怎么开发票？"])
def test_anyone_elses_command_gets_silence_and_is_not_executed(run, text):
    actions = run({"ts": at(0), "text": text}, {"ts": at(1), "text": "怎么开发票？"},
                  {"ts": at(2), **DM, "text": text})
    assert [a["reason"] for a in actions] == ["faq"]  # the room is not paused: the question is answered


def test_pause_and_resume_in_a_room(run):
    actions = run(
        {"ts": at(0), **OP, "text": "#暂停"},
        {"ts": at(1), "text": "怎么开发票？"},
        {"ts": at(2), "text": "转人工"},
        {"ts": at(3), **OP, "text": "#恢复"},
        {"ts": at(4), "text": "怎么开发票？"},
    )
    assert [(a["reason"], a["reply_to"]) for a in actions] == [("admin", "m1"), ("admin", "m4"), ("faq", "m5")]
    assert "暂停" in actions[0]["text"] and "恢复" in actions[1]["text"]


def test_a_pause_survives_a_restart(run):
    first = run({"ts": at(0), **OP, "text": "#暂停"}, db="keep.db")
    assert [a["reason"] for a in first] == ["admin"]
    second = run({"ts": at(5), "text": "怎么开发票？"}, {"ts": at(6), **OP, "text": "#恢复"},
                 {"ts": at(7), "text": "怎么开发票？"}, db="keep.db")
    assert [(a["reason"], a["reply_to"]) for a in second] == [("admin", "m2"), ("faq", "m3")]
    third = run({"ts": at(9), "text": "怎么开发票？"}, db="keep.db")
    assert [a["reason"] for a in third] == ["faq"]


def test_pause_by_dm_names_the_room_by_topic_or_id(run):
    actions = run(
        {"ts": at(0), "text": "大家好"},
        {"ts": at(1), "room": "r2@chatroom", "room_topic": "二群", "text": "大家好"},
        {"ts": at(2), **OP, **DM, "text": "#暂停"},
        {"ts": at(3), **OP, **DM, "text": "#暂停 测试群"},
        {"ts": at(4), "text": "怎么开发票？"},
        {"ts": at(5), "room": "r2@chatroom", "room_topic": "二群", "text": "怎么开发票？"},
        {"ts": at(6), **OP, **DM, "text": "#恢复 r1@chatroom"},
        {"ts": at(7), "text": "怎么开发票？"},
        {"ts": at(8), **OP, **DM, "text": "#暂停 没有这个群"},
    )
    usage, paused, answer_r2, resumed, answer_r1, unknown = actions
    assert usage["kind"] == "dm" and "#暂停 群名" in usage["text"]
    assert paused["kind"] == "dm" and "测试群" in paused["text"] and "已暂停" in paused["text"]
    assert answer_r2["reason"] == "faq" and answer_r2["room"] == "r2@chatroom"
    assert "已恢复" in resumed["text"]
    assert answer_r1["reason"] == "faq" and answer_r1["reply_to"] == "m8"
    assert "没找到" in unknown["text"]


def test_announce_in_the_room_and_by_dm(run):
    actions = run(
        {"ts": at(0), **OP, "text": "#公告 周六长跑改到8点集合"},
        {"ts": at(1), **OP, **DM, "text": "#公告 测试群 周日休息"},
        {"ts": at(2), **OP, **DM, "text": "#公告 周日休息"},
    )
    announce, said, announce2, dm, usage = actions
    assert announce == {**announce, "kind": "announce", "room": "r1@chatroom", "text": "周六长跑改到8点集合",
                        "reason": "admin"}
    assert said["kind"] == "say" and said["to"] == ["wxid_op"] and "公告" in said["text"]
    assert announce2["kind"] == "announce" and announce2["room"] == "r1@chatroom" and announce2["text"] == "周日休息"
    assert dm["kind"] == "dm" and dm["to"] == ["wxid_op"]
    assert usage["kind"] == "dm" and "#公告 群名" in usage["text"]


def _numbers(text: str) -> dict[str, int]:
    pairs = re.findall(r"(消息|提问|答复|给选项|未答|转人工) (\d+)", text)
    return {k: int(v) for k, v in pairs}


def test_today_counts_this_rooms_day(run):
    actions = run(
        {"ts": at(0), "text": "怎么开发票？"},
        {"ts": at(1), "sender": "wxid_b", "text": "会员多少钱？"},
        {"ts": at(2), "sender": "wxid_c", "text": "@小助手\u2005你们线下门店在哪个城市", "mentions": ["self"]},
        {"ts": at(3), "sender": "wxid_c", "text": "转人工"},
        {"ts": at(4), "sender": "wxid_d", "text": "哈哈哈"},
        {"ts": at(5), "room": "r2@chatroom", "room_topic": "二群", "text": "怎么开发票？"},
        {"ts": at(6), **OP, "text": "#今日"},
        {"ts": at(7), **OP, "text": "#今日 二群"},
        {"ts": at(8), **OP, **DM, "text": "#今日"},
    )
    today, refused, dm = [a for a in actions if a["reason"] == "admin"]
    assert today["kind"] == "say" and "本群" in today["text"]
    numbers = _numbers(today["text"])
    assert numbers["消息"] >= 5 and numbers["提问"] == 3 and numbers["答复"] == 2
    assert numbers["未答"] == 1 and numbers["转人工"] == 1
    assert "私信" in refused["text"] and "答复" not in refused["text"]
    assert dm["kind"] == "dm" and "测试群" in dm["text"] and "二群" in dm["text"]


def test_experts_replies_with_the_candidates_or_says_there_are_none(run):
    actions = run({"ts": at(0), **OP, "text": "#达人"}, {"ts": at(1), **OP, **DM, "text": "#达人"})
    assert [(a["kind"], a["reason"]) for a in actions] == [("say", "admin"), ("dm", "admin")]
    assert all(a["text"] for a in actions)


def test_an_unknown_command_by_dm_from_an_operator_gets_the_help(run):
    [action] = run({"ts": at(0), **OP, **DM, "text": "#暂定"})
    assert action["kind"] == "dm" and "#帮助" in action["text"]
