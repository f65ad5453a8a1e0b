"""Rooms: every room event records the room and its latest topic for this bot account.

The only writer of ``bot.store.rooms``. It runs right after the guard (stale backlog counts too) and
keeps this account's rooms in memory, so it writes only when a room is new or its topic changed, not
on every message. Handlers read the same memory (``rooms_of``): operators name rooms by topic in a
direct message, ``#今日`` / ``#达人`` there cover this account's rooms.
"""

from __future__ import annotations

from datetime import datetime

from bot.context import Context
from bot.dispatch import Outcome
from bot.events import Event, Join, Leave, Message
from bot.store.rooms import known_rooms, match_room, record_room

_KEY = "rooms"
_ROOM_EVENTS = (Message, Join, Leave)


def rooms_of(ctx: Context) -> dict[str, str]:
    """Room id -> latest topic (``""`` unknown) of the rooms this account has seen; read from the
    database once, then kept up to date by ``RoomRecorder``."""
    account = ctx.config.account
    cached = ctx.memory.extra.get(_KEY)
    if cached is None or cached[0] != account:
        rooms = known_rooms(ctx.store, account) if ctx.store is not None else {}
        cached = ctx.memory.extra[_KEY] = (account, rooms)
    return cached[1]


def topic_of(ctx: Context, room: str) -> str:
    """The room's topic, or its id when the topic is not known."""
    return rooms_of(ctx).get(room) or room


def resolve_room(ctx: Context, name: str) -> str | None:
    """A room id or topic (exact, else a unique prefix) to one of this account's room ids."""
    return match_room(rooms_of(ctx), name)


def note_room(ctx: Context, room: str, topic: str | None, when: datetime) -> None:
    """Remember a room and its topic; writes only when the room is new or its topic changed."""
    rooms = rooms_of(ctx)
    known = rooms.get(room)
    if known is not None and (not topic or topic == known):
        return
    rooms[room] = topic or known or ""
    if ctx.store is not None:
        record_room(ctx.store, ctx.config.account, room, topic, when)


class RoomRecorder:
    name = "rooms"

    def handle(self, event: Event, ctx: Context) -> Outcome | None:
        if isinstance(event, _ROOM_EVENTS) and event.room is not None:
            note_room(ctx, event.room, event.room_topic, event.ts)
        return None
