"""The daily digest: a DM at digest.time once a day, `qunbot digest` text/JSON/HTML."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from click.testing import CliRunner

from bot.activity.score import Candidate, Fading
from bot.cli import main
from bot.config import load_config
from bot.digest import Digest, DigestSource, Unanswered, render_text
from bot.replay import replay_sync
from tests.gen_community import generate


@pytest.fixture
def replayed(community, tmp_path):
    config_path = community("digest:\n  recipients: [wxid_op, wxid_op2]\n")
    config = load_config(config_path)
    lines, cast = generate(seed=3, rooms=2, days=30)
    url = f"sqlite:///{tmp_path / 'd.db'}"
    result = replay_sync(lines, config, db_url=url)
    return config_path, url, cast, result


def test_the_digest_dm_fires_at_digest_time_once_a_day_under_the_limit(replayed):
    _, _, cast, result = replayed
    dms = [a for a in result.actions if a["reason"] == "digest"]
    assert {a["kind"] for a in dms} == {"dm"}
    days = [a["ts"][:10] for a in dms if a["to"] == ["wxid_op"]]
    assert len(days) == len(set(days)) == 30
    assert [a["to"] for a in dms[:2]] == [["wxid_op"], ["wxid_op2"]]
    for a in dms:
        sent = datetime.fromisoformat(a["ts"])
        assert (sent.hour, sent.minute) == (21, 0)
        assert len(a["text"]) <= 800 and a["text"].startswith("【社群日报】")
    assert "达人候选" in dms[-1]["text"]


def test_no_digest_when_disabled(community, tmp_path):
    config = load_config(community("digest:\n  enabled: false\n"))
    lines, _ = generate(seed=3, rooms=1, days=3)
    result = replay_sync(lines, config, db_url=f"sqlite:///{tmp_path / 'n.db'}")
    assert not [a for a in result.actions if a["reason"] == "digest"]


def test_next_fire_is_the_next_digest_time_in_the_configured_zone(community):
    source = DigestSource(load_config(community()))
    tz = source.tz
    assert source.next_fire(datetime(2026, 11, 2, 20, 59, tzinfo=tz)) == datetime(2026, 11, 2, 21, 0, tzinfo=tz)
    assert source.next_fire(datetime(2026, 11, 2, 21, 0, tzinfo=tz)) == datetime(2026, 11, 3, 21, 0, tzinfo=tz)


def test_digest_json_has_the_interface_shape(replayed):
    config_path, url, cast, _ = replayed
    out = CliRunner().invoke(main, ["digest", "--config", str(config_path), "--db", url,
                                    "--date", cast.last_day.isoformat(), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert set(data) == {"date", "candidates", "fading", "unanswered"}
    assert data["date"] == cast.last_day.isoformat()
    assert data["candidates"] and data["fading"] and data["unanswered"]
    for c in data["candidates"]:
        assert set(c) == {"member", "name", "room", "score", "segment", "reasons"}
        assert c["segment"] in {"kol", "rising", "active"} and isinstance(c["score"], float)
    for f in data["fading"]:
        assert set(f) == {"member", "room", "reasons"}
    for u in data["unanswered"]:
        assert set(u) == {"text", "count", "rooms"}
    scores = [c["score"] for c in data["candidates"]]
    assert scores == sorted(scores, reverse=True)


def test_digest_text_and_html_page(replayed, tmp_path):
    config_path, url, cast, _ = replayed
    page = tmp_path / "digest.html"
    out = CliRunner().invoke(main, ["digest", "--config", str(config_path), "--db", url,
                                    "--date", cast.last_day.isoformat(), "--html", str(page)])
    assert out.exit_code == 0, out.output
    assert out.output.startswith("【社群日报】") and "达人候选" in out.output
    html = page.read_text(encoding="utf-8")
    assert "<svg" in html and "<polyline" in html and "<style>" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "src=" not in html and "<link" not in html


def test_digest_defaults_to_yesterday_and_rejects_bad_dates(replayed):
    config_path, url, _, _ = replayed
    tz = load_config(config_path).tz
    before = datetime.now(tz).date() - timedelta(days=1)
    out = CliRunner().invoke(main, ["digest", "--config", str(config_path), "--db", url, "--json"])
    after = datetime.now(tz).date() - timedelta(days=1)
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["date"] in {before.isoformat(), after.isoformat()}  # across midnight too
    bad = CliRunner().invoke(main, ["digest", "--config", str(config_path), "--db", url, "--date", "11/05"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output


def test_text_is_cut_to_max_chars_dropping_the_least_important_lines():
    many = tuple(Candidate(f"wxid_{i}", f"成员{i}", f"room{i % 5}", 100.0 - i, "active",
                           ("14天里活跃9天", "被感谢3次")) for i in range(40))
    fading = tuple(Fading(f"f{i}", f"老成员{i}", "room1", 1.0, 40.0, ("得分40→1",)) for i in range(10))
    unanswered = tuple(Unanswered(f"问题{i}怎么办？", 5 - i % 5, ("room1",)) for i in range(5))
    d = Digest(date(2026, 11, 5), many, fading, unanswered, {}, 14)
    for limit in (200, 400, 800):
        text = render_text(d, limit)
        assert len(text) <= limit
        assert text.endswith("…更多见 qunbot digest")
    full = render_text(d, 100_000)
    assert "渐冷提醒" in full and "没人回答的高频问题" in full and "问题0怎么办？（5次）" in full


def test_unanswered_questions_come_from_the_unanswered_store(community, tmp_path):
    from bot import unanswered
    from bot.digest import build_digest
    from bot.store import Database

    config = load_config(community())
    db = Database(f"sqlite:///{tmp_path / 'u.db'}")
    tz = config.tz
    for i, text in enumerate(["线下门店在哪个城市？", "你们线下门店在哪个城市", "线下门店在哪个城市呀"]):
        unanswered.record_unanswered(db, ts=datetime(2026, 11, 4, 10, i, tzinfo=tz), room="r1@chatroom",
                                     member=f"wxid_{i}", text=text)
    for i in range(4):  # asked after the digest's day: not in that day's digest
        unanswered.record_unanswered(db, ts=datetime(2026, 11, 6, 10, i, tzinfo=tz), room="r1@chatroom",
                                     member=f"wxid_later{i}", text="会员卡可以转让给别人吗")
    digest = build_digest(db, config, date(2026, 11, 5))
    db.close()
    assert digest.unanswered and digest.unanswered[0].count == 3
    assert digest.unanswered[0].rooms == ("r1@chatroom",)
    assert "没人回答的高频问题" in render_text(digest)
