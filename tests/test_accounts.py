"""Several bot accounts sharing one database: each knows, posts to and digests only its own rooms."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import inspect

from bot.config import load_config
from bot.digest import account_rooms, build_digest
from bot.replay import replay_sync
from bot.store import Database
from bot.store.rooms import find_room, known_rooms, record_room
from bot.store.schedule_models import claim_post
from tests.conftest import CONFIG_YAML, FAQ_YAML
from tests.gen_community import generate

SCHEDULE = """\
jobs:
  - id: morning
    cron: "0 9 * * *"
    rooms: all
    action: say
    text: 早上好 {room_topic}
"""
ROOM_A, ROOM_B = "r00@chatroom", "r01@chatroom"
TOPIC_A, TOPIC_B = "跑团r00", "跑团r01"


def _config_text(account: str) -> str:
    return (CONFIG_YAML.replace("schedules: null", "schedules: schedules/")
            .replace("database: sqlite:///bot.db", "database: sqlite:///shared.db")
            .replace("  name: 小助手\n", f"  name: 小助手\n  account: {account}\n"))


def _dm(i: int, ts: str, text: str) -> str:
    return json.dumps({"id": f"dm{i}", "ts": ts, "room": None, "sender": "wxid_op", "sender_name": "运营小周",
                       "type": "text", "text": text, "mentions": [], "quote": None}, ensure_ascii=False)


@pytest.fixture(scope="module")
def two_bots(tmp_path_factory):
    """Bot A is in room r00, bot B in room r01; both replay their room's log into ONE SQLite file."""
    tmp: Path = tmp_path_factory.mktemp("accounts")
    (tmp / "faq.yaml").write_text(FAQ_YAML, encoding="utf-8")
    (tmp / "schedules").mkdir()
    (tmp / "schedules" / "jobs.yaml").write_text(SCHEDULE, encoding="utf-8")
    configs = {}
    for account in ("bot-a", "bot-b"):
        path = tmp / f"{account}.yaml"
        path.write_text(_config_text(account), encoding="utf-8")
        configs[account] = load_config(path)
    lines, cast = generate(seed=3, rooms=2, days=21)
    by_room = {room: [line for line in lines if json.loads(line)["room"] == room] for room in (ROOM_A, ROOM_B)}
    end = f"{cast.last_day.isoformat()}T22:00:00+08:00"
    later = f"{cast.last_day.isoformat()}T22:05:00+08:00"
    logs = {
        "bot-a": by_room[ROOM_A] + [_dm(1, end, f"#暂停 {TOPIC_A}"), _dm(2, later, f"#暂停 {TOPIC_B}")],
        "bot-b": by_room[ROOM_B] + [_dm(3, end, f"#今日 {TOPIC_A}"), _dm(4, later, "#今日")],
    }
    url = configs["bot-a"].database_url()
    assert url == configs["bot-b"].database_url() and url.endswith("shared.db")
    results = {}
    for account in ("bot-a", "bot-b"):
        results[account] = replay_sync(logs[account], configs[account], db_url=url)
        assert not results[account].errors
    return configs, url, cast, results


def test_account_defaults_to_the_bot_name(community):
    config = load_config(community())
    assert config.bot.account is None and config.account == "小助手"


def test_each_account_knows_only_the_rooms_it_has_seen(two_bots):
    _, url, _, _ = two_bots
    db = Database(url)
    try:
        assert known_rooms(db, "bot-a") == {ROOM_A: TOPIC_A}
        assert known_rooms(db, "bot-b") == {ROOM_B: TOPIC_B}
        assert find_room(db, "bot-a", TOPIC_A) == ROOM_A and find_room(db, "bot-a", TOPIC_B) is None
        assert find_room(db, "bot-b", "跑团r0") == ROOM_B  # a unique prefix among B's rooms
        tables = set(inspect(db.engine).get_table_names())
    finally:
        db.close()
    assert "rooms" in tables
    assert not tables & {"schedule_rooms", "known_rooms", "activity_rooms"}  # one rooms table


