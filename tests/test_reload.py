"""Safe reload: a bad file keeps the running version whole and tells the operators where it is wrong."""

from __future__ import annotations

import asyncio
import os
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.actions import DirectMessage
from bot.app import App
from bot.clock import SimClock
from bot.config import load_config
from bot.events import Message
from bot.reload import FileWatcher, attach, reload, watch
from bot.replay import replay_sync
from tests.conftest import CONFIG_YAML, FAQ_YAML, log_lines

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=TZ)
TWO_OPS = CONFIG_YAML.replace("operators: [wxid_op]", "operators: [wxid_op, wxid_op2]")
WITH_SCHEDULES = TWO_OPS.replace("schedules: null", "schedules: schedules/")
NEW_ANSWER = FAQ_YAML.replace("3 个工作日内发到邮箱", "1 个工作日内发到邮箱")
BROKEN_FAQ = FAQ_YAML.replace("    answer: 下单后 48 小时内发货，节假日顺延。\n", "")
SCHEDULE = """\
jobs:
  - id: morning
    cron: "0 9 * * mon-fri"
    rooms: [r1@chatroom]
    action: say
    text: 早上好
"""


def msg(n: int, text: str, sender: str = "wxid_a", room: str | None = "r1@chatroom") -> Message:
    return Message(id=f"m{n}", ts=T0, room=room, sender=sender, sender_name=sender, text=text,
                   room_topic="测试群" if room else None)


@pytest.fixture
def app(community, tmp_path):
    (tmp_path / "schedules").mkdir()
    (tmp_path / "schedules" / "jobs.yaml").write_text(SCHEDULE, encoding="utf-8")
    config = load_config(community(config=WITH_SCHEDULES))
    application = App.create(config, SimClock(T0), db_url=f"sqlite:///{tmp_path / 'a.db'}")
    attach(application)
    yield application
    application.db.close()


def answer(app: App, text: str) -> str:
    [action] = [a for a in app.handle(msg(99, text)) if a.reason == "faq"]
    return action.text


def write(path, text: str) -> None:
    old = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(old + 10**9, old + 10**9))  # a visible change even on coarse file systems


def schedule_source(app: App):
    return next(t for t in app.timed if hasattr(t, "replace_jobs"))


def test_a_valid_reload_changes_the_answer(app, tmp_path):
    assert "3 个工作日" in answer(app, "怎么开发票？")
    write(tmp_path / "faq.yaml", NEW_ANSWER)
    [confirm] = app.handle(msg(1, "#重载", sender="wxid_op"))
    assert confirm.reason == "admin" and "已重载" in confirm.text and "6 条" in confirm.text
    assert "定时任务 1 个" in confirm.text
    assert "1 个工作日" in answer(app, "怎么开发票？")


def test_a_broken_faq_keeps_the_old_one_answering_and_tells_the_operators_where(app, tmp_path):
    old_index = app.ctx.faq
    write(tmp_path / "faq.yaml", BROKEN_FAQ)
    actions = app.handle(msg(1, "#重载", sender="wxid_op"))
    said = [a for a in actions if not isinstance(a, DirectMessage)]
    dms = [a for a in actions if isinstance(a, DirectMessage)]
    assert len(said) == 1 and said[0].reason == "admin" and "原来的版本" in said[0].text
    assert "faq.yaml" not in said[0].text  # file paths go to the operators privately, not to the room
    assert sorted(d.contact for d in dms) == ["wxid_op", "wxid_op2"]
    assert all(d.reason == "admin" for d in dms)
    assert re.search(r"faq\.yaml:\d+:\d+: .*answer", dms[0].text), dms[0].text
    assert app.ctx.faq is old_index
    assert "48 小时" in answer(app, "多久发货？")


def test_by_dm_the_requester_gets_the_details_once(app, tmp_path):
    write(tmp_path / "faq.yaml", BROKEN_FAQ)
    actions = app.handle(msg(1, "#重载", sender="wxid_op", room=None))
    assert sorted(a.contact for a in actions) == ["wxid_op", "wxid_op2"]
    assert all("faq.yaml:" in a.text for a in actions)


def test_a_valid_faq_with_a_broken_schedule_keeps_both_old(app, tmp_path):
    old_index, old_jobs = app.ctx.faq, schedule_source(app).jobs
    write(tmp_path / "faq.yaml", NEW_ANSWER)
    write(tmp_path / "schedules" / "jobs.yaml", SCHEDULE.replace("0 9 * * mon-fri", "0 99 * * mon-fri"))
    report = reload(app.ctx, app.timed)
    assert not report.ok and "jobs.yaml:" in (report.error or "")
    assert app.ctx.faq is old_index and schedule_source(app).jobs is old_jobs
    assert "3 个工作日" in answer(app, "怎么开发票？")


