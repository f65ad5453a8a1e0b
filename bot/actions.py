"""Actions: what the bot wants done, as small frozen values.

Handlers return them; the outbox paces and sends them; the adapter (live) or the recorder
(replay, tests) carries them out. ``to_record`` gives the action-line format of interfaces.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class Say:
    """A room message; ``to`` holds the contact ids the message @mentions."""

    room: str
    text: str
    to: tuple[str, ...] = ()
    reason: str = "faq"
    reply_to: str | None = None
    faq: str | None = None
    job: str | None = None
    merged: tuple[str, ...] = field(default=())
    kind = "say"


@dataclass(frozen=True, slots=True)
class Announce:
    """Set the room announcement (群公告)."""

    room: str
    text: str
    reason: str = "schedule"
    job: str | None = None
    kind = "announce"


@dataclass(frozen=True, slots=True)
class SetTopic:
    """Rename the room (群名称)."""

    room: str
    text: str
    reason: str = "schedule"
    job: str | None = None
    kind = "topic"


@dataclass(frozen=True, slots=True)
class DirectMessage:
    """A direct (private) message to one contact."""

    contact: str
    text: str
    reason: str = "digest"
    job: str | None = None
    reply_to: str | None = None
    kind = "dm"


Action = Say | Announce | SetTopic | DirectMessage



def conversation(action: Action) -> str:
    """The conversation an action goes to: a room id, or ``dm:<contact>``; pacing is per conversation."""
    if isinstance(action, DirectMessage):
        return f"dm:{action.contact}"
    return action.room


def to_record(action: Action, ts: datetime) -> dict[str, Any]:
    """The JSON action line of interfaces.md for an action sent at ``ts``."""
    if isinstance(action, DirectMessage):
        room, to = None, [action.contact]
    else:
        room, to = action.room, list(getattr(action, "to", ()))
    record: dict[str, Any] = {
        "ts": ts.isoformat(),
        "kind": action.kind,
        "room": room,
        "to": to,
        "text": action.text,
        "reply_to": getattr(action, "reply_to", None),
        "reason": action.reason,
        "faq": getattr(action, "faq", None),
        "job": action.job,
    }
    merged = getattr(action, "merged", ())
    if merged:
        record["merged"] = list(merged)
    return record
