"""Unanswered questions: recorded after the FAQ, grouped so variants count together, turned into stubs."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import yaml
from click.testing import CliRunner

from bot.cli import main
from bot.config import load_config
from bot.faq import load_faq
from bot.replay import replay_sync
from bot.store import Database
from bot.unanswered import Asked, UnansweredGroup, faq_stubs, group_questions, record_unanswered, top_groups
from bot.yamlfile import ConfigError
from tests.conftest import log_lines

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=TZ)
MON = "2026-11-02T"

TREADMILL = ["有人知道跑步机上跑的能打卡吗", "在跑步機上跑可以打卡嗎", "跑步机跑步算打卡吗？",
             "@小助手\u2005跑步机能不能打卡[疑问]"]
BATTERY = ["App为啥这么耗电 跑一个小时掉了40%", "app好耗电啊怎么办"]
OTHERS = ["奖牌可以寄到香港吗", "周六的长跑几点集合", "退款多久到账"]


def asked(texts, room="r1@chatroom", start=T0):
    return [Asked(t, room, start + timedelta(minutes=i)) for i, t in enumerate(texts)]


def test_traditional_and_reworded_variants_count_together_and_different_questions_do_not():
    groups = group_questions(asked(TREADMILL + BATTERY + OTHERS))
    assert [g.count for g in groups] == [4, 2, 1, 1, 1]
    treadmill, battery = groups[0], groups[1]
    assert {treadmill.text, *treadmill.variants} == {"有人知道跑步机上跑的能打卡吗", "在跑步機上跑可以打卡嗎",
                                                     "跑步机跑步算打卡吗？", "跑步机能不能打卡"}
    assert treadmill.text not in treadmill.variants
    assert "機" not in treadmill.text  # the representative is the simplified wording
    assert {battery.text, *battery.variants} == set(BATTERY)
    assert sorted(g.text for g in groups[2:]) == sorted(OTHERS)


def test_order_of_arrival_does_not_split_a_group():
    groups = group_questions(asked(list(reversed(TREADMILL)) + ["奖牌可以寄到香港吗"]))
    assert [g.count for g in groups] == [4, 1]


def test_the_same_text_twice_is_one_variant_counted_twice_with_rooms_busiest_first():
    items = asked(["怎么改绑手机号"], "r2") + asked(["怎么改绑手机号", "怎么改绑手机号？"], "r1",
                                                     T0 + timedelta(hours=1))
    [g] = group_questions(items)
    assert g.count == 3 and g.rooms == ("r1", "r2")
    assert len({g.text, *g.variants}) == 2


@pytest.fixture
def db(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'u.db'}")
    yield database
    database.close()


def test_top_groups_reads_the_store_with_since_rooms_and_limit(db):
    for i, text in enumerate(TREADMILL):
        record_unanswered(db, ts=T0 + timedelta(days=i % 2), room="r1" if i < 3 else "r2", member=f"m{i}",
                          text=text)
    for text in BATTERY:
        record_unanswered(db, ts=T0 + timedelta(days=1), room="r2", member="mx", text=text)
    record_unanswered(db, ts=T0, room=None, member="dm", text="奖牌可以寄到香港吗")
    groups = top_groups(db)
    assert all(isinstance(g, UnansweredGroup) for g in groups)
    assert [g.count for g in groups] == [4, 2, 1]
    assert groups[0].rooms == ("r1", "r2") and groups[2].rooms == ()
    assert [g.count for g in top_groups(db, limit=1)] == [4]
    since = [g.count for g in top_groups(db, since=T0 + timedelta(hours=12))]
    assert since == [2, 2]  # only the questions of the next day
    assert [g.count for g in top_groups(db, rooms=["r1"])] == [3]


def test_stubs_are_valid_yaml_with_variants_as_similar_and_an_answer_to_fill(tmp_path):
    groups = group_questions(asked(TREADMILL + BATTERY))
    text = faq_stubs(groups)
    data = yaml.safe_load(text)
    entries = data["entries"]
    assert [e["question"] for e in entries] == [g.text for g in groups]
    assert entries[0]["similar"] == list(groups[0].variants)
    assert all(e["answer"] == "" for e in entries) and len({e["id"] for e in entries}) == 2
    assert "fill in" in text and "empty answer" in text
    path = tmp_path / "faq.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="empty answer"):
        load_faq(path)  # on purpose: a stub is not used before someone writes the answer
    assert yaml.safe_load(faq_stubs([])) == {"entries": []}


@pytest.fixture
def run(community, tmp_path):
    def go(*records):
        config = load_config(community())
        url = f"sqlite:///{tmp_path / 'r.db'}"
        return replay_sync(log_lines(*records), config, db_url=url), url
    return go


def test_replay_records_what_the_faq_left_unanswered_and_the_fallback_still_replies(run, community):
    result, url = run(
        {"ts": MON + "10:00:00+08:00", "text": "@小助手\u2005你们线下门店在哪个城市", "mentions": ["self"]},
        {"ts": MON + "10:01:00+08:00", "text": "怎么开发票？"},
        {"ts": MON + "10:02:00+08:00", "text": "哈哈哈"},
        {"ts": MON + "10:30:00+08:00", "sender": "wxid_b", "sender_name": "阿杰", "text": "线下门店在哪里？"},
        {"ts": MON + "10:31:00+08:00", "sender": "wxid_c", "sender_name": "老张", "text": "同问"},
        {"ts": MON + "22:00:00+08:00", "sender": "wxid_d", "sender_name": "丁丁", "text": "跑步机上跑能打卡吗？"},
    )
    assert [a["reason"] for a in result.actions if a["reason"] != "digest"] == ["fallback", "faq", "off_hours"]
    db = Database(url)
    try:
        groups = top_groups(db)
    finally:
        db.close()
    assert [(g.count, g.rooms) for g in groups] == [(3, ("r1@chatroom",)), (1, ("r1@chatroom",))]
    assert "门店" in groups[0].text and "@" not in groups[0].text
    assert groups[1].text == "跑步机上跑能打卡吗？"


def test_unanswered_command_prints_the_groups_as_json(run, community, tmp_path):
    _, url = run(
        {"ts": MON + "10:00:00+08:00", "text": "跑步机上跑能打卡吗？"},
        {"ts": MON + "10:20:00+08:00", "sender": "wxid_b", "text": "跑步機上跑可以打卡嗎？"},
        {"ts": MON + "10:40:00+08:00", "sender": "wxid_c", "text": "完赛奖牌是金属的吗？"},
    )
    config = str(tmp_path / "config.yaml")
    result = CliRunner().invoke(main, ["unanswered", "--config", config, "--db", url, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data) == ["groups"]
    assert [set(g) for g in data["groups"]] == [{"text", "variants", "count", "rooms"}] * 2
    assert [g["count"] for g in data["groups"]] == [2, 1]
    assert data["groups"][0]["rooms"] == ["r1@chatroom"] and len(data["groups"][0]["variants"]) == 1
    later = CliRunner().invoke(main, ["unanswered", "--config", config, "--db", url, "--json",
                                      "--since", "2026-11-03"])
    assert json.loads(later.output) == {"groups": []}
    text = CliRunner().invoke(main, ["unanswered", "--config", config, "--db", url])
    assert "2×" in text.output and "跑步" in text.output
    bad = CliRunner().invoke(main, ["unanswered", "--config", config, "--db", url, "--since", "yesterday"])
    assert bad.exit_code != 0 and "--since" in bad.output and len(bad.output.strip().splitlines()) == 1


def test_faq_suggest_prints_stubs_for_the_biggest_groups(run, tmp_path):
    _, url = run(
        {"ts": MON + "10:00:00+08:00", "text": "跑步机上跑能打卡吗？"},
        {"ts": MON + "10:20:00+08:00", "sender": "wxid_b", "text": "跑步機上跑可以打卡嗎？"},
        {"ts": MON + "10:40:00+08:00", "sender": "wxid_c", "text": "完赛奖牌是金属的吗？"},
    )
    result = CliRunner().invoke(main, ["faq", "suggest", "--config", str(tmp_path / "config.yaml"),
                                       "--db", url, "--top", "1"])
    assert result.exit_code == 0, result.output
    [entry] = yaml.safe_load(result.output)["entries"]
    assert entry["question"] == "跑步机上跑能打卡吗？" and entry["similar"] == ["跑步機上跑可以打卡嗎？"]
    assert entry["answer"] == ""


def test_choices_offered_on_meaning_alone_still_count_as_unanswered(run):
    """Words found too little and the sentence model offered its closest entry: the member gets the choice,
    and still the operators see the question and, off hours, the member hears when a person replies."""
    text = "付款后隔几天能送出去？"
    result, url = run(
        {"ts": MON + "10:00:00+08:00", "text": text},
        {"ts": MON + "22:00:00+08:00", "sender": "wxid_b", "sender_name": "阿杰", "text": text},
    )
    replies = [(a["reason"], a["text"]) for a in result.actions if a["reason"] != "digest"]
    assert [r for r, _ in replies] == ["suggest", "suggest"]
    assert "多久发货" in replies[0][1] and "非服务时间" not in replies[0][1]
    assert "多久发货" in replies[1][1] and "非服务时间" in replies[1][1]  # one message: choice and off-hours note
    db = Database(url)
    try:
        [group] = top_groups(db)
    finally:
        db.close()
    assert group.count == 2 and group.text == text


def test_choices_from_words_are_not_unanswered(run):
    result, url = run({"ts": MON + "10:00:00+08:00", "text": "下单以后多久能查到物流和发货？"})
    assert [a["reason"] for a in result.actions if a["reason"] != "digest"] == ["suggest"]
    db = Database(url)
    try:
        assert top_groups(db) == []
    finally:
        db.close()


def test_tentative_choices_to_an_at_mention_come_with_the_recorded_reply(run):
    """In service hours an @mention the FAQ could not answer hears "recorded, a person will reply"; tentative
    choices do not take that away, and both arrive as one message."""
    result, _ = run({"ts": MON + "10:00:00+08:00", "text": "@小助手\u2005付款后隔几天能送出去？", "mentions": ["self"]})
    [reply] = [a for a in result.actions if a["reason"] != "digest"]
    assert "多久发货" in reply["text"] and "已经记下了" in reply["text"]
