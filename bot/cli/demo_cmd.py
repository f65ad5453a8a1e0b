"""``qunbot demo``: the bundled community replayed offline, shown as a readable conversation."""

from __future__ import annotations

import tempfile
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bot.actions import Action
from bot.config import load_config
from bot.demo import CHAT_LOG, config_path
from bot.events import MEDIA_TEXT, Event, Join, Leave, Message
from bot.replay import replay_sync
from bot.service_hours import DAY_WORDS

KIND_LABEL = {"say": "", "announce": "📢 群公告 ", "topic": "✏️ 群名改为 ", "dm": "✉️ 私信 "}


class ChatView:
    """Prints events and the bot's actions in time order, like a group chat window."""

    def __init__(self, console: Console, bot_name: str) -> None:
        self.console = console
        self.bot_name = bot_name
        self.names: dict[str, str] = {}
        self.topics: dict[str, str] = {}
        self.day: date | None = None
        self.replies: Counter[str] = Counter()
        self.messages = 0

    def _stamp(self, when: Any, room: str | None) -> str:
        if when.date() != self.day:
            self.day = when.date()
            self.console.rule(f"{when:%Y-%m-%d} {DAY_WORDS[when.weekday()]}", style="dim")
        where = self.topics.get(room or "", room or "私信") if room else "私信"
        return f"[dim]{when:%H:%M}[/] [cyan]{escape(where)}[/]"

    def event(self, event: Event) -> None:
        room = getattr(event, "room", None)
        topic = getattr(event, "room_topic", None)
        if room and topic:
            self.topics[room] = topic
        if isinstance(event, Message):
            self.names[event.sender] = event.sender_name
            self.messages += 1
            body = MEDIA_TEXT.get(event.type, event.text.replace("\u2005", " "))
            self.console.print(f"{self._stamp(event.ts, room)} [bold]{escape(event.sender_name)}[/]: "
                               f"{escape(body)}")
        elif isinstance(event, Join | Leave):
            self.names[event.member] = event.member_name
            verb = "加入了群聊" if isinstance(event, Join) else "离开了群聊"
            self.console.print(f"{self._stamp(event.ts, room)} [dim]{escape(event.member_name)} {verb}[/]")

    def action(self, record: dict[str, Any], action: Action) -> None:
        when = datetime.fromisoformat(record["ts"])
        self.replies[record["reason"]] += 1
        to = " ".join("@" + self.names.get(t, t) for t in record["to"]) if record["kind"] != "dm" else \
            "→ " + self.names.get(record["to"][0], record["to"][0])
        tag = f"[dim]({record['reason']}{': ' + record['faq'] if record['faq'] else ''}"
        tag += f"{' ' + record['job'] if record['job'] else ''})[/]"
        text = escape(record["text"]).replace("\n", "\n      ")
        self.console.print(f"{self._stamp(when, record['room'])} [bold green]🤖 {escape(self.bot_name)}[/] "
                           f"{KIND_LABEL[record['kind']]}{escape(to)} {text} {tag}")


@click.command("demo")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Another community's config (default: the bundled one).")
@click.option("--log", "log_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Another chat log (default: the bundled one).")
@click.option("--db", "db_url", help="Keep the demo's data in this database (default: a temporary file).")
def demo_command(config_file: Path | None, log_file: Path | None, db_url: str | None) -> None:
    """Replay a bundled community offline and show the bot at work (no account, no network)."""
    config = load_config(config_file or config_path())
    console = Console(highlight=False, soft_wrap=True)
    view = ChatView(console, config.bot.name)
    console.print(f"[bold]qunbot demo[/]: {escape(config.bot.name)} in a replayed community "
                  f"(offline, simulated clock; service hours {escape(config.hours.summary())})\n")
    with tempfile.TemporaryDirectory() as tmp:
        url = db_url or f"sqlite:///{Path(tmp) / 'demo.db'}"
        with (log_file or CHAT_LOG).open(encoding="utf-8") as lines:
            result = replay_sync(lines, config, db_url=url, on_event=view.event, on_action=view.action)
        digest = _digest_text(config, url, view.day)
    table = Table(title="What the bot did", show_header=True)
    table.add_column("reason")
    table.add_column("actions", justify="right")
    for reason, n in view.replies.most_common():
        table.add_row(reason, str(n))
    console.print()
    console.print(table)
    console.print(f"{result.events} events replayed, {view.messages} member messages, "
                  f"{len(result.actions)} bot actions; silent on everything else.")
    if digest:
        console.print()
        console.rule(f"operators' digest for {view.day} (qunbot digest)", style="dim")
        console.print(escape(digest))


def _digest_text(config: Any, url: str, day: date | None) -> str:
    """The digest the operators would get for the demo's last day, read back from its database."""
    from bot.digest import account_rooms, build_digest, render_text
    from bot.store import Database

    if day is None:
        return ""
    db = Database(url)
    try:
        return render_text(build_digest(db, config, day, rooms=account_rooms(db, config)), config.digest.max_chars)
    finally:
        db.close()
