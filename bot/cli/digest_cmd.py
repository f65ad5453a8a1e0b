"""``qunbot digest --config C``: the operators' daily digest from the database (text, JSON or HTML)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import click

from bot.config import load_config
from bot.digest import account_rooms, build_digest, render_text
from bot.store import Database


def _parse_date(value: str | None, today: date) -> date:
    if value is None:
        return today - timedelta(days=1)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint="--date") from None


@click.command("digest")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--db", "db_url", help="SQLAlchemy URL (default: the config's database).")
@click.option("--date", "day", help="The digest's date, YYYY-MM-DD (default: yesterday).")
@click.option("--json", "as_json", is_flag=True, help="Print the digest as JSON.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a self-contained HTML page to this file.")
@click.option("--all-rooms", is_flag=True,
              help="Every room in the database, not only those this bot account (bot.account) has seen.")
def digest_command(config_path: Path, db_url: str | None, day: str | None, as_json: bool,
                   html_file: Path | None, all_rooms: bool) -> None:
    """Print the daily digest (KOL candidates, who is fading, unanswered questions) of the rooms this
    bot account has seen, as its evening DM shows it."""
    config = load_config(config_path)
    when = _parse_date(day, datetime.now(config.tz).date())
    db = Database(db_url or config.database_url())
    try:
        rooms = None if all_rooms else account_rooms(db, config)
        digest = build_digest(db, config, when, with_daily=html_file is not None, rooms=rooms)
    finally:
        db.close()
    if html_file is not None:
        from bot.digest_html import render_html

        html_file.write_text(render_html(digest), encoding="utf-8")
    if as_json:
        click.echo(json.dumps(digest.to_json(), ensure_ascii=False))
    else:
        click.echo(render_text(digest, config.digest.max_chars))
