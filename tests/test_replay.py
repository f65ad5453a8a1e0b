"""`qunbot replay`: a recorded chat through the whole bot offline; the bot's replies come back as data."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.config import load_config
from bot.replay import replay_sync
from tests.conftest import FAQ_YAML, log_lines

AMBIGUOUS_FAQ = (FAQ_YAML + """\
  - id: year-card
    question: 年卡会员多少钱？
    similar: [年度会员价格]
    answer: 年卡 198 元。
    tags: [会员]
  - id: month-card
    question: 月卡会员多少钱？
    similar: [月度会员价格]
    answer: 月卡 25 元。
    tags: [会员]
""").replace("  - id: membership-price\n    question: 会员多少钱一年？\n    similar: [年卡价格, 会员费用是多少]\n"
            "    answer: 年度会员 198 元，月度会员 25 元。\n    tags: [会员]\n", "")

MON = "2026-11-02T"  # a Monday; service hours mon-fri 09:00-18:00


@pytest.fixture
def run(community, tmp_path):
    def go(*records, faq=FAQ_YAML):
        config = load_config(community(faq=faq))
        return replay_sync(log_lines(*records), config, db_url=f"sqlite:///{tmp_path / 'r.db'}")
    return go


def test_a_question_gets_the_answer_with_the_asker_mentioned(run):
    result = run({"ts": MON + "10:00:00+08:00", "text": "请问怎么开发票？"})
    [action] = result.actions
    assert action["kind"] == "say" and action["room"] == "r1@chatroom"
    assert action["to"] == ["wxid_a"] and action["reply_to"] == "m1"
    assert action["reason"] == "faq" and action["faq"] == "invoice"
    assert "申请发票" in action["text"]
    assert action["ts"].startswith(MON + "10:00:0")


@pytest.mark.parametrize("text", ["哈哈哈", "早上好", "好的谢谢", "[捂脸]", "今天天气真不错"])
def test_chit_chat_gets_silence(run, text):
    assert run({"ts": MON + "10:00:00+08:00", "text": text}).actions == []


def test_the_bot_never_answers_its_own_messages(run):
    result = run({"ts": MON + "10:00:00+08:00", "sender": "self", "sender_name": "小助手",
                  "text": "怎么开发票？"})
    assert result.actions == []


def test_unsure_offers_numbered_choices_and_a_number_reply_gets_the_answer(run):
    result = run(
        {"ts": MON + "10:00:00+08:00", "text": "会员多少钱？"},
        {"ts": MON + "10:00:20+08:00", "sender": "wxid_b", "sender_name": "阿杰", "text": "1"},
        {"ts": MON + "10:00:40+08:00", "text": "2"},
        {"ts": MON + "10:01:00+08:00", "text": "2"},
        faq=AMBIGUOUS_FAQ,
    )
    suggest, answer = result.actions
    assert suggest["reason"] == "suggest" and suggest["to"] == ["wxid_a"]
    assert "1. " in suggest["text"] and "2. " in suggest["text"] and "回复数字" in suggest["text"]
    offered = [line.split(". ", 1)[1] for line in suggest["text"].splitlines()[1:]]
    assert sorted(offered) == ["年卡会员多少钱？", "月卡会员多少钱？"]
    picked = {"年卡会员多少钱？": "year-card", "月卡会员多少钱？": "month-card"}[offered[1]]
    assert answer["reason"] == "faq" and answer["faq"] == picked and answer["reply_to"] == "m3"
    assert answer["to"] == ["wxid_a"]


def test_a_number_reply_after_the_choice_window_is_ignored(run):
    result = run(
        {"ts": MON + "10:00:00+08:00", "text": "会员多少钱？"},
        {"ts": MON + "10:09:00+08:00", "text": "1"},
        faq=AMBIGUOUS_FAQ,
    )
    assert [a["reason"] for a in result.actions] == ["suggest"]


def test_an_unanswerable_mention_in_hours_is_recorded_and_promised_a_person(run):
    result = run({"ts": MON + "10:00:00+08:00", "text": "@小助手\u2005你们线下门店在哪个城市", "mentions": ["self"]})
    [action] = result.actions
    assert action["reason"] == "fallback" and action["to"] == ["wxid_a"]
    assert "工作人员" in action["text"]


def test_a_text_mention_without_mention_list_is_also_addressed(run):
    result = run({"ts": MON + "10:00:00+08:00", "text": "@小助手 你们线下门店在哪个城市"})
    assert [a["reason"] for a in result.actions] == ["fallback"]


def test_off_hours_says_when_a_person_replies_once_per_member(run):
    result = run(
        {"ts": MON + "22:00:00+08:00", "text": "@小助手\u2005在吗，有个问题想问问人工", "mentions": ["self"]},
        {"ts": MON + "22:05:00+08:00", "text": "@小助手\u2005有人吗", "mentions": ["self"]},
        {"ts": MON + "22:06:00+08:00", "text": "怎么开发票？"},
    )
    off, faq = result.actions
    assert off["reason"] == "off_hours" and "明天（周二）09:00 后" in off["text"]
    assert faq["reason"] == "faq" and faq["faq"] == "invoice"  # FAQ answers go out at any hour


def test_a_malformed_log_line_is_reported_and_skipped(community, tmp_path):
    config = load_config(community())
    lines = log_lines({"ts": MON + "10:00:00+08:00", "text": "怎么开发票？"})
    lines.insert(0, "{not json")
    lines.insert(1, json.dumps({"id": "x", "sender": "wxid_a", "text": "no time"}))
    lines.append(json.dumps({"id": "y", "ts": MON + "10:01:00+08:00", "sender": "a", "type": "fax"}))
    lines += log_lines({"id": "m9", "ts": MON + "10:02:00+08:00", "text": "多久发货？"})
    result = replay_sync(lines, config, db_url=f"sqlite:///{tmp_path / 'r.db'}")
    assert [(s.line, s.problem.split(" ")[0]) for s in result.skipped] == [(1, "bad"), (2, "missing"), (4, "unknown")]
    assert [a["faq"] for a in result.actions] == ["invoice", "shipping-time"]


def test_replay_command_writes_action_lines(community, tmp_path):
    config = community()
    log = tmp_path / "chat.jsonl"
    log.write_text("\n".join(log_lines(
        {"ts": MON + "10:00:00+08:00", "text": "怎么开发票？"},
        {"ts": MON + "10:00:01+08:00", "text": "哈哈"},
    )) + "\nnot json\n", encoding="utf-8")
    out = tmp_path / "actions.jsonl"
    result = CliRunner().invoke(main, ["replay", str(log), "--config", str(config), "--out", str(out),
                                       "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 1
    assert set(lines[0]) >= {"ts", "kind", "room", "to", "text", "reply_to", "reason", "faq", "job"}
    assert "line 3: bad JSON" in result.output


def test_a_single_choice_is_asked_as_a_yes_question():
    from bot.faq.model import FaqEntry
    from handlers.replies import choices_text

    one = FaqEntry("invoice", "怎么开发票？", "……")
    two = FaqEntry("refund", "可以退款吗？", "……")
    assert choices_text([one]) == "你是想问「怎么开发票？」吗？回复 1 即可看答案。"
    assert choices_text([one, two]).splitlines() == ["你想问的是哪一个？回复数字即可看答案：", "1. 怎么开发票？",
                                                     "2. 可以退款吗？"]


@pytest.mark.parametrize("command", [["unanswered"], ["digest"], ["schedule", "list"]])
def test_a_bad_database_url_is_one_line_not_a_traceback(command, community):
    result = CliRunner().invoke(main, [*command, "--config", str(community()), "--db", "bogus://"])
    assert result.exit_code == 2
    assert result.output.strip() == "qunbot: error: database: Can't load plugin: sqlalchemy.dialects:bogus"