def test_rooms_all_posts_go_to_each_bots_own_rooms_and_neither_blocks_the_other(two_bots):
    _, _, cast, results = two_bots
    posts = {acc: [a for a in r.actions if a["reason"] == "schedule"] for acc, r in results.items()}
    assert {a["room"] for a in posts["bot-a"]} == {ROOM_A}
    assert {a["room"] for a in posts["bot-b"]} == {ROOM_B}
    assert all(a["text"] == f"早上好 {TOPIC_A}" for a in posts["bot-a"])
    assert all(a["text"] == f"早上好 {TOPIC_B}" for a in posts["bot-b"])
    days = {acc: [a["ts"][:10] for a in p] for acc, p in posts.items()}
    assert days["bot-a"] == days["bot-b"]  # both post their own 09:00 job every day
    assert len(days["bot-a"]) == len(set(days["bot-a"])) >= 20
    assert days["bot-a"][-1] == cast.last_day.isoformat()
    assert all(a["ts"][11:16] == "09:00" for p in posts.values() for a in p)


def test_rooms_are_written_only_when_new_or_renamed(community, tmp_path, monkeypatch):
    import handlers.rooms
    from tests.conftest import log_lines

    writes = []
    monkeypatch.setattr(handlers.rooms, "record_room", lambda db, *args: (writes.append(args),
                                                                          record_room(db, *args)))
    config = load_config(community())
    url = f"sqlite:///{tmp_path / 'w.db'}"
    replay_sync(log_lines(*[{"ts": f"2026-11-02T10:{i:02d}:00+08:00", "text": "好的"} for i in range(20)],
                          {"ts": "2026-11-02T11:00:00+08:00", "room_topic": "新名字", "text": "改名了"},
                          {"ts": "2026-11-02T11:01:00+08:00", "room_topic": None, "text": "嗯"},
                          {"ts": "2026-11-02T11:02:00+08:00", "room": "r2@chatroom", "text": "二群"}),
                config, db_url=url)
    assert [(acc, room, topic) for acc, room, topic, _ in writes] == [
        ("小助手", "r1@chatroom", "测试群"), ("小助手", "r1@chatroom", "新名字"), ("小助手", "r2@chatroom", "测试群")]
    db = Database(url)
    try:
        assert known_rooms(db, "小助手") == {"r1@chatroom": "新名字", "r2@chatroom": "测试群"}
    finally:
        db.close()


def test_a_claim_is_per_account(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'c.db'}")
    when = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    try:
        assert claim_post(db, "bot-a", "morning", ROOM_B, when, when, "say", "早")
        assert claim_post(db, "bot-b", "morning", ROOM_B, when, when, "say", "早")  # A's claim does not block B
        assert not claim_post(db, "bot-b", "morning", ROOM_B, when, when, "say", "早")  # but B posts once
    finally:
        db.close()


def test_each_digest_lists_only_its_own_rooms(two_bots):
    configs, url, cast, results = two_bots
    for account, (mine, other) in {"bot-a": (TOPIC_A, TOPIC_B), "bot-b": (TOPIC_B, TOPIC_A)}.items():
        dms = [a for a in results[account].actions if a["reason"] == "digest"]
        assert dms and "达人候选" in dms[-1]["text"] and f"▍{mine}" in dms[-1]["text"]
        assert not any(other in a["text"] for a in dms)
    db = Database(url)
    try:
        digests = {acc: build_digest(db, cfg, cast.last_day, rooms=account_rooms(db, cfg))
                   for acc, cfg in configs.items()}
        everything = build_digest(db, configs["bot-a"], cast.last_day)  # every room (qunbot digest --all-rooms)
    finally:
        db.close()
    assert digests["bot-a"].candidates and {c.room for c in digests["bot-a"].candidates} == {ROOM_A}
    assert digests["bot-b"].candidates and {c.room for c in digests["bot-b"].candidates} == {ROOM_B}
    assert {f.room for f in digests["bot-a"].fading} <= {ROOM_A}
    assert all(set(u.rooms) <= {ROOM_A} for u in digests["bot-a"].unanswered)
    assert {c.room for c in everything.candidates} == {ROOM_A, ROOM_B}


def test_rooms_are_named_by_topic_among_the_accounts_own_rooms(two_bots):
    _, _, _, results = two_bots
    a = [x["text"] for x in results["bot-a"].actions if x["reason"] == "admin"]
    assert a == [f"已暂停「{TOPIC_A}」的自动回复，发 #恢复 恢复。", f"没找到这个群：{TOPIC_B}"]
    b = [x["text"] for x in results["bot-b"].actions if x["reason"] == "admin"]
    assert b[0] == f"没找到这个群：{TOPIC_A}"
    assert b[1].startswith("今日（") and f"「{TOPIC_B}」" in b[1] and TOPIC_A not in b[1]
