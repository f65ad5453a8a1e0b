"""Paused rooms: an operator's ``#暂停`` silences the bot in one room, across restarts.

Also the room's running notes, kept by ``RoomNotes`` with the recorders (before the stale guard, so
backlog counts): the day's message count (``#今日``) and a short ring buffer of recent lines (context
for a hand-off). Rooms and their topics are ``handlers/rooms.py``'s.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime

from sqlalchemy import select

from bot.context import Context
from bot.dispatch import STOP, Outcome
from bot.events import MEDIA_TEXT, Event, Message
from bot.store.unanswered_models import PausedRoom
from bot.unanswered import bump_day, flush_pending, to_utc
from handlers.rooms import rooms_of

RECENT_LINES = 20
"""Lines kept per room; a hand-off shows the last ``handoff.context_lines`` of them."""


# -- paused rooms --------------------------------------------------------------------------------
def paused_rooms(ctx: Context) -> set[str]:
    """``ctx.memory.paused_rooms``, filled from the database the first time it is asked for."""
    if not ctx.memory.extra.get("paused_loaded"):
        ctx.memory.extra["paused_loaded"] = True
        if ctx.store is not None:
            with ctx.store.session() as s:
                ctx.memory.paused_rooms.update(s.scalars(select(PausedRoom.room)))
    return ctx.memory.paused_rooms


def set_paused(ctx: Context, room: str, paused: bool, by: str = "") -> bool:
    """Pause or resume a room; False when it already was in that state."""
    rooms = paused_rooms(ctx)
    if (room in rooms) == paused:
        return False
    if ctx.store is not None:
        with ctx.store.session() as s:
            row = s.get(PausedRoom, room)
            if paused and row is None:
                s.add(PausedRoom(room=room, topic=rooms_of(ctx).get(room, ""), by=by,
                                 ts=to_utc(ctx.now)))
            elif not paused and row is not None:
                s.delete(row)
    if paused:
        rooms.add(room)
    else:
        rooms.discard(room)
    return True


# -- room notes ----------------------------------------------------------------------------------
def _buffer_key(msg: Message) -> str:
    return msg.room if msg.room is not None else f"dm:{msg.sender}"


def remember(ctx: Context, msg: Message) -> None:
    """Add a message to its room's ring buffer of recent lines."""
    buffers: dict[str, deque[tuple[str, datetime, str, str, str]]] = ctx.memory.extra.setdefault("recent", {})
    buf = buffers.setdefault(_buffer_key(msg), deque(maxlen=RECENT_LINES))
    if buf and buf[-1][0] == msg.id:
        return
    text = MEDIA_TEXT.get(msg.type, " ".join(msg.text.split()))
    buf.append((msg.id, msg.ts, msg.sender, msg.sender_name, text))


def recent(ctx: Context, msg: Message, n: int) -> list[tuple[str, datetime, str, str, str]]:
    """The last ``n`` lines of the message's room before it: (id, time, sender, name, text)."""
    buf = ctx.memory.extra.get("recent", {}).get(_buffer_key(msg), ())
    before = [line for line in buf if line[0] != msg.id]
    return before[-n:] if n > 0 else []


class RoomNotes:
    """Keeps each room's message count for today and its last lines (hand-off context).

    Runs with the recorders, before the stale guard, so backlog delivered at start-up counts too."""

    name = "notes"

    def handle(self, event: Event, ctx: Context) -> Outcome | None:
        if not isinstance(event, Message):
            return None
        remember(ctx, event)
        if event.room is not None and ctx.store is not None:
            bump_day(ctx.store, event.room, event.ts.astimezone(ctx.config.tz).date(), messages=1)
        return None

    def flush(self, ctx: Context) -> None:
        """Write the buffered unanswered questions and day counters (the app calls this)."""
        if ctx.store is not None:
            flush_pending(ctx.store)


class Paused:
    """A paused room: every member message stops here (operators' commands ran before)."""

    name = "paused"

    def handle(self, event: Event, ctx: Context) -> Outcome | None:
        if isinstance(event, Message) and event.room is not None and event.room in paused_rooms(ctx):
            return STOP
        return None
