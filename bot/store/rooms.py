"""The rooms each bot account has seen, with their latest topic: the one table every reader uses.

``rooms: all`` in schedules, the digest (which rooms, and their names), ``#暂停 群名`` / ``#今日`` /
``#达人`` in a direct message and ``qunbot schedule list`` all read this table. One handler writes it
(``handlers/rooms.py``, only when a room is new or its topic changed). Rows are per bot account
(``config.account``): several bots sharing one database each know only the rooms they are in.
A topic of ``""`` means not known yet. Times are naive UTC, like every stored time.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import DateTime, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.db import Base, Database, utc_naive


class Room(Base):
    __tablename__ = "rooms"

    account: Mapped[str] = mapped_column(String(128), primary_key=True)
    """The bot account that saw the room (``config.account``)."""
    room: Mapped[str] = mapped_column(String(128), primary_key=True)
    topic: Mapped[str] = mapped_column(String(256), default="")
    first_seen: Mapped[datetime] = mapped_column(DateTime())
    updated_at: Mapped[datetime] = mapped_column(DateTime())
    """When the topic was last recorded."""


def record_room(db: Database, account: str, room: str, topic: str | None, when: datetime) -> None:
    """Insert a room or refresh its topic (an empty topic never erases a known one). Another process
    inserting the same row at the same moment is fine."""
    ts = utc_naive(when)
    try:
        with db.session() as s:
            row = s.get(Room, (account, room))
            if row is None:
                s.add(Room(account=account, room=room, topic=topic or "", first_seen=ts, updated_at=ts))
            elif topic and topic != row.topic:
                row.topic = topic
                row.updated_at = ts
    except IntegrityError:
        pass


def known_rooms(db: Database, account: str) -> dict[str, str]:
    """Room id -> latest topic (``""`` when unknown) of the rooms ``account`` has seen, sorted by id."""
    q = select(Room.room, Room.topic).where(Room.account == account).order_by(Room.room)
    with db.session() as s:
        return {room: topic or "" for room, topic in s.execute(q)}


def all_topics(db: Database) -> dict[str, str]:
    """Room id -> a known topic, over every account (for tools that read the whole database)."""
    out: dict[str, str] = {}
    with db.session() as s:
        for room, topic in s.execute(select(Room.room, Room.topic).order_by(Room.room, Room.updated_at)):
            if topic or room not in out:
                out[room] = topic or ""
    return out


def match_room(topics: Mapping[str, str], name_or_id: str) -> str | None:
    """A room id, or a topic (exact and unique, else a unique prefix), to the room id."""
    name = name_or_id.strip()
    if not name:
        return None
    if name in topics:
        return name
    exact = [r for r, t in topics.items() if t == name]
    if len(exact) == 1:
        return exact[0]
    prefix = [r for r, t in topics.items() if t and t.startswith(name)]
    return prefix[0] if len(prefix) == 1 else None


def find_room(db: Database, account: str, name_or_id: str) -> str | None:
    """The id of one of ``account``'s rooms named by id or topic, or None."""
    return match_room(known_rooms(db, account), name_or_id)
