"""Reading recorded chat logs (JSON lines, interfaces.md) into events.

A malformed line is reported with its line number and skipped; the rest of the log goes on.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.events import Event, Join, Leave, Message, MessageType
from bot.mentions import mentions_bot

log = logging.getLogger("qunbot.replay")

MESSAGE_TYPES = {t.value for t in MessageType} - {"other"}
LOG_TYPES = MESSAGE_TYPES | {"join", "leave"}


class BadLine(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Skipped:
    line: int
    problem: str


def parse_line(record: Any, bot_names: Iterable[str]) -> Event:
    """One log record to an event; raises BadLine naming the problem."""
    if not isinstance(record, dict):
        raise BadLine("expected a JSON object")
    for key in ("id", "ts", "sender"):
        if not isinstance(record.get(key), str) or not record[key]:
            raise BadLine(f'missing or empty "{key}"')
    try:
        ts = datetime.fromisoformat(record["ts"])
    except ValueError:
        raise BadLine(f'bad "ts" {record["ts"]!r} (expected ISO 8601 with offset)') from None
    if ts.tzinfo is None:
        raise BadLine(f'"ts" {record["ts"]!r} has no UTC offset')
    kind = record.get("type", "text")
    if kind not in LOG_TYPES:
        raise BadLine(f'unknown "type" {kind!r} (one of {", ".join(sorted(LOG_TYPES))})')
    room = record.get("room")
    if room is not None and not isinstance(room, str):
        raise BadLine('"room" must be a string or null')
    topic = record.get("room_topic")
    name = record.get("sender_name") or record["sender"]
    if kind in ("join", "leave"):
        if not room:
            raise BadLine(f'a "{kind}" line needs a room')
        cls = Join if kind == "join" else Leave
        return cls(id=record["id"], ts=ts, room=room, member=record["sender"], member_name=str(name),
                   room_topic=topic)
    text = record.get("text") or ""
    if not isinstance(text, str):
        raise BadLine('"text" must be a string')
    mentions = record.get("mentions") or []
    if not isinstance(mentions, list) or not all(isinstance(m, str) for m in mentions):
        raise BadLine('"mentions" must be a list of contact ids')
    quote = record.get("quote")
    return Message(id=record["id"], ts=ts, room=room, sender=record["sender"], sender_name=str(name),
                   text=text, type=MessageType(kind), room_topic=topic, mentions=tuple(mentions),
                   mentions_bot=mentions_bot(text, mentions, bot_names),
                   quote=quote if isinstance(quote, str) else None)


def read_events(lines: Iterable[str], bot_names: Iterable[str],
                skipped: list[Skipped] | None = None) -> Iterator[Event]:
    """Events from JSON lines; bad lines are logged with their number, kept in ``skipped``."""
    names = tuple(bot_names)
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield parse_line(json.loads(line), names)
        except (json.JSONDecodeError, BadLine) as exc:
            problem = f"bad JSON: {exc.msg}" if isinstance(exc, json.JSONDecodeError) else str(exc)
            log.warning("log line %d skipped: %s", number, problem)
            if skipped is not None:
                skipped.append(Skipped(number, problem))
