"""Schedules: real APScheduler triggers, a simulated clock, real SQLite files; each post exactly once."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from bot.actions import Announce, Say, SetTopic
from bot.app import App
from bot.cli import main
from bot.clock import SimClock
from bot.config import load_config
from bot.replay import replay_sync
from bot.schedule import load_schedules, parse_cron
from bot.schedule_source import ScheduleSource
from bot.yamlfile import ConfigError
from tests.conftest import CONFIG_YAML, log_lines

SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH) if "+" not in text else datetime.fromisoformat(text)


@pytest.fixture
def setup(tmp_path: Path, community):
    """Write schedules/<name>.yaml files (and templates) and return the loaded config."""

    def make(*files: str, templates: dict[str, str] | None = None, extra: str = "", timezone: str | None = None):
        folder = tmp_path / "schedules"
        (folder / "templates").mkdir(parents=True, exist_ok=True)
        for i, text in enumerate(files):
            (folder / f"{i:02d}.yaml").write_text(text, encoding="utf-8")
        for name, text in (templates or {}).items():
            (folder / "templates" / name).write_text(text, encoding="utf-8")
        config = CONFIG_YAML.replace("schedules: null", "schedules: schedules/")
        if timezone:
            config = config.replace("timezone: Asia/Shanghai", f"timezone: {timezone}")
        return load_config(community(extra, config=config))

    return make


def job(id: str = "j", cron: str = "0 9 * * *", rooms: str = "[r1@chatroom]", action: str = "say",
        text: str = "hello") -> str:
    return f'  - id: {id}\n    cron: "{cron}"\n    rooms: {rooms}\n    action: {action}\n    text: "{text}"\n'


def jobs(*items: str) -> str:
    return "jobs:\n" + "".join(items)


def fires(config, job_id: str, start: str, end: str) -> list[datetime]:
    [j] = [j for j in load_schedules(config) if j.id == job_id]
    return j.fires_between(at(start), at(end))


# -- cron --------------------------------------------------------------------------------------
def test_weekdays_and_weekends_follow_crontab_day_numbers(setup):
    config = setup(jobs(job("weekdays", "0 9 * * 1-5"), job("weekends", "30 10 * * 0,6"),
                        job("named", "0 9 * * mon-fri")))
    week = ("2026-11-01T00:00", "2026-11-08T23:59")  # Sunday to Sunday
    assert [d.strftime("%a %H:%M") for d in fires(config, "weekdays", *week)] == [
        "Mon 09:00", "Tue 09:00", "Wed 09:00", "Thu 09:00", "Fri 09:00"]
    assert [d.strftime("%a %d %H:%M") for d in fires(config, "weekends", *week)] == [
        "Sun 01 10:30", "Sat 07 10:30", "Sun 08 10:30"]
    assert fires(config, "named", *week) == fires(config, "weekdays", *week)


@pytest.mark.parametrize(("expr", "days"), [("0", "sun"), ("7", "sun"), ("*/2", "sun,tue,thu,sat"),
                                            ("5-7", "sun,fri,sat"), ("sat,sun", "sat,sun")])
def test_numeric_weekdays_mean_what_crontab_means(expr, days):
    trigger = parse_cron(f"0 9 * * {expr}", SH)
    first = trigger.get_next_fire_time(None, at("2026-11-01T00:00"))  # a Sunday
    names = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    seen, t = set(), first
    for _ in range(7):
        seen.add(names[t.weekday()])
        t = trigger.get_next_fire_time(None, t + timedelta(seconds=1))
    assert seen == set(days.split(","))


def test_fire_times_are_in_the_configured_timezone(setup):
    config = setup(jobs(job("ny", "0 9 * * *")), timezone="America/New_York")
    first, second = fires(config, "ny", "2026-10-31T00:00-04:00", "2026-11-01T23:59-05:00")
    assert (first.day, first.hour, first.utcoffset()) == (31, 9, timedelta(hours=-4))  # EDT
    assert (second.day, second.hour, second.utcoffset()) == (1, 9, timedelta(hours=-5))  # EST from Nov 1


def test_next_fire_is_strictly_after(setup):
    config = setup(jobs(job("d", "0 9 * * *")))
    [j] = load_schedules(config)
    assert j.next_fire(at("2026-11-02T09:00")) == at("2026-11-03T09:00")
    assert j.next_fire(at("2026-11-02T08:59:59")) == at("2026-11-02T09:00")


def test_the_year_boundary(setup):
    config = setup(jobs(job("new-year", "0 9 1 1 *"), job("friday", "0 18 * * fri")))
    assert fires(config, "new-year", "2026-06-01T00:00", "2028-01-02T00:00") == [
        at("2027-01-01T09:00"), at("2028-01-01T09:00")]
    assert fires(config, "friday", "2026-12-24T00:00", "2027-01-09T00:00") == [
        at("2026-12-25T18:00"), at("2027-01-01T18:00"), at("2027-01-08T18:00")]


def test_several_jobs_in_several_files(setup):
    config = setup(jobs(job("a", "0 9 * * *")), jobs(job("b", "30 8 * * *"), job("c", "0 20 * * sun")))
    source = ScheduleSource(load_schedules(config), timedelta(minutes=30))
    source._started = True
    assert [j.id for j in source.jobs] == ["a", "b", "c"]
    assert source.next_fire(at("2026-11-02T00:00")) == at("2026-11-02T08:30")
    assert source.next_fire(at("2026-11-02T08:30")) == at("2026-11-02T09:00")
    assert source.next_fire(at("2026-11-01T19:00")) == at("2026-11-01T20:00")


# -- errors ------------------------------------------------------------------------------------
BAD = [
    (jobs(job(cron="0 9 * *")), "00.yaml:3:11: jobs[0].cron: bad cron \"0 9 * *\": expected 5 fields "
     "(minute hour day-of-month month day-of-week), got 4"),
    (jobs(job(cron="0 25 * * *")), "00.yaml:3:11: jobs[0].cron: bad cron \"0 25 * * *\": Error validating "
     "expression '25': the last value (25) is higher than the maximum value (23)"),
    (jobs(job(cron="0 9 1 * mon")), "00.yaml:3:11: jobs[0].cron: bad cron \"0 9 1 * mon\": restricts both "
     "day-of-month and day-of-week (crontab means either one, APScheduler both): split it into two jobs"),
    (jobs(job().replace("cron:", "crn:")), "00.yaml:3:5: jobs[0].crn: unknown key (did you mean \"cron\"?)"),
    (jobs(job(action="anounce")), "00.yaml:5:13: jobs[0].action: unknown action \"anounce\" "
     "(did you mean \"announce\"?) (use announce, say, topic)"),
    (jobs(job(rooms="r1@chatroom")), "00.yaml:4:12: jobs[0].rooms: expected \"all\" or a list of room ids, "
     "got \"r1@chatroom\" (one room: [r1@chatroom])"),
    (jobs(job().replace('    text: "hello"\n', "    template: templates/nope.md\n")),
     "00.yaml:6:15: jobs[0].template: template file not found: \"templates/nope.md\" (looked in {dir}/schedules "
     "and {dir})"),
    (jobs(job() + "    template: templates/t.md\n"),
     "00.yaml:6:5: jobs[0].text: give either template: or text:, not both"),
    (jobs(job().replace('    text: "hello"\n', "")), "00.yaml:2:5: jobs[0]: needs template: (a file) or text: "
     "(inline)"),
    (jobs(job("a"), job("a")), "00.yaml:7:9: jobs[1].id: duplicate job id \"a\" (first defined at "
     "{dir}/schedules/00.yaml:2)"),
    (jobs(job(text="{servce_hours}")), "00.yaml:6:11: jobs[0].text: unknown placeholder {servce_hours} "
     "(did you mean \"service_hours\"?) (known: {service_hours}, {question_template}, {faq_index}, {date}, "
     "{room_topic})"),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_a_bad_schedule_names_file_line_and_key(setup, tmp_path, text, message):
    config = setup(templates={"t.md": "hi"})
    (tmp_path / "schedules" / "00.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_schedules(config)
    assert str(err.value) == f"{tmp_path}/schedules/" + message.replace("{dir}", str(tmp_path))


def test_a_duplicate_id_across_files(setup, tmp_path):
    config = setup(jobs(job("same")), jobs(job("other"), job("same")))
    with pytest.raises(ConfigError, match=r"01\.yaml:7:9: jobs\[1\]\.id: duplicate job id \"same\" "
                                          r"\(first defined at .*00\.yaml:2\)"):
        load_schedules(config)


def test_an_unknown_placeholder_in_a_template_names_the_template_line(setup, tmp_path):
    job_text = job().replace('    text: "hello"\n', "    template: templates/t.md\n")
    with pytest.raises(ConfigError) as err:
        setup(jobs(job_text), templates={"t.md": "第一行\n本周 {date} {faq_idx}\n"})
        load_schedules(load_config(tmp_path / "config.yaml"))
    assert str(err.value) == (f"{tmp_path}/schedules/templates/t.md:2:11: unknown placeholder {{faq_idx}} "
                              "(did you mean \"faq_index\"?) (known: {service_hours}, {question_template}, "
                              "{faq_index}, {date}, {room_topic}) (template of job \"j\")")


def test_a_template_is_found_next_to_the_config_too(setup, tmp_path):
    (tmp_path / "notice.md").write_text("公告 {date}", encoding="utf-8")
    config = setup(jobs(job().replace('    text: "hello"\n', "    template: notice.md\n")))
    [j] = load_schedules(config)
    assert j.template == tmp_path / "notice.md"


# -- running: a small driver over App's timed sources ------------------------------------------
def start(config, db: Path, when: str) -> App:
    app = App.create(config, SimClock(at(when)), None, db_url=f"sqlite:///{db}")
    app.start_timers(at(when))
    return app


def run_until(app: App, until: str) -> list[tuple[datetime, object]]:
    out = []
    while (nxt := app.next_timer()) is not None and nxt[0] <= at(until):
        when, source = nxt
        app.clock.set(when)
        out += [(when, a) for a in app.fire(when, source) if a.reason == "schedule"]
    app.db.close()
    return out


def posts(app_actions):
    return [(when.isoformat(), a.kind, a.room, a.job) for when, a in app_actions if a.reason == "schedule"]


def test_templates_are_rendered_with_placeholders(setup, tmp_path):
    template = "【{room_topic}｜{date}】\n提问模板：{question_template}\n服务时间：{service_hours}\n{faq_index}\n{json}"
    config = setup(jobs(job("notice", "0 9 * * mon", action="announce").replace(
        '    text: "hello"\n', "    template: templates/notice.md\n")), templates={"notice.md": template})
    with pytest.raises(ConfigError, match="unknown placeholder {json}"):
        load_schedules(config)
    (tmp_path / "schedules" / "templates" / "notice.md").write_text(template.replace("\n{json}", " {\"a\": 1}"))
    app = start(config, tmp_path / "s.db", "2026-11-01T20:00")
    from bot.store.rooms import record_room
    record_room(app.db, "小助手", "r1@chatroom", "星火写作营", at("2026-11-01T20:00"))
    [(when, action)] = run_until(app, "2026-11-02T12:00")
    assert isinstance(action, Announce) and action.job == "notice" and action.reason == "schedule"
    assert action.text.splitlines() == [
        "【星火写作营｜11月2日 周一】", "提问模板：【问题】… 【已尝试】… 【截图】…",
        "服务时间：周一至周五 09:00-18:00；周六 10:00-12:00、14:00-17:00",
        "1. 怎么开发票？", "2. 可以退款吗？", "3. 多久发货？", "4. 怎么查物流？", "5. 会员多少钱一年？",
        '6. 怎么取消自动续费？ {"a": 1}']


def test_actions_per_kind_and_rooms_all_means_rooms_seen(setup, tmp_path):
    config = setup(jobs(job("a", "0 9 * * *", rooms="all", action="say", text="早 {room_topic}"),
                        job("t", "0 8 9 11 *", rooms="[r2@chatroom]", action="topic", text="第2周")))
    app = start(config, tmp_path / "s.db", "2026-11-08T08:00")
    from bot.store.rooms import record_room
    record_room(app.db, "小助手", "r2@chatroom", "B群", at("2026-11-08T08:00"))
    record_room(app.db, "小助手", "r1@chatroom", "A群", at("2026-11-08T08:00"))
    got = run_until(app, "2026-11-09T10:00")
    assert [(w.isoformat(), type(a).__name__, a.room, a.text) for w, a in got] == [
        ("2026-11-08T09:00:00+08:00", "Say", "r1@chatroom", "早 A群"),
        ("2026-11-08T09:00:00+08:00", "Say", "r2@chatroom", "早 B群"),
        ("2026-11-09T08:00:00+08:00", "SetTopic", "r2@chatroom", "第2周"),
        ("2026-11-09T09:00:00+08:00", "Say", "r1@chatroom", "早 A群"),
        ("2026-11-09T09:00:00+08:00", "Say", "r2@chatroom", "早 B群"),
    ]
    assert all(isinstance(a, Say | SetTopic) and a.job in ("a", "t") for _, a in got)


# -- exactly once ------------------------------------------------------------------------------
def test_a_restart_inside_the_grace_time_posts_the_missed_one_once(setup, tmp_path):
    config = setup(jobs(job("daily", "0 9 * * *")))  # grace 30 minutes by default
    db = tmp_path / "s.db"
    assert run_until(start(config, db, "2026-11-02T08:00"), "2026-11-02T08:55") == []  # then down at 08:55
    got = run_until(start(config, db, "2026-11-02T09:20"), "2026-11-02T09:40")
    assert posts(got) == [("2026-11-02T09:20:00+08:00", "say", "r1@chatroom", "daily")]
    assert run_until(start(config, db, "2026-11-02T09:25"), "2026-11-02T12:00") == []  # another restart
    got = run_until(start(config, db, "2026-11-02T12:00"), "2026-11-03T09:00")
    assert posts(got) == [("2026-11-03T09:00:00+08:00", "say", "r1@chatroom", "daily")]


def test_a_restart_outside_the_grace_time_skips_and_logs(setup, tmp_path, caplog):
    config = setup(jobs(job("daily", "0 9 * * *")), extra="schedule:\n  grace_minutes: 15\n")
    db = tmp_path / "s.db"
    run_until(start(config, db, "2026-11-02T08:00"), "2026-11-02T08:55")
    with caplog.at_level(logging.WARNING, logger="qunbot.schedule"):
        got = run_until(start(config, db, "2026-11-02T09:16"), "2026-11-02T12:00")
    assert got == []
    [record] = [r for r in caplog.records if r.name == "qunbot.schedule"]
    assert "skipped 1 missed post(s) of job daily, the latest due 2026-11-02T09:00:00+08:00" in record.getMessage()


def test_a_post_made_before_a_restart_is_not_repeated(setup, tmp_path):
    config = setup(jobs(job("daily", "0 9 * * *")))
    db = tmp_path / "s.db"
    first = run_until(start(config, db, "2026-11-02T08:00"), "2026-11-02T09:05")
    assert len(posts(first)) == 1
    assert run_until(start(config, db, "2026-11-02T09:10"), "2026-11-02T12:00") == []


def test_a_fresh_database_has_missed_nothing(setup, tmp_path):
    config = setup(jobs(job("daily", "0 9 * * *")))
    assert run_until(start(config, tmp_path / "s.db", "2026-11-02T09:10"), "2026-11-02T12:00") == []


def test_replace_jobs_swaps_at_once_and_never_fires_a_slot_before_the_swap(setup, tmp_path):
    config = setup(jobs(job("a", "0 9 * * *")))
    source = ScheduleSource(load_schedules(config), timedelta(minutes=30))
    source._started = True
    (tmp_path / "schedules" / "00.yaml").write_text(jobs(job("b", "30 9 * * *")), encoding="utf-8")
    source.replace_jobs(load_schedules(config), now=at("2026-11-02T10:00"))
    assert [j.id for j in source.jobs] == ["b"]
    assert source.next_fire(at("2026-11-02T09:00")) == at("2026-11-03T09:30")


# -- replay ------------------------------------------------------------------------------------
WEEK_SCHEDULE = jobs(job("weekly", "0 9 * * mon", rooms="all", action="announce", text="本周公告 {date}"),
                     job("daily", "0 9 * * mon-sat", rooms="all", text="早上好"))


def week_log() -> list[str]:
    start = at("2026-11-01T10:00")  # Sunday
    return log_lines(*[{"ts": (start + timedelta(hours=12 * i)).isoformat(), "text": "哈哈"} for i in range(15)])


def test_replaying_the_same_log_twice_into_one_database_posts_nothing_the_second_time(setup, tmp_path):
    config = setup(WEEK_SCHEDULE)
    url = f"sqlite:///{tmp_path / 'r.db'}"
    first = replay_sync(week_log(), config, db_url=url)
    assert [a["job"] for a in first.actions].count("daily") == 6
    second = replay_sync(week_log(), config, db_url=url)
    assert [a for a in second.actions if a["reason"] == "schedule"] == []
    again = replay_sync(week_log(), config, db_url=f"sqlite:///{tmp_path / 'fresh.db'}")
    assert again.actions == first.actions  # deterministic


def test_qunbot_replay_of_a_week_shows_each_scheduled_post_at_its_time_once(setup, tmp_path):
    setup(WEEK_SCHEDULE)
    log = tmp_path / "week.jsonl"
    log.write_text("\n".join(week_log()) + "\n", encoding="utf-8")
    out = tmp_path / "actions.jsonl"
    result = CliRunner().invoke(main, ["replay", str(log), "--config", str(tmp_path / "config.yaml"),
                                       "--out", str(out), "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    scheduled = [(a["ts"], a["kind"], a["job"], a["text"]) for a in lines if a["reason"] == "schedule"]
    assert scheduled[0] == ("2026-11-02T09:00:00+08:00", "announce", "weekly", "本周公告 11月2日 周一")
    assert scheduled[1] == ("2026-11-02T09:00:03+08:00", "say", "daily", "早上好")  # the room's pacing
    days = [ts[:10] for ts, _, job_id, _ in scheduled if job_id == "daily"]
    assert days == ["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05", "2026-11-06", "2026-11-07"]
    assert len(scheduled) == 7 and all(a["room"] == "r1@chatroom" for a in lines if a["reason"] == "schedule")
