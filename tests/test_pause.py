"""A paused room hears nothing from the bot (answers, welcomes, scheduled posts) but operators' replies."""

from __future__ import annotations

import pytest

from bot.config import load_config
from bot.replay import replay_sync
from tests.conftest import log_lines

OP = {"sender": "wxid_op", "sender_name": "运营小周"}
SCHEDULE = """\
jobs:
  - id: morning
    cron: "0 9 * * *"
    rooms: all
    action: say
    text: 早上好，今天的服务时间：{service_hours}
"""


@pytest.fixture
def config(community, tmp_path):
    (tmp_path / "schedules").mkdir()
    (tmp_path / "schedules" / "jobs.yaml").write_text(SCHEDULE, encoding="utf-8")
    path = community(config=_config_text())
    return load_config(path)


def _config_text() -> str:
    from tests.conftest import CONFIG_YAML

    return CONFIG_YAML.replace("schedules: null", "schedules: schedules/") + "welcome:\n  window_seconds: 0\n"


def test_a_paused_room_gets_no_answers_welcomes_or_posts_until_resumed(config, tmp_path):
    result = replay_sync(log_lines(
        {"ts": "2026-11-02T08:00:00+08:00", "text": "早"},
        {"ts": "2026-11-02T08:10:00+08:00", **OP, "text": "#暂停"},
        {"ts": "2026-11-02T08:20:00+08:00", "type": "join", "sender": "wxid_new", "sender_name": "新人"},
        {"ts": "2026-11-02T08:30:00+08:00", "text": "怎么开发票？"},
        {"ts": "2026-11-03T09:30:00+08:00", **OP, "text": "#恢复"},
        {"ts": "2026-11-03T09:40:00+08:00", "text": "怎么开发票？"},
        {"ts": "2026-11-04T09:30:00+08:00", "text": "好的"},
    ), config, db_url=f"sqlite:///{tmp_path / 'p.db'}")
    seen = [(a["ts"][:16], a["reason"]) for a in result.actions if a["room"] == "r1@chatroom"]
    assert seen == [
        ("2026-11-02T08:10", "admin"),     # the pause confirmation still reaches the operator
        ("2026-11-03T09:30", "admin"),     # the resume confirmation; Nov 2 and 3 09:00 posts were held
        ("2026-11-03T09:40", "faq"),
        ("2026-11-04T09:00", "schedule"),
    ]