def test_a_reload_replaces_the_jobs(app, tmp_path):
    write(tmp_path / "schedules" / "jobs.yaml", SCHEDULE + SCHEDULE.replace("jobs:\n", "").replace("morning", "m2"))
    assert reload(app.ctx, app.timed).jobs == 2
    assert [j.id for j in schedule_source(app).jobs] == ["morning", "m2"]


def test_the_file_watcher_notices_changes(app, tmp_path):
    watcher = FileWatcher(app.ctx)
    assert not watcher.changed()
    write(tmp_path / "schedules" / "jobs.yaml", SCHEDULE)
    assert watcher.changed() and not watcher.changed()
    write(tmp_path / "schedules" / "more.yaml", "jobs: []\n")
    assert watcher.changed()


def test_watch_reloads_a_changed_faq_and_reports_a_broken_one(app, tmp_path):
    sent: list = []
    app.outbox.submit = sent.append  # type: ignore[method-assign]

    async def scenario() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(watch(app, interval=0.02, stop=stop))
        old = app.ctx.faq
        await asyncio.sleep(0.05)
        write(tmp_path / "faq.yaml", NEW_ANSWER)
        for _ in range(200):
            if app.ctx.faq is not old:
                break
            await asyncio.sleep(0.02)
        assert app.ctx.faq is not old
        write(tmp_path / "faq.yaml", BROKEN_FAQ)
        for _ in range(200):
            if sent:
                break
            await asyncio.sleep(0.02)
        stop.set()
        await asyncio.wait_for(task, 2)

    asyncio.run(scenario())
    notices = list(sent)
    assert sorted(a.contact for a in notices) == ["wxid_op", "wxid_op2"]
    assert all(a.reason == "admin" and "faq.yaml:" in a.text for a in notices)
    assert "1 个工作日" in answer(app, "怎么开发票？")  # the broken change did not replace the good one


def test_replay_shows_handoff_admin_and_reload_together(community, tmp_path):
    """One small log through ``qunbot replay``: hand-off, admin commands, a broken then fixed FAQ."""
    config = load_config(community(config=TWO_OPS))
    faq = tmp_path / "faq.yaml"
    day = "2026-11-02T"
    lines = log_lines(
        {"ts": day + "10:00:00+08:00", "text": "手表数据同步不过来"},
        {"ts": day + "10:01:00+08:00", "text": "转人工"},
        {"ts": day + "10:02:00+08:00", "sender": "wxid_op", "text": "#重载"},
        {"ts": day + "10:03:00+08:00", "sender": "wxid_b", "text": "怎么开发票？"},
        {"ts": day + "10:04:00+08:00", "sender": "wxid_op", "text": "#暂停"},
        {"ts": day + "10:05:00+08:00", "sender": "wxid_b", "text": "怎么开发票？"},
        {"ts": day + "10:06:00+08:00", "sender": "wxid_b", "text": "#恢复"},
        {"ts": day + "10:07:00+08:00", "sender": "wxid_op", "room": None, "text": "#恢复 测试群"},
        {"ts": day + "10:08:00+08:00", "sender": "wxid_op", "text": "#今日"},
    )

    def on_event(event) -> None:
        if getattr(event, "id", "") == "m3":
            faq.write_text(BROKEN_FAQ, encoding="utf-8")

    result = replay_sync(lines, config, db_url=f"sqlite:///{tmp_path / 'r.db'}", on_event=on_event)
    got = [(a["reply_to"], a["kind"], a["reason"], a["to"]) for a in result.actions if a["reason"] != "digest"]
    assert sorted(got, key=str) == sorted([
        ("m2", "say", "handoff", ["wxid_a"]),
        ("m2", "dm", "handoff", ["wxid_op"]),
        ("m2", "dm", "handoff", ["wxid_op2"]),
        ("m3", "say", "admin", ["wxid_op"]),
        (None, "dm", "admin", ["wxid_op"]),
        (None, "dm", "admin", ["wxid_op2"]),
        ("m4", "say", "faq", ["wxid_b"]),  # the old FAQ still answers
        ("m5", "say", "admin", ["wxid_op"]),
        ("m8", "dm", "admin", ["wxid_op"]),
        ("m9", "say", "admin", ["wxid_op"]),
    ], key=str)
    assert any("faq.yaml:" in a["text"] for a in result.actions if a["kind"] == "dm" and a["reason"] == "admin")
