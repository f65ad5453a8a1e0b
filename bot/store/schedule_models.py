"""Schedule bookkeeping: rooms the bot has seen, posts already made, how far each job was checked.

``schedule_posts`` has one row per (job, room, fire time) with a unique constraint: claiming that
row is what makes a scheduled post go out exactly once, across restarts, replays into the same
database and several bot processes sharing one database. ``schedule_marks`` remembers, per job,
the last fire time the bot dealt with, so a restart knows which fires it missed.
Times are stored as naive UTC so every backend compares them the same way.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.db import Base, Database, from_utc_naive, utc_naive


class ScheduleRoom(Base):
    """A room the bot has seen an event in (``rooms: all`` means these), with its latest topic."""

    __tablename__ = "schedule_rooms"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    topic: Mapped[str | None] = mapped_column(String(256), nullable=True)
    first_seen: Mapped[datetime] = mapped_column(DateTime())
    updated_at: Mapped[datetime] = mapped_column(DateTime())
    """When the topic was last recorded (the handler writes only news, not every message)."""


class SchedulePost(Base):
    __tablename__ = "schedule_posts"
    __table_args__ = (UniqueConstraint("job", "room", "fire_at", name="uq_schedule_post"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(128))
    room: Mapped[str] = mapped_column(String(128))
    fire_at: Mapped[datetime] = mapped_column(DateTime())
    posted_at: Mapped[datetime] = mapped_column(DateTime())
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)


class ScheduleMark(Base):
    """Every fire of ``job`` up to ``checked_until`` has been posted or deliberately skipped."""

    __tablename__ = "schedule_marks"

    job: Mapped[str] = mapped_column(String(128), primary_key=True)
    checked_until: Mapped[datetime] = mapped_column(DateTime())


def record_room(db: Database, room: str, topic: str | None, when: datetime) -> None:
    """Insert or refresh a known room (another process may insert it at the same moment: fine)."""
    ts = utc_naive(when)
    try:
        with db.session() as s:
            row = s.get(ScheduleRoom, room)
            if row is None:
                s.add(ScheduleRoom(id=room, topic=topic, first_seen=ts, updated_at=ts))
            elif topic and topic != row.topic:
                row.topic = topic
                row.updated_at = ts
    except IntegrityError:
        pass


def known_rooms(db: Database) -> dict[str, str | None]:
    """Room id -> latest topic, sorted by id (deterministic order for posts)."""
    with db.session() as s:
        return {r.id: r.topic for r in s.scalars(select(ScheduleRoom).order_by(ScheduleRoom.id))}


def claim_post(db: Database, job: str, room: str, fire_at: datetime, posted_at: datetime,
               kind: str, text: str) -> bool:
    """True if this (job, room, fire time) was not posted yet and is now ours to post."""
    try:
        with db.session() as s:
            s.add(SchedulePost(job=job, room=room, fire_at=utc_naive(fire_at), posted_at=utc_naive(posted_at),
                               kind=kind, text=text))
    except IntegrityError:
        return False
    return True


def marks(db: Database) -> dict[str, datetime]:
    with db.session() as s:
        return {m.job: from_utc_naive(m.checked_until) for m in s.scalars(select(ScheduleMark))}


def advance_marks(db: Database, jobs: list[str], when: datetime) -> None:
    """Move each job's mark to ``when`` (never backwards: a second replay of an old log keeps it)."""
    ts = utc_naive(when)
    try:
        with db.session() as s:
            for job in jobs:
                row = s.get(ScheduleMark, job)
                if row is None:
                    s.add(ScheduleMark(job=job, checked_until=ts))
                elif row.checked_until < ts:
                    row.checked_until = ts
    except IntegrityError:
        pass
