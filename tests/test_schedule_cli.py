"""``qunbot schedule list|preview``."""

from __future__ import annotations

from click.testing import CliRunner

from bot.cli import main
from tests.conftest import CONFIG_YAML

SCHEDULE = """\
jobs:
  - id: weekly
    cron: "0 9 * * mon"
    rooms: all
    action: announce
    text: "【{room_topic}】{date} 服务时间 {service_hours}"
  - id: evening
    cron: "30 20 * * 1-5"
    rooms: [r1@chatroom, r2@chatroom]
    action: say
    text: "晚上好 {room_topic}"
"""


def make(community, tmp_path, schedule: str = SCHEDULE):
    (tmp_path / "schedules").mkdir(exist_ok=True)
    (tmp_path / "schedules" / "jobs.yaml").write_text(schedule, encoding="utf-8")
    return str(community(config=CONFIG_YAML.replace("schedules: null", "schedules: schedules/")))


def test_list_shows_next_fire_times_per_room_in_the_configured_timezone(community, tmp_path):
    config = make(community, tmp_path)
    result = CliRunner().invoke(main, ["schedule", "list", "--config", config, "--count", "2",
                                       "--after", "2026-12-31T12:00"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith('weekly  announce  "0 9 * * mon"')
    assert lines[1:3] == ["  2027-01-04 09:00 周一 +0800  all rooms", "  2027-01-11 09:00 周一 +0800  all rooms"]
    assert lines[3].startswith('evening  say  "30 20 * * 1-5"')
    assert lines[4:] == ["  2026-12-31 20:30 周四 +0800  r1@chatroom", "  2026-12-31 20:30 周四 +0800  r2@chatroom",
                         "  2027-01-01 20:30 周五 +0800  r1@chatroom", "  2027-01-01 20:30 周五 +0800  r2@chatroom"]


def test_list_uses_the_rooms_the_database_knows(community, tmp_path):
    from datetime import UTC, datetime

    from bot.store import Database
    from bot.store.rooms import record_room

    config = make(community, tmp_path)
    db = Database(f"sqlite:///{tmp_path / 'bot.db'}")
    record_room(db, "小助手", "r9@chatroom", "九群", datetime(2026, 11, 1, tzinfo=UTC))
    db.close()
    result = CliRunner().invoke(main, ["schedule", "list", "--config", config, "--count", "1", "--json",
                                       "--after", "2026-11-01T00:00"])
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert '"rooms": ["r9@chatroom"]' in first and '"next": ["2026-11-02T09:00:00+08:00"]' in first


def test_preview_renders_the_text(community, tmp_path):
    config = make(community, tmp_path)
    result = CliRunner().invoke(main, ["schedule", "preview", "weekly", "--config", config,
                                       "--at", "2026-11-02T09:00"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1] == ("【本群】11月2日 周一 服务时间 "
                                             "周一至周五 09:00-18:00；周六 10:00-12:00、14:00-17:00")
    result = CliRunner().invoke(main, ["schedule", "preview", "evening", "--config", config, "--room", "r2@chatroom"])
    assert result.exit_code == 0 and "for r2@chatroom" in result.output and "晚上好 本群" in result.output


def test_an_unknown_job_is_a_one_line_error_listing_the_known_ids(community, tmp_path):
    config = make(community, tmp_path)
    result = CliRunner().invoke(main, ["schedule", "preview", "weekley", "--config", config])
    assert result.exit_code == 2
    assert result.output.strip() == 'qunbot: error: unknown job "weekley" (known jobs: weekly, evening)'


def test_a_bad_schedule_is_a_one_line_error(community, tmp_path):
    config = make(community, tmp_path, SCHEDULE.replace("0 9 * * mon", "0 9 * mon"))
    result = CliRunner().invoke(main, ["schedule", "list", "--config", config])
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert line.endswith('jobs.yaml:3:11: jobs[0].cron: bad cron "0 9 * mon": expected 5 fields '
                         "(minute hour day-of-month month day-of-week), got 4")
