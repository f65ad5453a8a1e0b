"""Events: what happened in WeChat (or in a recorded log), as small frozen values.

The adapter and the replay reader build these; handlers only ever see these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

SELF_ID = "self"
"""The bot's own contact id in logs and replay (the live adapter maps the real id onto it)."""


class MessageType(StrEnum):
    TEXT = "text"
    EMOJI = "emoji"
    IMAGE = "image"
    LINK = "link"
    VOICE = "voice"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Message:
    """A message in a room (``room`` set) or a direct message to the bot (``room`` None)."""

    id: str
    ts: datetime
    room: str | None
    sender: str
    sender_name: str
    text: str
    type: MessageType = MessageType.TEXT
    room_topic: str | None = None
    mentions: tuple[str, ...] = ()
    mentions_bot: bool = False
    quote: str | None = None

    @property
    def is_direct(self) -> bool:
        return self.room is None


@dataclass(frozen=True, slots=True)
class Join:
    """A member joined a room."""

    id: str
    ts: datetime
    room: str
    member: str
    member_name: str
    room_topic: str | None = None


@dataclass(frozen=True, slots=True)
class Leave:
    """A member left (or was removed from) a room."""

    id: str
    ts: datetime
    room: str
    member: str
    member_name: str = ""
    room_topic: str | None = None


@dataclass(frozen=True, slots=True)
class Tick:
    """A timed job fired (a schedule post, the daily digest...) at ``ts``, its planned fire time."""

    ts: datetime
    job: str
    rooms: tuple[str, ...] = field(default=())


Event = Message | Join | Leave | Tick

MEDIA_TEXT = {MessageType.EMOJI: "[表情]", MessageType.IMAGE: "[图片]", MessageType.LINK: "[链接]",
              MessageType.VOICE: "[语音]"}
"""How a non-text message reads in a transcript (hand-off context, the demo's chat view)."""
