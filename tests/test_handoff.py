"""Hand-off to a person: on request, or after two unanswered questions within the window."""

from __future__ import annotations

import pytest

from bot.config import load_config
from bot.replay import replay_sync
from handlers.handoff import is_request
from tests.conftest import CONFIG_YAML, log_lines

MON = "2026-11-02T"  # a Monday; service hours mon-fri 09:00-18:00
TWO_OPS = CONFIG_YAML.replace("operators: [wxid_op]", "operators: [wxid_op, wxid_op2]")


@pytest.fixture
def run(community, tmp_path):
    def go(*records, extra="", config=TWO_OPS):
        cfg = load_config(community(extra, config=config))
        actions = replay_sync(log_lines(*records), cfg, db_url=f"sqlite:///{tmp_path / 'r.db'}").actions
        return [a for a in actions if a["reason"] != "digest"]
    return go


@pytest.mark.parametrize("text", ["转人工", "轉人工", "人工客服在吗", "找真人", "人工", "人工！", "有人工吗",
                                  "@小助手\u2005转人工", "怎么开发票 转人工"])
def test_requests_for_a_person_are_recognised(text):
    assert is_request(text, bot_names=("小助手",))


@pytest.mark.parametrize("text", ["在吗，有个问题想问问人工", "人工智能跑步教练靠谱吗", "哈哈", "客服电话多少"])
def test_other_messages_are_not_requests(text):
    assert not is_request(text)


def test_a_keyword_request_wins_over_the_faq_and_reaches_every_operator_with_context(run):
    actions = run(
        {"ts": MON + "10:00:00+08:00", "sender": "wxid_b", "sender_name": "阿杰", "text": "今天跑了5公里"},
        {"ts": MON + "10:01:00+08:00", "text": "发票开错了抬头怎么办"},
        {"ts": MON + "10:02:00+08:00", "text": "转人工 怎么开发票"},
    )
    say = [a for a in actions if a["kind"] == "say" and a["reason"] == "handoff"]
    dms = [a for a in actions if a["kind"] == "dm"]
    assert len(say) == 1 and say[0]["to"] == ["wxid_a"] and say[0]["reply_to"] == "m3"
    assert say[0]["text"] == "已转给工作人员，会尽快回复你。"
    assert not [a for a in actions if a["reply_to"] == "m3" and a["reason"] == "faq"]
    assert sorted(d["to"][0] for d in dms) == ["wxid_op", "wxid_op2"]
    note = dms[0]["text"]
    assert dms[0]["reason"] == "handoff"
    assert "测试群" in note and "r1@chatroom" in note and "小雨" in note and "转人工 怎么开发票" in note
    assert "10:00 阿杰：今天跑了5公里" in note and "10:01 小雨：发票开错了抬头怎么办" in note


def test_a_bare_request_quotes_the_members_last_line_and_config_keywords_count(run):
    actions = run(
        {"ts": MON + "10:01:00+08:00", "text": "手表数据同步不过来"},
        {"ts": MON + "10:02:00+08:00", "text": "找老师"},
        extra="handoff:\n  keywords: [找老师]\n",
    )
    dm = next(a for a in actions if a["kind"] == "dm")
    assert "问题：手表数据同步不过来" in dm["text"]


def test_off_hours_the_member_hears_when_a_person_will_reply(run):
    actions = run({"ts": MON + "22:00:00+08:00", "text": "转人工"})
    say = next(a for a in actions if a["kind"] == "say")
    assert say["reason"] == "handoff" and say["text"] == "已转给工作人员，会在明天（周二）09:00 后回复你。"
    assert len([a for a in actions if a["kind"] == "dm"]) == 2


def test_twice_unanswered_within_the_window_hands_off(run):
    actions = run(
        {"ts": MON + "10:00:00+08:00", "text": "@小助手\u2005你们线下门店在哪个城市", "mentions": ["self"]},
        {"ts": MON + "10:05:00+08:00", "text": "@小助手\u2005门店周末开门吗", "mentions": ["self"]},
        {"ts": MON + "10:06:00+08:00", "text": "@小助手\u2005还有一个问题，能停车吗", "mentions": ["self"]},
    )
    reasons = [(a["reply_to"], a["kind"], a["reason"]) for a in actions]
    assert ("m1", "say", "fallback") in reasons
    assert ("m2", "say", "handoff") in reasons and ("m2", "say", "fallback") not in reasons
    dms = [a for a in actions if a["kind"] == "dm"]
    assert len(dms) == 2 and all("门店周末开门吗" in d["text"] and "连续两次" in d["text"] for d in dms)
    assert "你们线下门店在哪个城市" in dms[0]["text"]  # the first question is in the context
    # already handed over: a third miss right after gets the usual reply, not another hand-off
    assert ("m3", "say", "fallback") in reasons


def test_not_twice_when_the_questions_are_further_apart_than_the_window(run):
    actions = run(
        {"ts": MON + "10:00:00+08:00", "text": "@小助手\u2005你们线下门店在哪个城市", "mentions": ["self"]},
        {"ts": MON + "10:11:00+08:00", "text": "@小助手\u2005门店周末开门吗", "mentions": ["self"]},
    )
    assert [a["reason"] for a in actions] == ["fallback", "fallback"]


def test_the_window_is_configurable_and_other_members_do_not_add_up(run):
    actions = run(
        {"ts": MON + "10:00:00+08:00", "text": "@小助手\u2005你们线下门店在哪个城市", "mentions": ["self"]},
        {"ts": MON + "10:01:00+08:00", "sender": "wxid_b", "text": "@小助手\u2005门店周末开门吗",
         "mentions": ["self"]},
        {"ts": MON + "10:15:00+08:00", "text": "@小助手\u2005门店周末开门吗", "mentions": ["self"]},
        extra="handoff:\n  window_minutes: 20\n",
    )
    assert [a["reason"] for a in actions if a["kind"] == "say"] == ["fallback", "fallback", "handoff"]


def test_operators_asking_are_never_handed_off(run):
    actions = run({"ts": MON + "10:00:00+08:00", "sender": "wxid_op", "text": "转人工"})
    assert not [a for a in actions if a["reason"] == "handoff"]


def test_handoff_can_be_disabled(run):
    actions = run({"ts": MON + "10:00:00+08:00", "text": "转人工"}, extra="handoff:\n  enabled: false\n")
    assert not [a for a in actions if a["reason"] == "handoff"]
