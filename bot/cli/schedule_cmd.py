"""``qunbot schedule list|preview``: what the schedule will post, and when, before it does."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click

from bot.cli.common import parse_when
from bot.config import Config, load_config
from bot.faq import load_faq
from bot.schedule import Job, date_words, load_schedules, render_job

ALL_ROOMS = "all rooms"


def _known_rooms(config: Config, db_url: str | None) -> dict[str, str | None]:
    """This account's rooms from the database, without creating one just to list (a missing SQLite
    file: none)."""
    url = db_url or config.database_url()
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:" and not Path(url[len("sqlite:///"):]).exists():
        return {}
    from bot.store import Database
    from bot.store.rooms import known_rooms

    db = Database(url)
    try:
        return {room: topic or None for room, topic in known_rooms(db, config.account).items()}
    finally:
        db.close()


def _rooms(job: Job, known: dict[str, str | None]) -> list[str]:
    if job.rooms is not None:
        return list(job.rooms)
    return list(known) or [ALL_ROOMS]


def _find(jobs: list[Job], job_id: str) -> Job:
    for job in jobs:
        if job.id == job_id:
            return job
    known = ", ".join(j.id for j in jobs) or "none"
    raise ValueError(f'unknown job "{job_id}" (known jobs: {known})')


@click.group("schedule")
def schedule_group() -> None:
    """Scheduled announcements and reminders (schedules/*.yaml)."""


@schedule_group.command("list")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--count", default=3, show_default=True, type=click.IntRange(1, 100), help="Fire times per job.")
@click.option("--db", "db_url", help="Where known rooms are (default: the config's database).")
@click.option("--after", help="List fire times after this ISO time (default: now).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per job.")
def list_command(config_path: Path, count: int, db_url: str | None, after: str | None, as_json: bool) -> None:
    """Each job's next fire times, per room, in the configured timezone."""
    config = load_config(config_path)
    jobs = load_schedules(config)
    start = parse_when(after, config.tz, "--after") or datetime.now(config.tz)
    known = _known_rooms(config, db_url)
    if not jobs:
        click.echo(f"no schedule jobs in {config.schedules_path}")
        return
    for job in jobs:
        times, t = [], start
        for _ in range(count):
            t = job.next_fire(t)
            times.append(t.astimezone(config.tz))
        rooms = _rooms(job, known)
        if as_json:
            click.echo(json.dumps({"job": job.id, "cron": job.cron, "action": job.action, "rooms": rooms,
                                   "next": [x.isoformat() for x in times]}, ensure_ascii=False))
            continue
        click.echo(f"{job.id}  {job.action}  \"{job.cron}\"  ({job.source})")
        for when in times:
            stamp = f"{when:%Y-%m-%d %H:%M} {date_words(when).split()[-1]} {when:%z}"
            for room in rooms:
                click.echo(f"  {stamp}  {room}")


@schedule_group.command("preview")
@click.argument("job_id")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--room", help="Render for this room (default: the job's first room).")
@click.option("--db", "db_url", help="Where room topics are (default: the config's database).")
@click.option("--at", help="Render as if fired at this ISO time (default: the next fire time).")
def preview_command(job_id: str, config_path: Path, room: str | None, db_url: str | None, at: str | None) -> None:
    """The text JOB_ID would post."""
    config = load_config(config_path)
    job = _find(load_schedules(config), job_id)
    known = _known_rooms(config, db_url)
    when = parse_when(at, config.tz, "--at") or job.next_fire(datetime.now(config.tz))
    room = room or next(iter(_rooms(job, known)))
    questions = [e.question for e in load_faq(config.faq_path).entries]
    text = render_job(job, config, questions, when, known.get(room))
    click.echo(f"# {job.id} ({job.action}) for {room} at {when.astimezone(config.tz).isoformat()}")
    click.echo(text)
