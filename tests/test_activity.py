"""Activity recording: one row per member message, flags decided on arrival, written in batches."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import func, insert, select

from bot.activity.query import purge
from bot.activity.recorder import JUNK_AD, JUNK_FLOOD, JUNK_LINK, JUNK_REPEAT
from bot.app import App
from bot.clock import SimClock
from bot.config import load_config
from bot.events import Message
from bot.replay import replay_sync
from bot.store import Database
from bot.store.activity_models import Activity, ActivityCredit, ActivityMember
from tests.conftest import log_lines

MON = "2026-11-02T"


@pytest.fixture
def run(community, tmp_path):
    def go(*records, extra: str = ""):
        config = load_config(community(extra))
        url = f"sqlite:///{tmp_path / 'a.db'}"
        result = replay_sync(log_lines(*records), config, db_url=url)
        db = Database(url)
        with db.session() as s:
            rows = {r.msg_id: r for r in s.scalars(select(Activity))}
            ordered = select(ActivityCredit).order_by(ActivityCredit.id)
            credits = [(c.kind, c.member, c.other) for c in s.scalars(ordered)]
            members = {(m.room, m.member): m for m in s.scalars(select(ActivityMember))}
        db.close()
        return result, rows, credits, members
    return go


def at(minute: int, second: int = 0) -> str:
    return f"{MON}10:{minute:02d}:{second:02d}+08:00"


def test_every_member_message_is_recorded_and_flushed_at_the_end(run):
    _, rows, _, members = run(
        {"ts": at(0), "text": "早上好"},
        {"ts": at(1), "sender": "wxid_b", "sender_name": "阿杰", "type": "emoji"},
        {"ts": at(2), "sender": "self", "sender_name": "小助手", "text": "大家好"},
    )
    assert set(rows) == {"m1", "m2"}  # the bot's own messages are not activity
    assert rows["m1"].kind == "text" and rows["m1"].length == 3 and rows["m1"].counted
    assert rows["m2"].kind == "emoji" and rows["m2"].playful
    assert rows["m1"].day == date(2026, 11, 2).toordinal()
    assert members[("r1@chatroom", "wxid_b")].name == "阿杰"
    assert rows["m1"].text is None  # text only with activity.keep_text


def test_keep_text_keeps_the_text(run):
    _, rows, _, _ = run({"ts": at(0), "text": "早上好"}, extra="activity:\n  keep_text: true\n")
    assert rows["m1"].text == "早上好"


def test_bursts_count_once_a_minute_and_floods_repeats_ads_links_never(run):
    burst = [{"ts": at(0, s), "text": f"第{s}条消息内容"} for s in range(0, 20, 2)]
    _, rows, _, _ = run(
        *burst,
        {"ts": at(5), "sender": "wxid_b", "text": "加我V：shoes88 一折批发"},
        {"ts": at(6), "sender": "wxid_c", "type": "link", "text": "https://t.cn/abc"},
        {"ts": at(7), "sender": "wxid_c", "text": "https://example.com/x"},
        {"ts": at(8), "sender": "wxid_d", "text": "大家周末一起跑吗"},
        {"ts": at(9), "sender": "wxid_d", "text": "大家周末一起跑吗"},
        {"ts": at(50), "sender": "wxid_d", "text": "大家周末一起跑吗"},
    )
    counted = [rows[f"m{i}"].counted for i in range(1, 11)]
    assert counted == [True] + [False] * 9
    assert [rows[f"m{i}"].junk for i in range(1, 11)][5:] == [JUNK_FLOOD] * 5
    assert rows["m11"].junk == JUNK_AD and not rows["m11"].counted
    assert rows["m12"].junk == JUNK_LINK and rows["m13"].junk == JUNK_LINK
    assert rows["m14"].junk == 0 and rows["m15"].junk == JUNK_REPEAT
    assert rows["m16"].junk == 0  # the same words later on are fine


def test_quote_reply_to_a_question_is_an_answer_and_thanks_credit_the_helper(run):
    _, rows, credits, _ = run(
        {"ts": at(0), "text": "请问怎么开发票？"},
        {"ts": at(3), "sender": "wxid_h", "sender_name": "阿辉｜跑龄6年", "text": "订单页里申请", "quote": "m1"},
        {"ts": at(4), "text": "谢谢阿辉哥[抱拳]"},
        {"ts": at(5), "sender": "wxid_c", "text": "谢谢@阿辉｜跑龄6年\u2005", "mentions": ["wxid_h"]},
        {"ts": at(6), "sender": "wxid_d", "text": "收到 谢谢", "quote": "m2"},
    )
    assert rows["m1"].is_question and rows["m1"].product_question
    assert rows["m2"].answered and rows["m2"].quote_id == "m1"
    assert rows["m3"].thanks and rows["m4"].thanks and rows["m5"].thanks
    assert ("answer", "wxid_h", "wxid_a") in credits
    assert ("reply", "wxid_a", "wxid_h") in credits
    assert [c for c in credits if c[0] == "thanks"] == [
        ("thanks", "wxid_h", "wxid_a"), ("thanks", "wxid_h", "wxid_c"), ("thanks", "wxid_h", "wxid_d")]
    assert ("mention", "wxid_h", "wxid_c") in credits


def test_a_late_quote_or_a_quote_of_chit_chat_is_not_an_answer(run):
    _, rows, credits, _ = run(
        {"ts": at(0), "text": "请问怎么开发票？"},
        {"ts": f"{MON}11:30:00+08:00", "sender": "wxid_h", "text": "订单页里申请", "quote": "m1"},
        {"ts": f"{MON}11:31:00+08:00", "text": "今天跑了五公里"},
        {"ts": f"{MON}11:32:00+08:00", "sender": "wxid_h", "text": "厉害", "quote": "m3"},
    )
    assert not rows["m2"].answered and not rows["m4"].answered
    assert not [c for c in credits if c[0] == "answer"]


def test_an_answer_to_a_newcomer_is_marked(run):
    _, _, credits, members = run(
        {"ts": at(0), "type": "join", "sender": "wxid_new", "sender_name": "糖糖"},
        {"ts": at(1), "sender": "wxid_new", "sender_name": "糖糖", "text": "怎么查物流？"},
        {"ts": at(2), "sender": "wxid_h", "text": "订单里看", "quote": "m2"},
    )
    assert members[("r1@chatroom", "wxid_new")].joined is not None
    assert ("answer", "wxid_h", "wxid_new") in credits


def test_stale_messages_are_recorded_but_not_answered(community, tmp_path):
    config = load_config(community())
    clock = SimClock(datetime.fromisoformat(at(0)))
    app = App.create(config, clock, db_url=f"sqlite:///{tmp_path / 's.db'}")
    msg = Message(id="old1", ts=clock.now(), room="r1@chatroom", sender="wxid_a", sender_name="小雨",
                  text="怎么开发票？")
    assert app.dispatch(msg, stale=True).actions == ()
    assert app.dispatch(Message(id="new1", ts=clock.now(), room="r1@chatroom", sender="wxid_a",
                                sender_name="小雨", text="怎么开发票？")).actions
    app.close()
    db = Database(f"sqlite:///{tmp_path / 's.db'}")
    with db.session() as s:
        assert set(s.scalars(select(Activity.msg_id))) == {"old1", "new1"}
    db.close()


def test_retention_deletes_old_rows(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'ret.db'}")
    today = date(2026, 11, 30)
    rows = [{"room": "r", "member": "m", "msg_id": f"x{d}", "ts": 0, "day": today.toordinal() - d, "kind": "text"}
            for d in range(0, 400, 10)]
    with db.session() as s:
        s.execute(insert(Activity), rows)
        s.execute(insert(ActivityCredit), [{"room": "r", "member": "m", "other": "o", "kind": "thanks", "ts": 0,
                                            "day": r["day"]} for r in rows])
    assert purge(db, today, 180) == 2 * len([d for d in range(0, 400, 10) if d >= 180])
    with db.session() as s:
        assert s.scalar(select(func.min(Activity.day))) >= today.toordinal() - 179
        assert s.scalar(select(func.count()).select_from(Activity)) == 18
    db.close()


def test_a_restart_remembers_join_dates_and_quoted_messages(community, tmp_path):
    config = load_config(community())
    url = f"sqlite:///{tmp_path / 'two.db'}"
    replay_sync(log_lines(
        {"ts": at(0), "type": "join", "sender": "wxid_new", "sender_name": "糖糖"},
        {"ts": at(1), "sender": "wxid_new", "sender_name": "糖糖", "text": "怎么查物流？"},
    ), config, db_url=url)
    replay_sync(log_lines(
        {"id": "n1", "ts": at(3), "sender": "wxid_h", "text": "订单里看", "quote": "m2"},
    ), config, db_url=url)
    db = Database(url)
    with db.session() as s:
        answer = s.scalars(select(ActivityCredit).where(ActivityCredit.kind == "answer")).one()
        assert (answer.member, answer.other, answer.newcomer) == ("wxid_h", "wxid_new", True)
        assert s.scalar(select(func.count()).select_from(ActivityMember)) == 2
    db.close()


def test_a_row_carries_the_faq_decision_however_the_flushes_fall(community, tmp_path, monkeypatch):
    """Rows are written between dispatches only: even a flush after every event keeps the FAQ's verdict."""
    import bot.app

    monkeypatch.setattr(bot.app, "FLUSH_EVENTS", 1)
    config = load_config(community())
    url = f"sqlite:///{tmp_path / 'a.db'}"
    replay_sync(log_lines(
        {"id": "q1", "ts": "2026-11-02T10:00:00+08:00", "text": "怎么开发票？"},
        {"id": "c1", "ts": "2026-11-02T10:01:00+08:00", "text": "今天天气不错"},
    ), config, db_url=url)
    db = Database(url)
    with db.session() as s:
        rows = {r.msg_id: (r.is_question, r.product_question) for r in s.scalars(select(Activity))}
    db.close()
    assert rows == {"q1": (True, True), "c1": (False, False)}
