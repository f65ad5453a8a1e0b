"""Welcome newcomers, one message per burst of joins.

A join opens a window of ``welcome.window_seconds`` for its room; joins inside it are added, a
member who leaves inside it is dropped, and when it closes one welcome @mentions them all. The
window closes on ``WelcomeSource``, a timed source, so replay and live runs post the welcome at
the window's end (a dispatched event wakes the live timer loop, so a new window is seen at once);
any later event also flushes a window that is overdue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.actions import Action, Say
from bot.config import Config
from bot.context import Context
from bot.dispatch import Outcome, reply
from bot.events import SELF_ID, Event, Join, Leave, Message
from bot.schedule import UNKNOWN_TOPIC, render

_PENDING = "welcome_pending"


@dataclass(slots=True)
class Window:
    room: str
    topic: str | None
    ends: datetime
    members: dict[str, str] = field(default_factory=dict)
    """Member id -> name, in join order."""


@dataclass(slots=True)
class PendingWelcomes:
    windows: dict[str, Window] = field(default_factory=dict)

    def next_end(self) -> datetime | None:
        return min((w.ends for w in self.windows.values()), default=None)

    def pop_due(self, when: datetime) -> list[Window]:
        due = sorted((w for w in self.windows.values() if w.ends <= when), key=lambda w: (w.ends, w.room))
        for w in due:
            del self.windows[w.room]
        return due


def pending_welcomes(ctx: Context) -> PendingWelcomes:
    found = ctx.memory.extra.get(_PENDING)
    if not isinstance(found, PendingWelcomes):
        found = ctx.memory.extra[_PENDING] = PendingWelcomes()
    return found


def welcome_enabled(config: Config, room: str) -> bool:
    settings = config.welcome
    per_room = settings.rooms.get(room)
    return settings.enabled and (per_room is None or per_room.enabled)


def welcome_text(config: Config, room: str, names: list[str], topic: str | None) -> str:
    per_room = config.welcome.rooms.get(room)
    template = per_room.text if per_room is not None and per_room.text else config.welcome.text
    values = {"names": "、".join(names), "room_topic": topic or UNKNOWN_TOPIC,
              "question_template": config.question_template, "service_hours": config.hours.summary()}
    return render(template, values).strip()


def welcome_action(config: Config, window: Window) -> Say | None:
    if not window.members:
        return None
    text = welcome_text(config, window.room, list(window.members.values()), window.topic)
    return Say(room=window.room, text=text, to=tuple(window.members), reason="welcome")


def flush_due(ctx: Context, when: datetime) -> list[Action]:
    out: list[Action] = []
    for window in pending_welcomes(ctx).pop_due(when):
        action = welcome_action(ctx.config, window)
        if action is not None:
            out.append(action)
    return out


class Welcome:
    """The handler: opens/extends welcome windows, drops members who left."""

    name = "welcome"

    def handle(self, event: Event, ctx: Context) -> Outcome | None:
        if not isinstance(event, Message | Join | Leave) or event.room is None:
            return None
        actions = flush_due(ctx, ctx.now)  # overdue windows (a live timer that slept through)
        if isinstance(event, Leave):
            window = pending_welcomes(ctx).windows.get(event.room)
            if window is not None:
                window.members.pop(event.member, None)
        elif isinstance(event, Join):
            actions += self._join(event, ctx)
        return reply(*actions, stop=False) if actions else None

    def _join(self, event: Join, ctx: Context) -> list[Action]:
        config = ctx.config
        if (event.member == SELF_ID or event.member in config.bot.ignore or ctx.scratch.get("stale")
                or not welcome_enabled(config, event.room)):
            return []
        seconds = config.welcome.window_seconds
        windows = pending_welcomes(ctx).windows
        window = windows.get(event.room)
        if window is None:
            window = Window(event.room, event.room_topic, ctx.now + timedelta(seconds=seconds))
            windows[event.room] = window
        window.topic = event.room_topic or window.topic
        window.members[event.member] = event.member_name or event.member
        if seconds == 0:
            return flush_due(ctx, ctx.now)
        return []


class WelcomeSource:
    """Closes welcome windows at their end time (a TimedSource)."""

    name = "welcome"

    def __init__(self) -> None:
        self._pending: PendingWelcomes | None = None

    def next_fire(self, after: datetime) -> datetime | None:
        if self._pending is None:
            return after  # bind to the app's memory at the start time
        end = self._pending.next_end()
        return None if end is None else max(end, after)

    def fire(self, when: datetime, ctx: Context) -> list[Action]:
        self._pending = pending_welcomes(ctx)
        return flush_due(ctx, when)

