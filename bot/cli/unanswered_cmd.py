"""``qunbot unanswered``: what members keep asking that the FAQ does not answer, biggest group first."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from bot.config import Config, load_config
from bot.store import Database
from bot.unanswered import UnansweredGroup, top_groups

CONFIG_FILE = click.Path(dir_okay=False, path_type=Path)


def parse_since(value: str | None, tz: ZoneInfo) -> datetime | None:
    """``YYYY-MM-DD`` (the start of that local day) or an ISO date-time; ValueError names the option."""
    if value is None:
        return None
    try:
        return datetime.combine(date.fromisoformat(value), time(0), tz)
    except ValueError:
        pass
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"--since: {value!r} is not a date (YYYY-MM-DD)") from None
    return when if when.tzinfo else when.replace(tzinfo=tz)


def load_groups(config: Config, db_url: str | None, since: str | None, top: int | None) -> list[UnansweredGroup]:
    when = parse_since(since, config.tz)
    db = Database(db_url or config.database_url())
    try:
        return top_groups(db, since=when, limit=top)
    finally:
        db.close()


@click.command("unanswered")
@click.option("--config", "config_path", type=CONFIG_FILE, required=True)
@click.option("--db", "db_url", help="SQLAlchemy URL (default: the config's database).")
@click.option("--since", help="Only questions asked from this date (YYYY-MM-DD) on.")
@click.option("--top", type=click.IntRange(min=1), help="Show at most this many groups (default: all).")
@click.option("--json", "as_json", is_flag=True, help='Print {"groups": [...]} as JSON.')
def unanswered_command(config_path: Path, db_url: str | None, since: str | None, top: int | None,
                       as_json: bool) -> None:
    """Questions nobody's FAQ answered, grouped so that variants count together."""
    groups = load_groups(load_config(config_path), db_url, since, top)
    if as_json:
        click.echo(json.dumps({"groups": [g.to_dict() for g in groups]}, ensure_ascii=False))
        return
    if not groups:
        click.echo("No unanswered questions recorded.")
        return
    for g in groups:
        rooms = ", ".join(g.rooms) or "私信"
        click.echo(f"{g.count:>4}×  {g.text}   [{rooms}]")
        for v in g.variants:
            click.echo(f"        · {v}")
