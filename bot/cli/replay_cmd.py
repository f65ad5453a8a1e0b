"""``qunbot replay LOG --config C``: the whole bot offline over a recorded log; actions as JSON lines."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from bot.cli.common import parse_when
from bot.config import load_config
from bot.replay import replay_sync


@click.command("replay")
@click.argument("log", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--db", "db_url", help="SQLAlchemy URL (default: the config's database).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Action lines file (default: stdout).")
@click.option("--until", help="Run timed jobs up to this ISO time (default: the last message's time).")
def replay_command(log: Path, config_path: Path, db_url: str | None, out: Path | None,
                   until: str | None) -> None:
    """Replay LOG (JSON lines) through the bot on a simulated clock."""
    config = load_config(config_path)
    until_at = parse_when(until, config.tz)
    with log.open(encoding="utf-8") as lines:
        if out is None:
            result = replay_sync(lines, config, db_url=db_url, out=sys.stdout, until=until_at)
        else:
            with out.open("w", encoding="utf-8") as stream:
                result = replay_sync(lines, config, db_url=db_url, out=stream, until=until_at)
    summary = f"qunbot replay: {result.events} events, {len(result.actions)} actions"
    if result.skipped:
        summary += f", {len(result.skipped)} bad line(s) skipped: " + "; ".join(
            f"line {s.line}: {s.problem}" for s in result.skipped[:5])
    click.echo(summary, err=True)
