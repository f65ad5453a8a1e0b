"""The bot stays out of conversations between people unless it is @mentioned."""

from __future__ import annotations

import pytest

from bot.config import load_config
from bot.replay import replay_sync
from tests.conftest import log_lines

MON = "2026-11-02T10:0"  # inside service hours
A = {"sender": "wxid_a", "sender_name": "小雨"}
B = {"sender": "wxid_b", "sender_name": "阿辉"}
OP = {"sender": "wxid_op", "sender_name": "运营小周"}


@pytest.fixture
def run(community, tmp_path):
    config = load_config(community())

    def go(*records):
        return [(a["reason"], a["to"]) for a in replay_sync(
            log_lines(*records), config, db_url=f"sqlite:///{tmp_path / 'c.db'}").actions]
    return go


def test_a_member_answering_another_by_quote_reply_is_left_alone(run):
    actions = run(
        {"id": "q1", "ts": MON + "0:00+08:00", **A, "text": "怎么开发票？"},
        {"id": "q2", "ts": MON + "1:00+08:00", **B, "text": "发票在我的订单里申请，发票三天到邮箱", "quote": "q1"},
    )
    assert actions == [("faq", ["wxid_a"])]  # the asker's answer only; nothing to the helper


def test_a_question_put_to_another_member_by_mention_is_left_alone(run):
    actions = run({"ts": MON + "0:00+08:00", **A, "text": "@阿辉 你知道怎么开发票吗", "mentions": ["wxid_b"]})
    assert actions == []


def test_operators_talking_get_no_faq_reply_unless_they_mention_the_bot(run):
    actions = run(
        {"ts": MON + "0:00+08:00", **OP, "text": "大家注意：怎么开发票？在我的订单里申请"},
        {"ts": MON + "1:00+08:00", **OP, "text": "@小助手\u2005怎么开发票？", "mentions": ["self"]},
    )
    assert actions == [("faq", ["wxid_op"])]


def test_a_follow_up_quoting_the_bot_or_oneself_is_still_answered(run):
    actions = run(
        {"id": "b1", "ts": MON + "0:00+08:00", "sender": "self", "sender_name": "小助手", "text": "欢迎！"},
        {"id": "q1", "ts": MON + "1:00+08:00", **A, "text": "怎么开发票？", "quote": "b1"},
        {"id": "q2", "ts": MON + "2:00+08:00", **A, "text": "还有，多久发货？", "quote": "q1"},
    )
    assert actions == [("faq", ["wxid_a"]), ("faq", ["wxid_a"])]


def test_mentioning_the_bot_in_a_reply_to_a_member_still_gets_the_bot(run):
    actions = run(
        {"id": "q1", "ts": MON + "0:00+08:00", **A, "text": "有人知道吗"},
        {"id": "q2", "ts": MON + "1:00+08:00", **B, "text": "@小助手\u2005怎么开发票？", "mentions": ["self"],
         "quote": "q1"},
    )
    assert actions == [("faq", ["wxid_b"])]
